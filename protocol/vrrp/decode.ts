/**
 * VRRP receive, layer 1: parse. Pure and total: any byte string yields either a VrrpAdvert
 * (with every field as received, however wrong) or a reason the bytes are not a VRRP packet at
 * all. Judging the advert against a configuration is validate.ts.
 */
import { IpAddress } from '../addr.js';
import { readU16 } from '../bytes.js';
import { IPPROTO_AH, IPPROTO_VRRP, parseIpv4Packet } from '../ipv4.js';
import { fail, ok, type Result } from '../result.js';
import { AH_HEADER_BYTES, parseAhHeader } from './auth-ah.js';
import { VRRP_HEADER_BYTES, VRRP_V2_AUTH_BYTES, vrrpMessageLength } from './constants.js';
import type { IpFamily, VrrpAdvert, VrrpDropReason, VrrpRxInput } from './types.js';

export type VrrpDecodeFailure = Extract<VrrpDropReason, 'too-short' | 'bad-ip-header' | 'bad-ip-total-length' | 'not-vrrp'>;

/** Decode a received VRRP packet (IPv4 datagram, or IPv6 payload + addresses). Never throws. */
export function decodeVrrp(input: VrrpRxInput): Result<VrrpAdvert, VrrpDecodeFailure> {
  if (input.family === 6) {
    const { src, dst } = input;
    if (src?.family !== 6 || dst?.family !== 6) {
      return fail('bad-ip-header', `IPv6 advert needs IPv6 src/dst, got ${src?.text ?? '?'} → ${dst?.text ?? '?'}`);
    }
    return decodeVrrpMessage(input.data, 6, src, dst, input.ttl ?? -1);
  }
  const ip = parseIpv4Packet(input.data);
  if (!ip.ok) {
    const reason = ip.reason === 'too-short' ? 'too-short' : ip.reason === 'bad-ip-total-length' ? 'bad-ip-total-length' : 'bad-ip-header';
    return fail(reason, ip.detail);
  }
  const p = ip.value;
  let payload = p.payload;
  let ahBytes: Uint8Array | undefined;
  if (p.protocol === IPPROTO_AH) {
    const ah = parseAhHeader(payload);
    if (!ah.ok) return fail('too-short', ah.detail);
    if (ah.value.nextHeader !== IPPROTO_VRRP) return fail('not-vrrp', `AH next header ${ah.value.nextHeader}, not VRRP`);
    ahBytes = payload.subarray(0, AH_HEADER_BYTES);
    payload = payload.subarray(AH_HEADER_BYTES);
  } else if (p.protocol !== IPPROTO_VRRP) {
    return fail('not-vrrp', `IP protocol ${p.protocol}`);
  }
  const decoded = decodeVrrpMessage(payload, 4, IpAddress.fromBytesAt(input.data, 12, 4)!, IpAddress.fromBytesAt(input.data, 16, 4)!, p.ttl);
  if (!decoded.ok) return decoded;
  const advert = decoded.value;
  advert.ipHeader = p.header;
  advert.ipId = p.id;
  advert.tos = p.tos;
  if (ahBytes) {
    const ah = parseAhHeader(ahBytes);
    if (ah.ok) advert.ah = ah.value;
    advert.ahBytes = ahBytes;
  }
  return ok(advert);
}

/** Decode a bare VRRP message given the addresses it travelled between. */
export function decodeVrrpMessage(
  message: Uint8Array,
  family: IpFamily,
  src: IpAddress,
  dst: IpAddress,
  ttl: number,
): Result<VrrpAdvert, VrrpDecodeFailure> {
  if (message.length < VRRP_HEADER_BYTES) return fail('too-short', `VRRP message of ${message.length} bytes`);
  const version = message[0]! >>> 4;
  const count = message[3]!;
  const addrBytes = family === 6 ? 16 : 4;
  const addresses: IpAddress[] = [];
  for (let i = 0; i < count; i++) {
    const off = VRRP_HEADER_BYTES + i * addrBytes;
    if (off + addrBytes > message.length) break;
    addresses.push(IpAddress.fromBytesAt(message, off, addrBytes)!);
  }
  const authOff = VRRP_HEADER_BYTES + count * addrBytes;
  const isV2 = version === 2;
  const hasAuthData = isV2 && family === 4;
  const intervalField = isV2 ? message[5]! : readU16(message, 4) & 0x0fff;
  return ok({
    family,
    version,
    type: message[0]! & 0x0f,
    vrid: message[1]!,
    priority: message[2]!,
    count,
    authType: isV2 ? message[4]! : message[4]! >>> 4,
    intervalField,
    advertIntervalCs: isV2 ? intervalField * 100 : intervalField,
    checksum: readU16(message, 6),
    addresses,
    authData:
      hasAuthData && authOff + VRRP_V2_AUTH_BYTES <= message.length
        ? message.subarray(authOff, authOff + VRRP_V2_AUTH_BYTES)
        : new Uint8Array(0),
    src,
    dst,
    ttl,
    message,
    expectedLength: vrrpMessageLength(version, family, count),
  });
}
