/**
 * One simulated host's view of time: its own monotonic clock (which may drift), and a CPU that
 * can be paused (a descheduled VM) or powered off.
 *
 * Every callback that runs "on" a host — daemon timers, packet delivery, port completions —
 * goes through `HostCpu`: while the host is paused nothing runs and callbacks queue up in
 * arrival order; on resume they all run at the resume instant, in that order. When the daemon
 * process that owns a timer has died (crash, kill, exit) the timer is dropped.
 */
import type { Clock } from '../../actors/ports.js';
import type { SimClock } from '../clock.js';

/** Liveness token of one daemon process: timers of a dead process never fire. */
export interface ProcessLife {
  alive: boolean;
}

export interface HostTimer {
  fn: () => void;
  gid: number;
  cancelled: boolean;
  life: ProcessLife;
}

const ALWAYS: ProcessLife = { alive: true };

export class HostCpu {
  paused = false;
  private queued: HostTimer[] = [];
  /** Local seconds per global second (1 + ppm/1e6). */
  private rate = 1;
  private refGlobalUs = 0;
  private refLocalUs = 0;
  private pausedAtUs = -1;
  /** Global µs of the most recent resume (for the cadence check). */
  lastResumeUs = -1;
  /** Whatever a callback throws (a crash of the code running on this host). */
  onError: (err: unknown) => void = (err) => {
    throw err;
  };

  constructor(readonly sim: SimClock) {}

  /** The host's monotonic clock, ms. */
  localNowMs(): number {
    return (this.refLocalUs + (this.sim.nowMicros() - this.refGlobalUs) * this.rate) / 1000;
  }

  driftRate(): number {
    return this.rate;
  }

  /** Set the clock's rate error; timers already armed keep their global due time. */
  setDriftPpm(ppm: number): void {
    this.refLocalUs = this.localNowMs() * 1000;
    this.refGlobalUs = this.sim.nowMicros();
    this.rateHistory.push([this.refGlobalUs, this.rate]);
    if (this.rateHistory.length > 64) this.rateHistory.shift();
    this.rate = 1 + ppm / 1e6;
  }

  /** (global µs when a rate ended, that rate), oldest first. */
  private readonly rateHistory: Array<[number, number]> = [];

  /** The fastest the clock ran at any time since `sinceUs` (timing bounds must allow for it). */
  maxRateSince(sinceUs: number): number {
    let max = this.rate;
    for (const [endedUs, rate] of this.rateHistory) if (endedUs >= sinceUs) max = Math.max(max, rate);
    return max;
  }

  /** The slowest the clock ran at any time since `sinceUs`. */
  minRateSince(sinceUs: number): number {
    let min = this.rate;
    for (const [endedUs, rate] of this.rateHistory) if (endedUs >= sinceUs) min = Math.min(min, rate);
    return min;
  }

  /** Arm a timer measured on the host's clock. */
  schedule(fn: () => void, localMs: number, life: ProcessLife): HostTimer {
    const t: HostTimer = { fn, gid: 0, cancelled: false, life };
    t.gid = this.sim.setTimeout(() => this.fire(t), Math.max(0, localMs) / this.rate);
    return t;
  }

  cancel(t: HostTimer): void {
    t.cancelled = true;
    this.sim.clearTimeout(t.gid);
  }

  /** Run `fn` now on this host's CPU, or queue it while the host is paused. */
  exec(fn: () => void): void {
    if (this.paused) this.queued.push({ fn, gid: 0, cancelled: false, life: ALWAYS });
    else this.run(fn);
  }

  fire(t: HostTimer): void {
    if (t.cancelled || !t.life.alive) return;
    if (this.paused) this.queued.push(t);
    else this.run(t.fn);
  }

  /** `host.dispatch(nic, frame)` under the same error guard, without a closure per packet. */
  guard<A, B>(target: { dispatch(a: A, b: B): void }, a: A, b: B): void {
    try {
      target.dispatch(a, b);
    } catch (err) {
      this.onError(err);
    }
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedAtUs = this.sim.nowMicros();
  }

  /** Resume: everything that queued up runs now, in the order it became due. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastResumeUs = this.sim.nowMicros();
    const list = this.queued;
    this.queued = [];
    for (const t of list) t.gid = this.sim.setTimeout(() => this.fire(t), 0);
  }

  /** Power loss: queued work is gone. */
  reset(): void {
    this.paused = false;
    this.queued = [];
  }

  pausedSinceUs(): number {
    return this.paused ? this.pausedAtUs : -1;
  }
}

/** The Clock port handed to one daemon process. */
export class HostClock implements Clock {
  constructor(
    private readonly cpu: HostCpu,
    private readonly life: ProcessLife,
    private readonly wallOriginMs: number,
  ) {}

  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): HostTimer {
    return this.cpu.schedule(fn as () => void, Number.isFinite(timeoutMs) ? timeoutMs : 0, this.life);
  }

  clearTimeout(id: unknown): void {
    if (id && typeof id === 'object' && 'gid' in id) this.cpu.cancel(id as HostTimer);
  }

  now(): number {
    return this.cpu.localNowMs();
  }

  wallNow(): number {
    return this.wallOriginMs + Math.floor(this.cpu.localNowMs());
  }
}
