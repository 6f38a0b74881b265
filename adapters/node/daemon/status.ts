/**
 * The daemon's status: what `keepalived-ts status --json` prints, what the status table and the
 * Prometheus metrics are drawn from. Pure data shaping, no I/O.
 *
 *   child (RoleHost.status)   rt.report() + counters + keepalived's stats → ChildStatus
 *   parent (daemonStatus)     its own facts + each child's ChildStatus   → DaemonStatus
 *
 * Times are wall-clock ISO strings and ages in seconds, so a reader needs no clock of ours.
 */
import type {
  RuntimeStatus,
  SyncGroupStatus,
  TrackedStatus,
  TrackerObjectStatus,
  VirtualServerStatus,
  VrrpStateName,
} from '../../../actors/runtime-types.js';
import type { LbTableView } from '../../../actors/lvs/lb-port.js';
import type { ChildRole } from './ipc.js';
import type { VrrpStats } from './vrrp-stats.js';

export interface StatusTransition {
  /** ISO wall-clock time. */
  time: string;
  from: VrrpStateName;
  to: VrrpStateName;
  reason: string;
}

export interface StatusInstance {
  name: string;
  vrid: number;
  family: 4 | 6;
  interface: string;
  state: VrrpStateName;
  priority: { base: number; effective: number };
  /** The master this instance sees: its own address in MASTER, the advert's source in BACKUP ('' when none). */
  master: string;
  /** The master's advertised priority (BACKUP only). */
  masterPriority?: number;
  /** VIPs this node holds for the instance now (CIDR). */
  vips: string[];
  syncGroup?: string;
  /** Seconds since the last transition (since the process started when there was none). */
  inStateSeconds: number;
  lastTransition?: StatusTransition;
  tracked: TrackedStatus[];
  /** keepalived 2.2.7's statistics (/tmp/keepalived.stats), counted as it counts them. */
  stats: VrrpStats;
  /** Every received packet this instance dropped, by reason. */
  drops: Record<string, number>;
  /** State changes since the process started, by from, to and reason. */
  transitions: Array<{ from: string; to: string; reason: string; count: number }>;
  /** The runtime's own per-instance counters (adverts_sent, garp_sent, master_changes, …). */
  counters: Record<string, number>;
}

/** How often a checker's verdict went up or down since the process started (the runtime's lvs.checker events). */
export interface CheckerResultCount {
  vs: string;
  rs: string;
  /** The checker's kind and, when a real server has several of that kind, its place (`HTTP_GET#1`). */
  checker: string;
  result: 'up' | 'down';
  count: number;
}

/** What one child (or in-process host) reports. */
export interface ChildStatus {
  role: ChildRole;
  pid: number;
  /** ISO time the runtime started. */
  started: string;
  instances: StatusInstance[];
  syncGroups: SyncGroupStatus[];
  trackers: TrackerObjectStatus[];
  notifyQueue: number;
  virtualServers: VirtualServerStatus[];
  /** The checker child: its load-balancer table as the backend holds it (what `keepalived-ts lvs` shows). */
  lbTable?: LbTableView;
  /** The checker child: checker verdicts by real server and result. */
  checkerResults?: CheckerResultCount[];
  /** Drops no instance could be named for (undecodable packets, unknown VRIDs), by reason. */
  unassignedDrops: Record<string, number>;
  /** The runtime's totals (not per instance). */
  counters: Record<string, number>;
}

export interface ProcessStatus {
  role: ChildRole;
  pid?: number;
  /** Answered the status request in time. */
  answering: boolean;
  /** Respawns since the daemon started. */
  restarts: number;
  /** ISO time the current process was started. */
  started?: string;
}

