/**
 * IPv6 fixed header (RFC 8200 §3). Extension headers are not walked: VRRP, AH-less NA and
 * keepalived's adverts carry none; a packet with one reports its Next Header as is.
 */
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { fail, ok, type Result } from './result.js';

export const IPV6_HEADER_BYTES = 40;
export const IPPROTO_ICMPV6 = 58;

export interface Ipv6HeaderSpec {
  trafficClass?: number;
  flowLabel?: number;
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array;
  dst: Uint8Array;
}

export function buildIpv6Header(spec: Ipv6HeaderSpec, payloadLength: number): Uint8Array {
  const hdr = new Uint8Array(IPV6_HEADER_BYTES);
  const tc = spec.trafficClass ?? 0;
  writeU32(hdr, 0, ((6 << 28) | (tc << 20) | ((spec.flowLabel ?? 0) & 0xfffff)) >>> 0);
  writeU16(hdr, 4, payloadLength);
  hdr[6] = spec.nextHeader;
  hdr[7] = spec.hopLimit;
  hdr.set(spec.src.subarray(0, 16), 8);
  hdr.set(spec.dst.subarray(0, 16), 24);
  return hdr;
}

export function buildIpv6Packet(spec: Ipv6HeaderSpec, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(IPV6_HEADER_BYTES + payload.length);
  out.set(buildIpv6Header(spec, payload.length), 0);
  out.set(payload, IPV6_HEADER_BYTES);
  return out;
}

export interface Ipv6Packet {
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** Payload cut at Payload Length (padding after it is dropped). */
  payload: Uint8Array;
  trailingBytes: number;
}

export type Ipv6DropReason = 'too-short' | 'bad-ip-version' | 'bad-ip-total-length';

export function parseIpv6Packet(b: Uint8Array): Result<Ipv6Packet, Ipv6DropReason> {
  if (b.length < IPV6_HEADER_BYTES) return fail('too-short', `IPv6 packet of ${b.length} bytes`);
  const word = readU32(b, 0);
  const version = word >>> 28;
  if (version !== 6) return fail('bad-ip-version', `IP version ${version}`);
  const payloadLength = readU16(b, 4);
  const end = IPV6_HEADER_BYTES + payloadLength;
  if (end > b.length) return fail('bad-ip-total-length', `payload length ${payloadLength}, have ${b.length - IPV6_HEADER_BYTES} bytes`);
  return ok({
    trafficClass: (word >>> 20) & 0xff,
    flowLabel: word & 0xfffff,
    payloadLength,
    nextHeader: b[6]!,
    hopLimit: b[7]!,
    src: b.subarray(8, 24),
    dst: b.subarray(24, 40),
    payload: b.subarray(IPV6_HEADER_BYTES, end),
    trailingBytes: b.length - end,
  });
}
