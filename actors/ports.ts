/**
 * Ports: the only doors between the pure core (machines/, protocol/, config/) and the world.
 *
 * The daemon implements every port with real kernel I/O (adapters/), the simulator with
 * virtual hosts on a discrete-event clock (sim/). The composition root (actors/runtime.ts)
 * takes a `Ports` object and never knows which one it got.
 *
 * Rules for every port:
 *  - Callback style, never Promises: the simulator must deliver results at an exact simulated
 *    instant, and a Promise would resolve on a microtask outside simulated time.
 *  - Results are delivered asynchronously (never re-entrantly inside the call that asked).
 *  - Bad input from the outside world is reported as a value (an error string, a counted drop),
 *    never thrown across the port.
 *  - Addresses are strings in canonical form ("198.51.100.10", "2001:db8::1"); bytes are Uint8Array.
 *    A received VRRP packet's addresses are IpAddress values (protocol/addr.ts), built once from
 *    its bytes and carried as they are to the instance statechart.
 */
import type { IpAddress } from '../protocol/addr.js';

import type { LbTablePort } from './lvs/lb-port.js';
import type { Prober } from './lvs/prober-port.js';

/** XState's Clock plus a monotonic reading. Times are milliseconds (fractions allowed, µs resolution). */
export interface Clock {
  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown;
  clearTimeout(id: unknown): void;
  /**
   * Optional: like setTimeout, but `fn` runs as soon after `timeoutMs` as the platform can manage,
   * for the rare timer whose lateness is the figure that matters (a backup's Master_Down_Timer).
   * Node's timers round to whole milliseconds and so fire up to ~1.5 ms late; the daemon's clock
   * finishes the last millisecond on the event loop instead (a short busy wait), which is why
   * periodic timers must not use it. Cleared with clearTimeout. Without it, setTimeout is used.
   * `soon`, if given, is called once shortly before `fn` is due (the daemon's clock: when its long
   * sleep ends, at most max(5 ms, 1 % of the wait) + 1 ms ahead), unless the timeout is cleared
   * first: a chance to read what `fn` will need. A clock may never call it.
   */
  setPreciseTimeout?(fn: () => void, timeoutMs: number, soon?: () => void): unknown;
  /**
   * Optional: milliseconds until the first pending precise timeout that is due within `withinMs`
   * and has waited longer than it has left (0 if one is overdue), or undefined if there is none.
   * Only a backup's Master_Down_Timer is precise, and a steady backup restarts its timer with
   * every advert, long before half of it has gone: a timer this finds is a takeover on its way.
   * The daemon's VRRP child holds its takeover rehearsals back for it (role-host.ts).
   */
  preciseDueWithin?(withinMs: number): number | undefined;
  /**
   * Optional: one timer for `fn`, armed again and again (`set`), for a timer that runs once a
   * second for ever, thousands of them (a healthy checker's wait and deadline: probe-loop.ts).
   * `set(ms)` arms it `ms` from now, replacing any earlier arming; `clear()` disarms it. It
   * behaves as clearTimeout and setTimeout would, which is how `clockTimer` (clock-timer.ts)
   * makes one where it is missing (the simulator); the daemon's re-arms one Node timer instead
   * of making a new one each time.
   */
  timer?(fn: () => void): ClockTimer;
  /**
   * Optional: a re-armable timer like `timer`, that fires within microseconds of its due time
   * without a busy wait, for the one periodic timer whose every interval a peer sees: the
   * Adver_Timer. A set() made inside another precise timer's callback counts from the time that
   * callback's wake began (as keepalived's timers count from its scheduler's time_now). The
   * daemon's on Linux: one timerfd for all of them (adapters/linux/timerfd-timers.ts). Without
   * it, `timer` is used (`preciseClockTimer`, clock-timer.ts), and the simulator has none.
   */
  preciseTimer?(fn: () => void): ClockTimer;
  /** Monotonic milliseconds since an arbitrary origin. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for logs and dumps only (never for timers). */
  wallNow(): number;
}

