import { describe, expect, it } from 'vitest';
import { Prng } from '../../sim/prng.js';

const take = (p: Prng, n: number) => Array.from({ length: n }, () => p.nextU32());

describe('Prng', () => {
  it('is a pure function of the seed', () => {
    expect(take(new Prng(42), 5)).toEqual(take(new Prng(42), 5));
    expect(take(new Prng(42), 5)).not.toEqual(take(new Prng(43), 5));
  });

  it('forks depend on the seed and label only, not on draws made before', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    take(b, 1000);
    expect(take(a.fork('net'), 5)).toEqual(take(b.fork('net'), 5));
    expect(take(a.fork('net'), 5)).not.toEqual(take(a.fork('chaos'), 5));
  });

  it('draws look uniform and stay in range', () => {
    const p = new Prng(1);
    let sum = 0;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const x = p.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
      buckets[Math.floor(x * 10)]!++;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
    for (const b of buckets) expect(b).toBeGreaterThan(1700);
    for (let i = 0; i < 1000; i++) {
      const n = p.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
  });

  it('chance(0) and chance(1) draw nothing', () => {
    const p = new Prng(1);
    expect(p.chance(0)).toBe(false);
    expect(p.chance(1)).toBe(true);
    expect(p.drawCount()).toBe(0);
  });
});
