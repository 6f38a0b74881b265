/**
 * Gives back the memory of a burst of work (start-up, a reload, a wave of state changes) once the
 * child has been quiet for SETTLED_MS, instead of when V8's memory reducer would: about 8 s after
 * the burst's last full collection, and in the meantime the RSS holds the burst's garbage. At
 * 1,000 VRRP instances that was 1.3 to 12.4 MiB of the VRRP child's RSS for the first 5 s of the
 * footprint bench's window (docs/benchmarks.md, "RSS sampled every second").
 *
 * The collection (memory-reducing-gc.ts) stops the JavaScript thread for tens of milliseconds, so:
 *  - it runs only when V8's committed heap has grown by GROWTH_BYTES since the last one (a
 *    flapping instance, whose transitions leave little behind, does not set it off every time);
 *  - never while a takeover is due within CLEAR_MS (Clock.preciseDueWithin, as the takeover
 *    rehearsals): it tries again CLEAR_MS after that timer's due time;
 *  - never more than one at a time.
 * The adverts do not wait for it: the advert backstop sends the ones the thread is late for
 * (docs/runtime.md, "The advert backstop").
 */
export const SETTLED_MS = 1000;
export const GROWTH_BYTES = 4 * 1024 * 1024;
export const CLEAR_MS = 250;

export interface SettledCollectorDeps {
  /** V8's committed heap now (v8.getHeapStatistics().total_heap_size). */
  heapBytes(): number;
  /** Runs the collection; resolves when it is over. */
  collect(): Promise<unknown>;
  /** When the first takeover due within `ms` is due (ms from now), if any. */
  takeoverDueWithin(ms: number): number | undefined;
  setTimer(fn: () => void, ms: number): { cancel(): void };
}

export class SettledCollector {
  private timer: { cancel(): void } | undefined;
  private running = false;
  private closed = false;
  /** Committed heap after the last collection (0 before the first: start-up's always counts). */
  private afterLast = 0;

  constructor(private readonly deps: SettledCollectorDeps) {}

  /** Something allocated a lot may have happened: look again SETTLED_MS after the last call. */
  busy(): void {
    if (this.closed) return;
    this.arm(SETTLED_MS);
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer?.cancel();
    this.timer = this.deps.setTimer(() => this.settled(), ms);
  }

  private settled(): void {
    this.timer = undefined;
    if (this.closed) return;
    if (this.running) return this.arm(SETTLED_MS);
    if (this.deps.heapBytes() - this.afterLast < GROWTH_BYTES) return;
    const takeoverIn = this.deps.takeoverDueWithin(CLEAR_MS);
    if (takeoverIn !== undefined) return this.arm(takeoverIn + CLEAR_MS);
    this.running = true;
    void this.deps
      .collect()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        this.afterLast = this.deps.heapBytes();
      });
  }
}
