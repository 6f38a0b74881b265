/**
 * Applying a reload diff (actors/vrrp/reload-diff.ts) to a running node, in an order that never leaves
 * a VIP without its instance: removed/restarted instances release their VIPs (notified with the
 * old settings), then the notifier, trackers, sockets and VIP changes, groups, new instances, tracking.
 */
import type { Plan } from './plan.js';
import { diffPlans } from './reload-diff.js';
import { groupId, instanceId, trackerId, trackingId } from '../names.js';
import type { NodeRuntime } from '../runtime.js';

export function applyReload(rt: NodeRuntime, old: Plan, next: Plan): void {
  const d = diffPlans(old, next, rt.spawnedBase);

  // Removed instances report DELETED (or FAULT), restarted ones stay quiet; both release VIPs now,
  // while rt.plan still holds their old I/O configuration.
  for (const n of d.removedInstances) rt.deliver(n, { type: 'vrrp.shutdown', meaning: 'DELETED' });
  for (const n of d.restartedInstances) rt.deliver(n, { type: 'vrrp.shutdown', meaning: 'silent' });
  rt.stopChildren([...d.removedInstances, ...d.restartedInstances].flatMap((n) => [trackingId(n), instanceId(n)]));
  for (const n of d.removedInstances) rt.spawnedBase.delete(n);
  rt.stopChildren(d.removedGroups.map(groupId));
  // After the removed instances' DELETED notifies were queued with their old notify settings.
  if (d.notifierChanged) rt.notify({ type: 'notify.reconfigure', config: next.notifier });

  // From here on the new plan is the truth (io lookups, status).
  rt.plan = next;
  rt.stopChildren(d.removedTrackers);
  const keptSubscribers = (id: string) =>
    d.kept.filter((k) => next.instances.get(k.name)!.entries.some((e) => trackerId(e.kind, e.name) === id)).map((k) => trackingId(k.name));
  rt.spawn([...d.addedTrackers, ...d.changedTrackers].map((id) => ({ src: 'tracker' as const, systemId: id, input: { ...next.trackers.get(id)!, subscribers: keptSubscribers(id) } })));

  rt.vrrp.configure([...next.instances.values()].map((p) => p.io));
  rt.vmacs.configure([...next.instances.values()].map((p) => p.io));
  for (const k of d.kept.filter((x) => x.vipsChanged)) {
    const before = old.instances.get(k.name)!.io;
    const after = next.instances.get(k.name)!;
    rt.addresses.changeVips(before, after.io, rt.instanceContext(k.name)?.state === 'MASTER', after.input.garp.masterRepeat);
  }

  rt.spawn(
    d.respawnedGroups.map((name) => {
      const g = next.groups.get(name)!;
      const members = g.members.map((m) => {
        const state = rt.instanceContext(m.name)?.state;
        const faults = Object.keys(rt.trackingVerdict(m.name)?.faults ?? {});
        return { ...m, ...(state ? { state } : {}), trackFault: faults.length > 0 };
      });
      return { src: 'syncGroup' as const, systemId: groupId(name), input: { ...g, members } };
    }),
  );

  rt.spawnInstances([...d.restartedInstances, ...d.addedInstances].map((n) => next.instances.get(n)!));

  for (const k of d.kept.filter((x) => x.trackingChanged)) {
    const p = next.instances.get(k.name)!;
    const v = rt.trackingVerdict(k.name);
    const previous = v ? { delta: v.delta, faults: Object.keys(v.faults) } : undefined;
    rt.spawn([{ src: 'tracking', systemId: trackingId(k.name), input: rt.trackingInput(p, false, previous ? { previous } : {}) }]);
  }
  rt.sink.log('info', `Reload: ${describe(d.removedInstances, 'removed')}${describe(d.restartedInstances, 'restarted')}${describe(d.addedInstances, 'added')}${d.kept.length} kept`);
}

function describe(names: string[], what: string): string {
  return names.length > 0 ? `${names.length} ${what} (${names.join(', ')}), ` : '';
}

