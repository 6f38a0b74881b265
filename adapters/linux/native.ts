/**
 * Loader and typed view of our N-API addon (native/netio.c). `npm ci` needs no compiler for it:
 * prebuilt binaries for linux-x64 and linux-arm64 (glibc) ship in prebuilds/, and the install
 * script (node-gyp-build) builds from source only where none of them loads. Only
 * adapters/linux uses it, and only the daemon loads it.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';

/** Opaque readiness watcher returned by `watch`. */
export type WatchHandle = { readonly __watch: unique symbol };

export interface NetIo {
  /** socket(2); always SOCK_NONBLOCK | SOCK_CLOEXEC. Throws an Error with `.code` (errno name). */
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer | number): void;
  bind(fd: number, sockaddr: Buffer): void;
  /** sendmsg(2) with MSG_DONTWAIT; returns bytes sent. */
  sendmsg(fd: number, data: Uint8Array, sockaddr: Buffer | null, control: Buffer | null): number;
  /** recvmsg(2); `null` when nothing is queued, else [bytes, nameLength, controlLength, flags]. */
  recvmsg(fd: number, data: Buffer, name: Buffer, control: Buffer): [number, number, number, number] | null;
  /** poll(2) for one fd; blocks up to timeoutMs. Only for synchronous netlink dumps. */
  waitReadable(fd: number, timeoutMs: number): boolean;
  /**
   * Calls `onReady(status)` from the event loop each time fd becomes readable (writable with
   * `writable`). A negative status (libuv's -errno) means an error is pending and polling stopped.
   */
  watch(fd: number, onReady: (status: number) => void, writable?: boolean): WatchHandle;
  /** Stops a watcher. Call before close(fd). Idempotent. */
  unwatch(handle: WatchHandle): void;
  /** The watcher no longer keeps the process alive. */
  unref(handle: WatchHandle): void;
  /** The watcher keeps the process alive again (as it does from `watch`). */
  ref(handle: WatchHandle): void;
  /** timerfd_create(2): a CLOCK_MONOTONIC timer fd, non-blocking and close-on-exec, disarmed. */
  timerfd(): number;
  /**
   * Arms the timer fd to expire once `delayMs` from now (fractions count, to the nanosecond; at
   * least 1 ns), or disarms it with Infinity. Drops the expirations not yet read: the fd is not
   * readable again until the new expiry.
   */
  timerfdSet(fd: number, delayMs: number): void;
  close(fd: number): void;
  /**
   * TCP_CHECK's connects, many at a time (adapters/probe/tcp-socket.ts TcpConnects): makes this
   * environment's epoll set. `onDone(count)` then receives each batch of finished connects in
   * `results`: results[2i] the fd (already closed), results[2i + 1] 0 when connected, else the
   * errno. `results` is valid during the call only.
   */
  tcpInit(onDone: (count: number) => void, results: Int32Array): void;
  /**
   * Connects `fd` (or, with -1, a new non-blocking socket of the address's family) to `sockaddr`
   * and registers it; returns the fd, whose result comes in a batch. The fd is the addon's from
   * then on: closed on any error, which is thrown with `.code` and `.syscall` (connect: the
   * server's failure; socket, epoll_ctl…: local).
   */
  tcpStart(fd: number, sockaddr: Buffer): number;
  /** A registered connect's state now: 0 connected, -1 in progress, else its errno (SO_ERROR, then a second connect). */
  tcpSettle(fd: number, sockaddr: Buffer): number;
  /** Closes a registered connect (its result never comes); false, and nothing done, for an fd not in flight. */
  tcpClose(fd: number): boolean;
  /** The advert backstop (native/advert-backstop.c, adapters/linux/advert-backstop.ts): a new
   *  slot's number; the backstop's thread is started with the first. */
  backstopSlot(): number;
  /** The slot holds this datagram, to be sent on `fd` in `inMs` unless taken back first. */
  backstopArm(slot: number, fd: number, data: Uint8Array, sockaddr: Buffer | null, control: Buffer | null, inMs: number): void;
  /** Empties the slot: ms since the backstop's thread sent what it held, or -1 when it did not. */
  backstopTake(slot: number): number;
  /** Drops the slot (its number may be handed out again). */
  backstopFree(slot: number): void;
  /** Empties every slot that sends on `fd`; afterwards nothing is sent on it (it may be closed). */
  backstopCancelFd(fd: number): void;
  /** The thread wakes `inMs` from now and sends what is due (Infinity: at the earliest slot's due time). */
  backstopGuard(inMs: number): void;
  /** [datagrams the threads sent, the first's wake-ups, failed sends, 1 when the first runs at
   *  realtime priority, datagrams the second (covering) thread sent, its wake-ups, 1 when it runs] */
  backstopStats(): [number, number, number, number, number, number, number];
  /** The slot sends `data` on `fd` in `firstInMs` and every `intervalMs` after (each counted from
   *  the wake that sent the one before, up to `earlyMs` before its due time), the IPv4 ID after
   *  `ipId` in each (-1: bytes as they are). */
  backstopRepeat(slot: number, fd: number, data: Uint8Array, sockaddr: Buffer | null, control: Buffer | null, firstInMs: number, intervalMs: number, earlyMs: number, ipId: number): void;
  /** [sent since the last read, the last IPv4 ID, ms until the next, the failed send's errno or 0]; `end` stops it. */
  backstopRepeatRead(slot: number, end: boolean): [number, number, number, number];
  /** An eventfd that turns readable when a repeating slot's send failed (starts the thread). */
  backstopFailFd(): number;
  /** The slots whose repeating send failed; drains the eventfd. */
  backstopFailed(): number[];
  /** The JavaScript thread is alive: repeating slots send for `ms` more (none before the first lease). */
  backstopLease(ms: number): void;
  /** Starts (true) or stops (false) the second thread, which sends what the first leaves 0.5 ms
   *  past its due time, from another CPU: whether it runs now (only with realtime priority and a
   *  second CPU; starts the first thread too). */
  backstopCover(on: boolean): boolean;
  /** setns(2) for the calling (main) thread. */
  setns(fd: number, nstype: number): void;
  /** mkfifo(3). */
  mkfifo(path: string, mode: number): void;
}

