/**
 * Receive validation (R-31..R-39, K-2..K-6, K-19, K-25): one positive and one negative twin per
 * drop reason, and the keepalived order of checks for packets with several faults.
 */
import { describe, expect, it } from 'vitest';
import { writeU16, writeU32 } from '../../protocol/bytes.js';
import {
  authDataFromPassword,
  computeAhIcv,
  computeVrrpChecksum,
  decodeVrrp,
  encodeVrrpIpv4Packet,
  encodeVrrpMessage,
  validateAdvert,
  type VrrpAdvert,
  type VrrpAdvertSpec,
  type VrrpExpectations,
  type VrrpIpv4Options,
} from '../../protocol/vrrp/index.js';
import { IpAddress, parseIp } from '../../protocol/addr.js';

const SRC = '198.51.100.2';
const KEY = authDataFromPassword('secret');
const V2: VrrpAdvertSpec = { version: 2, family: 4, vrid: 7, priority: 100, advertIntervalCs: 100, addresses: ['198.51.100.10'] };
const V3: VrrpAdvertSpec = { ...V2, version: 3 };
const V6: VrrpAdvertSpec = { version: 3, family: 6, vrid: 7, priority: 100, advertIntervalCs: 100, addresses: ['fe80::7', '2001:db8::10'] };
const X2: VrrpExpectations = { family: 4, version: 2, vrids: [7], authKind: 'none', advertIntervalCs: 100, vips: ['198.51.100.10'] };
const X3: VrrpExpectations = { ...X2, version: 3 };
const X6: VrrpExpectations = { family: 6, version: 3, vrids: [7], authKind: 'none', advertIntervalCs: 100, vips: ['fe80::7', '2001:db8::10'] };

function packet(spec: VrrpAdvertSpec, opts: Partial<VrrpIpv4Options> = {}): Uint8Array {
  return encodeVrrpIpv4Packet(spec, { src: SRC, dst: '224.0.0.18', ipId: 1, ...opts });
}

function decode4(data: Uint8Array): VrrpAdvert {
  const d = decodeVrrp({ family: 4, data });
  if (!d.ok) throw new Error(`${d.reason}: ${d.detail}`);
  return d.value;
}

function decode6(message: Uint8Array, ttl = 255, dst = 'ff02::12'): VrrpAdvert {
  const d = decodeVrrp({ family: 6, data: message, src: IpAddress.parse('fe80::2')!, dst: IpAddress.parse(dst)!, ttl });
  if (!d.ok) throw new Error(`${d.reason}: ${d.detail}`);
  return d.value;
}

/** Change VRRP message bytes inside an IPv4 packet (20-byte header, no AH), then fix or keep the checksum. */
function patch(data: Uint8Array, edit: (msg: Uint8Array) => void, fixChecksum = true, version = 2): Uint8Array {
  const out = data.slice();
  const msg = out.subarray(20);
  edit(msg);
  if (fixChecksum) {
    writeU16(msg, 6, computeVrrpChecksum(msg, { version, family: 4, src: parseIp(SRC)!.bytes, dst: parseIp('224.0.0.18')!.bytes }));
  }
  return out;
}

function verdict(a: VrrpAdvert, x: VrrpExpectations) {
  const v = validateAdvert(a, x);
  return v.ok ? { ok: true as const, warnings: v.value.warnings.map((w) => w.code) } : { ok: false as const, reason: v.reason };
}

describe('positive twins', () => {
  it('accepts well-formed v2, v3/IPv4 and v3/IPv6 adverts without warnings', () => {
    expect(verdict(decode4(packet(V2)), X2)).toEqual({ ok: true, warnings: [] });
    expect(verdict(decode4(packet(V3)), X3)).toEqual({ ok: true, warnings: [] });
    const m6 = encodeVrrpMessage(V6, { src: 'fe80::2', dst: 'ff02::12' });
    expect(verdict(decode6(m6), X6)).toEqual({ ok: true, warnings: [] });
  });
  it('accepts an IPv6 advert whose hop limit the socket did not report (-1)', () => {
    const m6 = encodeVrrpMessage(V6, { src: 'fe80::2', dst: 'ff02::12' });
    expect(verdict(decode6(m6, -1), X6).ok).toBe(true);
  });
});

