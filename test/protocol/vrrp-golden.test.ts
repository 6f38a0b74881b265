/** Golden vectors G1–G11 of vrrp.md §1.3 (R-1, R-2, R-9..R-13, K-2, K-3). */
import { describe, expect, it } from 'vitest';
import { formatMac, IpAddress, parseMac } from '../../protocol/addr.js';
import { bytesToHex } from '../../protocol/bytes.js';
import { parseFrame } from '../../protocol/frame.js';
import {
  buildVrrpFrame,
  computeVrrpChecksum,
  decodeVrrp,
  encodeVrrpIpv4Packet,
  encodeVrrpMessage,
  validateAdvert,
  vrrpChecksumOk,
  type VrrpAdvertSpec,
} from '../../protocol/vrrp/index.js';
import { parseIp } from '../../protocol/addr.js';
import { hex } from './fixtures.js';

const ip = (t: string) => parseIp(t)!.bytes;

interface Golden {
  id: string;
  spec: VrrpAdvertSpec;
  src: string;
  dst: string;
  mode?: 'pseudo-header' | 'message-only';
  pseudoHeaderDst?: string;
  hex: string;
  checksum: number;
}

const V3_4 = { version: 3, family: 4, vrid: 10, priority: 200, advertIntervalCs: 100, addresses: ['192.0.2.1', '192.0.2.2'] } as const;

const GOLDEN: Golden[] = [
  { id: 'G1', spec: { version: 2, family: 4, vrid: 1, priority: 100, advertIntervalCs: 100, addresses: ['192.168.0.1'] }, src: '192.168.0.30', dst: '224.0.0.18', hex: '210164010001ba52c0a800010000000000000000', checksum: 0xba52 },
  { id: 'G2', spec: { version: 2, family: 4, vrid: 51, priority: 101, advertIntervalCs: 100, addresses: ['192.168.100.100'] }, src: '192.168.100.1', dst: '224.0.0.18', hex: '21336501000154bdc0a864640000000000000000', checksum: 0x54bd },
  { id: 'G3', spec: { version: 2, family: 4, vrid: 51, priority: 30, advertIntervalCs: 100, addresses: ['10.0.1.5'] }, src: '10.0.1.1', dst: '224.0.0.18', hex: '21331e010001b5c50a0001050000000000000000', checksum: 0xb5c5 },
  { id: 'G4', spec: { ...V3_4, addresses: [...V3_4.addresses] }, src: '192.0.2.251', dst: '224.0.0.18', hex: '310ac8020064defbc0000201c0000202', checksum: 0xdefb },
  { id: 'G5', spec: { ...V3_4, addresses: [...V3_4.addresses] }, src: '192.0.2.251', dst: '224.0.0.18', mode: 'message-only', hex: '310ac8020064828ac0000201c0000202', checksum: 0x828a },
  { id: 'G6', spec: { ...V3_4, addresses: [...V3_4.addresses] }, src: '192.0.2.251', dst: '192.0.2.252', hex: '310ac8020064fc11c0000201c0000202', checksum: 0xfc11 },
  { id: 'G7', spec: { version: 2, family: 4, vrid: 10, priority: 200, advertIntervalCs: 100, addresses: ['192.0.2.1', '192.0.2.2'] }, src: '192.0.2.251', dst: '224.0.0.18', hex: '210ac802000192edc0000201c00002020000000000000000', checksum: 0x92ed },
  { id: 'G8', spec: { version: 3, family: 6, vrid: 10, priority: 100, advertIntervalCs: 100, addresses: ['fe80::1', '2001:db8::1'] }, src: 'fe80::c8', dst: 'ff02::12', hex: '310a640200643f5d' + 'fe800000000000000000000000000001' + '20010db8000000000000000000000001', checksum: 0x3f5d },
  { id: 'G9', spec: { version: 3, family: 4, vrid: 1, priority: 100, advertIntervalCs: 1, addresses: ['192.168.0.1', '192.168.0.2'] }, src: '192.168.0.30', dst: '224.0.0.18', hex: '310164020001484dc0a80001c0a80002', checksum: 0x484d },
  { id: 'G10', spec: { version: 3, family: 6, vrid: 1, priority: 100, advertIntervalCs: 1, addresses: ['fe80::254', '2001:db8::1', '2001:db8::2'] }, src: 'fe80::1', dst: 'ff02::12', hex: '3101640300011071' + 'fe800000000000000000000000000254' + '20010db8000000000000000000000001' + '20010db8000000000000000000000002', checksum: 0x1071 },
];

