/** The VRRP half of the model: instances, sync groups, trackers, addresses, routes and rules. */
import type { Family, ScriptCommand, SourceRef } from './model.js';

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
  /** `state MASTER` was written but keepalived cleared it (strict mode non-owner, AH): printed again so keepalived says so again. */
  wantedMaster?: true;
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
  /** How `params` are compared (keepalived's default `exact` when there are parameters). */
  paramMatch: 'exact' | 'initial' | 'partial';
  /**
   * Bare `param_match` and no parameters: keepalived 2.2.7 then compares the (empty) parameter list
   * exactly, so only a process started without arguments counts (PARAM_MATCH_EXACT without
   * process_params). Absent otherwise.
   */
  noParams?: true;
  /** −254..254, default 0. */
  weight: number;
  reverse: boolean;
  /** Default 1. */
  quorum: number;
  quorumMax?: number;
  forkDelayMs: number;
  terminateDelayMs: number;
  delayMs: number;
  /**
   * Compare `process` with argv[0] of /proc/PID/cmdline instead of the process name (comm). Set by
   * `full_command`, and (as keepalived 2.2.7 does) by `param_match` in any form and by parameters
   * on the `process` line.
   */
  fullCommand: boolean;
}
