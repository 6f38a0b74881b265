/**
 * Tracking for one VRRP instance: folds the statuses of every tracker the instance (and its sync
 * group) references into an effective priority and a FAULT flag, and tells the instance.
 *
 * keepalived's arithmetic (vrrp_track.c, K-13):
 *  - weight 0 (unweighted): the object failing puts the instance in FAULT; `reverse` inverts that.
 *    An unweighted script that has not reported yet holds the instance in INIT (num_script_init).
 *  - weighted: OK adds w (w > 0), failed adds w (w < 0); `reverse` negates the adjustment.
 *  - track_file: value × weight (× −1 with reverse), clamped to −254..253; ≤ −254 means FAULT;
 *    with weight 0 a non-zero value means FAULT.
 *  - effective priority = base + Σ, clamped to 1..254; an address owner (255) never changes.
 *  - K-14: members of a sync group without `sync_group_tracking_weight` have every weight forced
 *    to 0 (keepalived.conf(5): "their tracking weights automatically set to zero").
 */
import { assign, enqueueActions, setup, type AnyActorRef } from 'xstate';
import type { TrackerKind, TrackerStatus, TrackerStatusEvent } from './types.js';

export interface TrackEntry {
  kind: TrackerKind;
  name: string;
  weight: number;
  reverse: boolean;
  /** Configured on the sync group rather than the instance. */
  fromGroup?: boolean;
}

export interface TrackingInput {
  instance: string;
  /** This actor's own systemId (trackers address their updates to it). */
  systemId: string;
  /** systemId of the instance actor that receives `track.*` events. */
  target: string;
  basePriority: number;
  entries: TrackEntry[];
  /** Member of a sync group without sync_group_tracking_weight. */
  ignoreWeights: boolean;
}

/** What the tracking actor sends to its instance. */
export type TrackingToInstanceEvent =
  | { type: 'track.priority'; priority: number }
  | { type: 'track.fault'; reasons: string[] }
  | { type: 'track.ok' }
  | { type: 'track.ready' };

export interface TrackingVerdict {
  priority: number;
  fault: boolean;
  /** Unweighted trackers without a first result (the instance stays in INIT). */
  waiting: string[];
  reasons: string[];
}

interface TrackingContext extends TrackingInput {
  statuses: Record<string, TrackerStatus>;
  verdict: TrackingVerdict;
}

export type TrackingEmitted = { type: 'tracking.changed'; instance: string; verdict: TrackingVerdict };

const key = (kind: TrackerKind, name: string) => `${kind}/${name}`;

/** One entry's effect: a priority delta, or FAULT. Exported for tests and docs. */
export function trackContribution(e: TrackEntry, s: TrackerStatus | undefined, ignoreWeights: boolean): { delta: number; fault?: string; waiting?: boolean } {
  const weight = ignoreWeights ? 0 : e.weight;
  const mult = e.reverse ? -1 : 1;
  if (!s || !s.known) return weight === 0 ? { delta: 0, waiting: true } : { delta: 0 };
  if (e.kind === 'file') {
    const status = weight === 0 ? ((s.value !== 0) === !e.reverse ? -254 : 0) : Math.max(-254, Math.min(253, s.value * weight * mult));
    return status <= -254 ? { delta: 0, fault: `tracked file ${e.name} has status ${s.value}` } : { delta: status };
  }
  if (weight === 0) return s.ok === e.reverse ? { delta: 0, fault: faultText(e, s.ok) } : { delta: 0 };
  if (s.ok) return { delta: weight > 0 ? weight * mult : 0 };
  return { delta: weight < 0 ? weight * mult : 0 };
}

function faultText(e: TrackEntry, ok: boolean): string {
  const what = e.kind === 'script' ? `script ${e.name}` : e.kind === 'process' ? `tracked process ${e.name}` : `interface ${e.name}`;
  const state = e.kind === 'interface' ? (ok ? 'up' : 'down') : e.kind === 'process' ? (ok ? 'quorum held' : 'quorum lost') : ok ? 'succeeded' : 'failed';
  return `${what} ${state}${e.reverse ? ' (reverse)' : ''}`;
}

