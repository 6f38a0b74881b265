/** The Clock port on Node: real timers, a monotonic reading from performance.now(). */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../actors/ports.js';

/**
 * A precise timeout (Clock.setPreciseTimeout). Node fires a timer once its loop time, whole
 * milliseconds read at the start of the loop iteration, has passed the due time: 0.5 to 1.5 ms
 * after it when the loop is idle. So the Node timer is set to wake about a millisecond early,
 * and the rest is waited out with setImmediate, which returns to the event loop (I/O still runs)
 * but does not sleep. That costs at most ~1 ms of CPU per expiry, once per expiry.
 */
class PreciseTimeout {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;

  constructor(
    private readonly fn: () => void,
    private readonly dueMs: number,
  ) {
    // Never synchronously, like setTimeout.
    const left = dueMs - performance.now();
    if (left > 1) this.timer = setTimeout(this.check, left - 1);
    else this.immediate = setImmediate(this.check);
  }

  private readonly check = (): void => {
    this.timer = this.immediate = undefined;
    const left = this.dueMs - performance.now();
    if (left <= 0) this.fn();
    else if (left <= 1) this.immediate = setImmediate(this.check);
    else this.timer = setTimeout(this.check, left - 1);
  };

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }
}

export function createNodeClock(): Clock {
  return {
    setTimeout: (fn, timeoutMs) => setTimeout(fn, timeoutMs),
    clearTimeout: (id) => {
      if (id instanceof PreciseTimeout) id.clear();
      else clearTimeout(id as ReturnType<typeof setTimeout>);
    },
    setPreciseTimeout: (fn, timeoutMs) => new PreciseTimeout(fn, performance.now() + timeoutMs),
    now: () => performance.now(),
    wallNow: () => Date.now(),
  };
}