/** A re-armable timer (Clock.timer). */
export interface ClockTimer {
  /** Arms it `ms` from now; an earlier arming that has not run is replaced. */
  set(ms: number): void;
  /** Disarms it (nothing happens when it is not armed). */
  clear(): void;
}

export type Family = 4 | 6;

/** One network interface as the kernel (or the simulator) sees it. */
export interface InterfaceInfo {
  name: string;
  index: number;
  /** "aa:bb:cc:dd:ee:ff" */
  mac: string;
  up: boolean;
  /** Operational carrier (IFF_RUNNING / lower up). */
  running: boolean;
  /** Addresses currently on the interface, CIDR form ("198.51.100.1/24", "fe80::1/64"). */
  addresses: string[];
}

/** A VRRP packet as it arrived. */
export interface VrrpRxPacket {
  family: Family;
  ifname: string;
  /** IPv4: the whole datagram, IP header included (source, destination and TTL are read from it,
   *  once, by the decoder). IPv6: the IPv6 payload only (the kernel strips the header); see src/dst/ttl. */
  data: Uint8Array;
  /** IPv6: source and destination as the socket reported them, built once from their bytes. */
  src?: IpAddress;
  dst?: IpAddress;
  /** IPv4 TTL or IPv6 hop limit as received. */
  ttl: number;
}

export interface VrrpSocketOptions {
  family: Family;
  ifname: string;
  /** Multicast groups to join (224.0.0.18 / ff02::12 or mcast_dst_ip); empty for unicast-only. */
  groups: string[];
  /** IP protocol: 112 (VRRP) or 51 (AH-authenticated VRRPv2). Both are opened when AH is configured. */
  protocols: number[];
}

/** Raw VRRP send/receive on one interface and family. */
export interface VrrpSocket {
  /** IPv4: `data` is a complete IPv4 datagram built by protocol/ (IP_HDRINCL).
   *  IPv6: `data` is the VRRP message; the port fills in the IPv6 header with hop limit 255.
   *  The port is done with `data` when send returns (it is sent or copied by then): the caller
   *  may change the bytes for its next send (actors/vrrp/vrrp-io.ts patches one packet per advert). */
  send(data: Uint8Array, dst: string, src?: string): string | undefined;
  /**
   * Optional (the daemon's sockets on Linux: adapters/linux/advert-backstop.ts). Hands over the
   * datagram `send` would send next for `key` (a master's next periodic advert), to leave `inMs`
   * from now (plus the adapter's grace) from a thread of the adapter's own should this one be
   * held up then. Replaces what `key` held.
   */
  backstop?(key: string, data: Uint8Array, dst: string, src: string | undefined, inMs: number): void;
  /** Takes back what `key` held: -1 when it did not leave (the caller sends it), else the ms since it left. */
  takeBackstop?(key: string): number;
  /** Forgets what `key` held: it will not leave. */
  dropBackstop?(key: string): void;
  /**
   * Optional (the daemon's sockets on Linux: adapters/linux/advert-backstop.ts). The socket sends
   * `data` for `key` itself, from a thread of the adapter's, `firstInMs` from now and then every
   * `intervalMs`, each counted from when the one before it was sent (a steady master's adverts);
   * an IPv4 datagram carries the next ID after `ipId` each time. Replaces what `key` held. false:
   * it cannot (the caller sends them itself). `onStop` is told when the socket stops on its own
   * (a send failed, the socket closed), with what `repeatRead(key, true)` would have returned.
   */
  repeat?(key: string, data: Uint8Array, dst: string, src: string | undefined, firstInMs: number, intervalMs: number, ipId: number | undefined, onStop: (r: RepeatState) => void): boolean;
  /** What `key` repeats: undefined when it does not; with `end`, it stops. */
  repeatRead?(key: string, end: boolean): RepeatState | undefined;
  close(): void;
}

