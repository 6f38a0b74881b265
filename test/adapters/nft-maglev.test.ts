/** Maglev table for the mh scheduler: permutations, balance, order independence, small disruption. */
import { describe, expect, it } from 'vitest';
import { MAGLEV_SLOTS, maglevPermutation, maglevSlots } from '../../adapters/linux/nft/maglev.js';

const servers = (n: number, weight = 1) => Array.from({ length: n }, (_, i) => ({ key: `198.51.100.${21 + i}|8080`, weight }));
const count = (t: string[]) => t.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});

describe('Maglev (mh)', () => {
  it('each server\'s walk is a full permutation of the table (prime size, skip in [1, M-1])', () => {
    for (const key of ['198.51.100.21|8080', '198.51.100.22|8080', '2001:db8::21|80']) {
      const { offset, skip } = maglevPermutation(key);
      expect(skip).toBeGreaterThanOrEqual(1);
      expect(skip).toBeLessThan(MAGLEV_SLOTS);
      const seen = new Uint8Array(MAGLEV_SLOTS);
      for (let j = 0; j < MAGLEV_SLOTS; j++) seen[(offset + j * skip) % MAGLEV_SLOTS] = 1;
      expect(seen.every((x) => x === 1)).toBe(true);
    }
    // Different servers start and step differently.
    expect(maglevPermutation('198.51.100.21|8080')).not.toEqual(maglevPermutation('198.51.100.22|8080'));
  });

  it('fills every slot with a live server, nearly evenly', () => {
    const t = maglevSlots(servers(5));
    expect(t).toHaveLength(MAGLEV_SLOTS);
    const c = Object.values(count(t));
    expect(c).toHaveLength(5);
    for (const n of c) expect(Math.abs(n - MAGLEV_SLOTS / 5)).toBeLessThanOrEqual(1);
  });

  it('follows weight and ignores weight-0 servers', () => {
    const t = maglevSlots([
      { key: 'a', weight: 2 },
      { key: 'b', weight: 1 },
      { key: 'z', weight: 0 },
    ]);
    const c = count(t);
    expect(c.z).toBeUndefined();
    expect(c.a! / c.b!).toBeGreaterThan(1.9);
    expect(c.a! / c.b!).toBeLessThan(2.1);
    expect(maglevSlots([{ key: 'a', weight: 0 }])).toEqual([]);
  });

  it('does not depend on the order servers were added (two directors agree)', () => {
    const s = servers(7);
    expect(maglevSlots([...s].reverse())).toEqual(maglevSlots(s));
  });

  it('removing one server moves its slots and few others', () => {
    const all = servers(10);
    const before = maglevSlots(all);
    const gone = all[3]!.key;
    const after = maglevSlots(all.filter((s) => s.key !== gone));
    expect(after).not.toContain(gone);
    let moved = 0;
    let survivorsSlots = 0;
    for (let i = 0; i < MAGLEV_SLOTS; i++) {
      if (before[i] === gone) continue;
      survivorsSlots++;
      if (after[i] !== before[i]) moved++;
    }
    // Maglev's promise: most clients of surviving servers keep their server.
    expect(moved / survivorsSlots).toBeLessThan(0.05);
  });
});
