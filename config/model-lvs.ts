/** The LVS half of the model: virtual servers, real servers and their health checkers. */
import type { Family, ScriptCommand, SourceRef } from './model.js';

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

/**
 * The top-level `SSL { }` block (keepalived check_parser.c): the client side of every SSL_GET.
 * keepalived loads `ca` but never verifies the server's certificate; `password` unlocks `key`.
 */
export interface SslConfig {
  source: SourceRef;
  password?: string;
  ca?: string;
  certificate?: string;
  key?: string;
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
