/** Encoder rules (R-9, R-40, R-41, K-1, K-19) and the AH sequence arithmetic keepalived uses. */
import { describe, expect, it } from 'vitest';
import { formatMac, parseMac } from '../../protocol/addr.js';
import { bytesToHex } from '../../protocol/bytes.js';
import { parseFrame } from '../../protocol/frame.js';
import { parseIpv4Packet } from '../../protocol/ipv4.js';
import {
  AH_COUNTER_INITIAL,
  ahAcceptRxSequence,
  ahNextTxSequence,
  authDataFromPassword,
  buildVrrpFrame,
  encodeVrrpIpv4Packet,
  encodeVrrpMessage,
} from '../../protocol/vrrp/index.js';

const A = { src: '198.51.100.2', dst: '224.0.0.18' };

describe('encoder (R-9, R-40, R-41)', () => {
  it('v3: reserved bits are zero and Max Adver Int is 12 bits of centiseconds', () => {
    const m = encodeVrrpMessage({ version: 3, family: 4, vrid: 1, priority: 100, advertIntervalCs: 4095, addresses: ['198.51.100.1'] }, A);
    expect(bytesToHex(m.subarray(4, 6))).toBe('0fff');
    const masked = encodeVrrpMessage({ version: 3, family: 4, vrid: 1, priority: 100, advertIntervalCs: 4096 + 5, addresses: ['198.51.100.1'] }, A);
    expect(bytesToHex(masked.subarray(4, 6))).toBe('0005');
  });
  it('v2: interval in whole seconds, auth type 0 and zero auth data without authentication', () => {
    const m = encodeVrrpMessage({ version: 2, family: 4, vrid: 1, priority: 100, advertIntervalCs: 300, addresses: ['198.51.100.1'] }, A);
    expect(m[4]).toBe(0);
    expect(m[5]).toBe(3);
    expect(bytesToHex(m.subarray(12))).toBe('0000000000000000');
  });
  it('PASS writes the first 8 bytes of the password; AH writes type 2 and zero auth data (K-19)', () => {
    const spec = { version: 2, family: 4, vrid: 1, priority: 100, advertIntervalCs: 100, addresses: ['198.51.100.1'] } as const;
    const pass = encodeVrrpMessage({ ...spec, addresses: [...spec.addresses], authKind: 'pass', authKey: authDataFromPassword('longpassword') }, A);
    expect(pass[4]).toBe(1);
    expect(new TextDecoder().decode(pass.subarray(12))).toBe('longpass');
    const ah = encodeVrrpIpv4Packet({ ...spec, addresses: [...spec.addresses], authKind: 'ah', authKey: authDataFromPassword('secret') }, { ...A, ipId: 9, ahSequence: 3 });
    const ip = parseIpv4Packet(ah);
    expect(ip.ok && ip.value.protocol).toBe(51);
    expect(ah[20 + 24 + 4]).toBe(2);
    expect(bytesToHex(ah.subarray(20 + 24 + 12))).toBe('0000000000000000');
  });
  it('keeps the configured address order (R-40, RFC 3768 §5.3.9)', () => {
    const m = encodeVrrpMessage({ version: 3, family: 4, vrid: 1, priority: 100, advertIntervalCs: 100, addresses: ['198.51.100.9', '198.51.100.1'] }, A);
    expect(bytesToHex(m.subarray(8))).toBe('c6336409c6336401');
  });
  it('frames go to the group with its multicast MAC, TOS 0xC0, TTL 255, protocol 112 (R-41, K-1)', () => {
    const frame = buildVrrpFrame({ version: 2, family: 4, vrid: 9, priority: 100, advertIntervalCs: 100, addresses: ['198.51.100.1'], srcMac: parseMac('00:00:5e:00:01:09')!, src: '198.51.100.2', ipId: 77 });
    expect(formatMac(frame.subarray(0, 6))).toBe('01:00:5e:00:00:12');
    const ip = parseIpv4Packet(frame.subarray(14));
    expect(ip.ok && [ip.value.tos, ip.value.ttl, ip.value.protocol, ip.value.id, ip.value.headerChecksumOk]).toEqual([0xc0, 255, 112, 77, true]);
    const six = buildVrrpFrame({ version: 3, family: 6, vrid: 9, priority: 100, advertIntervalCs: 100, addresses: ['fe80::9'], srcMac: parseMac('00:00:5e:00:02:09')!, src: 'fe80::2' });
    const p = parseFrame(six);
    expect(p.kind === 'vrrp' && formatMac(p.eth.dst)).toBe('33:33:00:00:00:12');
    expect(p.kind === 'vrrp' && p.advert.ok && [p.advert.value.dst.text, p.advert.value.ttl]).toEqual(['ff02::12', 255]);
  });
  it('throws on programming errors in the spec, never silently', () => {
    expect(() => encodeVrrpMessage({ version: 3, family: 4, vrid: 1, priority: 1, advertIntervalCs: 1, addresses: ['2001:db8::1'] }, A)).toThrow(/not an IPv4 address/);
  });
});

describe('AH sequence numbers (K-19)', () => {
  it('tx counts from 1 and stops at the cycle limit', () => {
    expect(ahNextTxSequence(AH_COUNTER_INITIAL)).toEqual({ sequence: 1, cycled: false });
    expect(ahNextTxSequence({ sequence: 0xfffffffd, cycled: false })).toEqual({ sequence: 0xfffffffe, cycled: false });
    expect(ahNextTxSequence({ sequence: 0xfffffffe, cycled: false })).toEqual({ sequence: 0xfffffffe, cycled: true });
  });
  it('rx accepts only a strictly greater sequence, and advances the shared counter', () => {
    expect(ahAcceptRxSequence({ sequence: 4, cycled: false }, 5)).toEqual({ sequence: 5, cycled: false });
    expect(ahAcceptRxSequence({ sequence: 5, cycled: false }, 5)).toBeUndefined();
  });
});
