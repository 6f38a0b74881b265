/**
 * Clock.preciseTimer on Linux: re-armable timers that fire within microseconds of their due
 * time, all of them on one timerfd (native/netio.c), without a busy wait.
 *
 * Node's timers count whole milliseconds: a timer is due once the loop's time, read in whole
 * milliseconds at the start of a loop iteration, has passed its start plus its duration, and
 * the loop sleeps in epoll_wait with a timeout in whole milliseconds. An Adver_Timer re-armed
 * on them sends adverts 1000 ms ± 1 ms apart (p99 1.96 ms late at 1,000 instances, against
 * keepalived's 0.27: docs/benchmarks.md). keepalived's scheduler sleeps on a timerfd armed
 * to the microsecond; so does this one.
 *
 * The timers are kept in one FIFO list per duration, as Node keeps its own: a timer set for
 * `ms` is due `ms` after the time it was set, and that time never goes backwards, so appending
 * keeps each list in due order (a timer set with a later due time than the list's last is the
 * rule; one set earlier, which only a clock going backwards would make, is inserted in order).
 * The timerfd is armed for the earliest head of the lists. When it is readable, one wake runs:
 * it reads the time once (`now`), takes every timer due by then, and those due within
 * min(EARLY_MAX_MS, EARLY_SHARE of their duration) after it, which would otherwise each cost a
 * wake of their own (bench/precise-timers.bench.ts), off the lists in due order, runs them, and
 * arms the timerfd for the new earliest head, or disarms it.
 *
 * A timer set during a wake counts from the wake's `now`, as keepalived's timers count from the
 * time its scheduler read when it woke (time_now): the Adver_Timer re-armed after each advert
 * is due one interval after the wake that sent it, however far down the wake's batch it was.
 * A timer cleared or set again by an earlier timer of the same wake does not run in it; one set
 * for 0 ms during a wake runs in the next wake, never in the same one, so a timer that re-arms
 * itself for 0 ms cannot hold the event loop.
 *
 * The fd's watcher keeps the process alive while a timer is armed, as a Node timer does.
 * Created with the first timer (a process that never sets one has no timerfd); close() releases
 * the fd (ports.close()). Where no timerfd can be had (no descriptor left), the failure is
 * reported once (`onError`: the daemon logs it) and a Node timer wakes the same lists from then
 * on; a watcher that fails gets a new timerfd.
 */
import { performance } from 'node:perf_hooks';
import type { ClockTimer } from '../../actors/ports.js';
import { errorText, netio, type NetIo, type WatchHandle } from './native.js';

/**
 * A timer set for `ms` runs in a wake that comes up to min(EARLY_MAX_MS, ms × EARLY_SHARE)
 * before its due time: 2 ms for an advert interval of 1 s, 0.1 ms for 50 ms.
 */
export const EARLY_MAX_MS = 2;
export const EARLY_SHARE = 0.002;

/** How early a wake may run a timer set for `ms` (and the advert backstop's thread send an advert
 *  repeated every `ms`: advert-backstop.ts). */
export const earlyWindowMs = (ms: number, maxMs = EARLY_MAX_MS): number => Math.min(maxMs, Math.max(0, ms) * EARLY_SHARE);

const IDLE = 0;
const LISTED = 1;
const TAKEN = 2;

class Timer implements ClockTimer {
  /** IDLE, LISTED (waiting in a list) or TAKEN (taken off its list by a wake, to run in it) */
  state = IDLE;
  due = 0;
  /** the duration it was last set for: the list it goes in */
  ms = 0;
  list: DurationList | undefined;
  prev: Timer | undefined;
  next: Timer | undefined;

  constructor(
    private readonly owner: TimerfdTimers,
    readonly fn: () => void,
  ) {}

  set(ms: number): void {
    this.owner.arm(this, ms);
  }

  clear(): void {
    this.owner.disarm(this);
  }
}

/** The timers of one duration, in due order. */
class DurationList {
  head: Timer | undefined;
  tail: Timer | undefined;
  constructor(
    readonly ms: number,
    /** how early a wake may run this list's timers */
    readonly earlyMs: number,
  ) {}
}

export interface TimerfdTimersOptions {
  /** Stands in for the addon (tests). */
  io?: TimerIo;
  /** Stands in for performance.now() (tests). */
  now?: () => number;
  /** EARLY_MAX_MS (benches: 0 for one wake per timer). */
  earlyMaxMs?: number;
  /** Told once when no timerfd can be had (the daemon logs it); the timers go on, on a Node timer. */
  onError?: (message: string) => void;
  /** Told the earliest timer's delay (ms; Infinity: none) each time the timerfd is armed: the
   *  daemon guards the advert backstop with it (advert-backstop.ts). */
  onArm?: (inMs: number) => void;
}

