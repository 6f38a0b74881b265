/**
 * A re-armable timer on any Clock: the clock's own (Clock.timer: the daemon's re-arms one Node
 * timer) or, where it has none (the simulator), one made of setTimeout and clearTimeout, so that
 * the clock sees exactly the calls a caller using them directly would make: `set` clears an
 * arming that has not run, then sets; `clear` clears one that has not run; an arming that ran is
 * never cleared.
 */
import type { Clock, ClockTimer } from './ports.js';

export function clockTimer(clock: Pick<Clock, 'setTimeout' | 'clearTimeout' | 'timer'>, fn: () => void): ClockTimer {
  return clock.timer?.(fn) ?? new PortTimer(clock, fn);
}

/** Clock.preciseTimer where the clock has one (the daemon's on Linux), else `clockTimer`. */
export function preciseClockTimer(clock: Pick<Clock, 'setTimeout' | 'clearTimeout' | 'timer' | 'preciseTimer'>, fn: () => void): ClockTimer {
  return clock.preciseTimer?.(fn) ?? clockTimer(clock, fn);
}

class PortTimer implements ClockTimer {
  private id: unknown;
  private armed = false;

  constructor(
    private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    private readonly fn: () => void,
  ) {}

  private readonly run = (): void => {
    this.armed = false;
    this.id = undefined;
    this.fn();
  };

  set(ms: number): void {
    if (this.armed) this.clock.clearTimeout(this.id);
    this.armed = true;
    this.id = this.clock.setTimeout(this.run, ms);
  }

  clear(): void {
    if (!this.armed) return;
    this.armed = false;
    this.clock.clearTimeout(this.id);
    this.id = undefined;
  }
}
