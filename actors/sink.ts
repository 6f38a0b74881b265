/**
 * Where the glue reports what happened: counters, RuntimeEvents for listeners, and log lines
 * (through ports.logger and as `log` RuntimeEvents, with keepalived's wording).
 */
import type { Clock, Logger, LogLevel } from './ports.js';
import type { RuntimeEvent } from './runtime-types.js';

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;
export type RuntimeEventBody = WithoutAt<RuntimeEvent>;

export class RuntimeSink {
  private readonly counters = new Map<string, number>();
  /** Per-instance counters, flattened to `instance:name` only by snapshot(). */
  private readonly instanceCounters = new Map<string, Map<string, number>>();
  /** Replaced, never mutated, on (un)subscribe: emit iterates it without copying. */
  private listeners: ReadonlyArray<(e: RuntimeEvent) => void> = [];

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Add to a total and, with `instance`, to that instance's own counter (`VI_1:adverts_sent`). */
  count(name: string, instance?: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
    if (!instance) return;
    let own = this.instanceCounters.get(instance);
    if (!own) this.instanceCounters.set(instance, (own = new Map()));
    own.set(name, (own.get(name) ?? 0) + n);
  }

  snapshot(): Record<string, number> {
    const all = new Map(this.counters);
    for (const [instance, own] of this.instanceCounters) for (const [name, n] of own) all.set(`${instance}:${name}`, n);
    return Object.fromEntries([...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  emit(e: RuntimeEventBody): void {
    if (this.listeners.length === 0) return;
    // Not `{ ...e, at }`: in V8 (Node 20) a property added after a spread leaves the clone's
    // map outside the transition tree, which cost ~1 µs per event (an advert sent is one).
    const event = Object.assign({}, e) as RuntimeEvent;
    event.at = this.clock.now();
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        this.count('listener_errors');
      }
    }
  }

  log(level: LogLevel, message: string): void {
    this.logger.log(level, message);
    this.emit({ type: 'log', level, message });
  }

  /** An actor threw (a bug the runtime survives): counted in actor_errors, logged as `line`, and
   *  reported as an `actor.failed` RuntimeEvent. */
  actorFailed(actor: string, error: string, line = `actor ${actor} failed: ${error}`): void {
    this.count('actor_errors');
    this.log('error', line);
    this.emit({ type: 'actor.failed', actor, error });
  }

  on(listener: (e: RuntimeEvent) => void): () => void {
    if (!this.listeners.includes(listener)) this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
