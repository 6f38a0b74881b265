/**
 * Where the glue reports what happened: counters, RuntimeEvents for listeners, and log lines
 * (through ports.logger and as `log` RuntimeEvents, with keepalived's wording).
 */
import type { Clock, Logger, LogLevel } from './ports.js';
import type { RuntimeEvent } from './runtime-types.js';

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;
export type RuntimeEventBody = WithoutAt<RuntimeEvent>;

/** One counter's value, kept in an object so that a hot path can hold it (RuntimeSink.counter). */
interface Cell {
  n: number;
}

export class RuntimeSink {
  private readonly counters = new Map<string, Cell>();
  /** Per-instance counters, flattened to `instance:name` only by snapshot(). */
  private readonly instanceCounters = new Map<string, Map<string, Cell>>();
  /** Replaced, never mutated, on (un)subscribe: emit iterates it without copying. */
  private listeners: ReadonlyArray<Subscription> = [];
  /** The event types some listener takes (`all` when one takes every type): an event of another
   *  type is not built at all (an advert sent, a log line, a GARP sent are one each). */
  private wanted: ReadonlySet<string> | 'all' = new Set();
  private readonly hooks: { beforeSnapshot?: () => void; wantsChanged?: () => void }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Add to a total and, with `instance`, to that instance's own counter (`VI_1:adverts_sent`). */
  count(name: string, instance?: string, n = 1): void {
    this.total(name).n += n;
    if (instance) this.own(instance, name).n += n;
  }

  /**
   * count(name, instance) as a function, for a path that counts the same thing often (an advert
   * sent): its counters are looked up once, at the first count, and then held. Like count(), a
   * counter appears in snapshot() from its first count on.
   */
  counter(name: string, instance: string): (n?: number) => void {
    let total: Cell | undefined;
    let own: Cell | undefined;
    return (n = 1) => {
      if (!total || !own) {
        total = this.total(name);
        own = this.own(instance, name);
      }
      total.n += n;
      own.n += n;
    };
  }

  /**
   * `hooks.beforeSnapshot` runs at the start of every snapshot() (a counter kept elsewhere, the
   * adverts a socket's thread sent, is added to the sink's then), `hooks.wantsChanged` whenever
   * the set of event types listened to changes.
   */
  hook(hooks: { beforeSnapshot?: () => void; wantsChanged?: () => void }): void {
    this.hooks.push(hooks);
  }

  private total(name: string): Cell {
    let cell = this.counters.get(name);
    if (!cell) this.counters.set(name, (cell = { n: 0 }));
    return cell;
  }

  private own(instance: string, name: string): Cell {
    let own = this.instanceCounters.get(instance);
    if (!own) this.instanceCounters.set(instance, (own = new Map()));
    let cell = own.get(name);
    if (!cell) own.set(name, (cell = { n: 0 }));
    return cell;
  }

  snapshot(): Record<string, number> {
    for (const h of this.hooks) h.beforeSnapshot?.();
    const all = new Map<string, number>();
    for (const [name, cell] of this.counters) all.set(name, cell.n);
    for (const [instance, own] of this.instanceCounters) for (const [name, cell] of own) all.set(`${instance}:${name}`, cell.n);
    return Object.fromEntries([...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Whether some listener takes events of `type`. */
  wants(type: RuntimeEvent['type']): boolean {
    return this.wanted === 'all' || this.wanted.has(type);
  }

  emit(e: RuntimeEventBody): void {
    if (!this.wants(e.type)) return;
    // Not `{ ...e, at }`: in V8 (Node 20) a property added after a spread leaves the clone's
    // map outside the transition tree, which cost ~1 µs per event (an advert sent is one).
    const event = Object.assign({}, e) as RuntimeEvent;
    event.at = this.clock.now();
    for (const l of this.listeners) {
      if (l.types && !l.types.has(event.type)) continue;
      try {
        l.fn(event);
      } catch {
        this.count('listener_errors');
      }
    }
  }

  /** Whether log(level, …) would reach the logger or a listener: false only when the logger drops
   *  the level and no listener takes log events, so the caller need not build the line. */
  logs(level: LogLevel): boolean {
    return this.logger.enabled?.(level) !== false || this.wants('log');
  }

  log(level: LogLevel, message: string): void {
    this.logger.log(level, message);
    if (this.wants('log')) this.emit({ type: 'log', level, message });
  }

  /** An actor threw (a bug the runtime survives): counted in actor_errors, logged as `line`, and
   *  reported as an `actor.failed` RuntimeEvent. */
  actorFailed(actor: string, error: string, line = `actor ${actor} failed: ${error}`): void {
    this.count('actor_errors');
    this.log('error', line);
    this.emit({ type: 'actor.failed', actor, error });
  }

  /**
   * Call `listener` with every event, or with the events of `types` only. A listener already
   * subscribed is not added twice. Returns the function that removes this subscription.
   */
  on(listener: (e: RuntimeEvent) => void, types?: Iterable<RuntimeEvent['type']>): () => void {
    if (this.listeners.some((l) => l.fn === listener)) return () => this.off(listener);
    this.listeners = [...this.listeners, { fn: listener, ...(types ? { types: new Set<string>(types) } : {}) }];
    this.rewant();
    return () => this.off(listener);
  }

  private off(listener: (e: RuntimeEvent) => void): void {
    this.listeners = this.listeners.filter((l) => l.fn !== listener);
    this.rewant();
  }

  private rewant(): void {
    this.setWanted();
    for (const h of this.hooks) h.wantsChanged?.();
  }

  private setWanted(): void {
    if (this.listeners.some((l) => !l.types)) {
      this.wanted = 'all';
      return;
    }
    const wanted = new Set<string>();
    for (const l of this.listeners) for (const t of l.types!) wanted.add(t);
    this.wanted = wanted;
  }
}

interface Subscription {
  fn: (e: RuntimeEvent) => void;
  /** Only these event types (all when absent). */
  types?: ReadonlySet<string>;
}
