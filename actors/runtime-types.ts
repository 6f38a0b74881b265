/**
 * The contract of the composition root (actors/runtime.ts), shared by the daemon (adapters/node)
 * and the simulator (sim/world.ts). Both build a `Ports` object and call `createRuntime`.
 *
 *   const rt = createRuntime(ports, model, { name: 'lb1' });
 *   rt.on((e) => ...);     // state changes, notifications, counters, log-worthy facts
 *   rt.start();
 *   rt.reload(newModel);   // SIGHUP: unchanged instances keep state and VIPs
 *   rt.stop();             // SIGTERM: priority-0 adverts, VIPs removed, then 'runtime.stopped'
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { KeepalivedConfig } from '../config/model.js';
import type { LogLevel, Ports } from './ports.js';

export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | 'DELETED';

/** A snapshot of one VRRP instance, for dumps, the simulator's invariants and tests. */
export interface InstanceStatus {
  name: string;
  vrid: number;
  family: 4 | 6;
  ifname: string;
  state: VrrpStateName;
  basePriority: number;
  effectivePriority: number;
  /** VIPs this instance has installed right now (CIDR form). */
  vipsInstalled: string[];
  /** Address of the master this instance last accepted an advert from ('' when none). */
  masterAddress: string;
  /** Priority in that master's last advert (BACKUP; 0 when none). */
  masterPriority?: number;
  /** v3 learned Master_Adver_Interval (v2: the configured interval), centiseconds. */
  masterAdverIntervalCs: number;
  syncGroup?: string;
  /** The last state change reported for this instance (absent until the first one). */
  lastTransition?: TransitionRecord;
  /** What the instance tracks (interfaces, scripts, files, processes) and what each does to it now. */
  tracked?: TrackedStatus[];
}

/** One state change of an instance. `at` is the runtime clock's milliseconds (see RuntimeStatus.clockNow). */
export interface TransitionRecord {
  at: number;
  from: VrrpStateName;
  to: VrrpStateName;
  reason: string;
}

/** One tracked object as one instance sees it. */
export interface TrackedStatus {
  kind: 'script' | 'file' | 'process' | 'interface';
  name: string;
  weight: number;
  reverse: boolean;
  /** False until the object's first result. */
  known: boolean;
  /** Script succeeded, process quorum held, interface up (files: true once read). */
  ok: boolean;
  /** track_file: the value read; 1/0 for the other kinds. */
  value: number;
  /** What it does to the instance now: a priority delta, FAULT, or holding it in INIT until a first result. */
  effect: number | 'fault' | 'waiting';
}

/** A vrrp_sync_group. */
export interface SyncGroupStatus {
  name: string;
  state: string;
  members: string[];
}

/** One tracked object (a vrrp_script, track_file, vrrp_track_process or interface), once however many instances track it. */
export interface TrackerObjectStatus {
  kind: TrackedStatus['kind'];
  name: string;
  known: boolean;
  ok: boolean;
  value: number;
}

/**
 * What one subsystem reports (actors/subsystem.ts `status`): each section it has. VRRP fills
 * instances, sync groups, trackers and the notify queue; LVS fills the virtual servers.
 */
export interface SubsystemStatus {
  instances?: InstanceStatus[];
  syncGroups?: SyncGroupStatus[];
  trackers?: TrackerObjectStatus[];
  /** Notifications waiting to run (scripts, FIFO lines, mail), the one running included. */
  notifyQueue?: number;
  virtualServers?: VirtualServerStatus[];
}

/** Everything the runtime can say about itself at one moment (rt.report()). */
export interface RuntimeStatus {
  /** The runtime clock when this was taken (TransitionRecord.at is on the same clock), and the wall clock (ms since the epoch). */
  clockNow: number;
  wallNow: number;
  instances: InstanceStatus[];
  syncGroups: SyncGroupStatus[];
  trackers: TrackerObjectStatus[];
  notifyQueue: number;
  virtualServers: VirtualServerStatus[];
}

export type RuntimeEvent =
  | { type: 'instance.state'; at: number; instance: string; from: VrrpStateName; to: VrrpStateName; priority: number; reason: string }
  | { type: 'instance.priority'; at: number; instance: string; priority: number }
  | { type: 'group.state'; at: number; group: string; to: VrrpStateName }
  | { type: 'notify'; at: number; target: string; argv: string[] }
  | { type: 'advert.sent'; at: number; instance: string; priority: number }
  | { type: 'advert.dropped'; at: number; instance: string; reason: string }
  | { type: 'garp.sent'; at: number; instance: string; address: string }
  | { type: 'vip.added'; at: number; instance: string; address: string }
  | { type: 'vip.removed'; at: number; instance: string; address: string }
  | { type: 'log'; at: number; level: LogLevel; message: string }
  /** LVS: a checker's verdict changed (`kind` TCP_CHECK, HTTP_GET, …). */
  | { type: 'lvs.checker'; at: number; vs: string; rs: string; kind: string; up: boolean; detail?: string }
  /** LVS: a real server's alive flag or effective weight changed. */
  | { type: 'lvs.server'; at: number; vs: string; rs: string; alive: boolean; weight: number }
  /** LVS: a virtual server's quorum was decided. */
  | { type: 'lvs.quorum'; at: number; vs: string; up: boolean; sum: number; threshold: number }
  /** An actor threw (a bug): a lifecycle phase, or an instance's io actor. The runtime carries on
   *  (the phase moves on, the instance stays in FAULT); the simulator counts it as invariant X1. */
  | { type: 'actor.failed'; at: number; actor: string; error: string }
  | { type: 'runtime.stopped'; at: number };