describe('dispatcher checks', () => {
  it('wrong-family: an IPv6 advert offered to an IPv4 instance', () => {
    const m6 = encodeVrrpMessage(V6, { src: 'fe80::2', dst: 'ff02::12' });
    expect(verdict(decode6(m6), X3)).toMatchObject({ reason: 'wrong-family' });
  });
  it('vrid-unknown: VRID not configured (K-23)', () => {
    expect(verdict(decode4(packet({ ...V2, vrid: 8 })), X2)).toMatchObject({ reason: 'vrid-unknown' });
    expect(verdict(decode4(packet({ ...V2, vrid: 8 })), { ...X2, vrids: [7, 8] }).ok).toBe(true);
  });
});

describe('length, TTL, version, type (R-31, R-32, R-33)', () => {
  it('bad-length: a v3 message carrying 8 trailing v2 auth bytes, and a truncated address list', () => {
    const v3 = packet(V3);
    const longer = new Uint8Array(v3.length + 8);
    longer.set(v3);
    writeU16(longer, 2, longer.length);
    expect(verdict(decode4(longer), X3)).toMatchObject({ reason: 'bad-length' });
    const hostile = patch(packet(V2), (m) => (m[3] = 255));
    const a = decode4(hostile);
    expect(a.addresses.length).toBeLessThan(255);
    expect(verdict(a, X2)).toMatchObject({ reason: 'bad-length' });
  });
  it('bad-ttl: multicast needs TTL 255; unicast does not check it (K-4)', () => {
    expect(verdict(decode4(packet(V2, { ttl: 254 })), X2)).toMatchObject({ reason: 'bad-ttl' });
    const uni = packet(V2, { dst: '198.51.100.3', ttl: 64 });
    expect(verdict(decode4(uni), { ...X2, unicastPeers: [{ address: SRC }] }).ok).toBe(true);
    const m6 = encodeVrrpMessage(V6, { src: 'fe80::2', dst: 'ff02::12' });
    expect(verdict(decode6(m6, 64), X6)).toMatchObject({ reason: 'bad-ttl' });
  });
  it('bad-version: v3 at a v2 instance and v2 at a v3 instance (R-51: mixed groups ignore each other)', () => {
    // The length check uses the packet's own version, so each is complete and the version check rejects it.
    expect(verdict(decode4(packet(V3)), X2)).toMatchObject({ reason: 'bad-version' });
    expect(verdict(decode4(packet(V2)), X3)).toMatchObject({ reason: 'bad-version' });
    const m6 = encodeVrrpMessage({ ...V6, version: 2 }, { src: 'fe80::2', dst: 'ff02::12' });
    expect(m6.length).toBe(8 + 32);
    expect(verdict(decode6(m6), X6)).toMatchObject({ reason: 'bad-version' });
  });
  it('an unknown version is judged by length first (no auth bytes expected), then version', () => {
    const v5 = patch(packet(V3), (m) => (m[0] = 0x51), true, 3);
    expect(verdict(decode4(v5), X3)).toMatchObject({ reason: 'bad-version' });
    expect(verdict(decode4(patch(packet(V2), (m) => (m[0] = 0x51))), X2)).toMatchObject({ reason: 'bad-length' });
  });
  it('bad-type: type 2 is not an advertisement', () => {
    expect(verdict(decode4(packet({ ...V2, type: 2 })), X2)).toMatchObject({ reason: 'bad-type' });
  });
});

