/**
 * MD5 message digest (RFC 1321), written for keepalived's IPsec-AH HMAC-MD5-96 advert
 * authentication (RFC 2338 §5.3.6.2). Pure and allocation-light; not for new security designs.
 */

// Per-round left-rotate amounts (RFC 1321 §3.4).
const SHIFTS = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4,
  11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

// T[i] = floor(2^32 · |sin(i + 1)|) (RFC 1321 §3.4).
const T = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0);

function processBlock(state: Uint32Array, x: Uint32Array): void {
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const sum = (a + f + T[i]! + x[g]!) | 0;
    const s = SHIFTS[i]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

/** MD5 over the concatenation of `parts` → 16-byte digest. */
export function md5(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const state = Uint32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476);
  const block = new Uint8Array(64);
  const words = new Uint32Array(16);
  let fill = 0;
  const flush = () => {
    for (let i = 0; i < 16; i++) {
      const o = i * 4;
      words[i] = block[o]! | (block[o + 1]! << 8) | (block[o + 2]! << 16) | (block[o + 3]! << 24);
    }
    processBlock(state, words);
    fill = 0;
  };
  const push = (byte: number) => {
    block[fill++] = byte;
    if (fill === 64) flush();
  };
  for (const p of parts) for (let i = 0; i < p.length; i++) push(p[i]!);
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  push(0x80);
  while (fill !== 56) push(0);
  const bitsLow = (length * 8) >>> 0;
  const bitsHigh = Math.floor(length / 0x20000000) >>> 0;
  for (let i = 0; i < 4; i++) push((bitsLow >>> (8 * i)) & 0xff);
  for (let i = 0; i < 4; i++) push((bitsHigh >>> (8 * i)) & 0xff);
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = state[i]!;
    out[i * 4] = w & 0xff;
    out[i * 4 + 1] = (w >>> 8) & 0xff;
    out[i * 4 + 2] = (w >>> 16) & 0xff;
    out[i * 4 + 3] = (w >>> 24) & 0xff;
  }
  return out;
}