/** An Error thrown by the addon. */
export interface NetIoError extends Error {
  code: string;
  errno: number;
}

let loaded: NetIo | undefined;

/** The package root (holding binding.gyp, build/ and prebuilds/), from source or from dist/. */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // adapters/linux/ from source, dist/adapters/linux/ when compiled.
  const candidates = [join(here, '../..'), join(here, '../../..')];
  return candidates.find((d) => existsSync(join(d, 'binding.gyp'))) ?? candidates[0]!;
}

/** Why the addon cannot be loaded here, in words an operator can act on. */
export function netioMissing(detail: string): string {
  return (
    `the native addon netio (native/netio.c) is not available for ${process.platform}-${process.arch}: ` +
    `no prebuilt binary in prebuilds/ matches and build/Release/netio.node was not built (${detail.split('\n')[0]}). ` +
    'Build it with `npm run build:native` (needs a C compiler, make, python3 and Node headers; on Debian: ' +
    'apt-get install build-essential python3, and npm_config_nodedir=/usr)'
  );
}

/**
 * The addon, loaded on first use (only the daemon's adapters call this): build/Release/netio.node
 * when it was built from source, else the prebuilt binary for this platform in prebuilds/
 * (node-gyp-build picks it). Throws a clear error when there is neither.
 */
export function netio(): NetIo {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string };
  let path: string;
  try {
    path = nodeGypBuild.path(packageRoot());
  } catch (e) {
    throw new Error(netioMissing(errorText(e)));
  }
  loaded = require(path) as NetIo;
  return loaded;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * An errno number's name ("EEXIST"), as libuv names it: the `.code` of the addon's own errors and
 * of Node's, and what the `netlink` package's request errors said. Undefined when unknown.
 */
export function errnoName(errno: number): string | undefined {
  const name = getSystemErrorName(-errno);
  return name.startsWith('E') ? name : undefined;
}

export function errorCode(e: unknown): string | undefined {
  return e instanceof Error && typeof (e as Partial<NetIoError>).code === 'string' ? (e as NetIoError).code : undefined;
}
