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
  /** Send the instance `vrrp.startup` once every unweighted tracker has reported (false on a reload respawn). */
  startInstance: boolean;
  /** systemId of the instance's sync group: told when the member's own tracked faults appear/clear. */
  group?: string;
  /** FAULT sources outside the trackers (no source address…): source → reason, held for the actor's life. */
  fixedFaults?: Record<string, string>;
  /** Added to every delta: a reload that changed only the base priority moves it without a restart. */
  priorityOffset?: number;
  /** What the previous tracking actor of this instance had told it (reload): only differences are sent. */
  previous?: { delta: number; faults: string[] };
}

/** What the tracking actor sends to its instance (machines/vrrp/types.ts InstanceEvent). */
export type TrackingToInstanceEvent =
  | { type: 'track.priority'; delta: number }
  | { type: 'track.fault'; source: string }
  | { type: 'track.ok'; source: string }
  | { type: 'vrrp.startup'; held?: boolean };

/** What the tracking actor sends to the sync group (machines/vrrp/sync-group.machine.ts). */
export type TrackingToGroupEvent = { type: 'member.trackFault'; member: string; faulted: boolean };

export interface TrackingVerdict {
  /** Σ of the applied weights (what `track.priority` carries). */
  delta: number;
  /** clamp(base + delta, 1, 254), or 255 for an owner: for logs and status only, the instance decides. */
  priority: number;
  /** Failed unweighted sources (`script/chk`, `interface/eth0`…), each with a readable reason. */
  faults: Record<string, string>;
  /** Unweighted trackers without a first result (the instance stays in INIT). */
  waiting: string[];
}

interface TrackingContext extends TrackingInput {
  statuses: Record<string, TrackerStatus>;
  verdict: TrackingVerdict;
}

export type TrackingEmitted =
  | { type: 'tracking.changed'; instance: string; verdict: TrackingVerdict }
  | { type: 'tracking.ready'; instance: string; verdict: TrackingVerdict };

const key = (kind: TrackerKind, name: string) => `${kind}/${name}`;

/** One entry's effect: a priority delta, or FAULT. Exported for tests and docs. */
export function trackContribution(e: TrackEntry, s: TrackerStatus | undefined, ignoreWeights: boolean): { delta: number; fault?: string; waiting?: boolean } {
  const weight = ignoreWeights ? 0 : e.weight;
  const mult = e.reverse ? -1 : 1;
  if (!s || !s.known) return weight === 0 ? { delta: 0, waiting: true } : { delta: 0 };
  if (e.kind === 'file') {
    const raw = weight === 0 ? ((s.value !== 0) === !e.reverse ? -254 : 0) : s.value * weight * mult;
    const status = Math.max(-254, Math.min(253, raw));
    // keepalived's words and number (vrrp_track.c: the status before it is limited)
    return status <= -254 ? { delta: 0, fault: `tracked file ${e.name} has status ${raw}` } : { delta: status };
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

export function computeTracking(
  c: Pick<TrackingInput, 'basePriority' | 'entries' | 'ignoreWeights' | 'fixedFaults' | 'priorityOffset'>,
  statuses: Record<string, TrackerStatus>,
): TrackingVerdict {
  let delta = c.priorityOffset ?? 0;
  const faults: Record<string, string> = { ...c.fixedFaults };
  const waiting: string[] = [];
  for (const e of c.entries) {
    const id = key(e.kind, e.name);
    const r = trackContribution(e, statuses[id], c.ignoreWeights);
    delta += r.delta;
    if (r.fault) faults[id] = r.fault;
    if (r.waiting) waiting.push(id);
  }
  const priority = c.basePriority >= 255 ? 255 : Math.max(1, Math.min(254, c.basePriority + delta));
  return { delta, priority, faults, waiting };
}

/** The events that move the instance from verdict `a` to verdict `b` (all of `b` when `a` is undefined). */
function verdictEvents(a: TrackingVerdict | undefined, b: TrackingVerdict): TrackingToInstanceEvent[] {
  const out: TrackingToInstanceEvent[] = [];
  if (!a || a.delta !== b.delta) out.push({ type: 'track.priority', delta: b.delta });
  for (const source of Object.keys(b.faults)) if (!a || !(source in a.faults)) out.push({ type: 'track.fault', source });
  if (a) for (const source of Object.keys(a.faults)) if (!(source in b.faults)) out.push({ type: 'track.ok', source });
  return out;
}

const anyFault = (v: TrackingVerdict) => Object.keys(v.faults).length > 0;

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
    /** On becoming ready: the whole verdict, then (first spawn only) `vrrp.startup`. */
    sendVerdict: enqueueActions(({ context, enqueue, system }) => {
      const ref = system.get(context.target) as AnyActorRef | undefined;
      const v = context.verdict;
      const previous = context.previous ? { delta: context.previous.delta, priority: 0, waiting: [], faults: Object.fromEntries(context.previous.faults.map((f) => [f, ''])) } : undefined;
      // Observers first: keepalived logs why an instance starts in FAULT before "Entering FAULT STATE (init)".
      enqueue.emit({ type: 'tracking.ready', instance: context.instance, verdict: v });
      if (ref) for (const e of verdictEvents(previous, v)) enqueue.sendTo(ref, e);
      const group = context.group ? (system.get(context.group) as AnyActorRef | undefined) : undefined;
      if (group && anyFault(v)) enqueue.sendTo(group, { type: 'member.trackFault', member: context.instance, faulted: true } satisfies TrackingToGroupEvent);
      // keepalived holds an instance with unweighted scripts until their first result (num_script_init).
      const held = context.entries.some((e) => e.kind === 'script' && (e.weight === 0 || context.ignoreWeights));
      if (ref && context.startInstance) enqueue.sendTo(ref, { type: 'vrrp.startup', ...(held ? { held } : {}) } satisfies TrackingToInstanceEvent);
    }),
    /** While ready: store the status, then send the instance only what changed. */
    applyStatus: enqueueActions(({ context, enqueue, system }, p: { status: TrackerStatus }) => {
      const statuses = { ...context.statuses, [key(p.status.kind, p.status.name)]: p.status };
      const before = context.verdict;
      const v = computeTracking(context, statuses);
      enqueue.assign({ statuses, verdict: v });
      const events = verdictEvents(before, v);
      const ref = system.get(context.target) as AnyActorRef | undefined;
      const group = context.group ? (system.get(context.group) as AnyActorRef | undefined) : undefined;
      const groupNote = group && anyFault(v) !== anyFault(before) ? ({ type: 'member.trackFault', member: context.instance, faulted: anyFault(v) } satisfies TrackingToGroupEvent) : undefined;
      // A clearing fault reaches the group first, so that it can hold the member in FAULT (group.goFault)
      // before the member sees its own source clear; a new fault reaches the member first.
      // Observers hear of the change before the instance acts on it (keepalived logs "tracked file
      // … now FAULT state" before "Entering FAULT STATE").
      if (events.length > 0 || v.priority !== before.priority) enqueue.emit({ type: 'tracking.changed', instance: context.instance, verdict: v });
      if (group && groupNote && !groupNote.faulted) enqueue.sendTo(group, groupNote);
      if (ref) for (const e of events) enqueue.sendTo(ref, e);
      if (group && groupNote && groupNote.faulted) enqueue.sendTo(group, groupNote);
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
