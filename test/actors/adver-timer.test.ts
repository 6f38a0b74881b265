/**
 * The Adver_Timer actor alone (actors/vrrp/adver-timer.ts) on a SimClock: one advert per
 * interval through the env's sender, timer.priority for the adverts that follow, stop clears
 * the pending expiry, and a sender that throws fails the actor, not the clock.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { adverTimer } from '../../actors/vrrp/adver-timer.js';

/** The actor on a SimClock; `send` is the env's sender (what it returns is the actor's), `hold`
 *  the env's holdAdvert (none without it). */
function timer(
  intervalMs: number,
  priority: number,
  send: (instance: string, priority: number, nextInMs?: number) => number | void = () => undefined,
  hold?: (instance: string, priority: number, inMs?: number) => void,
) {
  const clock = new SimClock();
  const sent: Array<[number, string, number]> = [];
  const actor = createActor(adverTimer, {
    clock,
    input: {
      instance: 'VI_1',
      intervalMs,
      priority,
      env: {
        clock,
        sendAdvert: (instance: string, p: number, nextInMs?: number) => {
          sent.push([clock.now(), instance, p]);
          return send(instance, p, nextInMs);
        },
        ...(hold ? { holdAdvert: hold } : {}),
      },
    },
  });
  return { clock, sent, actor };
}

