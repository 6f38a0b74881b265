/**
 * What the VRRP subsystem reports (actors/subsystem.ts `status`): its instances (state,
 * priorities, VIPs held, master, last transition, what each tracks), its sync groups, its tracked
 * objects and the notify queue. Read from the running actors' snapshots and from the transitions
 * the runtime reported; nothing here changes an actor.
 *
 * The master an instance sees is watched too (`watchMaster`): each time it changes from one known
 * master to another (this node included), `master_changes` counts one for the instance.
 */
import type { AnyActorRef } from 'xstate';
import type { InstanceContext } from '../../machines/vrrp/instance.context.js';
import type { NotifyJob } from '../../machines/notify/notifier.machine.js';
import { trackContribution, type TrackEntry } from '../../machines/track/tracking.machine.js';
import type { TrackerStatus } from '../../machines/track/types.js';
import { NOTIFIER_ID } from '../names.js';
import type { InstanceStatus, SubsystemStatus, TrackedStatus, TransitionRecord } from '../runtime-types.js';
import type { RuntimeSink } from '../sink.js';
import type { AddressIo } from './address-io.js';
import { groupId, instanceId, trackingId } from './names.js';
import type { VrrpPlan } from './plan.js';

function contextOf<T>(ref: AnyActorRef | undefined): T | undefined {
  return (ref?.getSnapshot() as { context?: T } | undefined)?.context;
}

/** The last transition the runtime reported for each instance (`instance.state` events). */
export class TransitionBook {
  private readonly last = new Map<string, TransitionRecord>();

  constructor(sink: RuntimeSink) {
    sink.on((e) => {
      if (e.type !== 'instance.state') return;
      if (e.to === 'DELETED') this.last.delete(e.instance);
      else this.last.set(e.instance, { at: e.at, from: e.from, to: e.to, reason: e.reason });
    }, ['instance.state']);
  }

  of(instance: string): TransitionRecord | undefined {
    return this.last.get(instance);
  }
}

/** The parts of the VRRP subsystem a status is read from. */
export interface StatusSources {
  child(systemId: string): AnyActorRef | undefined;
  addresses: AddressIo;
  transitions: TransitionBook;
}

interface TrackingView {
  entries: TrackEntry[];
  statuses: Record<string, TrackerStatus>;
  ignoreWeights: boolean;
}

function trackedOf(view: TrackingView | undefined): TrackedStatus[] | undefined {
  if (!view) return undefined;
  return view.entries.map((e) => {
    const s = view.statuses[`${e.kind}/${e.name}`];
    const r = trackContribution(e, s, view.ignoreWeights);
    return {
      kind: e.kind,
      name: e.name,
      weight: e.weight,
      reverse: e.reverse,
      known: s?.known ?? false,
      ok: s?.ok ?? false,
      value: s?.value ?? 0,
      effect: r.fault ? 'fault' : r.waiting ? 'waiting' : r.delta,
    };
  });
}

export function vrrpStatus(plan: VrrpPlan, src: StatusSources): SubsystemStatus {
  const instances: InstanceStatus[] = [...plan.instances.values()].map((p) => {
    const c = contextOf<InstanceContext>(src.child(instanceId(p.name)));
    const state = c?.state ?? 'INIT';
    const last = src.transitions.of(p.name);
    const tracked = trackedOf(contextOf<TrackingView>(src.child(trackingId(p.name))));
    return {
      name: p.name,
      vrid: p.input.vrid,
      family: p.input.family,
      ifname: p.io.ifname,
      state,
      basePriority: p.input.basePriority,
      effectivePriority: c?.priority ?? p.input.basePriority,
      vipsInstalled: src.addresses.installedFor(p.name),
      masterAddress: state === 'MASTER' ? (p.io.src ?? '') : (c?.masterAddress?.text ?? ''),
      ...(state === 'BACKUP' && c?.masterAddress ? { masterPriority: c.masterPriority } : {}),
      masterAdverIntervalCs: c?.masterAdverIntervalCs ?? p.input.advertIntervalCs,
      ...(p.syncGroup ? { syncGroup: p.syncGroup } : {}),
      ...(last ? { lastTransition: last } : {}),
      ...(tracked ? { tracked } : {}),
    };
  });
  const syncGroups = [...plan.groups.values()].map((g) => ({
    name: g.name,
    state: contextOf<{ state: string }>(src.child(groupId(g.name)))?.state ?? 'INIT',
    members: g.members.map((m) => m.name),
  }));
  const trackers = [...plan.trackers.keys()].map((id) => {
    const t = plan.trackers.get(id)!;
    const s = contextOf<{ status: TrackerStatus }>(src.child(id))?.status;
    return { kind: t.kind, name: t.name, known: s?.known ?? false, ok: s?.ok ?? false, value: s?.value ?? 0 };
  });
  // The job running is the queue's head.
  const notifyQueue = contextOf<{ queue: NotifyJob[] }>(src.child(NOTIFIER_ID))?.queue.length ?? 0;
  return { instances, syncGroups, trackers, notifyQueue };
}

/**
 * Count `master_changes` for an instance: the master it sees (itself in MASTER, the advert's
 * source in BACKUP) moved from one known router to another. INIT, FAULT and STOP see no master.
 */
export function watchMaster(ref: AnyActorRef, sink: RuntimeSink): () => void {
  let last = '';
  const sub = ref.subscribe((snap: { context?: InstanceContext }) => {
    const c = snap.context;
    if (!c) return;
    const now = c.state === 'MASTER' ? '(self)' : c.state === 'BACKUP' ? (c.masterAddress?.text ?? '') : '';
    if (!now || now === last) return;
    if (last) sink.count('master_changes', c.cfg.name);
    last = now;
  });
  return () => sub.unsubscribe();
}
