/**
 * IPsec AH authentication of VRRPv2 adverts exactly as keepalived builds it in userspace
 * (RFC 2338 §5.3.6.2 + RFC 2402 layout, keepalived K-19):
 *
 *   IPv4 header (protocol 51) | AH (24 bytes) | VRRPv2 message (auth type 2, auth data zero)
 *   AH = next header 112 | payload len 4 | reserved 0 | SPI = sender IPv4 address | sequence | ICV (12)
 *   ICV = HMAC-MD5-96(key = 8-byte auth_pass, IP header with TOS, flags/fragment and header
 *         checksum zeroed (and TTL too for unicast) | AH with ICV zeroed | VRRP message)
 *
 * Receivers check the ICV, then SPI = IP source, then that the sequence number is strictly
 * greater than the instance's counter (anti-replay). The counter is shared by rx and tx, as in
 * keepalived: helpers below keep that arithmetic pure.
 */
import { bytesEqualConstantTime, readU32, writeU32 } from '../bytes.js';
import { hmacMd5_96 } from '../hmac.js';
import { IPPROTO_VRRP } from '../ipv4.js';
import { fail, ok, type Result } from '../result.js';

export const AH_HEADER_BYTES = 24;
export const AH_PAYLOAD_LEN = 4;
export const AH_ICV_BYTES = 12;
const ICV_OFFSET = 12;

export interface AhHeader {
  nextHeader: number;
  payloadLen: number;
  spi: number;
  sequence: number;
  icv: Uint8Array;
}

export function buildAhHeader(spi: number, sequence: number, icv?: Uint8Array): Uint8Array {
  const ah = new Uint8Array(AH_HEADER_BYTES);
  ah[0] = IPPROTO_VRRP;
  ah[1] = AH_PAYLOAD_LEN;
  writeU32(ah, 4, spi >>> 0);
  writeU32(ah, 8, sequence >>> 0);
  if (icv) ah.set(icv.subarray(0, AH_ICV_BYTES), ICV_OFFSET);
  return ah;
}

export function parseAhHeader(b: Uint8Array): Result<AhHeader, 'too-short'> {
  if (b.length < AH_HEADER_BYTES) return fail('too-short', `AH header needs ${AH_HEADER_BYTES} bytes, have ${b.length}`);
  return ok({
    nextHeader: b[0]!,
    payloadLen: b[1]!,
    spi: readU32(b, 4),
    sequence: readU32(b, 8),
    icv: b.subarray(ICV_OFFSET, ICV_OFFSET + AH_ICV_BYTES),
  });
}

/**
 * The 12-byte ICV over `ipHeader` (IHL × 4 bytes, options included), `ah` (24 bytes; its ICV
 * is treated as zero) and the VRRP `message`. `unicast` zeroes the TTL as keepalived does for
 * instances with unicast peers.
 */
export function computeAhIcv(
  ipHeader: Uint8Array,
  ah: Uint8Array,
  message: Uint8Array,
  key: Uint8Array,
  unicast = false,
): Uint8Array {
  const hdr = ipHeader.slice();
  hdr[1] = 0; // TOS
  hdr[6] = 0; // flags + fragment offset
  hdr[7] = 0;
  hdr[10] = 0; // header checksum
  hdr[11] = 0;
  if (unicast) hdr[8] = 0; // TTL
  const ahZeroed = ah.slice(0, AH_HEADER_BYTES);
  ahZeroed.fill(0, ICV_OFFSET, ICV_OFFSET + AH_ICV_BYTES);
  return hmacMd5_96(key, hdr, ahZeroed, message);
}

export function ahIcvOk(ipHeader: Uint8Array, ah: Uint8Array, message: Uint8Array, key: Uint8Array, unicast = false): boolean {
  const want = computeAhIcv(ipHeader, ah, message, key, unicast);
  return bytesEqualConstantTime(ah.subarray(ICV_OFFSET, ICV_OFFSET + AH_ICV_BYTES), want);
}

/** SPI keepalived puts in the AH header: the sender's IPv4 address as a 32-bit number. */
export function ahSpiFor(src: Uint8Array): number {
  return readU32(src, 0);
}

/** Per-instance AH sequence state (keepalived `ipsecah_counter`). */
export interface AhCounter {
  /** Last sequence number sent or accepted. Starts at 0. */
  sequence: number;
  /** Set when the counter would pass 0xFFFFFFFD; the instance then stops acting as master. */
  cycled: boolean;
}

export const AH_COUNTER_INITIAL: AhCounter = { sequence: 0, cycled: false };

/** Sequence for the next transmitted advert (keepalived increments before sending, so the first is 1). */
export function ahNextTxSequence(c: AhCounter): AhCounter {
  if (c.sequence > 0xfffffffd) return { sequence: c.sequence, cycled: true };
  return { sequence: c.sequence + 1, cycled: c.cycled };
}

/** Anti-replay: accept only a sequence strictly greater than the counter; accepting advances it. */
export function ahAcceptRxSequence(c: AhCounter, received: number): AhCounter | undefined {
  return received > c.sequence ? { sequence: received, cycled: c.cycled } : undefined;
}
