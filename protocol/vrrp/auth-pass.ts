/**
 * RFC 2338 simple text password (keepalived `auth_type PASS`, K-19): the first 8 bytes of
 * `auth_pass`, zero-padded, sent in the VRRPv2 Authentication Data field; compared in constant time.
 */
import { utf8Bytes } from '../bytes.js';
import { VRRP_V2_AUTH_BYTES } from './constants.js';

/** The 8-byte auth data (also the AH key) keepalived derives from `auth_pass`. */
export function authDataFromPassword(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_V2_AUTH_BYTES);
  out.set(utf8Bytes(password).subarray(0, VRRP_V2_AUTH_BYTES));
  return out;
}

/** The first 8 bytes of each (fewer when shorter) are the same, compared in constant time; no views made. */
export function passwordMatches(received: Uint8Array, expected: Uint8Array): boolean {
  const n = Math.min(received.length, VRRP_V2_AUTH_BYTES);
  if (n !== Math.min(expected.length, VRRP_V2_AUTH_BYTES)) return false;
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= received[i]! ^ expected[i]!;
  return diff === 0;
}
