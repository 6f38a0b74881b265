/** HMAC (RFC 2104) over MD5, as used by keepalived's AH authentication (HMAC-MD5-96, RFC 2403). */
import { md5 } from './md5.js';

const BLOCK_BYTES = 64;

/** HMAC-MD5 of the concatenation of `parts` under `key` → 16-byte MAC. */
export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const k = key.length > BLOCK_BYTES ? md5(key) : key;
  const ipad = new Uint8Array(BLOCK_BYTES);
  const opad = new Uint8Array(BLOCK_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const kb = k[i] ?? 0;
    ipad[i] = kb ^ 0x36;
    opad[i] = kb ^ 0x5c;
  }
  return md5(opad, md5(ipad, ...parts));
}

/** HMAC-MD5-96: the first 12 bytes of HMAC-MD5 (RFC 2403 §2). */
export function hmacMd5_96(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  return hmacMd5(key, ...parts).subarray(0, 12);
}
