/**
 * Router groups: the instances that must agree on one master — same segment, family, VRID and
 * multicast group — split into components by the current (symmetric) partitions.
 *
 * L1/L8: more than one master in a component must heal within A_max + 2·d_max (+ tolerance).
 * L5: a component with an eligible member and no master must get one within its slowest
 * Master_Down_Interval + d_max (+ a full extra interval for sync groups, K-14).
 * Both are only judged on calm segments (no loss, no one-way blocks, delay well under A).
 */
import type { Host } from '../host/host.js';
import { masterDownRangeMs } from '../model.js';
import type { Segment } from '../net/segment.js';
import type { InvariantMonitor } from './invariant-monitor.js';
import type { InstanceTrack } from './track.js';

export interface Component {
  key: string;
  routerKey: string;
  segment: Segment;
  members: InstanceTrack[];
  eligible: InstanceTrack[];
  masters: InstanceTrack[];
}

function allTracks(c: InvariantMonitor): InstanceTrack[] {
  const out: InstanceTrack[] = [];
  for (const h of c.world.allHosts()) for (const t of h.tracks.values()) out.push(t);
  return out;
}

function minIntervalMs(c: InvariantMonitor): number {
  let min = Infinity;
  for (const t of allTracks(c)) min = Math.min(min, t.facts.advertIntervalCs * 10);
  return Number.isFinite(min) ? min : 1000;
}

/** Loss, one-way blocks or delays near the advert interval make timing bounds meaningless. */
export function segmentCalm(c: InvariantMonitor, seg: Segment): boolean {
  return seg.profile.lossPct === 0 && !seg.hasAsymmetricBlocks() && seg.maxDelayMs() < minIntervalMs(c) / 4;
}

/** The host is up, its daemon runs, its CPU runs and the instance's NIC has carrier. */
export function isActive(t: InstanceTrack): boolean {
  const h: Host = t.host;
  return h.powered && h.proc?.state === 'running' && !h.cpu.paused && t.nic?.running === true && t.state !== 'STOP' && t.state !== 'DELETED';
}

export function components(c: InvariantMonitor): Component[] {
  const groups = new Map<string, InstanceTrack[]>();
  for (const t of allTracks(c)) {
    const k = t.routerKey;
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  const out: Component[] = [];
  for (const [routerKey, tracks] of groups) {
    const segment = tracks[0]?.nic?.segment;
    if (!segment || !segmentCalm(c, segment)) continue;
    const members = tracks.filter(isActive);
    const parts: InstanceTrack[][] = [];
    for (const t of members) {
      const home = parts.find((p) => p.every((o) => segment.canReach(o.host.name, t.host.name) && segment.canReach(t.host.name, o.host.name)));
      if (home) home.push(t);
      else parts.push([t]);
    }
    for (const p of parts) {
      const eligible = p.filter((t) => t.state !== 'FAULT');
      out.push({
        key: p.map((t) => t.host.name).join(','),
        routerKey,
        segment,
        members: p,
        eligible,
        masters: eligible.filter((t) => t.state === 'MASTER'),
      });
    }
  }
  return out;
}

/** Worst one-way delay of a segment plus the monitor's tolerance. */
function slackMs(c: InvariantMonitor, seg: Segment): number {
  return seg.maxDelayMs() + c.opts.toleranceMs;
}

export function failoverBoundMs(c: InvariantMonitor, comp: Component): number {
  let worst = 0;
  for (const t of comp.eligible) {
    const [, hiMs] = masterDownRangeMs(t.facts, Math.min(t.effectivePriority, 255));
    const recentUs = c.world.clock.nowMicros() - 4 * hiMs * 1000;
    let bound = hiMs / t.host.cpu.minRateSince(recentUs) + (t.host.facts?.startupDelayMs ?? 0);
    if (t.facts.syncGroup) bound += hiMs + t.facts.advertIntervalCs * 10;
    worst = Math.max(worst, bound);
  }
  return worst + slackMs(c, comp.segment);
}

export function dualMasterBoundMs(c: InvariantMonitor, comp: Component): number {
  let maxA = 0;
  for (const t of comp.members) maxA = Math.max(maxA, t.facts.advertIntervalCs * 10);
  return maxA + 2 * comp.segment.maxDelayMs() + c.opts.toleranceMs;
}

export function evaluateGroups(c: InvariantMonitor): void {
  const dual = new Map<string, [number, string]>();
  const gap = new Map<string, [number, string]>();
  for (const comp of components(c)) {
    if (comp.masters.length > 1) {
      const who = comp.masters.map((t) => t.id).join(', ');
      dual.set(`L1|${comp.key}|${comp.routerKey}`, [dualMasterBoundMs(c, comp), `${comp.routerKey}: ${comp.masters.length} masters that hear each other (${who})`]);
    } else if (comp.masters.length === 0 && comp.eligible.length > 0) {
      const who = comp.eligible.map((t) => `${t.id}=${t.state}`).join(', ');
      gap.set(`L5|${comp.key}|${comp.routerKey}`, [failoverBoundMs(c, comp), `${comp.routerKey}: no master although ${who} can take over`]);
    }
  }
  c.conditions.sync('L1|', dual);
  c.conditions.sync('L5|', gap);
}

/** How long after the last perturbation the cluster must have settled for good (L10/L11). */
export function convergeBoundMs(c: InvariantMonitor): number {
  let maxA = 0;
  let maxMdi = 0;
  let extra = 0;
  let sync = false;
  let minRate = 1;
  let delay = 0;
  for (const h of c.world.allHosts()) {
    minRate = Math.min(minRate, h.cpu.driftRate());
    for (const n of h.nics) delay = Math.max(delay, n.segment?.maxDelayMs() ?? 0);
    const facts = h.facts;
    if (!facts) continue;
    let hostExtra = facts.startupDelayMs + facts.trackSettleMs;
    for (const f of facts.instances) {
      maxA = Math.max(maxA, f.advertIntervalCs * 10);
      maxMdi = Math.max(maxMdi, masterDownRangeMs(f, 1)[1]);
      hostExtra = Math.max(hostExtra, facts.startupDelayMs + facts.trackSettleMs + f.preemptDelayMs);
      if (f.syncGroup) sync = true;
    }
    extra = Math.max(extra, hostExtra);
  }
  return (2 * maxMdi + maxA + (sync ? maxMdi : 0) + extra) / minRate + 2 * delay + c.opts.toleranceMs;
}
