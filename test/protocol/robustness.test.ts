/** Decoding never throws on wire input: random bytes, truncations and bit flips of real frames. */
import { describe, expect, it } from 'vitest';
import { IpAddress } from '../../protocol/addr.js';
import { parseFrame } from '../../protocol/frame.js';
import { readPcap } from '../../protocol/pcap.js';
import { decodeVrrp, validateAdvert, VRRP_DROP_REASONS } from '../../protocol/vrrp/index.js';
import { FIXTURE_NAMES, loadFrames } from './fixtures.js';

/** xorshift32: deterministic, so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const X = { family: 4 as const, version: 2 as const, vrids: [51], authKind: 'none' as const, advertIntervalCs: 100, vips: ['192.0.2.100'] };

function judgeFrame(frame: Uint8Array): string {
  const p = parseFrame(frame);
  if (p.kind !== 'vrrp') return p.kind;
  if (!p.advert.ok) return p.advert.reason;
  const v = validateAdvert(p.advert.value, { ...X, family: p.advert.value.family });
  return v.ok ? 'accepted' : v.reason;
}

describe('robustness', () => {
  const frames = FIXTURE_NAMES.flatMap((n) => loadFrames(n).map((f) => f.data));

  it('every truncation of every captured frame parses to a value or a known reason', () => {
    const seen = new Set<string>();
    for (const f of frames) {
      for (let cut = 0; cut <= f.length; cut++) seen.add(judgeFrame(f.subarray(0, cut)));
    }
    for (const r of seen) expect(['accepted', 'arp', 'neighbor-advert', 'other', ...VRRP_DROP_REASONS]).toContain(r);
    expect(seen.has('too-short') || seen.has('other')).toBe(true);
  });

  it('random bit flips and random bytes never throw', () => {
    const rnd = prng(0x5eed);
    for (let i = 0; i < 3000; i++) {
      const f = frames[rnd() % frames.length]!.slice();
      const flips = 1 + (rnd() % 4);
      for (let j = 0; j < flips; j++) f[rnd() % f.length]! ^= 1 << (rnd() % 8);
      expect(() => judgeFrame(f)).not.toThrow();
    }
    for (let i = 0; i < 2000; i++) {
      const len = rnd() % 120;
      const b = new Uint8Array(len).map(() => rnd() & 0xff);
      expect(() => judgeFrame(b)).not.toThrow();
      expect(() => decodeVrrp({ family: 4, data: b })).not.toThrow();
      expect(() => decodeVrrp({ family: 6, data: b, src: IpAddress.parse('fe80::1')!, dst: IpAddress.parse('ff02::12')!, ttl: 255 })).not.toThrow();
      expect(() => readPcap(b)).not.toThrow();
    }
  });

  it('missing or IPv4 addresses from an IPv6 socket are a reason, not an exception', () => {
    expect(decodeVrrp({ family: 6, data: new Uint8Array(8), dst: IpAddress.parse('ff02::12')! })).toMatchObject({ ok: false, reason: 'bad-ip-header' });
    expect(decodeVrrp({ family: 6, data: new Uint8Array(8), src: IpAddress.parse('198.51.100.1')!, dst: IpAddress.parse('ff02::12')! })).toMatchObject({ ok: false, reason: 'bad-ip-header' });
  });
});