describe('v2 authentication (R-36, K-19)', () => {
  const XP: VrrpExpectations = { ...X2, authKind: 'pass', authKey: KEY };
  const XA: VrrpExpectations = { ...X2, authKind: 'ah', authKey: KEY };
  const pass = (pw: string) => packet({ ...V2, authKind: 'pass', authKey: authDataFromPassword(pw) });
  const ah = (seq: number, key = KEY) => packet({ ...V2, authKind: 'ah', authKey: key }, { ahSequence: seq });

  it('PASS: accepts the password, compares only its first 8 bytes, rejects another', () => {
    expect(verdict(decode4(pass('secret')), XP).ok).toBe(true);
    expect(verdict(decode4(pass('12345678abc')), { ...XP, authKey: authDataFromPassword('12345678xyz') }).ok).toBe(true);
    expect(verdict(decode4(pass('Secret')), XP)).toMatchObject({ reason: 'auth-mismatch' });
  });
  it('bad-auth-type and auth-type-mismatch', () => {
    expect(verdict(decode4(patch(packet(V2), (m) => (m[4] = 3))), X2)).toMatchObject({ reason: 'bad-auth-type' });
    expect(verdict(decode4(pass('secret')), X2)).toMatchObject({ reason: 'auth-type-mismatch' });
    expect(verdict(decode4(packet(V2)), XP)).toMatchObject({ reason: 'auth-type-mismatch' });
    // AH header present ↔ auth_type AH, checked before anything else (K-25).
    expect(verdict(decode4(ah(1)), XP)).toMatchObject({ reason: 'auth-type-mismatch' });
    expect(verdict(decode4(pass('secret')), XA)).toMatchObject({ reason: 'auth-type-mismatch' });
  });
  it('AH: accepts a good ICV and returns the sequence to remember', () => {
    const v = validateAdvert(decode4(ah(5)), XA);
    expect(v.ok && v.value.ahSequence).toBe(5);
  });
  it('AH: wrong key, mutated immutable field → auth-mismatch; mutable TOS is ignored', () => {
    expect(verdict(decode4(ah(1, authDataFromPassword('other'))), XA)).toMatchObject({ reason: 'auth-mismatch' });
    const tosChanged = ah(1);
    tosChanged[1] = 0x00;
    expect(verdict(decode4(tosChanged), XA).ok).toBe(true);
    const idChanged = ah(1);
    idChanged[5] = 9;
    expect(verdict(decode4(idChanged), XA)).toMatchObject({ reason: 'auth-mismatch' });
  });
  it('AH: SPI must equal the source address', () => {
    const p = ah(1);
    writeU32(p, 20 + 4, 0x01020304);
    p.set(computeAhIcv(p.subarray(0, 20), p.subarray(20, 44), p.subarray(44), KEY), 20 + 12);
    expect(verdict(decode4(p), XA)).toMatchObject({ reason: 'ah-spi-mismatch' });
  });
  it('AH anti-replay: the sequence must be strictly greater than the counter', () => {
    expect(verdict(decode4(ah(5)), { ...XA, ahSequence: 4 }).ok).toBe(true);
    expect(verdict(decode4(ah(5)), { ...XA, ahSequence: 5 })).toMatchObject({ reason: 'ah-replay' });
    expect(verdict(decode4(ah(5)), { ...XA, ahSequence: 9 })).toMatchObject({ reason: 'ah-replay' });
  });
  it('AH on a unicast instance: the ICV covers the header with TTL zeroed', () => {
    const uni = packet({ ...V2, authKind: 'ah', authKey: KEY }, { dst: '198.51.100.3', ttl: 64, ahSequence: 1, unicast: true });
    const forwarded = uni.slice();
    forwarded[8] = 63; // a router decremented TTL: still authentic
    expect(verdict(decode4(forwarded), { ...XA, unicastPeers: [{ address: SRC }] }).ok).toBe(true);
  });
});

describe('interval (R-37, K-6)', () => {
  it('v2: a different advert_int is dropped', () => {
    expect(verdict(decode4(packet({ ...V2, advertIntervalCs: 200 })), X2)).toMatchObject({ reason: 'interval-mismatch' });
  });
  it('v3: a different interval is accepted with a warning (the backup adopts it)', () => {
    expect(verdict(decode4(packet({ ...V3, advertIntervalCs: 25 })), X3)).toEqual({ ok: true, warnings: ['interval-mismatch'] });
  });
});

describe('address list (R-38, K-5)', () => {
  it('count mismatch: dropped by default (keepalived 2.2.7), a warning in warn mode', () => {
    const two = decode4(packet({ ...V2, addresses: ['198.51.100.10', '198.51.100.11'] }));
    expect(verdict(two, X2)).toMatchObject({ reason: 'addr-count-mismatch' });
    expect(verdict(two, { ...X2, addrListMismatch: 'warn' })).toEqual({ ok: true, warnings: ['addr-count-mismatch'] });
    expect(verdict(two, { ...X2, checkAddresses: false }).ok).toBe(true);
  });
  it('address mismatch with the right count', () => {
    const other = decode4(packet({ ...V2, addresses: ['198.51.100.99'] }));
    expect(verdict(other, X2)).toMatchObject({ reason: 'addr-list-mismatch' });
    expect(verdict(other, { ...X2, addrListMismatch: 'warn' })).toEqual({ ok: true, warnings: ['addr-list-mismatch'] });
    // Order within the list does not matter; text form does not matter.
    const swapped = decode4(packet({ ...V2, addresses: ['198.51.100.11', '198.51.100.10'] }));
    expect(verdict(swapped, { ...X2, vips: ['198.51.100.10', '198.51.100.11'] }).ok).toBe(true);
    const m6 = encodeVrrpMessage(V6, { src: 'fe80::2', dst: 'ff02::12' });
    expect(verdict(decode6(m6), { ...X6, vips: ['FE80:0::7', '2001:0db8::0010'] }).ok).toBe(true);
  });
});