/** What the timers need of the addon (native.ts NetIo). */
export type TimerIo = Pick<NetIo, 'timerfd' | 'timerfdSet' | 'watch' | 'unwatch' | 'ref' | 'unref' | 'close'>;

const byDue = (a: Timer, b: Timer): number => a.due - b.due;

export class TimerfdTimers {
  private fd = -1;
  private watch: WatchHandle | undefined;
  private readonly lists = new Map<number, DurationList>();
  /** Timers LISTED or TAKEN: the watcher keeps the process alive while there are any. */
  private armed = 0;
  private referenced = true;
  /** The timerfd's due time, Infinity when disarmed. */
  private fdDue = Infinity;
  /** The current wake's time, or NaN outside a wake. */
  private wakeNow = NaN;
  /** A wake's timers, reused from wake to wake. */
  private readonly batch: Timer[] = [];
  /** Wakes that ran (for tests and benches). */
  wakes = 0;
  /** Timerfds replaced after their watcher failed. */
  reopened = 0;

  /** The addon, loaded with the timerfd. */
  private io: TimerIo | undefined;
  /** No timerfd could be had: the wakes come from a Node timer (millisecond precision). */
  private degraded = false;
  private nodeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly given: TimerIo | undefined;
  private readonly now: () => number;
  private readonly earlyMaxMs: number;
  private readonly onError: ((message: string) => void) | undefined;
  private readonly onArm: ((inMs: number) => void) | undefined;

  constructor(opts: TimerfdTimersOptions = {}) {
    this.onArm = opts.onArm;
    this.given = opts.io;
    this.now = opts.now ?? (() => performance.now());
    this.earlyMaxMs = opts.earlyMaxMs ?? EARLY_MAX_MS;
    this.onError = opts.onError;
  }

  /** A timer that runs `fn` when it is due (Clock.preciseTimer). */
  timer(fn: () => void): ClockTimer {
    return new Timer(this, fn);
  }

  /** @internal Timer.set */
  arm(t: Timer, ms: number): void {
    if (t.state === LISTED) this.unlink(t);
    else if (t.state === IDLE) this.armed++;
    t.state = LISTED;
    const waking = !Number.isNaN(this.wakeNow);
    t.due = (waking ? this.wakeNow : this.now()) + Math.max(0, ms);
    t.ms = ms;
    this.append(t);
    // During a wake, the timerfd is armed (and the watcher's reference set) once, at its end.
    if (waking) return;
    if (t.due < this.fdDue) this.setFd(t.due);
    this.reference();
  }

  /** @internal Timer.clear: an earlier due time left on the timerfd only costs a wake that runs nothing. */
  disarm(t: Timer): void {
    if (t.state === IDLE) return;
    if (t.state === LISTED) this.unlink(t);
    t.state = IDLE;
    this.armed--;
    if (Number.isNaN(this.wakeNow)) this.reference();
  }

  /** Stops watching and closes the timerfd, if there is one. */
  private release(): void {
    if (this.watch) this.io?.unwatch(this.watch);
    if (this.fd >= 0) this.io?.close(this.fd);
    this.watch = undefined;
    this.io = undefined;
    this.fd = -1;
  }

  /** A new timerfd in place of the current one, the timers kept, armed for the earliest. */
  private reopen(): void {
    this.release();
    this.reopened++;
    // With no timer armed the new timerfd waits for the next set() (a process with none has none).
    if (this.lists.size > 0) this.rearm();
    else this.fdDue = Infinity;
  }

  /** Arms the timerfd for the earliest timer (disarms it when there is none), and sets the watcher's reference. */
  private rearm(): void {
    this.setFd(this.earliest()?.head!.due ?? Infinity);
    this.reference();
  }

  /** Releases the timerfd; timers still armed never run (a timer set afterwards opens a new one). */
  close(): void {
    this.release();
    if (this.nodeTimer) clearTimeout(this.nodeTimer);
    this.nodeTimer = undefined;
    this.degraded = false;
    this.fdDue = Infinity;
    for (const list of this.lists.values()) for (let t = list.head; t; t = t.next) t.state = IDLE;
    for (const t of this.batch) t.state = IDLE; // closed by a timer of the running wake
    this.lists.clear();
    this.armed = 0;
  }

