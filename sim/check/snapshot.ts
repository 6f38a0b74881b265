/**
 * Checks run once the cluster has had time to converge after the last perturbation:
 * L1 exactly one master per component, L2 the right master when everyone preempts, L12 every
 * VIP on the master's host only and observers' neighbour caches pointing at the master,
 * L13 v3 backups learned the master's interval, X2 runtime status agrees with its events.
 */
import type { InstanceStatus } from '../../actors/runtime-types.js';
import type { Host } from '../host/host.js';
import { compareAddressBytes, parseIp } from '../../protocol/addr.js';
import type { InvariantMonitor } from './invariant-monitor.js';
import { components, type Component } from './groups.js';
import type { InstanceTrack } from './track.js';

function statusOf(c: InvariantMonitor, cache: Map<Host, InstanceStatus[] | undefined>, t: InstanceTrack): InstanceStatus | undefined {
  if (!cache.has(t.host)) cache.set(t.host, c.world.status(t.host));
  return cache.get(t.host)?.find((s) => s.name === t.facts.name);
}

function primaryBytes(t: InstanceTrack): Uint8Array {
  return parseIp(t.nic?.primaryAddress(t.facts.family) ?? '')?.bytes ?? new Uint8Array(0);
}

function checkRightMaster(c: InvariantMonitor, comp: Component, prio: (t: InstanceTrack) => number): void {
  const master = comp.masters[0]!;
  if (comp.eligible.some((t) => t.facts.nopreempt || t.facts.preemptDelayMs > 0 || t.facts.syncGroup)) return;
  let best = comp.eligible[0]!;
  for (const t of comp.eligible) {
    const d = prio(t) - prio(best);
    if (d > 0 || (d === 0 && compareAddressBytes(primaryBytes(t), primaryBytes(best)) > 0)) best = t;
  }
  if (best !== master && prio(best) !== prio(master))
    c.report('L2', `${comp.routerKey}: ${master.id} (priority ${prio(master)}) is MASTER but ${best.id} (priority ${prio(best)}) should be`, master.host.name);
  else if (best !== master)
    c.report('L2', `${comp.routerKey}: ${master.id} is MASTER but ${best.id} has the same priority and the higher address`, master.host.name);
}

function checkVipPlacement(c: InvariantMonitor, comp: Component): void {
  const master = comp.masters[0];
  const vips = new Set(comp.members.flatMap((t) => t.facts.vips));
  for (const vip of vips) {
    for (const t of comp.members) {
      const has = t.host.nics.some((n) => n.addresses.some((a) => a.dynamic && a.address === vip));
      if (has && t.host !== master?.host) c.report('L12', `VIP ${vip} is on ${t.host.name} but the master of ${comp.routerKey} is ${master?.id ?? 'nobody'}`, t.host.name);
    }
    if (!master || !master.facts.vips.includes(vip)) continue;
    const onMaster = master.host.nics.some((n) => n.addresses.some((a) => a.address === vip));
    if (!onMaster) c.report('L12', `VIP ${vip} is missing on master ${master.id}`, master.host.name);
    const mac = master.nic?.mac;
    for (const obs of c.world.allHosts()) {
      if (!obs.observer || !obs.nics.some((n) => n.segment === comp.segment)) continue;
      if (!comp.segment.canReach(master.host.name, obs.name)) continue;
      const seen = obs.neighbours.get(vip);
      if (seen !== undefined && seen !== mac)
        c.report('L12', `${obs.name} would send traffic for ${vip} to ${seen} (${c.world.macOwner(seen) ?? 'unknown'}), master is ${master.id} (${mac})`, obs.name);
    }
  }
}

export function snapshotChecks(c: InvariantMonitor): void {
  const cache = new Map<Host, InstanceStatus[] | undefined>();
  for (const comp of components(c)) {
    for (const t of comp.members) {
      const s = statusOf(c, cache, t);
      if (s && s.state !== t.state) c.report('X2', `${t.id}: status() says ${s.state}, events said ${t.state}`, t.host.name, t.facts.name);
    }
    if (comp.eligible.length > 0 && comp.masters.length !== 1)
      c.report('L1', `${comp.routerKey}: ${comp.masters.length} masters among ${comp.key} after convergence`, comp.key);
    const prio = (t: InstanceTrack) => statusOf(c, cache, t)?.effectivePriority ?? t.effectivePriority;
    if (comp.masters.length === 1) {
      checkRightMaster(c, comp, prio);
      const master = comp.masters[0]!;
      if (master.facts.version === 3) {
        for (const t of comp.eligible) {
          const learned = statusOf(c, cache, t)?.masterAdverIntervalCs;
          if (t !== master && learned !== undefined && learned !== master.facts.advertIntervalCs)
            c.report('L13', `${t.id} learned Master_Adver_Interval ${learned} cs, master ${master.id} sends ${master.facts.advertIntervalCs} cs`, t.host.name);
        }
      }
    }
    if (comp.masters.length <= 1) checkVipPlacement(c, comp);
  }
}