describe('golden vectors (vrrp.md §1.3)', () => {
  it.each(GOLDEN)('$id encodes byte-exactly', (g) => {
    const msg = encodeVrrpMessage(g.spec, { src: g.src, dst: g.dst, v3Ipv4Checksum: g.mode, pseudoHeaderDst: g.pseudoHeaderDst });
    expect(bytesToHex(msg)).toBe(g.hex);
    expect(computeVrrpChecksum(msg, { version: g.spec.version, family: g.spec.family, src: ip(g.src), dst: ip(g.dst), v3Ipv4Mode: g.mode })).toBe(g.checksum);
  });

  it.each(GOLDEN)('$id decodes to its fields and verifies', (g) => {
    const data = g.spec.family === 4
      ? encodeVrrpIpv4Packet(g.spec, { src: g.src, dst: g.dst, ipId: 1, v3Ipv4Checksum: g.mode })
      : hex(g.hex);
    const d = decodeVrrp({ family: g.spec.family, data, src: IpAddress.parse(g.src)!, dst: IpAddress.parse(g.dst)!, ttl: 255 });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect({ ...d.value, addresses: d.value.addresses.map(String) }).toMatchObject({ vrid: g.spec.vrid, priority: g.spec.priority, advertIntervalCs: g.spec.advertIntervalCs, addresses: g.spec.addresses, checksum: g.checksum });
    expect(bytesToHex(d.value.message)).toBe(g.hex);
    expect(vrrpChecksumOk(d.value.message, { version: g.spec.version, family: g.spec.family, src: ip(g.src), dst: ip(g.dst), v3Ipv4Mode: g.mode })).toBe(true);
  });

  it('G4 vs G5: the two v3 IPv4 checksum forms differ and each fails the other check (R-12, K-2)', () => {
    const g4 = hex(GOLDEN[3]!.hex);
    const g5 = hex(GOLDEN[4]!.hex);
    const ctx = { version: 3, family: 4 as const, src: ip('192.0.2.251'), dst: ip('224.0.0.18') };
    expect(vrrpChecksumOk(g4, { ...ctx, v3Ipv4Mode: 'pseudo-header' })).toBe(true);
    expect(vrrpChecksumOk(g4, { ...ctx, v3Ipv4Mode: 'message-only' })).toBe(false);
    expect(vrrpChecksumOk(g5, { ...ctx, v3Ipv4Mode: 'message-only' })).toBe(true);
    expect(vrrpChecksumOk(g5, { ...ctx, v3Ipv4Mode: 'pseudo-header' })).toBe(false);
  });

  it('G6: the unicast pseudo-header uses the peer address (R-13); G4 is the old group form (K-3)', () => {
    const peer = encodeVrrpMessage(GOLDEN[5]!.spec, { src: '192.0.2.251', dst: '192.0.2.252' });
    const old = encodeVrrpMessage(GOLDEN[5]!.spec, { src: '192.0.2.251', dst: '192.0.2.252', pseudoHeaderDst: '224.0.0.18' });
    expect(bytesToHex(peer)).toBe(GOLDEN[5]!.hex);
    expect(bytesToHex(old)).toBe(GOLDEN[3]!.hex);
  });

  it('G1: a frame padded to 60 bytes still decodes to the 20-byte message (K-24)', () => {
    const frame = buildVrrpFrame({ ...GOLDEN[0]!.spec, src: '192.168.0.30', srcMac: parseMac('00:00:5e:00:01:01')!, padTo: 60 });
    expect(frame.length).toBe(60);
    const parsed = parseFrame(frame);
    expect(parsed.kind).toBe('vrrp');
    if (parsed.kind !== 'vrrp' || !parsed.advert.ok) throw new Error('G1 did not decode');
    expect(bytesToHex(parsed.advert.value.message)).toBe(GOLDEN[0]!.hex);
    expect(parsed.advert.value.tos).toBe(0xc0);
    expect(formatMac(parsed.eth.dst)).toBe('01:00:5e:00:00:12');
    const v = validateAdvert(parsed.advert.value, { family: 4, version: 2, vrids: [1], authKind: 'none', advertIntervalCs: 100, vips: ['192.168.0.1'] });
    expect(v.ok).toBe(true);
  });

  it('G11 (negative): a v2 advert without its 8 auth bytes is rejected as too short (R-33)', () => {
    const msg = hex('21016403000138fac0a80001c0a80002c0a80003');
    expect(vrrpChecksumOk(msg, { version: 2, family: 4, src: ip('192.168.0.30'), dst: ip('224.0.0.18') })).toBe(true);
    const d = decodeVrrp({ family: 4, data: withIpv4Header(msg, '192.168.0.30') });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.value.expectedLength).toBe(28);
    const v = validateAdvert(d.value, { family: 4, version: 2, vrids: [1], authKind: 'none', advertIntervalCs: 100, vips: ['192.168.0.1', '192.168.0.2', '192.168.0.3'] });
    expect(v).toMatchObject({ ok: false, reason: 'bad-length' });
  });
});

function withIpv4Header(message: Uint8Array, src: string): Uint8Array {
  const pkt = encodeVrrpIpv4Packet({ version: 3, family: 4, vrid: 1, priority: 1, advertIntervalCs: 1, addresses: [] }, { src, dst: '224.0.0.18', ipId: 1 });
  const out = new Uint8Array(20 + message.length);
  out.set(pkt.subarray(0, 20));
  out[2] = 0;
  out[3] = out.length;
  out.set(message, 20);
  return out;
}
