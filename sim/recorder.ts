/**
 * The run's event log. Low-volume events are kept in `history` (timeline, SVG, expectations);
 * listeners (trace writer, live timeline) see every event. Trace-only kinds are produced by the
 * world only when `tracing` is on, so a fast run builds no per-packet objects for them.
 */
import { TRACE_ONLY, type SimEvent } from './events.js';

export type SimEventListener = (e: SimEvent) => void;

export class Recorder {
  readonly history: SimEvent[] = [];
  tracing: boolean;
  private readonly listeners: SimEventListener[] = [];

  constructor(opts: { tracing?: boolean } = {}) {
    this.tracing = opts.tracing ?? false;
  }

  listen(l: SimEventListener): void {
    this.listeners.push(l);
  }

  /** The kept events of one kind, typed. */
  of<K extends SimEvent['type']>(type: K): Array<Extract<SimEvent, { type: K }>> {
    return this.history.filter((e): e is Extract<SimEvent, { type: K }> => e.type === type);
  }

  /** Record `e`; `keep` overrides whether it joins the history (default: not a trace-only kind). */
  emit(e: SimEvent, keep = !TRACE_ONLY.has(e.type)): void {
    if (keep) this.history.push(e);
    for (const l of this.listeners) l(e);
  }
}
