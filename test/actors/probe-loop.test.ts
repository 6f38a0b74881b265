/**
 * A healthy checker's probe loop (actors/lvs/probe-loop.ts) on SimClock, alone: when it runs
 * attempts, what it reports, the deadline, hold and cancel. The checker chart around it is tested
 * in test/machines/lvs-checker.test.ts ("healthy checks without a macrostep").
 *
 * delay_loop 10 s, connect_timeout 3 s.
 */
import { describe, expect, it } from 'vitest';
import { startProbeLoop, type ProbeLoopEnd } from '../../actors/lvs/probe-loop.js';
import type { ProbeOutcome, ProbeRequest, Prober } from '../../actors/lvs/prober-port.js';
import type { CheckerConfig } from '../../config/model-lvs.js';
import { SimClock } from '../../sim/clock.js';

const OK: ProbeOutcome = { ok: true };
const REFUSED: ProbeOutcome = { ok: false, failure: 'refused', message: 'failed' };
const request: ProbeRequest = {
  checker: { kind: 'TCP_CHECK', urls: [] } as unknown as CheckerConfig,
  target: { family: 4, address: '198.51.100.21', port: 80 },
  timeoutMs: 3000,
};

/** An answer `afterMs` after the attempt starts, or undefined: never answers. */
type Script = (n: number, now: number) => { outcome: ProbeOutcome; afterMs: number } | undefined;

function run(script: Script) {
  const clock = new SimClock();
  const attempts: number[] = [];
  const cancelled: number[] = [];
  const ends: Array<[number, ProbeLoopEnd]> = [];
  const prober: Prober = {
    probe(_req, done) {
      const n = attempts.push(clock.now()) - 1;
      const a = script(n, clock.now());
      if (!a) return { cancel: () => void cancelled.push(clock.now()) };
      const id = clock.setTimeout(() => done(a.outcome), a.afterMs);
      return {
        cancel: () => {
          cancelled.push(clock.now());
          clock.clearTimeout(id);
        },
      };
    },
  };
  const loop = startProbeLoop({ prober, clock }, request, 10_000, (e) => ends.push([clock.now(), e]));
  return { clock, attempts, cancelled, ends, loop };
}

