/**
 * The web view's source of records: what it has seen so far, what comes next, and the diagrams
 * of the machines the records name. The simulator hands it a finished run; the daemon a live
 * log its children feed (adapters/node/web, adapters/node/daemon).
 *
 * This is the seam a daemon control channel can serve as well: anything that yields trace
 * records (sim/view/records.ts) and machine diagrams can drive the view.
 */
import type { MachineDiagram } from './diagram.js';
import type { TraceRecord } from './records.js';

export interface FeedSource {
  /** The records so far, in time order. */
  records(): readonly TraceRecord[];
  /** Every machine diagram met so far. */
  diagrams(): readonly MachineDiagram[];
  /** Called after new records or diagrams arrived; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** A finished run (the simulator). */
export function fixedFeed(records: readonly TraceRecord[], diagrams: readonly MachineDiagram[]): FeedSource {
  return { records: () => records, diagrams: () => diagrams, subscribe: () => () => undefined };
}

/** The record kinds whose latest value per key is state (kept when older records are dropped). */
function stateKey(r: TraceRecord): string | undefined {
  const h = r.host ?? '';
  switch (r.type) {
    case 'actor':
      return `${h}\u0000actor\u0000${String(r.actor)}`;
    case 'state':
    case 'priority':
      return `${h}\u0000${r.type}\u0000${String(r.instance)}`;
    case 'group':
      return `${h}\u0000group\u0000${String(r.group)}`;
    case 'daemon':
      return `${h}\u0000daemon\u0000${String(r.role ?? '')}`;
    default:
      return undefined;
  }
}

/**
 * A live, bounded log: the last `limit` records, plus for each actor, instance, sync group and
 * daemon the latest record that has already left the window, so the state at every time in the
 * window (and now) is still known. Records must be appended in time order.
 */
export class RecordLog implements FeedSource {
  private window: TraceRecord[] = [];
  private readonly baseline = new Map<string, TraceRecord>();
  private readonly latest = new Map<string, TraceRecord>();
  private readonly machines = new Map<string, MachineDiagram>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly limit = 20_000) {}

  push(r: TraceRecord): void {
    const key = stateKey(r);
    if (key !== undefined) {
      this.latest.set(key, r);
      this.baseline.delete(key);
    }
    this.window.push(r);
    if (this.window.length > this.limit * 1.25) {
      const gone = this.window.splice(0, this.window.length - this.limit);
      for (const old of gone) {
        const k = stateKey(old);
        if (k !== undefined && this.latest.get(k) === old) this.baseline.set(k, old);
      }
    }
    this.notify();
  }

  addDiagram(d: MachineDiagram): void {
    if (this.machines.has(d.id)) return;
    this.machines.set(d.id, d);
    this.notify();
  }

  records(): readonly TraceRecord[] {
    if (this.baseline.size === 0) return this.window;
    const base = [...this.baseline.values()].sort((a, b) => a.t - b.t);
    return [...base, ...this.window];
  }

  diagrams(): readonly MachineDiagram[] {
    return [...this.machines.values()];
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}
