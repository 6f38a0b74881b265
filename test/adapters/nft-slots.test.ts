/** Slot tables of the nftables backend: rr, wrr interleaving, fo, and sh/dh stability. */
import { describe, expect, it } from 'vitest';
import { apportion, foSlots, HASH_SLOTS, hashSlots, interleave, MAX_WRR_SLOTS, rrSlots, wrrCounts, wrrSlots, type SlotDest } from '../../adapters/linux/nft/slots.js';

const d = (...ws: number[]): SlotDest[] => ws.map((weight, i) => ({ key: String.fromCharCode(97 + i), weight }));
const count = (slots: Array<string | undefined>) => slots.reduce<Record<string, number>>((m, k) => ((m[k ?? '-'] = (m[k ?? '-'] ?? 0) + 1), m), {});

/** Seeded PRNG (mulberry32): the property tests see the same cases every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('rr and fo', () => {
  it('rr: one slot per live server, in order; weight 0 gets none', () => {
    expect(rrSlots(d(1, 0, 5))).toEqual(['a', 'c']);
    expect(rrSlots(d(0, 0))).toEqual([]);
  });
  it('fo: the highest weight, the first of equals, nothing when all are 0', () => {
    expect(foSlots(d(1, 3, 2))).toEqual(['b']);
    expect(foSlots(d(2, 1, 2))).toEqual(['a']);
    expect(foSlots(d(0, 0))).toEqual([]);
  });
});

describe('wrr', () => {
  it('gives slots in proportion to weight, reduced by the gcd', () => {
    expect(count(wrrSlots(d(1, 2, 3)))).toEqual({ a: 1, b: 2, c: 3 });
    expect(wrrSlots(d(200, 100))).toHaveLength(3);
    expect(wrrSlots(d(3, 0, 1))).not.toContain('b');
  });
  it('interleaves (smooth weighted round robin), never bunching one server', () => {
    expect(wrrSlots(d(3, 1)).join('')).toBe('aaba');
    expect(wrrSlots(d(5, 1, 1)).join('')).toBe('aabacaa');
    expect(wrrSlots(d(1, 1, 1)).join('')).toBe('abc');
    // With weights 1:2:3 no server holds two neighbouring slots more often than its weight forces.
    const s = wrrSlots(d(1, 2, 3)).join('');
    expect(s).not.toMatch(/ccc|bb|aa/);
  });
  it('interleave() places each index exactly counts[i] times', () => {
    const seq = interleave([4, 0, 7, 1]);
    expect(seq.filter((i) => i === 0)).toHaveLength(4);
    expect(seq.filter((i) => i === 1)).toHaveLength(0);
    expect(seq.filter((i) => i === 2)).toHaveLength(7);
    expect(seq).toHaveLength(12);
  });
  it('scales huge weight sums into the cap and keeps every live server', () => {
    const counts = wrrCounts(d(1_000_000, 1, 333_333));
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_WRR_SLOTS + 2);
    expect(counts[1]).toBeGreaterThanOrEqual(1);
    expect(counts[0]! / counts[2]!).toBeCloseTo(3, 1);
  });
  it('apportion() uses largest remainders and sums exactly', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(256, [3, 1])).toEqual([192, 64]);
  });
});

describe('sh / dh hash table', () => {
  it('fills every slot, interleaved, in proportion to weight', () => {
    const t = hashSlots(undefined, d(1, 1, 2));
    expect(t).toHaveLength(HASH_SLOTS);
    expect(count(t)).toEqual({ a: 64, b: 64, c: 128 });
    expect(t.slice(0, 4).join('')).toMatch(/^(?=.*a)(?=.*b)(?=.*c)/); // all three within the first slots
  });

  it('is empty when no server is live', () => {
    expect(hashSlots(undefined, d(0, 0)).every((x) => x === undefined)).toBe(true);
  });

  it('when a server dies only its slots move (every other client stays put)', () => {
    const before = hashSlots(undefined, d(1, 1, 1));
    const after = hashSlots(before, [{ key: 'a', weight: 1 }, { key: 'c', weight: 1 }]);
    for (let i = 0; i < HASH_SLOTS; i++) if (before[i] !== 'b') expect(after[i]).toBe(before[i]);
    expect(after).not.toContain('b');
    expect(Math.abs(count(after).a! - count(after).c!)).toBeLessThanOrEqual(1);
  });

  it('weight 0 (inhibit) works like death for new clients, and coming back takes slots only for the returner', () => {
    const all = d(1, 1, 1);
    const before = hashSlots(undefined, all);
    const drained = hashSlots(before, d(1, 0, 1));
    expect(drained).not.toContain('b');
    const back = hashSlots(drained, all);
    for (let i = 0; i < HASH_SLOTS; i++) if (back[i] !== drained[i]) expect(back[i]).toBe('b');
    expect(Math.abs(count(back).b! - HASH_SLOTS / 3)).toBeLessThanOrEqual(1);
  });

  it('property: for random weights, removing any server never moves a survivor\'s slot; adding one moves slots only to it', () => {
    const rnd = prng(12);
    for (let run = 0; run < 300; run++) {
      const n = 2 + Math.floor(rnd() * 9);
      const dests = Array.from({ length: n }, (_, i) => ({ key: `s${i}`, weight: 1 + Math.floor(rnd() * 20) }));
      const before = hashSlots(undefined, dests);
      const gone = Math.floor(rnd() * n);
      const survivors = dests.filter((_, i) => i !== gone);
      const after = hashSlots(before, survivors);
      for (let i = 0; i < HASH_SLOTS; i++) if (before[i] !== `s${gone}`) expect(after[i]).toBe(before[i]);
      // Shares follow weights to within one slot.
      const total = survivors.reduce((a, x) => a + x.weight, 0);
      const c = count(after);
      for (const s of survivors) expect(Math.abs(c[s.key]! - (HASH_SLOTS * s.weight) / total)).toBeLessThan(1);
      // Adding it back moves slots only to it.
      const back = hashSlots(after, dests);
      for (let i = 0; i < HASH_SLOTS; i++) if (back[i] !== after[i]) expect(back[i]).toBe(`s${gone}`);
    }
  });

  it('a previous table of another size (or none) is rebuilt from scratch', () => {
    const t = hashSlots(['a', 'b'], d(1, 1));
    expect(t).toHaveLength(HASH_SLOTS);
  });
});