export interface DaemonStatus {
  daemon: {
    version: string;
    pid: number;
    /** router_id, or the host name. */
    name: string;
    configFile: string;
    started: string;
    uptimeSeconds: number;
    reloads: number;
  };
  processes: ProcessStatus[];
  instances: StatusInstance[];
  syncGroups: SyncGroupStatus[];
  trackers: TrackerObjectStatus[];
  notifyQueue: number;
  virtualServers: VirtualServerStatus[];
  /** The load-balancer table the checker child programs (absent without a checker child). */
  lbTable?: LbTableView;
  checkerResults: CheckerResultCount[];
  unassignedDrops: Record<string, number>;
  /** Each process's runtime totals. */
  counters: Partial<Record<ChildRole, Record<string, number>>>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** One instance's counters (`VI_1:x` → `x`). */
function ownCounters(instance: string, counters: Record<string, number>): Record<string, number> {
  const prefix = `${instance}:`;
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(counters)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = n;
  return out;
}

function pick(counters: Record<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(counters)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = n;
  return out;
}

export interface ChildStatusInput {
  role: ChildRole;
  pid: number;
  /** Wall-clock ms the runtime started. */
  startedMs: number;
  report: RuntimeStatus;
  counters: Record<string, number>;
  stats: (instance: string) => VrrpStats;
  transitions: (instance: string) => StatusInstance['transitions'];
  lbTable?: LbTableView;
  checkerResults?: CheckerResultCount[];
}

export function childStatus(i: ChildStatusInput): ChildStatus {
  const { report: r, counters } = i;
  /** Runtime clock ms → wall-clock ms. */
  const wall = (at: number): number => r.wallNow - (r.clockNow - at);
  const instances = r.instances.map((s): StatusInstance => {
    const own = ownCounters(s.name, counters);
    const last = s.lastTransition;
    const sinceMs = last ? wall(last.at) : i.startedMs;
    return {
      name: s.name,
      vrid: s.vrid,
      family: s.family,
      interface: s.ifname,
      state: s.state,
      priority: { base: s.basePriority, effective: s.effectivePriority },
      master: s.masterAddress,
      ...(s.masterPriority !== undefined ? { masterPriority: s.masterPriority } : {}),
      vips: s.vipsInstalled,
      ...(s.syncGroup ? { syncGroup: s.syncGroup } : {}),
      inStateSeconds: Math.max(0, (r.wallNow - sinceMs) / 1000),
      ...(last ? { lastTransition: { time: iso(wall(last.at)), from: last.from, to: last.to, reason: last.reason } } : {}),
      tracked: s.tracked ?? [],
      stats: i.stats(s.name),
      drops: pick(own, 'drop.'),
      transitions: i.transitions(s.name),
      counters: Object.fromEntries(Object.entries(own).filter(([k]) => !k.startsWith('drop.'))),
    };
  });
  const totals = Object.fromEntries(Object.entries(counters).filter(([k]) => !k.includes(':')));
  // A drop counted for an instance is in the total too; what is left had no instance.
  const unassignedDrops: Record<string, number> = {};
  for (const [reason, n] of Object.entries(pick(totals, 'drop.'))) {
    const named = instances.reduce((sum, s) => sum + (s.drops[reason] ?? 0), 0);
    if (n - named > 0) unassignedDrops[reason] = n - named;
  }
  return {
    role: i.role,
    pid: i.pid,
    started: iso(i.startedMs),
    instances,
    syncGroups: r.syncGroups,
    trackers: r.trackers,
    notifyQueue: r.notifyQueue,
    virtualServers: r.virtualServers,
    ...(i.lbTable ? { lbTable: i.lbTable } : {}),
    ...(i.checkerResults && i.checkerResults.length > 0 ? { checkerResults: i.checkerResults } : {}),
    unassignedDrops,
    counters: totals,
  };
}

export interface ParentFacts {
  version: string;
  pid: number;
  name: string;
  configFile: string;
  startedMs: number;
  nowMs: number;
  reloads: number;
  processes: Array<{ role: ChildRole; pid?: number; restarts: number; startedMs?: number; status?: ChildStatus }>;
}

export function daemonStatus(p: ParentFacts): DaemonStatus {
  const children = p.processes.flatMap((c) => (c.status ? [c.status] : []));
  const unassignedDrops: Record<string, number> = {};
  const lbTable = children.find((c) => c.lbTable)?.lbTable;
  for (const c of children) for (const [r, n] of Object.entries(c.unassignedDrops)) unassignedDrops[r] = (unassignedDrops[r] ?? 0) + n;
  return {
    daemon: {
      version: p.version,
      pid: p.pid,
      name: p.name,
      configFile: p.configFile,
      started: iso(p.startedMs),
      uptimeSeconds: Math.max(0, (p.nowMs - p.startedMs) / 1000),
      reloads: p.reloads,
    },
    processes: p.processes.map((c) => ({
      role: c.role,
      ...(c.pid !== undefined ? { pid: c.pid } : {}),
      answering: c.status !== undefined,
      restarts: c.restarts,
      ...(c.startedMs !== undefined ? { started: iso(c.startedMs) } : {}),
    })),
    instances: children.flatMap((c) => c.instances),
    syncGroups: children.flatMap((c) => c.syncGroups),
    trackers: children.flatMap((c) => c.trackers),
    notifyQueue: children.reduce((n, c) => n + c.notifyQueue, 0),
    virtualServers: children.flatMap((c) => c.virtualServers),
    ...(lbTable ? { lbTable } : {}),
    checkerResults: children.flatMap((c) => c.checkerResults ?? []),
    unassignedDrops,
    counters: Object.fromEntries(children.map((c) => [c.role, c.counters])),
  };
}
