/**
 * SIGHUP for VRRP: the steps from the running plan to the next (actors/vrrp/reload-diff.ts says
 * what changed), in an order that never leaves a VIP without its instance: removed and restarted
 * instances release their VIPs (notified with the old settings), then the notifier, trackers,
 * sockets and VIP changes, groups, new instances, tracking. The daemon statechart runs them in its
 * `reloading` state; each `spawn`/`stop` has taken effect before the next step runs.
 */
import type { AnyActorRef } from 'xstate';
import type { ChildSpec } from '../../machines/daemon.machine.js';
import type { TrackingInput, TrackingVerdict } from '../../machines/track/tracking.machine.js';
import type { InstanceStateName } from '../../machines/vrrp/types.js';
import type { Step } from '../subsystem.js';
import { NOTIFIER_ID } from '../names.js';
import type { AddressIo } from './address-io.js';
import { groupId, instanceId, socketId, trackingId } from './names.js';
import type { InstancePlan } from './plan-instance.js';
import { trackerSubscribers, type VrrpPlan } from './plan.js';
import { diffPlans } from './reload-diff.js';
import { sameSocket, socketSpecs } from './sockets.js';
import type { StaticIo } from './static-io.js';
import type { VmacIo } from './vmac-io.js';
import type { VrrpIo } from './vrrp-io.js';

/** What the reload steps work with (the VRRP subsystem). */
export interface ReloadParts {
  vrrp: VrrpIo;
  addresses: AddressIo;
  statics: StaticIo;
  vmacs: VmacIo;
  child(systemId: string): AnyActorRef | undefined;
  log(message: string): void;
  /** The plan the I/O uses from now on (io lookups, status) / whose script policy runs scripts. */
  useIo(plan: VrrpPlan): void;
  usePolicy(plan: VrrpPlan): void;
  instanceState(name: string): InstanceStateName | undefined;
  trackingVerdict(name: string): TrackingVerdict | undefined;
  socketChild(plan: VrrpPlan, key: string): ChildSpec;
  trackerChild(plan: VrrpPlan, id: string, subscribers?: readonly string[]): ChildSpec;
  instanceChildren(plans: InstancePlan[]): ChildSpec[];
  trackingChild(p: InstancePlan, startInstance: boolean, extra?: Partial<TrackingInput>): ChildSpec;
}

export function reloadSteps(parts: ReloadParts, old: VrrpPlan, next: VrrpPlan): Step[] {
  const d = diffPlans(old, next);
  // A kept instance actor keeps the base priority it was spawned with; the tracking offset moves it.
  for (const k of d.kept) next.instances.get(k.name)!.spawnedBase = old.instances.get(k.name)!.spawnedBase;
  const gone = [...d.removedInstances, ...d.restartedInstances];
  const ios = () => [...next.instances.values()].map((p) => p.io);
  const oldSockets = socketSpecs([...old.instances.values()].map((p) => p.io));
  const newSockets = socketSpecs(ios());
  const replaced = newSockets.filter((s) => oldSockets.some((o) => o.key === s.key && !sameSocket(o, s)));
  const closed = oldSockets.filter((o) => !newSockets.some((s) => s.key === o.key) || replaced.some((s) => s.key === o.key));
  const opened = newSockets.filter((s) => !oldSockets.some((o) => o.key === s.key) || replaced.includes(s));
  // A respawned tracker starts with the kept instances' tracking actors that subscribe to it
  // (in the plan's order); the new instances' tracking actors subscribe when they start.
  const keptTracking = new Set(d.kept.map((k) => trackingId(k.name)));
  const keptSubscribers = (id: string) => (trackerSubscribers(next).get(id) ?? []).filter((t) => keptTracking.has(t));

  return [
    {
      run: () => {
        parts.usePolicy(next);
        // Removed instances report DELETED (or FAULT), restarted ones stay quiet; both release
        // their VIPs now, with the old plan's I/O configuration.
        for (const n of d.removedInstances) parts.child(instanceId(n))?.send({ type: 'vrrp.shutdown', meaning: 'DELETED' });
        for (const n of d.restartedInstances) parts.child(instanceId(n))?.send({ type: 'vrrp.shutdown', meaning: 'silent' });
      },
    },
    { stop: gone.flatMap((n) => [trackingId(n), instanceId(n)]) },
    { stop: d.removedGroups.map(groupId) },
    {
      run: () => {
        // After the removed instances' DELETED notifies were queued with their old notify settings.
        if (d.notifierChanged) parts.child(NOTIFIER_ID)?.send({ type: 'notify.reconfigure', config: next.notifier });
        // From here on the new plan is the truth (io lookups, status).
        parts.useIo(next);
      },
    },
    { stop: d.removedTrackers },
    { spawn: () => [...d.addedTrackers, ...d.changedTrackers].map((id) => parts.trackerChild(next, id, keptSubscribers(id))) },
    { run: () => parts.vrrp.configure(ios()) },
    { stop: closed.map((s) => socketId(s.key)) },
    { spawn: () => opened.map((s) => parts.socketChild(next, s.key)) },
    {
      run: () => {
        parts.vmacs.configure(ios());
        for (const k of d.kept.filter((x) => x.vipsChanged)) {
          const after = next.instances.get(k.name)!;
          parts.addresses.changeVips(old.instances.get(k.name)!.io, after.io, parts.instanceState(k.name) === 'MASTER', after.input.garp.masterRepeat);
        }
      },
    },
    {
      spawn: () =>
        d.respawnedGroups.map((name) => {
          const g = next.groups.get(name)!;
          const members = g.members.map((m) => {
            const state = parts.instanceState(m.name);
            const faults = Object.keys(parts.trackingVerdict(m.name)?.faults ?? {});
            return { ...m, ...(state ? { state } : {}), trackFault: faults.length > 0 };
          });
          return { src: 'vrrp.syncGroup', systemId: groupId(name), input: { ...g, members } };
        }),
    },
    { spawn: () => parts.instanceChildren([...d.restartedInstances, ...d.addedInstances].map((n) => next.instances.get(n)!)) },
    { spawn: () => [...d.restartedInstances, ...d.addedInstances].map((n) => parts.trackingChild(next.instances.get(n)!, true)) },
    ...d.kept
      .filter((k) => k.trackingChanged)
      .map(
        (k): Step => ({
          spawn: () => {
            const v = parts.trackingVerdict(k.name);
            const previous = v ? { delta: v.delta, faults: Object.keys(v.faults) } : undefined;
            return [parts.trackingChild(next.instances.get(k.name)!, false, previous ? { previous } : {})];
          },
        }),
      ),
    {
      run: () => {
        parts.log(`Reload: ${describe(d.removedInstances, 'removed')}${describe(d.restartedInstances, 'restarted')}${describe(d.addedInstances, 'added')}${d.kept.length} kept`);
        parts.statics.apply(next.statics);
        parts.addresses.setPacing(next.garpIntervalMs, next.gnaIntervalMs);
      },
    },
  ];
}

function describe(names: string[], what: string): string {
  return names.length > 0 ? `${names.length} ${what} (${names.join(', ')}), ` : '';
}