describe('checksum (R-10..R-13, R-34, K-2, K-3)', () => {
  it('bad-checksum for v2, v3/IPv4 and v3/IPv6', () => {
    expect(verdict(decode4(patch(packet(V2), (m) => (m[7] = m[7]! ^ 1), false)), X2)).toMatchObject({ reason: 'bad-checksum' });
    expect(verdict(decode4(patch(packet(V3), (m) => (m[7] = m[7]! ^ 1), false)), X3)).toMatchObject({ reason: 'bad-checksum' });
    const m6 = encodeVrrpMessage(V6, { src: 'fe80::2', dst: 'ff02::12' });
    m6[7] = m6[7]! ^ 1;
    expect(verdict(decode6(m6), X6)).toMatchObject({ reason: 'bad-checksum' });
  });
  it('default instance rejects the message-only (RFC 9568) form', () => {
    expect(verdict(decode4(packet(V3, { v3Ipv4Checksum: 'message-only' })), X3)).toMatchObject({ reason: 'bad-checksum' });
  });
  it('v3_checksum_as_v2 instance accepts its own form, and the pseudo-header form with a warning', () => {
    const XM: VrrpExpectations = { ...X3, v3Ipv4Checksum: 'message-only' };
    expect(verdict(decode4(packet(V3, { v3Ipv4Checksum: 'message-only' })), XM)).toEqual({ ok: true, warnings: [] });
    expect(verdict(decode4(packet(V3)), XM)).toEqual({ ok: true, warnings: ['other-checksum-form'] });
    expect(verdict(decode4(patch(packet(V3), (m) => (m[7] = m[7]! ^ 1), false)), XM)).toMatchObject({ reason: 'bad-checksum' });
  });
  it('unicast: the peer address is in the pseudo-header; the old group form is detected (K-3)', () => {
    const XU: VrrpExpectations = { ...X3, unicastPeers: [{ address: SRC }] };
    const modern = packet(V3, { dst: '198.51.100.3' });
    const old = packet(V3, { dst: '198.51.100.3', pseudoHeaderDst: '224.0.0.18' });
    expect(verdict(decode4(modern), XU)).toEqual({ ok: true, warnings: [] });
    const v = validateAdvert(decode4(old), XU);
    expect(v.ok && v.value.useOldUnicastChecksum).toBe(true);
    expect(v.ok && v.value.warnings.map((w) => w.code)).toEqual(['old-unicast-checksum']);
    expect(verdict(decode4(old), { ...XU, unicastChecksumCompat: 'never' })).toMatchObject({ reason: 'bad-checksum' });
    expect(verdict(decode4(old), { ...XU, unicastChecksumCompat: 'old' })).toEqual({ ok: true, warnings: [] });
  });
  it('a non-default multicast group goes into the pseudo-header (K-22)', () => {
    const p = packet(V3, { dst: '239.1.1.18' });
    expect(verdict(decode4(p), { ...X3, mcastGroup: '239.1.1.18' }).ok).toBe(true);
  });
});

