import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8Bytes } from '../../protocol/bytes.js';
import { hmacMd5, hmacMd5_96 } from '../../protocol/hmac.js';
import { md5 } from '../../protocol/md5.js';
import { hex } from './fixtures.js';

describe('MD5 (RFC 1321 §A.5 test suite)', () => {
  const vectors: Array<[string, string]> = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  it.each(vectors)('md5(%j)', (text, digest) => {
    expect(bytesToHex(md5(utf8Bytes(text)))).toBe(digest);
  });
  it('agrees with node:crypto at every length around the block boundaries', () => {
    for (let len = 0; len <= 200; len++) {
      const data = randomBytes(len);
      expect(bytesToHex(md5(data)), `length ${len}`).toBe(createHash('md5').update(data).digest('hex'));
    }
  });
  it('hashes split input like the concatenation', () => {
    const data = randomBytes(150);
    expect(bytesToHex(md5(data.subarray(0, 7), data.subarray(7, 70), data.subarray(70)))).toBe(bytesToHex(md5(data)));
  });
});

describe('HMAC-MD5 (RFC 2202 §2 test cases)', () => {
  const rep = (byte: number, n: number) => new Uint8Array(n).fill(byte);
  const cases: Array<[string, Uint8Array, Uint8Array, string]> = [
    ['1', rep(0x0b, 16), utf8Bytes('Hi There'), '9294727a3638bb1c13f48ef8158bfc9d'],
    ['2', utf8Bytes('Jefe'), utf8Bytes('what do ya want for nothing?'), '750c783e6ab0b503eaa86e310a5db738'],
    ['3', rep(0xaa, 16), rep(0xdd, 50), '56be34521d144c88dbb8c733f0e8b3f6'],
    ['4', hex('0102030405060708090a0b0c0d0e0f10111213141516171819'), rep(0xcd, 50), '697eaf0aca3a3aea3a75164746ffaa79'],
    ['5', rep(0x0c, 16), utf8Bytes('Test With Truncation'), '56461ef2342edc00f9bab995690efd4c'],
    ['6', rep(0xaa, 80), utf8Bytes('Test Using Larger Than Block-Size Key - Hash Key First'), '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd'],
    ['7', rep(0xaa, 80), utf8Bytes('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'), '6f630fad67cda0ee1fb1f562db3aa53e'],
  ];
  it.each(cases)('test case %s', (_n, key, data, mac) => {
    expect(bytesToHex(hmacMd5(key, data))).toBe(mac);
  });
  it('truncates to 96 bits (RFC 2202 case 5: 56461ef2342edc00f9bab995)', () => {
    expect(bytesToHex(hmacMd5_96(rep(0x0c, 16), utf8Bytes('Test With Truncation')))).toBe('56461ef2342edc00f9bab995');
  });
  it('agrees with node:crypto for random keys and data', () => {
    for (let i = 0; i < 50; i++) {
      const key = randomBytes(i % 90);
      const data = randomBytes((i * 7) % 130);
      expect(bytesToHex(hmacMd5(key, data))).toBe(createHmac('md5', key).update(data).digest('hex'));
    }
  });
});
