/**
 * clockTimer on a clock without Clock.timer (the simulator's): the clock sees exactly the calls
 * of a caller using setTimeout and clearTimeout itself, so a loop moved onto it runs the same,
 * clock call for clock call; and it behaves as a timer should.
 */
import { describe, expect, it } from 'vitest';
import { clockTimer, preciseClockTimer } from '../../actors/clock-timer.js';
import type { Clock } from '../../actors/ports.js';
import { SimClock } from '../../sim/clock.js';

function recorded() {
  const sim = new SimClock();
  const calls: string[] = [];
  const clock: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
    setTimeout: (fn, ms) => {
      const id = sim.setTimeout(fn, ms);
      calls.push(`set ${ms} @${sim.now()}`);
      return id;
    },
    clearTimeout: (id) => {
      calls.push(`clear @${sim.now()}`);
      sim.clearTimeout(id);
    },
  };
  return { sim, calls, clock };
}

describe('clockTimer over setTimeout / clearTimeout', () => {
  it('set, set again (clears the first), run, set after running (no clear), clear, clear again (nothing)', () => {
    const { sim, calls, clock } = recorded();
    const ran: number[] = [];
    const t = clockTimer(clock, () => ran.push(sim.now()));
    t.set(100);
    sim.runUntil(50);
    t.set(100);
    sim.runUntil(500);
    expect(ran).toEqual([150]);
    t.set(30);
    t.clear();
    t.clear();
    sim.runUntil(1000);
    expect(ran).toEqual([150]);
    expect(calls).toEqual(['set 100 @0', 'clear @50', 'set 100 @50', 'set 30 @500', 'clear @500']);
  });

  it('uses the clock’s own timer when it has one', () => {
    const made: Array<() => void> = [];
    const own = { set: () => undefined, clear: () => undefined };
    const fn = () => undefined;
    const t = clockTimer({ setTimeout: () => 0, clearTimeout: () => undefined, timer: (f) => (made.push(f), own) }, fn);
    expect(t).toBe(own);
    expect(made).toEqual([fn]);
  });
});

describe('preciseClockTimer (the Adver_Timer\'s)', () => {
  it('uses the clock’s precise timer, else its timer, else setTimeout / clearTimeout', () => {
    const fn = () => undefined;
    const precise = { set: () => undefined, clear: () => undefined };
    const plain = { set: () => undefined, clear: () => undefined };
    const base = { setTimeout: () => 0, clearTimeout: () => undefined };
    expect(preciseClockTimer({ ...base, timer: () => plain, preciseTimer: (f) => (expect(f).toBe(fn), precise) }, fn)).toBe(precise);
    expect(preciseClockTimer({ ...base, timer: () => plain }, fn)).toBe(plain);
    const { sim, calls, clock } = recorded();
    const ran: number[] = [];
    preciseClockTimer(clock, () => ran.push(sim.now())).set(40);
    sim.runUntil(100);
    expect(ran).toEqual([40]);
    expect(calls).toEqual(['set 40 @0']);
  });
});
