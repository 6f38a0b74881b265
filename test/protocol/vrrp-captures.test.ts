/**
 * Byte-exact round trips against adverts captured from Debian's keepalived 2.2.7
 * (/work/shared/pcaps/keepalived-2.2.7, configs in SOURCE.md: VRID 51, priority 150,
 * source 192.0.2.11 / fe80::606e:cfff:fe50:a1bd, auth_pass "secret").
 */
import { describe, expect, it } from 'vitest';
import { formatMac } from '../../protocol/addr.js';
import { bytesToHex } from '../../protocol/bytes.js';
import { parseFrame } from '../../protocol/frame.js';
import { parseIpv6Packet } from '../../protocol/ipv6.js';
import {
  authDataFromPassword,
  buildVrrpFrame,
  validateAdvert,
  type VrrpAdvert,
  type VrrpAuthKind,
  type VrrpExpectations,
} from '../../protocol/vrrp/index.js';
import { loadFrames, type FixtureName } from './fixtures.js';

interface CaptureCase {
  name: FixtureName;
  version: 2 | 3;
  family: 4 | 6;
  intervalCs: number;
  auth: VrrpAuthKind;
  vips: string[];
  checksum: number;
}

const CASES: CaptureCase[] = [
  { name: 'v2-pass', version: 2, family: 4, intervalCs: 100, auth: 'pass', vips: ['192.0.2.100'], checksum: 0x4919 },
  { name: 'v2-ah', version: 2, family: 4, intervalCs: 100, auth: 'ah', vips: ['192.0.2.100'], checksum: 0x8465 },
  { name: 'v2-noauth-2vips', version: 2, family: 4, intervalCs: 100, auth: 'none', vips: ['192.0.2.100', '192.0.2.101'], checksum: 0xc3fe },
  { name: 'v3-ipv4', version: 3, family: 4, intervalCs: 100, auth: 'none', vips: ['192.0.2.100', '192.0.2.101'], checksum: 0x10fd },
  { name: 'v3-ipv4-fast', version: 3, family: 4, intervalCs: 10, auth: 'none', vips: ['192.0.2.100'], checksum: 0xd3c1 },
  { name: 'v3-ipv6', version: 3, family: 6, intervalCs: 100, auth: 'none', vips: ['2001:db8::100'], checksum: 0x3b13 },
];

const KEY = authDataFromPassword('secret');

function decodeCaptured(frame: Uint8Array): VrrpAdvert {
  const parsed = parseFrame(frame);
  if (parsed.kind !== 'vrrp') throw new Error(`not VRRP: ${parsed.kind}`);
  if (!parsed.advert.ok) throw new Error(parsed.advert.detail);
  return parsed.advert.value;
}

function expectationsFor(c: CaptureCase): VrrpExpectations {
  return {
    family: c.family,
    version: c.version,
    vrids: [51],
    authKind: c.auth,
    authKey: c.auth === 'none' ? undefined : KEY,
    advertIntervalCs: c.intervalCs,
    vips: c.vips,
  };
}

describe.each(CASES)('keepalived 2.2.7 capture $name', (c) => {
  const frames = loadFrames(c.name);

  it('decodes to the configured fields', () => {
    const a = decodeCaptured(frames[0]!.data);
    expect({ ...a, addresses: a.addresses.map(String), dst: a.dst.text }).toMatchObject({
      family: c.family,
      version: c.version,
      type: 1,
      vrid: 51,
      priority: 150,
      count: c.vips.length,
      advertIntervalCs: c.intervalCs,
      checksum: c.checksum,
      addresses: c.vips,
      ttl: 255,
      dst: c.family === 4 ? '224.0.0.18' : 'ff02::12',
    });
    expect(a.src.text).toBe(c.family === 4 ? '192.0.2.11' : 'fe80::606e:cfff:fe50:a1bd');
    if (c.version === 2) expect(a.authType).toBe({ none: 0, pass: 1, ah: 2 }[c.auth]);
    if (c.auth === 'pass') expect(bytesToHex(a.authData)).toBe(bytesToHex(KEY));
  });

  it('re-encodes every captured frame byte for byte from the decoded fields', () => {
    for (const f of frames) {
      const a = decodeCaptured(f.data);
      const parsed = parseFrame(f.data);
      const eth = parsed.kind === 'vrrp' ? parsed.eth : undefined;
      const ip6 = c.family === 6 && eth ? parseIpv6Packet(eth.payload) : undefined;
      const rebuilt = buildVrrpFrame({
        version: c.version,
        family: c.family,
        vrid: a.vrid,
        priority: a.priority,
        advertIntervalCs: a.advertIntervalCs,
        addresses: a.addresses.map((ip) => ip.text),
        authKind: c.auth,
        authKey: c.auth === 'none' ? undefined : KEY,
        srcMac: eth!.src,
        src: a.src.text,
        ipId: a.ipId,
        ahSequence: a.ah?.sequence,
        flowLabel: ip6?.ok ? ip6.value.flowLabel : undefined,
      });
      expect(bytesToHex(rebuilt)).toBe(bytesToHex(f.data));
    }
  });

  it('is accepted by validateAdvert with the capture config', () => {
    let ahSequence = 0;
    for (const f of frames) {
      const v = validateAdvert(decodeCaptured(f.data), { ...expectationsFor(c), ahSequence });
      expect(v.ok, v.ok ? '' : `${v.reason}: ${v.detail}`).toBe(true);
      if (v.ok) {
        expect(v.value.warnings).toEqual([]);
        if (c.auth === 'ah') ahSequence = v.value.ahSequence!;
      }
    }
    if (c.auth === 'ah') expect(ahSequence).toBe(frames.length);
  });
});

describe('keepalived 2.2.7 capture details', () => {
  it('v2-ah: recomputes keepalived\'s ICV for each advert (HMAC-MD5-96, key "secret")', () => {
    const icvs = loadFrames('v2-ah').map((f) => bytesToHex(decodeCaptured(f.data).ah!.icv));
    expect(icvs).toEqual(['4cd17fc7b08353d9b2781771', '91d353e55affeb9e182d7180', 'dbad585648a9f03f4e62cb3b']);
    const a = decodeCaptured(loadFrames('v2-ah')[0]!.data);
    expect(a.ah).toMatchObject({ nextHeader: 112, payloadLen: 4, spi: 0xc000020b, sequence: 1 });
    // The VRRP auth data is zero with AH.
    expect(bytesToHex(a.authData)).toBe('0000000000000000');
  });
  it('v3-ipv6: keepalived sends traffic class 0xC0 and hop limit 255', () => {
    const parsed = parseFrame(loadFrames('v3-ipv6')[0]!.data);
    expect(parsed.kind).toBe('vrrp');
    if (parsed.kind !== 'vrrp') return;
    expect(formatMac(parsed.eth.dst)).toBe('33:33:00:00:00:12');
    const ip = parseIpv6Packet(parsed.eth.payload);
    expect(ip.ok && ip.value.trafficClass).toBe(0xc0);
    expect(ip.ok && ip.value.hopLimit).toBe(255);
  });
  it('adverts go from the interface MAC, not the VMAC (K-17)', () => {
    const parsed = parseFrame(loadFrames('v2-pass')[0]!.data);
    expect(parsed.kind === 'vrrp' && formatMac(parsed.eth.src)).not.toBe('00:00:5e:00:01:33');
  });
});
