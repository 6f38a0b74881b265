/**
 * The Master_Down_Timer's read ahead (actors/vrrp/master-down-timer.ts, env.beforeExpiry): when the
 * clock says the expiry is near (Clock.setPreciseTimeout's `soon`), the timer asks the env to read
 * the instance's interfaces; a failure there changes nothing; a clock without `soon` (the
 * simulator's) never calls it.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Clock } from '../../actors/ports.js';
import { masterDownTimer } from '../../actors/vrrp/master-down-timer.js';
import { SimClock } from '../../sim/clock.js';

/** A clock whose precise timeouts are kept, with their `soon`, for the test to run. */
function keptClock() {
  const set: Array<{ fn: () => void; ms: number; soon?: () => void; cleared: boolean }> = [];
  const clock: Clock = {
    now: () => 0,
    wallNow: () => 0,
    setTimeout: () => {
      throw new Error('the Master_Down_Timer uses setPreciseTimeout where the clock has it');
    },
    clearTimeout: (id) => void ((id as { cleared: boolean }).cleared = true),
    setPreciseTimeout: (fn, ms, soon) => {
      const t = { fn, ms, ...(soon ? { soon } : {}), cleared: false };
      set.push(t);
      return t;
    },
  };
  return { clock, set };
}

describe('Master_Down_Timer: reading ahead before expiry', () => {
  it("hands the clock a `soon` that asks the env for the instance's read ahead, and fires as before", () => {
    const { clock, set } = keptClock();
    const asked: string[] = [];
    const timer = createActor(masterDownTimer, { input: { intervalUs: 3_609_375, instance: 'VI_1', env: { clock, beforeExpiry: (i: string) => void asked.push(i) } } });
    timer.start();
    expect(set.map((t) => t.ms)).toEqual([3609.375]);
    set[0]!.soon!();
    expect(asked).toEqual(['VI_1']);
    timer.stop();
    expect(set[0]!.cleared).toBe(true);
  });

  it('a throwing read ahead is swallowed (the takeover reads again itself)', () => {
    const { clock, set } = keptClock();
    const timer = createActor(masterDownTimer, {
      input: {
        intervalUs: 180_000,
        instance: 'VI_1',
        env: {
          clock,
          beforeExpiry: () => {
            throw new Error('netlink closed');
          },
        },
      },
    });
    timer.start();
    expect(() => set[0]!.soon!()).not.toThrow();
    timer.stop();
  });

  it('without beforeExpiry in the env, no `soon`; on the simulator clock, nothing but the timeout', () => {
    const { clock, set } = keptClock();
    createActor(masterDownTimer, { input: { intervalUs: 1_000_000, instance: 'VI_1', env: { clock } } })
      .start()
      .stop();
    expect(set[0]!.soon).toBeUndefined();
    const sim = new SimClock();
    let asked = 0;
    const t = createActor(masterDownTimer, { input: { intervalUs: 1_000_000, instance: 'VI_1', env: { clock: sim, beforeExpiry: () => void asked++ } } }).start();
    sim.runUntil(1_500); // past the expiry
    expect(asked).toBe(0);
    t.stop();
  });
});
