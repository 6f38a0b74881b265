/**
 * SIGHUP as a diff between two plans (keepalived keeps unchanged instances' state, stats and VIPs).
 *  - instance gone                     → stopped, notified DELETED (or FAULT without notify_deleted);
 *  - VRRP parameters changed            → restarted quietly (new actor from INIT);
 *  - only VIPs / routes / rules changed → kept, applied in place (if MASTER);
 *  - only the base priority changed     → kept, moved through the tracking offset (no restart);
 *  - tracking changed                   → the tracking actor is replaced, the instance kept.
 * Instances are matched by name (keepalived matches by VRID/family/interface/unicast source; a
 * renamed instance is a removal plus an addition here).
 */
import { VRRP_PRIORITY_OWNER } from '../../protocol/vrrp/constants.js';
import type { VrrpPlan } from './plan.js';
import type { InstancePlan } from './plan-instance.js';

export interface KeptInstance {
  name: string;
  vipsChanged: boolean;
  trackingChanged: boolean;
  /** New base priority − base priority the actor was spawned with. */
  priorityOffset: number;
}

export interface ReloadDiff {
  removedInstances: string[];
  restartedInstances: string[];
  addedInstances: string[];
  kept: KeptInstance[];
  removedTrackers: string[];
  addedTrackers: string[];
  changedTrackers: string[];
  removedGroups: string[];
  /** Added or with other members: (re)spawned from the members' current states. */
  respawnedGroups: string[];
  notifierChanged: boolean;
}

const json = (v: unknown) => JSON.stringify(v);

/** The machine's input without what a reload may change in place. */
function machineShape(p: InstancePlan): string {
  const { vips: _v, basePriority, ...rest } = p.input;
  return json({ ...rest, owner: basePriority === VRRP_PRIORITY_OWNER });
}

const addressShape = (p: InstancePlan) => json([p.io.vips, p.io.excludedVips, p.io.routes, p.io.rules]);
const trackingShape = (p: InstancePlan) => json([p.entries, p.ignoreWeights, p.syncGroup ?? null, p.fixedFaults]);

export function diffPlans(old: VrrpPlan, next: VrrpPlan): ReloadDiff {
  const d: ReloadDiff = {
    removedInstances: [],
    restartedInstances: [],
    addedInstances: [],
    kept: [],
    removedTrackers: [],
    addedTrackers: [],
    changedTrackers: [],
    removedGroups: [],
    respawnedGroups: [],
    notifierChanged: json(old.notifier) !== json(next.notifier),
  };
  for (const name of old.instances.keys()) if (!next.instances.has(name)) d.removedInstances.push(name);
  for (const [name, p] of next.instances) {
    const o = old.instances.get(name);
    if (!o) d.addedInstances.push(name);
    else if (machineShape(o) !== machineShape(p)) d.restartedInstances.push(name);
    else {
      const base = o.spawnedBase;
      const priorityOffset = p.input.basePriority - base;
      const oldOffset = o.input.basePriority - base;
      d.kept.push({
        name,
        vipsChanged: addressShape(o) !== addressShape(p),
        trackingChanged: trackingShape(o) !== trackingShape(p) || priorityOffset !== oldOffset,
        priorityOffset,
      });
    }
  }
  for (const id of old.trackers.keys()) if (!next.trackers.has(id)) d.removedTrackers.push(id);
  for (const [id, t] of next.trackers) {
    const o = old.trackers.get(id);
    if (!o) d.addedTrackers.push(id);
    else if (json(o) !== json(t)) d.changedTrackers.push(id);
  }
  for (const name of old.groups.keys()) if (!next.groups.has(name)) d.removedGroups.push(name);
  for (const [name, g] of next.groups) {
    const o = old.groups.get(name);
    const restartedMember = g.members.some((m) => d.restartedInstances.includes(m.name) || d.addedInstances.includes(m.name));
    if (!o || json(o) !== json(g) || restartedMember) d.respawnedGroups.push(name);
  }
  return d;
}
