import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim/clock.js';

describe('SimClock', () => {
  it('fires timers in due order, ties in insertion order, at their own instant', () => {
    const c = new SimClock();
    const seen: string[] = [];
    c.setTimeout(() => seen.push(`b@${c.now()}`), 20);
    c.setTimeout(() => seen.push(`a1@${c.now()}`), 10);
    c.setTimeout(() => seen.push(`a2@${c.now()}`), 10);
    c.advance(100);
    expect(seen).toEqual(['a1@10', 'a2@10', 'b@20']);
    expect(c.now()).toBe(100);
  });

  it('keeps a periodic timer on cadence across one long advance', () => {
    const c = new SimClock();
    const ticks: number[] = [];
    const tick = () => {
      ticks.push(c.now());
      c.setTimeout(tick, 1000);
    };
    c.setTimeout(tick, 1000);
    c.advance(5500);
    expect(ticks).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it('cancelled timers never fire and are not counted as pending', () => {
    const c = new SimClock();
    let fired = 0;
    const id = c.setTimeout(() => fired++, 5);
    c.setTimeout(() => fired++, 6);
    c.clearTimeout(id);
    expect(c.pending()).toBe(1);
    c.advance(10);
    expect(fired).toBe(1);
  });

  it('resolves microseconds and orders a timer set from inside a callback after same-time peers', () => {
    const c = new SimClock();
    const seen: string[] = [];
    c.setTimeout(() => {
      seen.push('x');
      c.setTimeout(() => seen.push('z'), 0);
    }, 0.001);
    c.setTimeout(() => seen.push('y'), 0.001);
    c.advance(1);
    expect(seen).toEqual(['x', 'y', 'z']);
    expect(c.nowMicros()).toBe(1000);
  });
});
