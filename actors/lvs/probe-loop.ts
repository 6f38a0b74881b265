/**
 * A healthy checker's repeat runs, without an XState event per check: the loop the checker's
 * `probe` actor runs while the checker is in its `healthy` state (machines/check/checker.machine.ts).
 *
 *   wait everyMs ─▶ arm the deadline ─▶ attempt ─▶ success: wait everyMs again …
 *                                              └─▶ anything else: report it, the loop is over
 *
 * The chart enters `healthy` only when counting another success would change nothing (same
 * counters, no log line, weight or verdict, next run delay_loop: checker-steps.ts
 * successIsFixedPoint), so a success here needs no counting and is not reported. Everything else
 * ends the loop and goes back to the chart, which counts it exactly as it counts an attempt of
 * its own: a failed outcome or the deadline (`probe.result`), a prober that threw
 * (`probe.error`), or a run that fell due while the checker was suspended (`probe.due`).
 *
 * The timing is the chart's, clock call for clock call, so the simulator's runs are the same with
 * or without the loop (only the checker's state records, `waiting` ↔ `probing`, are gone from its
 * traces):
 *  - the next attempt starts everyMs after the previous one finished (delay_loop);
 *  - each attempt has one absolute deadline, request.timeoutMs, armed before the attempt starts,
 *    so that on a tie (an answer due at the same instant) the deadline wins; the deadline cancels
 *    the attempt, then reports the timeout;
 *  - an answer clears the deadline before the next wait is armed (the chart's exit, then entry).
 *
 * One difference, in the daemon only: at the deadline the loop first asks the attempt whether it
 * has in fact ended (ProbeHandle.settle: a connect that completed while the event loop was busy
 * with something else, a GC say, so the deadline's timer ran before the socket was read). Such an
 * answer counts instead of the timeout: an overloaded checker is slow rather than wrong. The
 * simulator's prober has no settle (its answers are events of their own), and neither has the
 * chart's own path (`probing`: retries, first runs, servers that are down).
 *
 * Generic over the Prober and Clock ports: the daemon runs it on its sockets and timers, the
 * simulator on its virtual real servers and clock. The wait and the deadline are one re-armable
 * timer each for the loop's whole life (clock-timer.ts): the daemon's re-arms the same Node timer
 * every time, so a check allocates no timer (at 10,000 checks a second, each a second long, those
 * were promoted to the old generation and collected from there); the simulator's clock sees the
 * same setTimeout and clearTimeout calls as before.
 */
import { clockTimer } from '../clock-timer.js';
import type { Clock } from '../ports.js';
import { DEADLINE_OUTCOME } from '../../machines/check/checker-steps.js';
import type { ProbeErrorEvent, ProbeResultEvent } from '../../machines/check/types.js';
import type { ProbeHandle, ProbeOutcome, Prober, ProbeRequest } from './prober-port.js';

/** How a loop ends: the first attempt that was not a success, or a run due while held. */
export type ProbeLoopEnd = ProbeResultEvent | ProbeErrorEvent | { type: 'probe.due' };

export interface ProbeLoop {
  /** Held (the checker is suspended): the next run that falls due is reported (`probe.due`) instead of run. */
  hold(held: boolean): void;
  /** Stop: the wait or the deadline cleared, an attempt in flight cancelled; nothing more is reported. */
  cancel(): void;
}

export function startProbeLoop(
  ports: { prober: Prober; clock: Pick<Clock, 'setTimeout' | 'clearTimeout' | 'timer'> },
  request: ProbeRequest,
  everyMs: number,
  end: (e: ProbeLoopEnd) => void,
): ProbeLoop {
  const { prober, clock } = ports;
  let held = false;
  let over = false;
  let attempt: ProbeHandle | undefined;
  /** Bumped when an attempt ends, so a late or second answer is dropped. */
  let seq = 0;

  const finish = (e: ProbeLoopEnd): void => {
    over = true;
    end(e);
  };
  const answered = (mine: number, outcome: ProbeOutcome): void => {
    if (mine !== seq || over) return;
    seq++;
    attempt = undefined;
    dead.clear();
    if (outcome.ok) wait.set(everyMs);
    else finish({ type: 'probe.result', outcome });
  };
  /** The running attempt's deadline. */
  const dead = clockTimer(clock, () => {
    const a = attempt;
    // An attempt that has in fact ended, its answer not read yet (the event loop was late): that
    // answer counts, not the timeout (ProbeHandle.settle; the simulator's prober has none).
    const settled = a?.settle?.();
    if (settled) return answered(seq, settled);
    seq++;
    attempt = undefined;
    a?.cancel();
    if (!over) finish({ type: 'probe.result', outcome: DEADLINE_OUTCOME });
  });
  /** The wait for the next run. */
  const wait = clockTimer(clock, () => {
    if (held) return finish({ type: 'probe.due' });
    const mine = ++seq;
    dead.set(request.timeoutMs);
    try {
      const a = prober.probe(request, (outcome) => answered(mine, outcome));
      if (mine === seq && !over) attempt = a;
    } catch (error) {
      if (mine !== seq || over) return;
      seq++;
      dead.clear();
      finish({ type: 'probe.error', error });
    }
  });

  wait.set(everyMs);
  return {
    hold(h) {
      held = h;
    },
    cancel() {
      if (over) return;
      over = true;
      seq++;
      wait.clear();
      dead.clear();
      const a = attempt;
      attempt = undefined;
      a?.cancel();
    },
  };
}