export interface RuntimeOptions {
  /** Node name used in logs and traces (the host name in the daemon, the host id in the simulator). */
  name: string;
  /**
   * Which subsystems run, by name (actors/subsystems.ts: 'vrrp', 'lvs'); default all. The daemon's
   * VRRP child runs ['vrrp'] and its checker child ['lvs'], as keepalived's two processes.
   */
  subsystems?: readonly string[];
  /** Longest wait on stop() for VIP removal and STOP notifies before 'runtime.stopped' (default 5000). */
  stopTimeoutMs?: number;
  /** Notify scripts run one at a time; each is abandoned after this long (default 10000). */
  notifyScriptTimeoutMs?: number;
  /**
   * XState's inspection observer for the whole actor system (every actor's creation, events and
   * snapshots): the web view's actor feed (actors/actor-feed.ts) and Stately's inspector.
   */
  inspect?: Observer<InspectionEvent> | ((e: InspectionEvent) => void);
}

/** One kernel service of a virtual server, as the table port knows it. */
export interface LvsServiceStatus {
  family: 4 | 6;
  protocol?: string;
  address?: string;
  port?: number;
  fwmark?: number;
  scheduler: string;
  persistenceTimeoutS: number;
}

export interface LvsCheckerStatus {
  kind: string;
  /** Where the probes go, `[ip]:port`. */
  target: string;
  enabled: boolean;
  up: boolean;
  hasRun: boolean;
  retry: number;
  retryIt: number;
  /** Dynamic weight (misc_dynamic, FILE_CHECK). */
  contribution: number;
  alpha: boolean;
  logAllFailures: boolean;
  delayLoopMs: number;
  warmupMs: number;
  delayBeforeRetryMs: number;
  connectTimeoutMs: number;
}

export interface LvsRealServerStatus {
  name: string;
  address: string;
  port: number;
  method: string;
  /** Configured weight, and the weight the table has (configured + dynamic, clamped). */
  weight: number;
  effectiveWeight: number;
  alive: boolean;
  /** In the table (keepalived rs->set). */
  set: boolean;
  inhibitOnFailure: boolean;
  failedCheckers: number;
  checkers: LvsCheckerStatus[];
}

/** A snapshot of one virtual server, for dumps and views. */
export interface VirtualServerStatus {
  name: string;
  /** Where its virtual_server block is (file, line). */
  source: { file: string; line: number };
  services: LvsServiceStatus[];
  /** The load-balancer backend ('ipvs', 'nftables', 'sim', 'none'). */
  backend: string;
  /** Why this virtual server is not programmed (the backend refused it), when it is not. */
  refused?: string;
  quorum: number;
  hysteresis: number;
  quorumUp: boolean;
  /** Σ effective weights of alive real servers. */
  liveWeight: number;
  omega: boolean;
  haSuspend: boolean;
  checkersEnabled: boolean;
  sorryServer?: { name: string; alive: boolean; set: boolean; inhibit: boolean };
  realServers: LvsRealServerStatus[];
}

/** What one takeover rehearsal did (actors/vrrp/takeover-rehearsal.ts), from a sink of its own. */
export interface RehearsalResult {
  instance: string;
  /** The state the throwaway instance reached: MASTER when the whole path ran; 'error: …' if it threw. */
  reached: string;
  counters: Record<string, number>;
}

export interface Runtime {
  start(): void;
  /** Graceful stop. Emits 'runtime.stopped' when every VIP is gone and every child has stopped. */
  stop(): void;
  /** Apply a new, already validated model. Unchanged instances keep their state and VIPs. */
  reload(model: KeepalivedConfig): void;
  status(): InstanceStatus[];
  /** The virtual servers the LVS subsystem runs (empty without it). */
  virtualServers?(): VirtualServerStatus[];
  /**
   * Rehearse what the running plan's next failover would run, with no effect (the VRRP subsystem:
   * one takeover per address family and VRRP version on a throwaway instance, takeover-rehearsal.ts),
   * so that the code is compiled when it is needed. Nothing before start. Never throws.
   */
  rehearse?(): RehearsalResult[];
  /** Every subsystem's status at once: instances, sync groups, trackers, notify queue, virtual servers. */
  report(): RuntimeStatus;
  /** Counters by name (adverts sent/received, drops by reason, transitions…). */
  counters(): Record<string, number>;
  /** Call `listener` with every event, or with the events of `types` only (the runtime then does
   *  not build the others: an advert sent or a log line costs nothing when nobody listens). */
  on(listener: (e: RuntimeEvent) => void, types?: Iterable<RuntimeEvent['type']>): () => void;
}

export type CreateRuntime = (ports: Ports, model: KeepalivedConfig, opts: RuntimeOptions) => Runtime;
