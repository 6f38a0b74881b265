/**
 * The load-balancer table port: the door between the virtual-server actors and whatever holds
 * the kernel's table of virtual services (IPVS over generic netlink, nftables DNAT maps, or the
 * simulator's table).
 *
 * keepalived programs IPVS with commands (add a service, add/set/delete a destination), in an
 * order operators and our golden captures depend on. The virtual-server actors therefore speak in
 * the same commands, in keepalived's order, and the IPVS backend can send exactly the messages
 * keepalived sends. Every backend must still be idempotent and reconcile rather than replay: it
 * keeps the desired table the commands imply, and at start and after any error it reads the
 * kernel's table and applies only the difference (keepalived's most common complaint is drift).
 *
 * Callback style like every port (actors/ports.ts): results arrive asynchronously, errors are
 * values, nothing is thrown across the port.
 */
import type { LvsSyncDaemonConfig, LvsTimeoutsConfig } from '../../config/model.js';
import type { Family } from '../ports.js';

export type LbProtocol = 'tcp' | 'udp' | 'sctp';
export type LbMethod = 'NAT' | 'DR' | 'TUN';

/** One kernel virtual service: address/protocol/port, or a firewall mark. A virtual_server_group
 *  becomes one service per address (or one per fwmark entry). */
export interface LbService {
  family: Family;
  /** Set for an address service; absent for a fwmark service. */
  protocol?: LbProtocol;
  address?: string;
  port?: number;
  /** Set for a fwmark service. */
  fwmark?: number;
  /** IPVS scheduler name as configured: rr, wrr, lc, wlc, sh, dh, mh, fo, … */
  scheduler: string;
  /** Scheduler and service flags by name: 'sh-fallback', 'sh-port', 'mh-fallback', 'mh-port', 'ops'. */
  flags: string[];
  /** persistence_timeout in seconds; 0 = not persistent. */
  persistenceTimeoutS: number;
  /** persistence_granularity: an IPv4 netmask ("255.255.255.0") or an IPv6 prefix length. */
  netmask?: string | number;
  /** persistence engine (`persistence_engine sip`). */
  pe?: string;
}

export interface LbTunnel {
  type: 'ipip' | 'gue' | 'gre';
  port?: number;
  checksum?: 'nocsum' | 'csum' | 'remcsum';
}

/** One real server (or sorry server) as a destination of a service. */
export interface LbDestination {
  family: Family;
  address: string;
  /** NAT keeps the real server's port; DR and TUN use the service's (0 for fwmark services). */
  port: number;
  method: LbMethod;
  tunnel?: LbTunnel;
  /** Effective weight; 0 keeps the destination (existing connections drain) but sends no new ones. */
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
}

/**
 * Commands in keepalived's order. `setDest` on a destination the table lacks adds it. `delDest`
 * carries the real server's own weight, not the 0 of inhibit_on_failure (keepalived deletes an
 * inhibited server with its weight, and the IPVS golden captures expect those bytes).
 */
export type LbCommand =
  | { cmd: 'addService'; service: LbService }
  | { cmd: 'delService'; service: LbService }
  | { cmd: 'addDest'; service: LbService; dest: LbDestination }
  | { cmd: 'setDest'; service: LbService; dest: LbDestination }
  | { cmd: 'delDest'; service: LbService; dest: LbDestination };

/** A command the backend could not carry out, in words an operator can act on. */
export interface LbError {
  command: LbCommand;
  message: string;
}

/** The table as the backend believes the kernel holds it (for `status`, `lvs` and dumps). */
export interface LbTableView {
  backend: string;
  services: Array<{ service: LbService; destinations: LbDestination[] }>;
}

/** The global_defs a backend acts on at start and stop. */
export interface LbGlobals {
  lvsFlush?: boolean;
  lvsFlushOnStop?: 'full' | 'vs';
  lvsTimeouts?: LvsTimeoutsConfig;
  lvsSyncDaemon?: LvsSyncDaemonConfig;
}

export interface LbTablePort {
  /** 'ipvs', 'nftables', 'sim' or 'none' (a backend that carries nothing: every service refused). */
  readonly backend: string;
  /** Why this backend cannot carry a service (scheduler or forwarding method it lacks), or undefined. */
  refuses(service: LbService, methods: LbMethod[]): string | undefined;
  /** Carry out the commands in order; `done` gets the ones that failed (empty when all held). */
  apply(commands: LbCommand[], done: (errors: LbError[]) => void): void;
  /** The table as last read or written. */
  view(done: (view: LbTableView) => void): void;
  /**
   * Optional start and stop duties, for backends that have them (IPVS: lvs_timeouts, lvs_flush,
   * lvs_flush_on_stop, a checker-run lvs_sync_daemon). `startup` goes before the first `apply`;
   * `shutdown` after the last (with lvs_flush_on_stop the subsystem sends no deletes of its own,
   * with `lvs_flush_on_stop VS` only delService). `done` gets one line per failure.
   */
  startup?(globals: LbGlobals, done: (errors: string[]) => void): void;
  shutdown?(globals: LbGlobals, done: (errors: string[]) => void): void;
  /** Empty the whole table this backend owns (lvs_flush at start, lvs_flush_onstop at stop) and
   *  forget the desired table; `done` gets an operator-readable error, or undefined. */
  flush(done: (error: string | undefined) => void): void;
  /** Release what the backend holds (sockets, child processes); the table itself is left as it is. */
  close(): void;
}
