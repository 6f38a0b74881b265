/** The Clock port on Node: real timers, a monotonic reading from performance.now(). */
import { performance } from 'node:perf_hooks';
import type { Clock, ClockTimer } from '../../actors/ports.js';

/**
 * A precise timeout (Clock.setPreciseTimeout). Node fires a timer once its loop time, whole
 * milliseconds read at the start of the loop iteration, has passed the due time: 0.5 to 1.5 ms
 * after it when the loop is idle. So the Node timer is set to wake about a millisecond early,
 * and the rest is waited out with setImmediate, which returns to the event loop (I/O still runs)
 * but does not sleep. That costs at most ~1 ms of CPU per expiry, once per expiry.
 *
 * A long wait is split in two. Node sleeps in epoll_wait, and Linux lets a sleep of T end up
 * to T/1000 late (timer slack; T/200 for a niced process, select_estimate_accuracy): 3.6 ms
 * on a VRRPv2 backup's 3.6 s Master_Down_Interval, and the timer woke 1.7 to 5.6 ms after its
 * due time in the failover bench. So a wait over LONG_MS first sleeps to
 * max(EARLY_MS, 1 % of it) before the due time, where the remaining sleep is short enough for
 * a slack of at most 50 µs (the default timer_slack_ns), then goes on as above.
 *
 * `fn` only ever runs from a setImmediate, that is after the event loop's poll phase. Node runs
 * expired timers before it polls for I/O, so when the process was stalled past the due time (a
 * starved CPU, a long synchronous step) a timer firing straight from the timers phase would beat
 * the packets that arrived meanwhile and still wait in the socket: a backup would declare its
 * master down with the master's adverts queued unread. keepalived reads first (its scheduler
 * handles the epoll events before the expired timers); so does this: a timer that wakes due
 * hands over to setImmediate, the poll phase in between reads the queued adverts, and one of
 * them restarting the timer clears it before it fires.
 *
 * `soon` (Clock.setPreciseTimeout) runs from the first Node timer's callback, so at most
 * max(EARLY_MS, 1 %) + 1 ms before the due time on a long wait and 1 ms on a short one; a wait of
 * 1 ms or less has no Node timer and no `soon`.
 */
const LONG_MS = 50;
const EARLY_MS = 5;

class PreciseTimeout {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  readonly startMs = performance.now();

  constructor(
    /** The clock's pending precise timeouts (preciseDueWithin): this one is in it until it fires or is cleared. */
    private readonly pending: Set<PreciseTimeout>,
    private readonly fn: () => void,
    readonly dueMs: number,
    /** Clock.setPreciseTimeout's `soon`: run by the first wake-up of a Node timer, then dropped. */
    private soon: (() => void) | undefined,
    /** NodeClockOptions.beforePreciseExpiry, run after `soon` (only when there is one). */
    private readonly before: (() => void) | undefined,
  ) {
    pending.add(this);
    // Never synchronously, like setTimeout.
    this.wait(dueMs - this.startMs);
  }

  private wait(left: number): void {
    if (left <= 1) this.immediate = setImmediate(this.check);
    else if (left <= LONG_MS) this.timer = setTimeout(this.woke, left - 1);
    else this.timer = setTimeout(this.woke, left - 1 - Math.max(EARLY_MS, left / 100));
  }

  /** The Node timer's callback, in the timers phase: never fires, only waits on (I/O first). */
  private readonly woke = (): void => {
    this.timer = undefined;
    const soon = this.soon;
    if (soon) {
      this.soon = undefined;
      soon();
      this.before?.();
    }
    this.wait(this.dueMs - performance.now());
  };

  /** The setImmediate's callback, after the poll phase: fires once due. */
  private readonly check = (): void => {
    this.timer = this.immediate = undefined;
    const left = this.dueMs - performance.now();
    if (left > 0) return this.wait(left);
    this.pending.delete(this);
    this.fn();
  };

  clear(): void {
    this.pending.delete(this);
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    this.soon = undefined;
  }
}

/**
 * Clock.timer on Node: one Node timer for the whole life of the ClockTimer, re-armed with
 * refresh() while the duration is the one it was made with (a healthy checker's wait and
 * deadline always are), replaced otherwise. A checker's wait and deadline at 10,000 checks a
 * second were three Node timers a check, each living up to a second, so they reached V8's old
 * generation and were collected from there. Disarming leaves the Node timer where it is, unref'd,
 * to run once and do nothing: clearTimeout would destroy it, and a cleared timer cannot be
 * refreshed. The timing is setTimeout's: refresh() counts from the loop's time now, as a new
 * timer would, and queues behind the timers of the same duration set before it.
 */
class NodeTimer implements ClockTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ms = -1;
  private armed = false;

  constructor(private readonly fn: () => void) {}

  private readonly run = (): void => {
    if (!this.armed) return;
    this.armed = false;
    this.fn();
  };

  set(ms: number): void {
    this.armed = true;
    const t = this.timer;
    if (t && ms === this.ms) {
      t.ref();
      t.refresh();
      return;
    }
    if (t) clearTimeout(t);
    this.ms = ms;
    this.timer = setTimeout(this.run, ms);
  }

  clear(): void {
    if (!this.armed) return;
    this.armed = false;
    this.timer?.unref();
  }
}

export interface NodeClockOptions {
  /** Clock.preciseTimer (the daemon's ports pass the timerfd's: adapters/linux/timerfd-timers.ts). */
  preciseTimer?: (fn: () => void) => ClockTimer;
  /** Run after a precise timeout's `soon`, when its expiry is a few ms away: the daemon makes
   *  room in V8's young generation there (young-generation.ts). Nothing without a `soon`. */
  beforePreciseExpiry?: () => void;
}

/** Clock.preciseDueWithin over `pending`: a scan, made a few times a minute (role-host.ts). */
function preciseDueWithin(pending: ReadonlySet<PreciseTimeout>, withinMs: number): number | undefined {
  const now = performance.now();
  let first: number | undefined;
  for (const t of pending) {
    const left = t.dueMs - now;
    if (left < withinMs && now - t.startMs > left && (first === undefined || left < first)) first = left;
  }
  return first === undefined ? undefined : Math.max(0, first);
}

export function createNodeClock(opts: NodeClockOptions = {}): Clock {
  const pending = new Set<PreciseTimeout>();
  return {
    ...(opts.preciseTimer ? { preciseTimer: opts.preciseTimer } : {}),
    setTimeout: (fn, timeoutMs) => setTimeout(fn, timeoutMs),
    clearTimeout: (id) => {
      if (id instanceof PreciseTimeout) id.clear();
      else clearTimeout(id as ReturnType<typeof setTimeout>);
    },
    setPreciseTimeout: (fn, timeoutMs, soon) => new PreciseTimeout(pending, fn, performance.now() + timeoutMs, soon, opts.beforePreciseExpiry),
    preciseDueWithin: (withinMs) => preciseDueWithin(pending, withinMs),
    timer: (fn) => new NodeTimer(fn),
    now: () => performance.now(),
    wallNow: () => Date.now(),
  };
}
