/**
 * A frame on a simulated wire: the real Ethernet bytes plus the few header fields the
 * simulator routes on, read once when the frame is sent (never once per receiver).
 *
 * The fields are peeked at fixed offsets; decoding and validation of VRRP/ARP/ND is left to
 * protocol/ (the receiving runtime and the invariant monitor call the real codecs). What the
 * receiving kernels would discard (a wrong IPv4 header checksum, a fragment) is judged here once.
 */
import { formatIpv4, formatIpv6, IpAddress } from '../../protocol/addr.js';
import { internetChecksum } from '../../protocol/checksum.js';
import { ipv4KernelDrop, type KernelDropReason } from '../../protocol/kernel-rx.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const IPPROTO_VRRP = 112;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;

export interface Frame {
  bytes: Uint8Array;
  ethertype: number;
  /** Destination is a group (multicast/broadcast) address: the I/G bit of the first byte. */
  group: boolean;
  /** IP family of the payload, 0 for non-IP (ARP). */
  family: 0 | 4 | 6;
  /** IPv4 protocol / IPv6 next header (0 for non-IP). */
  proto: number;
  src: string;
  dst: string;
  ttl: number;
  /** Offset of the IP header in `bytes`, and of the IP payload. */
  l3Offset: number;
  payloadOffset: number;
  payloadLength: number;
  /** Set when every receiving kernel discards the packet before a socket sees it (protocol/kernel-rx.ts). */
  kernelDrop?: KernelDropReason;
}

function readU16(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) << 8) | (b[off + 1] ?? 0);
}

/** Address text is needed per packet (VrrpRxPacket.src/dst): cache the few a simulation uses. */
const v4Text = new Map<number, string>();

function ipv4At(b: Uint8Array, off: number): string {
  const key = (((b[off] ?? 0) << 24) | ((b[off + 1] ?? 0) << 16) | ((b[off + 2] ?? 0) << 8) | (b[off + 3] ?? 0)) >>> 0;
  let text = v4Text.get(key);
  if (text === undefined) {
    text = formatIpv4(b.subarray(off, off + 4));
    if (v4Text.size < 65536) v4Text.set(key, text);
  }
  return text;
}

/** True when the frame's destination MAC is `mac`. */
export function frameIsFor(f: Frame, mac: Uint8Array): boolean {
  const b = f.bytes;
  return b[0] === mac[0] && b[1] === mac[1] && b[2] === mac[2] && b[3] === mac[3] && b[4] === mac[4] && b[5] === mac[5];
}

/** Peek the routing fields of an Ethernet frame; a reason string when it is too short to route. */
export function peekFrame(bytes: Uint8Array): Frame | string {
  if (bytes.length < 14) return 'runt frame';
  const ethertype = readU16(bytes, 12);
  const frame: Frame = {
    bytes,
    ethertype,
    group: ((bytes[0] ?? 0) & 1) === 1,
    family: 0,
    proto: 0,
    src: '',
    dst: '',
    ttl: 0,
    l3Offset: 14,
    payloadOffset: 14,
    payloadLength: bytes.length - 14,
  };
  if (ethertype === ETHERTYPE_IPV4) {
    if (bytes.length < 34) return 'truncated IPv4 header';
    const ihl = ((bytes[14] ?? 0) & 0x0f) * 4;
    const total = readU16(bytes, 16);
    if (ihl < 20 || total < ihl || 14 + total > bytes.length) return 'bad IPv4 length';
    frame.family = 4;
    frame.ttl = bytes[22] ?? 0;
    frame.proto = bytes[23] ?? 0;
    frame.src = ipv4At(bytes, 26);
    frame.dst = ipv4At(bytes, 30);
    frame.payloadOffset = 14 + ihl;
    frame.payloadLength = total - ihl;
    const header = bytes.subarray(14, 14 + ihl);
    const drop = ipv4KernelDrop({ headerChecksumOk: internetChecksum(header) === 0, headerChecksum: readU16(bytes, 24), flagsFragment: readU16(bytes, 20) });
    if (drop) frame.kernelDrop = drop.reason;
  } else if (ethertype === ETHERTYPE_IPV6) {
    if (bytes.length < 54) return 'truncated IPv6 header';
    const payloadLength = readU16(bytes, 18);
    if (54 + payloadLength > bytes.length) return 'bad IPv6 length';
    frame.family = 6;
    frame.proto = bytes[20] ?? 0;
    frame.ttl = bytes[21] ?? 0;
    frame.src = formatIpv6(bytes.subarray(22, 38));
    frame.dst = formatIpv6(bytes.subarray(38, 54));
    frame.payloadOffset = 54;
    frame.payloadLength = payloadLength;
  }
  return frame;
}

/** The IP datagram (IPv4) or the IPv6 payload, as the VrrpNet port hands it to a runtime. */
export function vrrpData(f: Frame): Uint8Array {
  return f.family === 4
    ? f.bytes.subarray(f.l3Offset, f.payloadOffset + f.payloadLength)
    : f.bytes.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength);
}

/**
 * A VRRP frame as a receive socket gets it (the decoder's input): the IPv4 datagram, or the IPv6
 * payload with its source and destination built once from the header bytes and its hop limit.
 */
export function vrrpRx(f: Frame): { family: 4 | 6; data: Uint8Array; ttl: number; src?: IpAddress; dst?: IpAddress } {
  if (f.family === 4) return { family: 4, data: vrrpData(f), ttl: f.ttl };
  const h = f.l3Offset;
  return { family: 6, data: vrrpData(f), ttl: f.ttl, src: IpAddress.fromBytes(f.bytes.subarray(h + 8, h + 24))!, dst: IpAddress.fromBytes(f.bytes.subarray(h + 24, h + 40))! };
}

export interface VrrpPeek {
  version: number;
  vrid: number;
  priority: number;
  /** v2: Adver Int × 100; v3: Max Adver Int (centiseconds). */
  intervalCs: number;
  /** Offset of the VRRP message in the frame (after AH, if any). */
  offset: number;
}

/** The VRRP header fields the simulator routes and checks on (validation is protocol/'s job). */
export function peekVrrp(f: Frame): VrrpPeek | undefined {
  const b = f.bytes;
  let off = f.payloadOffset;
  if (f.proto === IPPROTO_AH) off += ((b[off + 1] ?? 0) + 2) * 4;
  else if (f.proto !== IPPROTO_VRRP) return undefined;
  if (off + 8 > b.length) return undefined;
  const version = (b[off] ?? 0) >> 4;
  const intervalCs = version === 3 ? (((b[off + 4] ?? 0) & 0x0f) << 8) | (b[off + 5] ?? 0) : (b[off + 5] ?? 0) * 100;
  return { version, vrid: b[off + 1] ?? 0, priority: b[off + 2] ?? 0, intervalCs, offset: off };
}