describe('multicast/unicast, owner and unicast source (K-4, K-7, K-25)', () => {
  it('cast-mismatch both ways', () => {
    expect(verdict(decode4(packet(V2, { dst: '198.51.100.3' })), X2)).toMatchObject({ reason: 'cast-mismatch' });
    expect(verdict(decode4(packet(V2)), { ...X2, unicastPeers: [{ address: SRC }] })).toMatchObject({ reason: 'cast-mismatch' });
  });
  it('owner-ignores-adverts in strict mode', () => {
    expect(verdict(decode4(packet(V2)), { ...X2, ownerIgnoresAdverts: true })).toMatchObject({ reason: 'owner-ignores-adverts' });
  });
  it('unicast source must be a peer when checked; TTL must fit the peer range', () => {
    const uni = decode4(packet(V2, { dst: '198.51.100.3', ttl: 200 }));
    const XU: VrrpExpectations = { ...X2, unicastPeers: [{ address: '198.51.100.9' }], checkUnicastSrc: true };
    expect(verdict(uni, XU)).toMatchObject({ reason: 'unicast-src-unknown' });
    expect(verdict(uni, { ...XU, checkUnicastSrc: false }).ok).toBe(true);
    expect(verdict(uni, { ...XU, unicastPeers: [{ address: SRC, minTtl: 250 }] })).toMatchObject({ reason: 'unicast-ttl-out-of-range' });
    expect(verdict(uni, { ...XU, unicastPeers: [{ address: SRC, minTtl: 100, maxTtl: 255 }] }).ok).toBe(true);
  });
});

describe('RFC-only checks (R-8), off by default like keepalived', () => {
  it('zero count, zero interval, IPv6 first address not link-local', () => {
    const zeroCount = decode4(packet({ ...V3, addresses: [] }));
    expect(verdict(zeroCount, { ...X3, vips: [] }).ok).toBe(true);
    expect(verdict(zeroCount, { ...X3, vips: [], rfcChecks: true })).toMatchObject({ reason: 'zero-count' });
    const zeroInt = decode4(packet({ ...V3, advertIntervalCs: 0 }));
    expect(verdict(zeroInt, { ...X3, rfcChecks: true })).toMatchObject({ reason: 'zero-interval' });
    const global = encodeVrrpMessage({ ...V6, addresses: ['2001:db8::10', 'fe80::7'] }, { src: 'fe80::2', dst: 'ff02::12' });
    expect(verdict(decode6(global), X6).ok).toBe(true);
    expect(verdict(decode6(global), { ...X6, rfcChecks: true })).toMatchObject({ reason: 'first-address-not-link-local' });
  });
});

describe('keepalived check order (K-25, R-39)', () => {
  it('length before TTL, TTL before version', () => {
    const shortAndTtl = patch(packet(V2, { ttl: 64 }), (m) => (m[3] = 2));
    expect(verdict(decode4(shortAndTtl), X2)).toMatchObject({ reason: 'bad-length' });
    expect(verdict(decode4(packet(V3, { ttl: 64 })), X2)).toMatchObject({ reason: 'bad-ttl' });
  });
  it('version before auth, auth before interval, interval before type', () => {
    const v3WithAuthBits = patch(packet({ ...V3, type: 3 }), (m) => (m[4] = 0x10), true, 3);
    expect(verdict(decode4(v3WithAuthBits), X2)).toMatchObject({ reason: 'bad-version' });
    const all = patch(packet({ ...V2, advertIntervalCs: 300, type: 3 }), (m) => (m[4] = 1));
    expect(verdict(decode4(all), X2)).toMatchObject({ reason: 'auth-type-mismatch' });
    const noAuth = packet({ ...V2, advertIntervalCs: 300, type: 3 });
    expect(verdict(decode4(noAuth), X2)).toMatchObject({ reason: 'interval-mismatch' });
    expect(verdict(decode4(packet({ ...V2, type: 3 })), X2)).toMatchObject({ reason: 'bad-type' });
  });
  it('address count before checksum, checksum before cast and address list', () => {
    const twoBad = patch(packet({ ...V2, addresses: ['198.51.100.10', '198.51.100.11'] }), (m) => (m[7] = m[7]! ^ 1), false);
    expect(verdict(decode4(twoBad), X2)).toMatchObject({ reason: 'addr-count-mismatch' });
    const unicastBadSum = patch(packet({ ...V2, addresses: ['198.51.100.99'] }, { dst: '198.51.100.3' }), (m) => (m[7] = m[7]! ^ 1), false);
    expect(verdict(decode4(unicastBadSum), X2)).toMatchObject({ reason: 'bad-checksum' });
    const unicastWrongList = packet({ ...V2, addresses: ['198.51.100.99'] }, { dst: '198.51.100.3' });
    expect(verdict(decode4(unicastWrongList), X2)).toMatchObject({ reason: 'cast-mismatch' });
  });
});