describe('probe loop', () => {
  it('successes are not reported: an attempt every delay_loop after the previous one finished', () => {
    const t = run(() => ({ outcome: OK, afterMs: 700 }));
    t.clock.runUntil(100_000);
    expect(t.attempts).toEqual([10_000, 20_700, 31_400, 42_100, 52_800, 63_500, 74_200, 84_900, 95_600]);
    expect(t.ends).toEqual([]);
    expect(t.cancelled).toEqual([]);
  });

  it('the first outcome that is not a success is reported once and ends the loop', () => {
    const t = run((n) => ({ outcome: n === 3 ? REFUSED : OK, afterMs: 5 }));
    t.clock.runUntil(200_000);
    expect(t.attempts).toEqual([10_000, 20_005, 30_010, 40_015]);
    expect(t.ends).toEqual([[40_020, { type: 'probe.result', outcome: REFUSED }]]);
  });

  it('one deadline per attempt: a probe that never answers is cancelled at connect_timeout and reported as a timeout', () => {
    const t = run((n) => (n < 2 ? { outcome: OK, afterMs: 0 } : undefined));
    t.clock.runUntil(100_000);
    expect(t.attempts).toEqual([10_000, 20_000, 30_000]);
    expect(t.cancelled).toEqual([33_000]);
    expect(t.ends).toEqual([[33_000, { type: 'probe.result', outcome: { ok: false, failure: 'timeout', message: 'timeout' } }]]);
  });

  it('an answer exactly at the deadline loses (the deadline is armed before the attempt starts); one a millisecond earlier wins', () => {
    const tie = run((n) => ({ outcome: OK, afterMs: n === 1 ? 3000 : 10 }));
    tie.clock.runUntil(100_000);
    expect(tie.ends).toEqual([[23_010, { type: 'probe.result', outcome: { ok: false, failure: 'timeout', message: 'timeout' } }]]);
    expect(tie.cancelled).toEqual([23_010]);
    const early = run(() => ({ outcome: OK, afterMs: 2999 }));
    early.clock.runUntil(40_000);
    expect(early.ends).toEqual([]);
    expect(early.attempts).toEqual([10_000, 22_999, 35_998]);
  });

  it('a prober that throws is reported as probe.error and its deadline cleared', () => {
    const t = run((n) => {
      if (n === 1) throw new Error('prober bug');
      return { outcome: OK, afterMs: 0 };
    });
    t.clock.runUntil(100_000);
    expect(t.attempts).toEqual([10_000, 20_000]);
    expect(t.ends.map(([at, e]) => [at, e.type, e.type === 'probe.error' ? (e.error as Error).message : undefined])).toEqual([[20_000, 'probe.error', 'prober bug']]);
    expect(t.clock.pending()).toBe(0);
  });

  it('held (ha_suspend): the run that falls due is reported as probe.due, not run; an attempt in flight finishes first', () => {
    const waiting = run(() => ({ outcome: OK, afterMs: 100 }));
    waiting.clock.runUntil(15_000);
    waiting.loop.hold(true);
    waiting.clock.runUntil(100_000);
    expect(waiting.attempts).toEqual([10_000]);
    expect(waiting.ends).toEqual([[20_100, { type: 'probe.due' }]]);

    const inFlight = run(() => ({ outcome: OK, afterMs: 100 }));
    inFlight.clock.runUntil(10_050);
    inFlight.loop.hold(true);
    inFlight.clock.runUntil(100_000);
    expect(inFlight.attempts).toEqual([10_000]);
    expect(inFlight.ends).toEqual([[20_100, { type: 'probe.due' }]]);

    // a failure of the attempt in flight is still reported as a result (the chart counts it)
    const failing = run(() => ({ outcome: REFUSED, afterMs: 100 }));
    failing.clock.runUntil(10_050);
    failing.loop.hold(true);
    failing.clock.runUntil(100_000);
    expect(failing.ends).toEqual([[10_100, { type: 'probe.result', outcome: REFUSED }]]);
  });

  it('held, then active again before the run is due: the loop carries on as if never held', () => {
    const t = run(() => ({ outcome: OK, afterMs: 0 }));
    t.clock.runUntil(12_000);
    t.loop.hold(true);
    t.clock.runUntil(15_000);
    t.loop.hold(false);
    t.clock.runUntil(40_000);
    expect(t.attempts).toEqual([10_000, 20_000, 30_000, 40_000]);
    expect(t.ends).toEqual([]);
  });

  it('cancel: the wait or the deadline is cleared and an attempt in flight cancelled; nothing more runs or is reported', () => {
    const waiting = run(() => ({ outcome: OK, afterMs: 0 }));
    waiting.clock.runUntil(15_000);
    waiting.loop.cancel();
    expect(waiting.clock.pending()).toBe(0);
    waiting.clock.runUntil(100_000);
    expect(waiting.attempts).toEqual([10_000]);
    expect(waiting.ends).toEqual([]);

    const inFlight = run(() => ({ outcome: REFUSED, afterMs: 500 }));
    inFlight.clock.runUntil(10_100);
    inFlight.loop.cancel();
    expect(inFlight.cancelled).toEqual([10_100]);
    expect(inFlight.clock.pending()).toBe(0);
    inFlight.clock.runUntil(100_000);
    expect(inFlight.ends).toEqual([]);
  });

  it('at the deadline an attempt that has in fact ended (settle) counts as its answer, not as a timeout', () => {
    const clock = new SimClock();
    const ends: Array<[number, ProbeLoopEnd]> = [];
    const attempts: number[] = [];
    const cancelled: number[] = [];
    // every attempt "connects" but its answer is never delivered (an event loop that is late):
    // the first two settle as connected, the third as refused, the fourth not at all
    const settles: Array<ProbeOutcome | undefined> = [OK, OK, REFUSED, undefined];
    const prober: Prober = {
      probe() {
        const n = attempts.push(clock.now()) - 1;
        return { cancel: () => void cancelled.push(clock.now()), settle: () => settles[n] };
      },
    };
    const loop = startProbeLoop({ prober, clock }, request, 10_000, (e) => ends.push([clock.now(), e]));
    clock.runUntil(60_000);
    expect(attempts).toEqual([10_000, 23_000, 36_000]);
    expect(cancelled).toEqual([]);
    expect(ends).toEqual([[39_000, { type: 'probe.result', outcome: REFUSED }]]);
    loop.cancel();

    const none = run(() => undefined);
    none.clock.runUntil(14_000);
    expect(none.ends).toEqual([[13_000, { type: 'probe.result', outcome: { ok: false, failure: 'timeout', message: 'timeout' } }]]);
    expect(none.cancelled).toEqual([13_000]);
  });

  it('an answer after the deadline, or a second answer, is dropped', () => {
    const clock = new SimClock();
    const ends: ProbeLoopEnd[] = [];
    let done: ((o: ProbeOutcome) => void) | undefined;
    const prober: Prober = {
      probe(_r, d) {
        done = d;
        return { cancel() {} };
      },
    };
    startProbeLoop({ prober, clock }, request, 10_000, (e) => ends.push(e));
    clock.runUntil(10_000);
    const first = done!;
    first(OK);
    first(REFUSED);
    // the second answer of the first attempt does not end the loop; the second attempt's deadline does
    clock.runUntil(23_000);
    expect(ends).toEqual([{ type: 'probe.result', outcome: { ok: false, failure: 'timeout', message: 'timeout' } }]);
    done!(OK);
    first(REFUSED);
    expect(ends).toHaveLength(1);
  });
});
