/**
 * The compiled, normalised keepalived.conf model: what the runtime and the simulator consume.
 *
 * Every field is already defaulted the way keepalived 2.2.7 does it (see config/defaults.ts),
 * so consumers never re-implement keepalived's default rules. Units are last in field names
 * (Ms = milliseconds, Cs = centiseconds, S = seconds). Every block carries `source` (file:line).
 */

import type { SslConfig, VirtualServerConfig, VirtualServerGroupConfig } from './model-lvs.js';
import type { IpAddressConfig, RouteConfig, RuleConfig, TrackFileConfig, TrackProcessConfig, VrrpInstanceConfig, VrrpScriptConfig, VrrpSyncGroupConfig } from './model-vrrp.js';

export type Severity = 'error' | 'warning' | 'info';

export type DiagnosticKind = 'abort' | 'fatal' | 'security' | 'config' | 'lint';

/** One finding of the compiler or the linter. `fix` is a one-line suggestion. */
export interface Diagnostic {
  file: string;
  /** 1-based; 0 only for a diagnostic about a whole file that could not be read (no line to show). */
  line: number;
  column: number;
  severity: Severity;
  message: string;
  fix?: string;
  /**
   * keepalived's error class, which decides the `-t` exit code (config/exit-code.ts):
   * 'abort' (keepalived stops reading: missing parameter → 2), 'security' (scripts without
   * enable_script_security → 6), 'config' (errors and warnings keepalived reports, still runs → 5),
   * 'fatal' (cannot run → 4), 'lint' (only keepalived-ts reports it; no effect on the exit code).
   * Unset means 'config'.
   */
  kind?: DiagnosticKind;
}

export interface SourceRef {
  file: string;
  line: number;
}

export type Family = 4 | 6;

/** A script command line: argv[0] is the executable. `user`/`group` from the optional suffix. */
export interface ScriptCommand {
  argv: string[];
  user?: string;
  group?: string;
  source: SourceRef;
}

export interface GlobalDefs {
  /** Default: the host name (null here; the runtime fills it in). */
  routerId?: string;
  notificationEmail: string[];
  /** Default keepalived@<hostname> (left unset here). */
  notificationEmailFrom?: string;
  smtpServer?: { host: string; port: number };
  /** Default 30 s. */
  smtpConnectTimeoutMs: number;
  smtpHeloName?: string;
  smtpAlert?: boolean;
  smtpAlertVrrp?: boolean;
  smtpAlertChecker?: boolean;
  enableScriptSecurity: boolean;
  scriptUser?: { user: string; group?: string };
  /** µs resolution; default 0 (no pacing). */
  vrrpGarpIntervalMs: number;
  vrrpGnaIntervalMs: number;
  /** Defaults 5 s / 5 / 0 / 1. */
  vrrpGarpMasterDelayMs: number;
  vrrpGarpMasterRepeat: number;
  vrrpGarpMasterRefreshMs: number;
  vrrpGarpMasterRefreshRepeat: number;
  vrrpGarpLowerPrioDelayMs?: number;
  vrrpGarpLowerPrioRepeat?: number;
  vrrpMinGarp: boolean;
  /** Default 2. */
  vrrpVersion: 2 | 3;
  vrrpStrict: boolean;
  vrrpSkipCheckAdvAddr: boolean;
  vrrpCheckUnicastSrc: boolean;
  vrrpLowerPrioNoAdvert: boolean;
  vrrpHigherPrioSendAdvert: boolean;
  v3ChecksumAsV2: boolean;
  /** Default 3. */
  vrrpDownTimerAdverts: number;
  /** Default 224.0.0.18 / ff02::12. */
  vrrpMcastGroup4: string;
  vrrpMcastGroup6: string;
  notifyFifo?: { path: string; user?: string; group?: string; script?: ScriptCommand };
  vrrpNotifyFifo?: { path: string; user?: string; group?: string; script?: ScriptCommand };
  lvsNotifyFifo?: { path: string; user?: string; group?: string; script?: ScriptCommand };
  vrrpStartupDelayMs: number;
  /** −1..99, 0 = off. */
  maxAutoPriority: number;
  dynamicInterfaces: boolean;
  lvsFlush: boolean;
  /** `lvs_flush_on_stop [VS]` (alias lvs_flush_onstop): 'full' flushes all of IPVS at stop, 'vs' deletes only our virtual services. */
  lvsFlushOnStop?: 'full' | 'vs';
  /** `lvs_timeouts [tcp N] [tcpfin N] [udp N]`: IPVS connection timeouts in seconds, set at start and restored at stop. */
  lvsTimeouts?: LvsTimeoutsConfig;
  /** `lvs_backend ipvs|nftables|auto` (keepalived-ts only): the checker child's load-balancer table; default auto. */
  lvsBackend?: 'ipvs' | 'nftables' | 'auto';
  /** `lvs_sync_daemon IFNAME [inst VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`. */
  lvsSyncDaemon?: LvsSyncDaemonConfig;
  startupScript?: ScriptCommand;
  shutdownScript?: ScriptCommand;
  /**
   * `keepalived_ts_metrics [ADDR:]PORT` (keepalived-ts only; keepalived 2.2.7 does not know it):
   * serve Prometheus metrics at /metrics. The daemon's `--metrics` overrides it.
   */
  metricsListen?: { host: string; port: number };
  /** Every other accepted global keyword, verbatim (name → args), for dumps and --print. */
  other: Record<string, string[]>;
}

export interface LvsTimeoutsConfig {
  tcp?: number;
  tcpFin?: number;
  udp?: number;
}

export interface LvsSyncDaemonConfig {
  interface: string;
  /** The VRRP instance whose state drives master/backup; absent: the checker runs both daemons. */
  instance?: string;
  /** 0..255; keepalived's default is the instance's VRID (0 without an instance). */
  syncId?: number;
  maxlen?: number;
  port?: number;
  ttl?: number;
  /** Multicast group (IPv4 or IPv6). */
  group?: string;
}

export type {
  IpAddressConfig,
  RouteConfig,
  RuleConfig,
  UnicastPeer,
  TrackInterfaceRef,
  TrackRef,
  AuthenticationConfig,
  NotifyScripts,
  VrrpInstanceConfig,
  VrrpSyncGroupConfig,
  VrrpScriptConfig,
  TrackFileConfig,
  TrackProcessConfig,
} from './model-vrrp.js';

export type {
  CheckerConfig,
  CheckerKind,
  HttpUrlConfig,
  RealServerConfig,
  SslConfig,
  VirtualServerConfig,
  VirtualServerGroupConfig,
  VirtualServerTarget,
} from './model-lvs.js';

export interface KeepalivedConfig {
  /** Files read, in order (entry first, then includes). */
  files: string[];
  globalDefs: GlobalDefs;
  staticIpaddresses: IpAddressConfig[];
  staticRoutes: RouteConfig[];
  staticRules: RuleConfig[];
  vrrpInstances: VrrpInstanceConfig[];
  vrrpSyncGroups: VrrpSyncGroupConfig[];
  vrrpScripts: VrrpScriptConfig[];
  trackFiles: TrackFileConfig[];
  trackProcesses: TrackProcessConfig[];
  virtualServerGroups: VirtualServerGroupConfig[];
  virtualServers: VirtualServerConfig[];
  /** The global `SSL { }` block, when present (SSL_GET's client certificate). */
  ssl?: SslConfig;
}
