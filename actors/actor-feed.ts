/**
 * The actor feed: XState's inspection events (RuntimeOptions.inspect) turned into one small
 * record per state change of a statechart actor. The web view (docs/web.md) highlights these
 * states; the simulator writes them into its trace as `actor` events.
 *
 *   const rt = createRuntime(ports, model, { name, inspect: actorFeed((c) => …, (m) => …) });
 *
 * Only machine actors are reported (the instance, sync group, tracker, tracking, notifier,
 * probe and daemon statecharts), and only when their state value changes: an advert that
 * restarts a backup's countdown in place is not a change.
 */
import type { AnyStateMachine, InspectionEvent } from 'xstate';

export interface ActorChange {
  /** The actor's systemId (`vrrp/VI_1`, `group/G1`), or the machine id for the root (`daemon`). */
  actor: string;
  /** The machine's id: which statechart the actor runs. */
  machine: string;
  /** Active leaf states as dotted paths (`backup.countdown`; one per region of a parallel state); [] once stopped. */
  state: string[];
  /** The event that led here (`xstate.init` as it starts, `xstate.stop` as it stops). */
  event: string;
}

/** `{ backup: 'countdown' }` → `['backup.countdown']`; a parallel value gives one path per region. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (typeof value !== 'object' || value === null) return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return prefix ? [prefix.slice(0, -1)] : [];
  return entries.flatMap(([k, v]) => leafPaths(v, `${prefix}${k}.`));
}

const isMachine = (logic: unknown): logic is AnyStateMachine =>
  typeof logic === 'object' && logic !== null && 'root' in logic && typeof (logic as { id?: unknown }).id === 'string';

interface InspectedRef {
  sessionId: string;
  id: string;
  systemId?: string;
  logic?: unknown;
  _parent?: unknown;
}

/**
 * An inspection observer that calls `onChange` for each state change of a machine actor, and
 * `onMachine` the first time it meets each machine (to draw it).
 */
export function actorFeed(onChange: (c: ActorChange) => void, onMachine?: (m: AnyStateMachine) => void): (e: InspectionEvent) => void {
  const last = new Map<string, string>();
  const seen = new Set<string>();
  return (e) => {
    if (e.type !== '@xstate.snapshot') return;
    const ref = e.actorRef as unknown as InspectedRef;
    const logic = ref.logic;
    if (!isMachine(logic)) return;
    const snap = e.snapshot as { status?: string; value?: unknown };
    const gone = snap.status === 'stopped' || snap.status === 'error';
    const state = gone ? [] : leafPaths(snap.value);
    const key = state.join(' ');
    if (last.get(ref.sessionId) === key) return;
    if (gone) last.delete(ref.sessionId);
    else last.set(ref.sessionId, key);
    if (!seen.has(logic.id)) {
      seen.add(logic.id);
      onMachine?.(logic);
    }
    const actor = ref.systemId ?? (ref._parent === undefined ? logic.id : ref.id);
    onChange({ actor, machine: logic.id, state, event: e.event.type });
  };
}

/**
 * One inspection observer that hands every event to each of `observers`. An observer that throws
 * is its own problem: the actor system never sees the error.
 */
export function combineInspectors(...observers: Array<((e: InspectionEvent) => void) | undefined>): ((e: InspectionEvent) => void) | undefined {
  const list = observers.filter((o): o is (e: InspectionEvent) => void => o !== undefined);
  if (list.length === 0) return undefined;
  return (e) => {
    for (const o of list) {
      try {
        o(e);
      } catch {
        // ignored: watching must never break what is watched
      }
    }
  };
}
