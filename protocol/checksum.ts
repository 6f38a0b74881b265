/**
 * Internet checksum (RFC 1071) and the pseudo-headers that upper-layer checksums cover:
 * IPv4 (RFC 768 / RFC 793 layout) and IPv6 (RFC 8200 §8.1).
 */
import { writeU16, writeU32 } from './bytes.js';

/**
 * One's-complement checksum over the concatenation of `parts` (treated as one byte stream, so an
 * odd-length part continues into the next). Returns the 16-bit value to store in the header.
 * A buffer whose stored checksum is correct sums to 0 here.
 */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const p of parts) {
    let i = 0;
    if (odd && p.length > 0) {
      sum += p[0]!;
      i = 1;
      odd = false;
    }
    const end = p.length - 1;
    for (; i < end; i += 2) sum += (p[i]! << 8) | p[i + 1]!;
    if (i === end) {
      sum += p[i]! << 8;
      odd = true;
    }
    // Fold often enough that the sum stays a small integer.
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * internetChecksum over the first `length` bytes of `data` alone, with no view or argument array
 * made: for the IPv4 header checksum recomputed on every advert (setIpv4Id).
 */
export function internetChecksumOfPrefix(data: Uint8Array, length: number): number {
  let sum = 0;
  let i = 0;
  for (; i + 1 < length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (i < length) sum += data[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** IPv4 pseudo-header: src(4) | dst(4) | zero(1) | protocol(1) | upper-layer length(2). */
export function ipv4PseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  const ph = new Uint8Array(12);
  ph.set(src.subarray(0, 4), 0);
  ph.set(dst.subarray(0, 4), 4);
  ph[9] = protocol;
  writeU16(ph, 10, length);
  return ph;
}

/** IPv6 pseudo-header (RFC 8200 §8.1): src(16) | dst(16) | upper-layer length(4, 32-bit) | zero(3) | next header(1). */
export function ipv6PseudoHeader(src: Uint8Array, dst: Uint8Array, nextHeader: number, length: number): Uint8Array {
  const ph = new Uint8Array(40);
  ph.set(src.subarray(0, 16), 0);
  ph.set(dst.subarray(0, 16), 16);
  writeU32(ph, 32, length);
  ph[39] = nextHeader;
  return ph;
}
