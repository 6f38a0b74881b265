/**
 * A frame on a simulated wire: the real Ethernet bytes plus the few header fields the
 * simulator routes on, read once when the frame is sent (never once per receiver).
 *
 * The fields are peeked at fixed offsets; decoding and validation of VRRP/ARP/ND is left to
 * protocol/ (the receiving runtime and the invariant checker call the real codecs).
 */
import { formatIpv4, formatIpv6, formatMac } from '../../protocol/addr.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const IPPROTO_VRRP = 112;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;

export interface Frame {
  bytes: Uint8Array;
  ethertype: number;
  /** Destination MAC text ("01:00:5e:00:00:12"). */
  dstMac: string;
  srcMac: string;
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
}

function readU16(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) << 8) | (b[off + 1] ?? 0);
}

/** Peek the routing fields of an Ethernet frame; a reason string when it is too short to route. */
export function peekFrame(bytes: Uint8Array): Frame | string {
  if (bytes.length < 14) return 'runt frame';
  const ethertype = readU16(bytes, 12);
  const frame: Frame = {
    bytes,
    ethertype,
    dstMac: formatMac(bytes.subarray(0, 6)),
    srcMac: formatMac(bytes.subarray(6, 12)),
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
    frame.src = formatIpv4(bytes.subarray(26, 30));
    frame.dst = formatIpv4(bytes.subarray(30, 34));
    frame.payloadOffset = 14 + ihl;
    frame.payloadLength = total - ihl;
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

/** True for Ethernet group addresses (the I/G bit). */
export function isGroupMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
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
