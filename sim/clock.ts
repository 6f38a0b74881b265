/**
 * The discrete-event clock: one global queue of timers ordered by (due time, insertion sequence).
 *
 * It implements XState's `Clock` (setTimeout/clearTimeout) and the runtime's `Clock` port, so the
 * same instance can drive every actor of a simulated cluster. Time is an integer number of
 * microseconds internally; the public API speaks milliseconds (fractions allowed, rounded to 1 µs).
 *
 * Unlike XState's SimulatedClock.increment(n), `advance(n)` fires every due timer in order and
 * moves `now` to each timer's own instant, so periodic timers keep their cadence.
 */
import type { Clock } from '../actors/ports.js';

interface Timer {
  id: number;
  dueUs: number;
  seq: number;
  fn: (...args: unknown[]) => void;
}

export class SimClock implements Clock {
  private nowUs = 0;
  private seq = 0;
  private nextId = 1;
  /** Binary min-heap on (dueUs, seq). */
  private heap: Timer[] = [];
  private cancelled = new Set<number>();
  private live = new Set<number>();
  private fired = 0;

  constructor(private readonly wallOriginMs = Date.UTC(2026, 0, 1)) {}

  /** Milliseconds since the start of the simulation. */
  now(): number {
    return this.nowUs / 1000;
  }

  nowMicros(): number {
    return this.nowUs;
  }

  wallNow(): number {
    return this.wallOriginMs + Math.floor(this.nowUs / 1000);
  }

  /** How many timers have fired so far (a cheap progress and determinism figure). */
  firedCount(): number {
    return this.fired;
  }

  pending(): number {
    return this.heap.length - this.cancelled.size;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): number {
    const delayUs = Math.max(0, Math.round((Number.isFinite(timeoutMs) ? timeoutMs : 0) * 1000));
    const t: Timer = { id: this.nextId++, dueUs: this.nowUs + delayUs, seq: this.seq++, fn };
    this.push(t);
    return t.id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id === 'number' && this.live.delete(id)) this.cancelled.add(id);
  }

  /** Schedule at an absolute simulated time (ms); times in the past run at `now`. */
  at(timeMs: number, fn: () => void): number {
    return this.setTimeout(fn, Math.max(0, timeMs - this.now()));
  }

  /** Due time (ms) of the next live timer, or undefined when the queue is empty. */
  nextDue(): number | undefined {
    this.dropCancelledHead();
    const t = this.heap[0];
    return t ? t.dueUs / 1000 : undefined;
  }

  /** Fire the next timer, if any is due at or before `limitUs`. Returns false when none was. */
  step(limitUs = Number.POSITIVE_INFINITY): boolean {
    this.dropCancelledHead();
    const t = this.heap[0];
    if (!t || t.dueUs > limitUs) return false;
    this.pop();
    this.live.delete(t.id);
    this.nowUs = Math.max(this.nowUs, t.dueUs);
    this.fired++;
    t.fn();
    return true;
  }

  /** Run every timer due up to now + ms, then set now to that instant. */
  advance(ms: number): void {
    this.runUntil(this.now() + ms);
  }

  /** Run every timer due up to the absolute time (ms), then set now to it. `maxEvents` bounds the loop. */
  runUntil(timeMs: number, maxEvents = 50_000_000): void {
    const limitUs = Math.round(timeMs * 1000);
    let n = 0;
    while (this.step(limitUs)) {
      if (++n >= maxEvents) throw new Error(`SimClock: more than ${maxEvents} events before ${timeMs} ms`);
    }
    if (limitUs > this.nowUs) this.nowUs = limitUs;
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0]!.id)) {
      this.cancelled.delete(this.heap[0]!.id);
      this.pop();
    }
  }

  private less(a: Timer, b: Timer): boolean {
    return a.dueUs < b.dueUs || (a.dueUs === b.dueUs && a.seq < b.seq);
  }

  private push(t: Timer): void {
    const h = this.heap;
    this.live.add(t.id);
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
