/**
 * IPv4 header (RFC 791 §3.1): build with header checksum, parse with IHL options and trailing
 * Ethernet padding tolerated (the payload is cut at Total Length, keepalived K-24).
 * keepalived sends adverts with TOS 0xC0 (CS6) and an ID that increments per packet (K-1).
 */
import { readU16, writeU16 } from './bytes.js';
import { internetChecksum, internetChecksumOfPrefix } from './checksum.js';
import { fail, ok, type Result } from './result.js';

export const IPV4_HEADER_BYTES = 20;
export const IPPROTO_AH = 51;
export const IPPROTO_VRRP = 112;
/** The TOS keepalived puts on VRRP adverts (DSCP CS6, "network control"). */
export const VRRP_TOS = 0xc0;

export interface Ipv4HeaderSpec {
  tos?: number;
  id?: number;
  /** Flags (3 bits) and fragment offset (13 bits) as the 16-bit word; 0 by default. */
  flagsFragment?: number;
  ttl: number;
  protocol: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** IP options, padded with zeros to a multiple of 4 bytes (max 40). */
  options?: Uint8Array;
}

/** The next IP ID after `id` (16-bit wrap), as keepalived increments it per advert. */
export function nextIpv4Id(id: number): number {
  return (id + 1) & 0xffff;
}

export function buildIpv4Header(spec: Ipv4HeaderSpec, payloadLength: number): Uint8Array {
  const optionBytes = spec.options ? Math.min(40, (spec.options.length + 3) & ~3) : 0;
  const hdr = new Uint8Array(IPV4_HEADER_BYTES + optionBytes);
  hdr[0] = 0x40 | (hdr.length >>> 2);
  hdr[1] = spec.tos ?? 0;
  writeU16(hdr, 2, hdr.length + payloadLength);
  writeU16(hdr, 4, spec.id ?? 0);
  writeU16(hdr, 6, spec.flagsFragment ?? 0);
  hdr[8] = spec.ttl;
  hdr[9] = spec.protocol;
  hdr.set(spec.src.subarray(0, 4), 12);
  hdr.set(spec.dst.subarray(0, 4), 16);
  if (spec.options) hdr.set(spec.options.subarray(0, optionBytes), IPV4_HEADER_BYTES);
  writeU16(hdr, 10, internetChecksum(hdr));
  return hdr;
}

/**
 * An IPv4 datagram given another ID, its header checksum recomputed, in place (returns `packet`):
 * what changes between two otherwise identical packets from one sender (keepalived's per-advert
 * ID, K-1).
 */
export function setIpv4Id(packet: Uint8Array, id: number): Uint8Array {
  const headerBytes = Math.min((packet[0]! & 0x0f) * 4, packet.length);
  writeU16(packet, 4, id);
  writeU16(packet, 10, 0);
  writeU16(packet, 10, internetChecksumOfPrefix(packet, headerBytes));
  return packet;
}

export function buildIpv4Packet(spec: Ipv4HeaderSpec, payload: Uint8Array): Uint8Array {
  const hdr = buildIpv4Header(spec, payload.length);
  const out = new Uint8Array(hdr.length + payload.length);
  out.set(hdr, 0);
  out.set(payload, hdr.length);
  return out;
}

export interface Ipv4Packet {
  headerLength: number;
  tos: number;
  totalLength: number;
  id: number;
  flagsFragment: number;
  ttl: number;
  protocol: number;
  headerChecksum: number;
  /** True when the header checksum verifies. */
  headerChecksumOk: boolean;
  src: Uint8Array;
  dst: Uint8Array;
  /** The header bytes (IHL × 4), options included. */
  header: Uint8Array;
  /** Payload cut at Total Length (padding after it is dropped). */
  payload: Uint8Array;
  /** Bytes after Total Length (Ethernet padding). */
  trailingBytes: number;
}

export type Ipv4DropReason = 'too-short' | 'bad-ip-version' | 'bad-ip-header-length' | 'bad-ip-total-length';

export function parseIpv4Packet(b: Uint8Array): Result<Ipv4Packet, Ipv4DropReason> {
  if (b.length < IPV4_HEADER_BYTES) return fail('too-short', `IPv4 packet of ${b.length} bytes`);
  const version = b[0]! >>> 4;
  if (version !== 4) return fail('bad-ip-version', `IP version ${version}`);
  const headerLength = (b[0]! & 0x0f) * 4;
  if (headerLength < IPV4_HEADER_BYTES || headerLength > b.length) {
    return fail('bad-ip-header-length', `IHL ${headerLength} bytes, packet ${b.length} bytes`);
  }
  const totalLength = readU16(b, 2);
  if (totalLength < headerLength || totalLength > b.length) {
    return fail('bad-ip-total-length', `total length ${totalLength}, header ${headerLength}, have ${b.length} bytes`);
  }
  const header = b.subarray(0, headerLength);
  return ok({
    headerLength,
    tos: b[1]!,
    totalLength,
    id: readU16(b, 4),
    flagsFragment: readU16(b, 6),
    ttl: b[8]!,
    protocol: b[9]!,
    headerChecksum: readU16(b, 10),
    headerChecksumOk: internetChecksum(header) === 0,
    src: b.subarray(12, 16),
    dst: b.subarray(16, 20),
    header,
    payload: b.subarray(headerLength, totalLength),
    trailingBytes: b.length - totalLength,
  });
}