/** A repetition's account (VrrpSocket.repeat). */
export interface RepeatState {
  /** Datagrams sent since the last read. */
  sent: number;
  /** The IPv4 ID the last one carried (0 for IPv6). */
  ipId: number;
  /** ms until the next one is due (0 once a send failed). */
  dueInMs: number;
  /** A send failed (errno): the repetition stopped there, that datagram not sent. */
  failed: number;
}

export interface VrrpNet {
  /** Open a VRRP socket; `onPacket` runs for every packet received, `onError` for I/O errors. */
  open(
    opts: VrrpSocketOptions,
    onPacket: (p: VrrpRxPacket) => void,
    onError: (message: string) => void,
  ): VrrpSocket | { error: string };
  /** Send one raw Ethernet frame (gratuitous ARP, unsolicited NA). Returns an error string on failure. */
  sendFrame(ifname: string, frame: Uint8Array): string | undefined;
}

/** An address to put on an interface (virtual_ipaddress / static_ipaddress line). */
export interface AddressSpec {
  address: string;
  prefixLength: number;
  family: Family;
  ifname: string;
  broadcast?: string;
  label?: string;
  scope?: 'global' | 'site' | 'link' | 'host' | 'nowhere';
  /** IPv6: skip duplicate address detection (keepalived adds VIPs with nodad). */
  noDad?: boolean;
}

export interface RouteSpec {
  family: Family;
  /** "198.51.100.0/24" or "default" */
  destination: string;
  gateway?: string;
  ifname?: string;
  source?: string;
  table?: number;
  metric?: number;
  scope?: AddressSpec['scope'];
  type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';
}

export interface RuleSpec {
  family: Family;
  from?: string;
  to?: string;
  table?: number;
  priority?: number;
  fwmark?: number;
  iif?: string;
  oif?: string;
}

export type LinkEvent =
  | { type: 'link.up'; ifname: string; index: number }
  | { type: 'link.down'; ifname: string; index: number }
  | { type: 'link.added'; ifname: string; index: number }
  | { type: 'link.deleted'; ifname: string; index: number }
  | { type: 'address.added'; ifname: string; address: string }
  | { type: 'address.removed'; ifname: string; address: string };

/** Addresses, routes, rules and link state (rtnetlink in the daemon). */
export interface NetConfig {
  interfaces(): readonly InterfaceInfo[];
  addAddress(a: AddressSpec, done: (error?: string) => void): void;
  removeAddress(a: AddressSpec, done: (error?: string) => void): void;
  addRoute(r: RouteSpec, done: (error?: string) => void): void;
  removeRoute(r: RouteSpec, done: (error?: string) => void): void;
  addRule(r: RuleSpec, done: (error?: string) => void): void;
  removeRule(r: RuleSpec, done: (error?: string) => void): void;
  /** Subscribe to link and address events; returns an unsubscribe function. */
  watch(onEvent: (e: LinkEvent) => void): () => void;
}

export interface ScriptSpec {
  /** The command line as written in keepalived.conf (split with keepalived's quoting rules by the caller). */
  argv: string[];
  timeoutMs: number;
  user?: string;
  group?: string;
  /** Extra environment for notify scripts. */
  env?: Record<string, string>;
  /**
   * enable_script_security: refuse to run the program (result `error`, in keepalived's words)
   * when any component of its path could be changed by someone other than root, or when it is
   * missing or not executable for the user it would run as.
   */
  secure?: boolean;
}

export interface ScriptResult {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  /** Set when the script could not be started at all (missing, not executable, insecure). */
  error?: string;
}

/** Runs vrrp_script checks, notify scripts and MISC_CHECK programs. */
export interface ScriptRunner {
  run(spec: ScriptSpec, done: (r: ScriptResult) => void): { cancel(): void };
}

/** Reads files for track_file and writes notify FIFO lines. */
export interface Files {
  /** Read a whole small file as text; `undefined` content when it does not exist. */
  read(path: string, done: (content: string | undefined, error?: string) => void): void;
  /** Append one line to a FIFO or file (notify_fifo). */
  writeLine(path: string, line: string, done: (error?: string) => void): void;
  /** Watch a path for changes; returns an unwatch function. */
  watch(path: string, onChange: () => void): () => void;
}

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface MailServer {
  host: string;
  port: number;
  connectTimeoutMs: number;
  helo?: string;
}