describe('adverTimer actor', () => {
  it('R-27 sends one advert per interval at its priority, the first one interval after its start', () => {
    const t = timer(1000, 100);
    t.actor.start();
    expect(t.sent).toEqual([]);
    t.clock.runUntil(999.999);
    expect(t.sent).toEqual([]);
    t.clock.runUntil(3500);
    expect(t.sent).toEqual([
      [1000, 'VI_1', 100],
      [2000, 'VI_1', 100],
      [3000, 'VI_1', 100],
    ]);
    expect(t.clock.pending()).toBe(1);
  });

  it('K-13 timer.priority changes the priority of the following adverts and leaves the cadence alone', () => {
    const t = timer(250, 100);
    t.actor.start();
    t.clock.runUntil(600);
    t.actor.send({ type: 'timer.priority', priority: 80 });
    t.clock.runUntil(1000);
    t.actor.send({ type: 'timer.priority', priority: 130 });
    t.clock.runUntil(1250);
    expect(t.sent.map(([at, , p]) => [at, p])).toEqual([
      [250, 100],
      [500, 100],
      [750, 80],
      [1000, 80],
      [1250, 130],
    ]);
  });

  it('stopping it clears the pending expiry: no advert afterwards, nothing left on the clock', () => {
    const t = timer(1000, 100);
    t.actor.start();
    t.clock.runUntil(1500);
    expect(t.clock.pending()).toBe(1);
    t.actor.stop();
    t.clock.runUntil(10_000);
    expect(t.sent).toEqual([[1000, 'VI_1', 100]]);
    expect(t.clock.pending()).toBe(0);
  });

  it('the advert is sent before the next expiry is set (the order the delayed raise had on the clock)', () => {
    const order: string[] = [];
    const t = timer(1000, 100, () => {
      order.push('sent');
      // What the simulator's segment does on a send: a timer of its own, due at the same instant
      // as the next expiry. The clock orders equal times by insertion, so it must come first.
      t.clock.setTimeout(() => order.push('wire'), 1000);
    });
    t.actor.start();
    t.clock.runUntil(2000);
    expect(order).toEqual(['sent', 'wire', 'sent']);
  });

  it('a sender that throws fails the actor (its error, status error) and the clock runs on', () => {
    const t = timer(1000, 100, () => {
      throw new Error('socket exploded');
    });
    const errors: unknown[] = [];
    t.actor.subscribe({ error: (e) => errors.push(e) });
    t.actor.start();
    expect(() => t.clock.runUntil(5000)).not.toThrow();
    expect(t.sent).toHaveLength(1);
    expect(t.actor.getSnapshot().status).toBe('error');
    expect(String(errors[0])).toContain('socket exploded');
    expect(t.clock.pending()).toBe(0);
  });

  it('without a clock and a sender in its env it fails at start with a clear error', () => {
    const clock = new SimClock();
    const actor = createActor(adverTimer, { clock, input: { instance: 'VI_1', intervalMs: 1000, priority: 100, env: { clock } } });
    const errors: unknown[] = [];
    actor.subscribe({ error: (e) => errors.push(e) });
    actor.start();
    expect(String(errors[0])).toMatch(/adverTimer: spawned without a clock and an advert sender/);
  });

  it("uses the clock's re-armable timer when it has one (one timer for every period), and stop clears it", () => {
    const clock = new SimClock();
    let made = 0;
    let sets = 0;
    let clears = 0;
    // Clock.timer on the simulated clock: a real re-armable timer, counted.
    const withTimer = {
      now: () => clock.now(),
      wallNow: () => clock.wallNow(),
      setTimeout: () => {
        throw new Error('setTimeout used although the clock has a re-armable timer');
      },
      clearTimeout: () => {
        throw new Error('clearTimeout used although the clock has a re-armable timer');
      },
      timer: (fn: () => void) => {
        made++;
        let id: number | undefined;
        return {
          set: (ms: number) => {
            sets++;
            if (id !== undefined) clock.clearTimeout(id);
            id = clock.setTimeout(() => {
              id = undefined;
              fn();
            }, ms);
          },
          clear: () => {
            clears++;
            if (id !== undefined) clock.clearTimeout(id);
            id = undefined;
          },
        };
      },
    };
    const sent: number[] = [];
    const actor = createActor(adverTimer, { input: { instance: 'VI_1', intervalMs: 1000, priority: 100, env: { clock: withTimer, sendAdvert: () => void sent.push(clock.now()) } } });
    actor.start();
    clock.runUntil(3500);
    expect(sent).toEqual([1000, 2000, 3000]);
    expect([made, sets]).toEqual([1, 4]); // armed at start, then again after each advert
    actor.stop();
    expect(clears).toBe(1);
    clock.runUntil(10_000);
    expect(sent).toEqual([1000, 2000, 3000]);
    expect(clock.pending()).toBe(0);
  });

  it('runs on the clock\'s precise timer where it has one (the daemon\'s timerfd), one timer for its life', () => {
    const clock = new SimClock();
    const made: Array<() => void> = [];
    const sets: number[] = [];
    let clears = 0;
    const actor = createActor(adverTimer, {
      clock,
      input: {
        instance: 'VI_1',
        intervalMs: 1000,
        priority: 100,
        env: {
          clock: Object.assign(Object.create(clock) as SimClock, {
            preciseTimer: (fn: () => void) => {
              made.push(fn);
              return { set: (ms: number) => void sets.push(ms), clear: () => void clears++ };
            },
          }),
          sendAdvert: () => undefined,
        },
      },
    });
    actor.start();
    made[0]!(); // the timer's expiry: an advert, then the next interval
    made[0]!();
    actor.stop();
    expect([made.length, sets, clears, clock.pending()]).toEqual([1, [1000, 1000, 1000], 1, 0]);
  });

  it('hands each next advert to the backstop, and counts the next interval from when the backstop sent one', () => {
    const calls: string[] = [];
    // The second advert already left 30 ms ago (the backstop sent it while the thread was held up).
    let n = 0;
    const { clock, actor } = timer(
      1000,
      100,
      (instance, p, nextInMs) => {
        calls.push(`send ${instance} ${p} ${nextInMs} at ${clock.now()}`);
        return ++n === 2 ? 30 : 0;
      },
      (instance, p, inMs) => void calls.push(`hold ${instance} ${p} ${inMs}`),
    );
    actor.start();
    clock.runUntil(2500);
    actor.send({ type: 'timer.priority', priority: 80 });
    clock.runUntil(3000);
    actor.stop();
    expect(calls).toEqual([
      'hold VI_1 100 1000', // the first periodic advert, from the start
      'send VI_1 100 1000 at 1000',
      'send VI_1 100 1000 at 2000',
      'hold VI_1 80 undefined', // a priority change drops what was held
      'send VI_1 80 1000 at 2970', // one interval after the second advert left
      'hold VI_1 80 undefined', // and so does the timer's end
    ]);
  });
});
