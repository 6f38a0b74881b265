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
import type { KeepalivedConfig } from '../config/model.js';
import type { Ports } from './ports.js';

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
  /** v3 learned Master_Adver_Interval (v2: the configured interval), centiseconds. */
  masterAdverIntervalCs: number;
  syncGroup?: string;
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
  | { type: 'log'; at: number; level: 'debug' | 'info' | 'notice' | 'warning' | 'error'; message: string }
  | { type: 'runtime.stopped'; at: number };

export interface RuntimeOptions {
  /** Node name used in logs and traces (the host name in the daemon, the host id in the simulator). */
  name: string;
  /** Longest wait on stop() for VIP removal and STOP notifies before 'runtime.stopped' (default 5000). */
  stopTimeoutMs?: number;
  /** Notify scripts run one at a time; each is abandoned after this long (default 10000). */
  notifyScriptTimeoutMs?: number;
}

export interface Runtime {
  start(): void;
  /** Graceful stop. Emits 'runtime.stopped' when every VIP is gone and every child has stopped. */
  stop(): void;
  /** Apply a new, already validated model. Unchanged instances keep their state and VIPs. */
  reload(model: KeepalivedConfig): void;
  status(): InstanceStatus[];
  /** Counters by name (adverts sent/received, drops by reason, transitions…). */
  counters(): Record<string, number>;
  on(listener: (e: RuntimeEvent) => void): () => void;
}

export type CreateRuntime = (ports: Ports, model: KeepalivedConfig, opts: RuntimeOptions) => Runtime;