export function computeTracking(c: Pick<TrackingInput, 'basePriority' | 'entries' | 'ignoreWeights'>, statuses: Record<string, TrackerStatus>): TrackingVerdict {
  let total = 0;
  const reasons: string[] = [];
  const waiting: string[] = [];
  for (const e of c.entries) {
    const r = trackContribution(e, statuses[key(e.kind, e.name)], c.ignoreWeights);
    total += r.delta;
    if (r.fault) reasons.push(r.fault);
    if (r.waiting) waiting.push(key(e.kind, e.name));
  }
  const priority = c.basePriority >= 255 ? 255 : Math.max(1, Math.min(254, c.basePriority + total));
  return { priority, fault: reasons.length > 0, waiting, reasons };
}

export const trackingMachine = setup({
  types: {
    input: {} as TrackingInput,
    context: {} as TrackingContext,
    events: {} as TrackerStatusEvent,
    emitted: {} as TrackingEmitted,
  },
  guards: {
    allUnweightedKnown: ({ context }) => context.verdict.waiting.length === 0,
  },
  actions: {
    subscribe: enqueueActions(({ context, enqueue, system }) => {
      const seen = new Set<string>();
      for (const e of context.entries) {
        const id = `track/${e.kind}/${e.name}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const ref = system.get(id) as AnyActorRef | undefined;
        if (ref) enqueue.sendTo(ref, { type: 'tracker.subscribe', subscriber: context.systemId });
      }
    }),
    store: assign(({ context }, p: { status: TrackerStatus }) => {
      const statuses = { ...context.statuses, [key(p.status.kind, p.status.name)]: p.status };
      return { statuses, verdict: computeTracking(context, statuses) };
    }),
    /** On becoming ready: the whole verdict, then `track.ready`. */
    sendVerdict: enqueueActions(({ context, enqueue, system }) => {
      const ref = system.get(context.target) as AnyActorRef | undefined;
      const v = context.verdict;
      if (ref) {
        enqueue.sendTo(ref, { type: 'track.priority', priority: v.priority } satisfies TrackingToInstanceEvent);
        enqueue.sendTo(ref, (v.fault ? { type: 'track.fault', reasons: v.reasons } : { type: 'track.ok' }) satisfies TrackingToInstanceEvent);
        enqueue.sendTo(ref, { type: 'track.ready' } satisfies TrackingToInstanceEvent);
      }
      enqueue.emit({ type: 'tracking.changed', instance: context.instance, verdict: v });
    }),
    /** While ready: store the status, then send the instance only what changed. */
    applyStatus: enqueueActions(({ context, enqueue, system }, p: { status: TrackerStatus }) => {
      const statuses = { ...context.statuses, [key(p.status.kind, p.status.name)]: p.status };
      const before = context.verdict;
      const v = computeTracking(context, statuses);
      enqueue.assign({ statuses, verdict: v });
      const priorityChanged = v.priority !== before.priority;
      const faultChanged = v.fault !== before.fault || v.reasons.join('\n') !== before.reasons.join('\n');
      const ref = system.get(context.target) as AnyActorRef | undefined;
      if (ref && priorityChanged) enqueue.sendTo(ref, { type: 'track.priority', priority: v.priority } satisfies TrackingToInstanceEvent);
      if (ref && faultChanged) enqueue.sendTo(ref, (v.fault ? { type: 'track.fault', reasons: v.reasons } : { type: 'track.ok' }) satisfies TrackingToInstanceEvent);
      if (priorityChanged || faultChanged) enqueue.emit({ type: 'tracking.changed', instance: context.instance, verdict: v });
    }),
  },
}).createMachine({
  id: 'tracking',
  description: 'K-13 effective priority and FAULT from tracked objects; K-14 sync-group weight rule.',
  context: ({ input }) => ({ ...input, statuses: {}, verdict: computeTracking(input, {}) }),
  entry: 'subscribe',
  initial: 'waiting',
  states: {
    waiting: {
      description: 'Unweighted trackers have not reported yet: keepalived keeps the instance in INIT (num_script_init).',
      always: { guard: 'allUnweightedKnown', target: 'ready' },
      on: { 'tracker.status': { actions: { type: 'store', params: ({ event }) => ({ status: event.status }) } } },
    },
    ready: {
      description: 'Every unweighted tracker has reported: the instance may leave INIT; later changes are sent as they happen.',
      entry: 'sendVerdict',
      on: {
        'tracker.status': { actions: { type: 'applyStatus', params: ({ event }) => ({ status: event.status }) } },
      },
    },
  },
});