/** SMTP alerts (nodemailer in the daemon). */
export interface Mailer {
  send(server: MailServer, message: MailMessage, done: (error?: string) => void): void;
}

/** How to recognise a tracked process (vrrp_track_process `process`, `param_match`, `full_command`). */
export interface ProcessMatchSpec {
  /** Process name (/proc/PID/comm), or the command path with `fullCommand`. */
  process: string;
  params: string[];
  paramMatch: 'exact' | 'initial' | 'partial';
  fullCommand: boolean;
  /** A bare `param_match`: only a process started with no parameters matches. */
  noParams?: boolean;
}

/** Counts running processes for track_process (keepalived uses the proc connector). */
export interface ProcessMonitor {
  /** Report the number of matching processes (asynchronously) now and whenever it changes; returns an unwatch function. */
  watch(match: ProcessMatchSpec, onCount: (count: number) => void): () => void;
}

/**
 * Severity of a log line. `detail` is keepalived's detail line (`-D`, log_detail): written only
 * with -D, and then at severity info, as keepalived does ("(VI_1) setting VIPs.", "Sending
 * gratuitous ARP on eth0 for …"). `debug` lines are ours alone, also only with -D.
 */
export type LogLevel = 'debug' | 'detail' | 'info' | 'notice' | 'warning' | 'error';

/** Log lines use keepalived's wording for the lines operators grep. */
export interface Logger {
  log(level: LogLevel, message: string): void;
  /** Whether a line of `level` would be written (absent: every level is). Lets a hot path skip
   *  building a line nobody reads, such as a `detail` line per gratuitous ARP without -D. */
  enabled?(level: LogLevel): boolean;
}

/** A use_vmac macvlan: RFC 9568 §7.3 virtual MAC 00:00:5e:00:01:VRID (IPv6 …:02:VRID) on a base interface. */
export interface VmacSpec {
  baseIfname: string;
  vrid: number;
  family: Family;
  /** use_vmac NAME; default vrrp.VRID */
  name?: string;
  /**
   * IPv6 VMAC that carries the adverts: the link-local address to give it (the base interface's,
   * as keepalived does), added without duplicate address detection.
   */
  linkLocal?: string;
}

/** Creates and deletes use_vmac interfaces (the daemon: macvlan via rtnetlink/ip). */
export interface VmacPort {
  /** Create (replacing a stale one) and bring up; `done(error, ifname)`. */
  create(spec: VmacSpec, done: (error: string | undefined, ifname: string) => void): void;
  remove(name: string, done: (error?: string) => void): void;
}

/** Everything the runtime needs from the world. */
export interface Ports {
  clock: Clock;
  vrrp: VrrpNet;
  net: NetConfig;
  scripts: ScriptRunner;
  files: Files;
  mailer: Mailer;
  logger: Logger;
  /** Optional: where processes cannot be watched, track_process objects count as failed (logged). */
  processes?: ProcessMonitor;
  /** Optional: without it, use_vmac is logged and the VIPs stay on the instance's interface. */
  vmac?: VmacPort;
  /** Optional: health-check attempts for the LVS checkers (real sockets, or the simulator's
   *  servers). Without it the LVS subsystem says once that nothing is checked. */
  prober?: Prober;
  /** Optional: the load-balancer table the virtual servers program (IPVS, nftables, the
   *  simulator's). Without it the servers are checked but not programmed (logged once). */
  lbTable?: LbTablePort;
  /** Optional: uniform draws in [0, 1) (checker warmup). The simulator gives its seeded PRNG, the
   *  daemon Math.random; without it every draw is 0 (first checks at exactly 1 s). */
  random?: () => number;
  /** The host's name, for SMTP alerts and router_id defaults. */
  hostname: string;
}
