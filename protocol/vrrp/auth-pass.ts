/**
 * RFC 2338 simple text password (keepalived `auth_type PASS`, K-19): the first 8 bytes of
 * `auth_pass`, zero-padded, sent in the VRRPv2 Authentication Data field; compared in constant time.
 */
import { bytesEqualConstantTime, utf8Bytes } from '../bytes.js';
import { VRRP_V2_AUTH_BYTES } from './constants.js';

/** The 8-byte auth data (also the AH key) keepalived derives from `auth_pass`. */
export function authDataFromPassword(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_V2_AUTH_BYTES);
  out.set(utf8Bytes(password).subarray(0, VRRP_V2_AUTH_BYTES));
  return out;
}

export function passwordMatches(received: Uint8Array, expected: Uint8Array): boolean {
  return bytesEqualConstantTime(received.subarray(0, VRRP_V2_AUTH_BYTES), expected.subarray(0, VRRP_V2_AUTH_BYTES));
}
