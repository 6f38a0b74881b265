/**
 * The compiled, normalised keepalived.conf model: what the runtime and the simulator consume.
 *
 * Every field is already defaulted the way keepalived 2.2.7 does it (see config/defaults.ts),
 * so consumers never re-implement keepalived's default rules. Units are last in field names
 * (Ms = milliseconds, Cs = centiseconds, S = seconds). Every block carries `source` (file:line).
 */

export type Severity = 'error' | 'warning' | 'info';

export type DiagnosticKind = 'abort' | 'fatal' | 'security' | 'config' | 'lint';

/** One finding of the compiler or the linter. `fix` is a one-line suggestion. */
export interface Diagnostic {
  file: string;
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

/** `IP[/MASK] [brd IP|+|-] [dev IF] [scope S] [label L] [peer IP] …` (virtual_ipaddress & static_ipaddress). */
export interface IpAddressConfig {
  address: string;
  /** Default 32 (IPv4) / 128 (IPv6). */
  prefixLength: number;
  family: Family;
  dev?: string;
  label?: string;
  /** 'global' | 'site' | 'link' | 'host' | 'nowhere' or a number. Unset = kernel default (global). */
  scope?: string;
  /** Broadcast: an address, '+' or '-'. */
  brd?: string;
  peer?: string;
  home: boolean;
  nodad: boolean;
  mngtmpaddr: boolean;
  noprefixroute: boolean;
  autojoin: boolean;
  /** `no_track`: a missing/removed address does not fault the instance. */
  noTrack: boolean;
  /** `use_vmac` on the address line. */
  useVmac: boolean;
  trackGroup?: string;
  /** `preferred_lft N|forever`; IPv6 /128 VIPs get 0 unless 'forever' (keepalived). */
  preferredLft?: number | 'forever';
  source: SourceRef;
}

/** One `ip route`-style line (virtual_routes / static_routes). */
export interface RouteConfig {
  /** 'unicast' (default), 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', … */
  type: string;
  /** Destination in CIDR form ('0.0.0.0/0' for default). */
  to: string;
  family: Family;
  via?: string;
  /** Alternative gateway given with `or`. */
  orVia?: string;
  dev?: string;
  src?: string;
  table?: string;
  metric?: number;
  scope?: string;
  protocol?: string;
  noTrack: boolean;
  /** Remaining ip-route options, verbatim in order (mtu, onlink, nexthop…). */
  options: string[];
  source: SourceRef;
}

/** One `ip rule`-style line (virtual_rules / static_rules). */
export interface RuleConfig {
  family: Family;
  from?: string;
  to?: string;
  table?: string;
  /** `priority`/`preference`/`pref`. */
  priority?: number;
  iif?: string;
  oif?: string;
  fwmark?: string;
  /** 'table' (default) | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit' | … */
  action: string;
  invert: boolean;
  noTrack: boolean;
  options: string[];
  source: SourceRef;
}

/** A script command line: argv[0] is the executable. `user`/`group` from the optional suffix. */
export interface ScriptCommand {
  argv: string[];
  user?: string;
  group?: string;
  source: SourceRef;
}

export interface UnicastPeer {
  address: string;
  family: Family;
  minTtl?: number;
  maxTtl?: number;
}

/** An entry of track_interface. Weight 0 (default) means FAULT when the interface is down. */
export interface TrackInterfaceRef {
  name: string;
  weight: number;
  reverse: boolean;
  source: SourceRef;
}

/**
 * An entry of track_script / track_file / track_process / track_bfd. `weight` and `reverse` are
 * resolved: when the entry gives no weight, the tracked object's own weight/reverse apply.
 */
export interface TrackRef {
  name: string;
  weight: number;
  reverse: boolean;
  /** True when the weight was written on the track line itself. */
  weightOverridden: boolean;
  source: SourceRef;
}

export interface AuthenticationConfig {
  type: 'PASS' | 'AH';
  /** Only the first 8 characters are used on the wire (keepalived truncates). */
  pass: string;
}

export interface NotifyScripts {
  /** `notify`: runs with 4 extra args: INSTANCE|GROUP, name, state, priority. */
  notify?: ScriptCommand;
  master?: ScriptCommand;
  backup?: ScriptCommand;
  fault?: ScriptCommand;
  stop?: ScriptCommand;
  /** `notify_deleted [script]`; `deletedAsState` is true even without a script. */
  deleted?: ScriptCommand;
  masterRxLowerPri?: ScriptCommand;
}

export interface VrrpInstanceConfig {
  name: string;
  source: SourceRef;
  /** Initial state wish. Unset → MASTER iff priority 255, else BACKUP (K-11). */
  state: 'MASTER' | 'BACKUP';
  /** Unset only for unicast instances without `interface`. */
  interface?: string;
  /** 1..255. 0 when missing (always accompanied by an error diagnostic). */
  vrid: number;
  /** Base priority 1..255. Unset → 255 if `state MASTER`, else 100 (K-11). */
  priority: number;
  /** v2: whole seconds × 100 (1..255 s); v3: centiseconds (1..4095). Default 100. */
  advertIntervalCs: number;
  /** Per-instance `version`, else global vrrp_version (2); IPv6 forces 3. */
  version: 2 | 3;
  /** Family of the VIPs (4 when there are none, unless unicast/mcast addresses say 6). */
  family: Family;
  vips: IpAddressConfig[];
  excludedVips: IpAddressConfig[];
  noVirtualIpaddress: boolean;
  virtualRoutes: RouteConfig[];
  virtualRules: RuleConfig[];
  authentication?: AuthenticationConfig;
  unicastSrcIp?: string;
  unicastPeers: UnicastPeer[];
  /** Default 255. */
  unicastTtl: number;
  unicastFaultNoPeer: boolean;
  /** Also implied by a peer with min_ttl/max_ttl, or global vrrp_check_unicast_src. */
  checkUnicastSrc: boolean;
  mcastSrcIp?: string;
  /** Resolved: instance mcast_dst_ip, else global vrrp_mcast_group4/6 (224.0.0.18 / ff02::12). */
  mcastDstIp: string;
  /** True when `nopreempt` applies (it is cleared by `state MASTER`, as keepalived does). */
  nopreempt: boolean;
  /** `nopreempt` was written, even if keepalived cleared it (for the cross-node lint). */
  wantedNopreempt: boolean;
  /** 0..1000 s in ms; cleared by `state MASTER` and by strict mode. */
  preemptDelayMs: number;
  trackInterfaces: TrackInterfaceRef[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  trackProcesses: TrackRef[];
  trackBfds: TrackRef[];
  dontTrackPrimary: boolean;
  trackSrcIp: boolean;
  notify: NotifyScripts;
  /** `notify_deleted` given: report DELETED instead of FAULT when removed on reload. */
  notifyDeleted: boolean;
  notifyPriorityChanges: boolean;
  /** Default: global smtp_alert_vrrp, else smtp_alert, else false. */
  smtpAlert: boolean;
  /** Default global vrrp_garp_master_delay (5 s). 0 = no second burst. */
  garpMasterDelayMs: number;
  /** Default global vrrp_garp_master_repeat (5). */
  garpMasterRepeat: number;
  /** Default global vrrp_garp_master_refresh (0 = off). */
  garpMasterRefreshMs: number;
  /** Default global vrrp_garp_master_refresh_repeat (1). */
  garpMasterRefreshRepeat: number;
  /** Default = garpMasterDelayMs (global vrrp_garp_lower_prio_delay if set). */
  garpLowerPrioDelayMs: number;
  /** Default = garpMasterRepeat (global vrrp_garp_lower_prio_repeat if set). */
  garpLowerPrioRepeat: number;
  /** Default global (false), forced true by strict mode. */
  lowerPrioNoAdvert: boolean;
  higherPrioSendAdvert: boolean;
  v3ChecksumAsV2: boolean;
  /** Accept mode. Default true, unless strict (then owner-only). */
  accept: boolean;
  useVmac?: { name?: string; mac?: string };
  vmacXmitBase: boolean;
  /** strict_mode, default global vrrp_strict. */
  strict: boolean;
  skipCheckAdvAddr: boolean;
  /** 1..100, default global vrrp_down_timer_adverts (3). */
  downTimerAdverts: number;
  promoteSecondaries: boolean;
  ownerIgnoreAdverts: boolean;
  /** `timer_expired_backup [PRIO]`. */
  timerExpiredBackup?: { priority?: number };
  /** Name of the vrrp_sync_group this instance belongs to (filled in by the compiler). */
  syncGroup?: string;
}

export interface VrrpSyncGroupConfig {
  name: string;
  source: SourceRef;
  members: string[];
  notify: NotifyScripts;
  notifyDeleted: boolean;
  smtpAlert: boolean;
  trackInterfaces: TrackInterfaceRef[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  trackProcesses: TrackRef[];
  trackBfds: TrackRef[];
  syncGroupTrackingWeight: boolean;
}

export interface VrrpScriptConfig {
  name: string;
  source: SourceRef;
  command?: ScriptCommand;
  /** Default 1 s. */
  intervalMs: number;
  /** Default = interval. */
  timeoutMs: number;
  /** −253..253, default 0 (0 = FAULT on failure). */
  weight: number;
  reverse: boolean;
  /** Default 1. */
  rise: number;
  /** Default 1. */
  fall: number;
  initFail: boolean;
}

export interface TrackFileConfig {
  name: string;
  source: SourceRef;
  path?: string;
  /** −254..254, default 1 (value × weight). */
  weight: number;
  reverse: boolean;
  initFile?: { value: number; overwrite: boolean };
}

export interface TrackProcessConfig {
  name: string;
  source: SourceRef;
  process?: string;
  /** Parameters to match (from `process NAME args…`). */
  params: string[];
  paramMatch: 'exact' | 'initial' | 'partial';
  /** −254..254, default 0. */
  weight: number;
  reverse: boolean;
  /** Default 1. */
  quorum: number;
  quorumMax?: number;
  forkDelayMs: number;
  terminateDelayMs: number;
  delayMs: number;
  fullCommand: boolean;
}

export type CheckerKind =
  | 'TCP_CHECK'
  | 'HTTP_GET'
  | 'SSL_GET'
  | 'SMTP_CHECK'
  | 'MISC_CHECK'
  | 'DNS_CHECK'
  | 'UDP_CHECK'
  | 'PING_CHECK'
  | 'FILE_CHECK'
  | 'BFD_CHECK';

export interface HttpUrlConfig {
  path?: string;
  digest?: string;
  /** Status code ranges [lo, hi]; default [[200, 299]]. */
  statusCodes: Array<[number, number]>;
  virtualhost?: string;
  regex?: string;
  regexNoMatch: boolean;
}

export interface CheckerConfig {
  kind: CheckerKind;
  source: SourceRef;
  connectIp?: string;
  connectPort?: number;
  bindto?: string;
  bindPort?: number;
  bindIf?: string;
  fwmark?: number;
  /** Inherited from real_server / virtual_server (default 5 s). */
  connectTimeoutMs: number;
  /** Default 1 (DNS 3, MISC 0). */
  retry: number;
  /** Default 1 s (HTTP/SSL 3 s). */
  delayBeforeRetryMs: number;
  /** Inherited (default 60 s). */
  delayLoopMs: number;
  warmupMs?: number;
  alpha: boolean;
  logAllFailures: boolean;
  /** HTTP_GET / SSL_GET. */
  urls: HttpUrlConfig[];
  httpProtocol?: string;
  virtualhost?: string;
  enableSni: boolean;
  /** MISC_CHECK. */
  misc?: { command?: ScriptCommand; timeoutMs?: number; dynamic: boolean };
  /** SMTP_CHECK. */
  heloName?: string;
  /** DNS_CHECK. */
  dns?: { type: string; name: string };
  /** UDP_CHECK. */
  udp?: { payload?: string; requireReply?: string; minReplyLength?: number; maxReplyLength?: number };
  /** FILE_CHECK. */
  file?: { trackFile?: string; weight?: number; reverse: boolean; dynamic: boolean };
  /** BFD_CHECK. */
  bfdName?: string;
}

export interface RealServerConfig {
  source: SourceRef;
  address: string;
  family: Family;
  port?: number;
  /** Default 1 (0 is legal). */
  weight: number;
  lvsMethod?: string;
  notifyUp?: ScriptCommand;
  notifyDown?: ScriptCommand;
  inhibitOnFailure: boolean;
  alpha: boolean;
  smtpAlert?: boolean;
  virtualhost?: string;
  uthreshold?: number;
  lthreshold?: number;
  checkers: CheckerConfig[];
}

export type VirtualServerTarget =
  | { kind: 'ip'; address: string; port?: number; family: Family }
  | { kind: 'fwmark'; fwmark: number; family?: Family }
  | { kind: 'group'; group: string };

export interface VirtualServerConfig {
  source: SourceRef;
  target: VirtualServerTarget;
  /** Default 'TCP'. */
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** lvs_sched / lb_algo, default 'wlc'. */
  lvsSched: string;
  /** lvs_method / lb_kind, default 'NAT'. */
  lvsMethod: string;
  persistenceTimeoutS?: number;
  persistenceGranularity?: string;
  /** Default 60 s. */
  delayLoopMs: number;
  /** Default 5 s. */
  connectTimeoutMs: number;
  retry?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  sorryServer?: { address: string; port?: number };
  sorryServerInhibit: boolean;
  /** Default 1. */
  quorum: number;
  hysteresis: number;
  quorumUp?: ScriptCommand;
  quorumDown?: ScriptCommand;
  alpha: boolean;
  omega: boolean;
  inhibitOnFailure: boolean;
  haSuspend: boolean;
  virtualhost?: string;
  smtpAlert?: boolean;
  opsScheduling: boolean;
  realServers: RealServerConfig[];
}

export interface VirtualServerGroupConfig {
  name: string;
  source: SourceRef;
  /** Address or range entries (`10.0.0.1-10`, CIDR) with optional port. */
  addresses: Array<{ range: string; port?: number; family: Family }>;
  fwmarks: Array<{ fwmark: number; family?: Family }>;
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
  startupScript?: ScriptCommand;
  shutdownScript?: ScriptCommand;
  /** Every other accepted global keyword, verbatim (name → args), for dumps and --print. */
  other: Record<string, string[]>;
}

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
}