  private append(t: Timer): void {
    let list = this.lists.get(t.ms);
    if (!list) {
      list = new DurationList(t.ms, earlyWindowMs(t.ms, this.earlyMaxMs));
      this.lists.set(t.ms, list);
    }
    t.list = list;
    let after = list.tail;
    while (after && after.due > t.due) after = after.prev;
    t.prev = after;
    t.next = after ? after.next : list.head;
    if (t.next) t.next.prev = t;
    else list.tail = t;
    if (after) after.next = t;
    else list.head = t;
  }

  private unlink(t: Timer): void {
    const list = t.list!;
    if (t.prev) t.prev.next = t.next;
    else list.head = t.next;
    if (t.next) t.next.prev = t.prev;
    else list.tail = t.prev;
    t.prev = t.next = t.list = undefined;
    if (!list.head) this.lists.delete(list.ms);
  }

  /** The list whose head is due first. */
  private earliest(): DurationList | undefined {
    let best: DurationList | undefined;
    for (const list of this.lists.values()) if (!best || list.head!.due < best.head!.due) best = list;
    return best;
  }

  /** The watcher keeps the process alive while a timer is armed, and only then. */
  private reference(): void {
    if (!this.watch || this.referenced === this.armed > 0) return;
    if (this.armed > 0) this.io!.ref(this.watch);
    else this.io!.unref(this.watch);
    this.referenced = this.armed > 0;
  }

  /**
   * Arms the timerfd (opened with the first timer) for `due`, Infinity disarms it. When the
   * timerfd cannot be had (no descriptor left, say), the failure is reported once and a Node
   * timer takes its place from then on: adverts keep going out, a millisecond less precisely,
   * and no timer's set() ever throws.
   */
  private setFd(due: number): void {
    this.fdDue = due;
    const delay = due === Infinity ? Infinity : due - this.now();
    this.onArm?.(delay);
    if (!this.degraded) {
      try {
        const io = this.io ?? this.open();
        io.timerfdSet(this.fd, delay);
        return;
      } catch (e) {
        this.release();
        this.degraded = true;
        this.onError?.(`precise timers: no timerfd (${errorText(e)}); the Adver_Timers run on Node's millisecond timers from now on`);
      }
    }
    if (this.nodeTimer) clearTimeout(this.nodeTimer);
    this.nodeTimer = delay === Infinity ? undefined : setTimeout(this.nodeWake, Math.max(0, delay));
  }

  private readonly nodeWake = (): void => {
    this.nodeTimer = undefined;
    this.wake(0);
  };

  private open(): TimerIo {
    const io = (this.io = this.given ?? netio());
    this.fd = io.timerfd();
    this.watch = io.watch(this.fd, this.wake);
    this.referenced = true; // as watch() leaves it; reference() drops it when no timer is armed
    this.reference();
    return io;
  }

  /**
   * The watcher's callback. A negative status (libuv's -errno: polling failed, and libuv has
   * stopped polling the fd) would leave every timer waiting for ever: the timerfd is replaced by
   * a new one, armed for the earliest timer, and the timers run from it.
   */
  private readonly wake = (status: number): void => {
    if (status < 0) {
      this.reopen();
      return;
    }
    this.wakes++;
    const now = this.now();
    this.wakeNow = now;
    const batch = this.batch;
    let i = 0;
    try {
      // Each list's due timers, then all of them in due order (sorted only when two lists gave some).
      let lists = 0;
      for (const list of this.lists.values()) {
        const limit = now + list.earlyMs;
        if (list.head!.due > limit) continue;
        lists++;
        for (let t = list.head; t && t.due <= limit; t = list.head) {
          this.unlink(t);
          t.state = TAKEN;
          batch.push(t);
        }
      }
      if (lists > 1) batch.sort(byDue);
      for (; i < batch.length; i++) {
        const t = batch[i]!;
        if (t.state !== TAKEN) continue; // cleared, or set again, by an earlier timer of this wake
        t.state = IDLE;
        this.armed--;
        t.fn();
      }
    } finally {
      // A timer that threw (the exception goes on to Node's handlers, as a Node timer's would):
      // the ones after it in the batch go back to their lists and run in the next wake.
      for (i++; i < batch.length; i++) {
        const t = batch[i]!;
        if (t.state !== TAKEN) continue;
        t.state = LISTED;
        this.append(t);
      }
      batch.length = 0;
      this.wakeNow = NaN;
      if (this.fd >= 0 || this.degraded) this.rearm();
    }
  };
}
