/**
 * Outgoing TCP connections for TCP_CHECK, HTTP_GET, SSL_GET and SMTP_CHECK.
 *
 * Plain case: `net.connect` with bindto / bind_port as local address and port. Node has no
 * SO_BINDTODEVICE or SO_MARK and creates its socket lazily (after `inNetns` returned), so when
 * bind_if, fwmark or a network namespace is asked for, the socket is made by our addon
 * (adapters/linux/native.ts: socket, setsockopt, bind, inside the namespace) and handed to a
 * `net.Socket` that connects it. Failures of that preparation are local errors (keepalived:
 * "socket bind failed. Rescheduling."), reported as such and never counted against the server.
 *
 * TCP_CHECK needs no stream, only the handshake's result: `TcpConnects` does just that with the
 * addon (socket, connect, one epoll set for all connects in flight, SO_ERROR, close, results in
 * batches), at well under half the CPU of a `net.Socket` per check (bench/tcp-connect.bench.ts),
 * most of the rest being the kernel's. Where the addon cannot load, TCP_CHECK uses `connectTcp`
 * like the others.
 *
 * Sockets are closed with a plain close (destroy): no SO_LINGER, which in keepalived 2.2.7 could
 * block the whole checker process for 5 s per socket (keepalived issue #2271). With nothing
 * unsent, keepalived's SO_LINGER {1, 5 s} close sends the same FIN as ours.
 */
import net from 'node:net';
import { STRERROR } from '../../actors/errno.js';
import type { ProbeTarget } from '../../actors/lvs/prober-port.js';
import type { CheckerConfig } from '../../config/model-lvs.js';
import { AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_BINDTODEVICE, SO_MARK } from '../linux/constants.js';
import { parseIp } from '../../protocol/addr.js';
import { errnoName, errorCode, errorText, netio, type NetIo } from '../linux/native.js';
import { inNetns } from '../linux/netns.js';
import { sockaddrIn, sockaddrIn6 } from '../linux/sockaddr.js';
import { LocalError } from './errors.js';

export type SocketOptions = Pick<CheckerConfig, 'bindto' | 'bindPort' | 'bindIf' | 'fwmark'>;

export interface TcpConnectOptions {
  target: ProbeTarget;
  socket: SocketOptions;
  /** Network namespace the socket lives in (keepalived's net_namespace). */
  netns?: string | undefined;
}

/** The local address to bind, checked against the target's family; undefined when none is set. */
export function localBinding(o: SocketOptions, family: 4 | 6): { address: string; bytes: Buffer; port: number } | undefined {
  if (o.bindto === undefined) return undefined;
  const parsed = parseIp(o.bindto)?.bytes;
  const bytes = parsed && Buffer.from(parsed);
  if (!bytes || (bytes.length === 4 ? 4 : 6) !== family) {
    throw new LocalError(`bindto ${o.bindto} is not an IPv${family} address like the server's`);
  }
  // keepalived ignores bind_port unless bindto is set.
  return { address: o.bindto, bytes, port: o.bindPort ?? 0 };
}

/** Whether the addon must make the socket (Node alone cannot do what is asked). */
export function needsNativeSocket(o: SocketOptions, netns: string | undefined): boolean {
  return o.bindIf !== undefined || (o.fwmark !== undefined && o.fwmark !== 0) || (netns !== undefined && netns !== '');
}

/**
 * Makes a socket of `type` with bind_if, fwmark and bindto applied, inside `netns`.
 * Throws a LocalError (the socket closed) when any step fails.
 */
export function nativeSocket(family: 4 | 6, type: number, protocol: number, o: SocketOptions, netns: string | undefined): number {
  const io = netio();
  const local = localBinding(o, family);
  let fd: number;
  try {
    fd = inNetns(netns, () => io.socket(family === 4 ? AF_INET : AF_INET6, type, protocol));
  } catch (e) {
    throw new LocalError(`cannot create socket: ${errorText(e)}`, errorCode(e));
  }
  let step = 'bind_if';
  try {
    if (o.bindIf !== undefined) io.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${o.bindIf}\0`));
    step = 'fwmark';
    if (o.fwmark) io.setsockopt(fd, SOL_SOCKET, SO_MARK, o.fwmark >>> 0);
    step = 'bindto';
    if (local) io.bind(fd, family === 4 ? sockaddrIn(local.bytes, local.port) : sockaddrIn6(local.bytes, 0, local.port));
  } catch (e) {
    io.close(fd);
    const what = step === 'bind_if' ? `bind_if ${o.bindIf}` : step === 'fwmark' ? `fwmark ${o.fwmark}` : `bindto ${local?.address}${local?.port ? ` port ${local.port}` : ''}`;
    throw new LocalError(`${what}: ${errorText(e)}`, errorCode(e));
  }
  return fd;
}

/**
 * Starts a connection; the caller waits for 'connect' / 'error'. With the addon's socket the
 * stream starts paused, so data flows once the caller calls `resume()` or hands it to TLS.
 */
export function connectTcp(o: TcpConnectOptions): net.Socket {
  const { target } = o;
  if (!needsNativeSocket(o.socket, o.netns)) {
    const local = localBinding(o.socket, target.family);
    return net.connect({
      host: target.address,
      port: target.port,
      family: target.family,
      ...(local ? { localAddress: local.address, ...(local.port ? { localPort: local.port } : {}) } : {}),
    });
  }
  const fd = nativeSocket(target.family, SOCK_STREAM, 0, o.socket, o.netns);
  // pauseOnCreate: without it Node starts reading the not yet connected socket and sees EOF.
  const s = new net.Socket({ fd, pauseOnCreate: true } as net.SocketConstructorOpts);
  s.connect({ host: target.address, port: target.port });
  return s;
}

/** The batched connects when the addon loads and has them (a stale build may not): else undefined, asked once. */
let connects: TcpConnects | null | undefined;
export function bareConnects(): TcpConnects | undefined {
  if (connects === undefined) {
    try {
      const io = netio();
      connects = typeof io.tcpInit === 'function' ? new TcpConnects(io) : null;
    } catch {
      connects = null;
    }
  }
  return connects ?? undefined;
}

/** Made once per target (the checker passes the same target object to every attempt). */
const sockaddrs = new WeakMap<ProbeTarget, { address: string; port: number; sockaddr: Buffer }>();

/**
 * The target as a sockaddr_in / sockaddr_in6, or undefined when it is not a plain literal
 * address of its family (a scoped "fe80::1%eth0": `net` resolves those).
 */
export function targetSockaddr(t: ProbeTarget): Buffer | undefined {
  const hit = sockaddrs.get(t);
  if (hit && hit.address === t.address && hit.port === t.port) return hit.sockaddr;
  const p = parseIp(t.address);
  if (!p || p.family !== t.family) return undefined;
  const bytes = Buffer.from(p.bytes);
  const sockaddr = t.family === 4 ? sockaddrIn(bytes, t.port) : sockaddrIn6(bytes, 0, t.port);
  sockaddrs.set(t, { address: t.address, port: t.port, sockaddr });
  return sockaddr;
}

/** An Error like Node's for a failed connect: `.code` the errno name, `.syscall` "connect". */
export function connectError(errno: number): Error & { code: string; errno: number; syscall: string } {
  const code = errnoName(errno) ?? `E${errno}`;
  return Object.assign(new Error(`connect: ${STRERROR[code] ?? code}`), { code, errno, syscall: 'connect' });
}

/** What a connect reports to: `connected` runs once, from the event loop, unless closed first. */
export interface TcpWaiter {
  /** 0: the handshake completed (the socket is already closed, with a FIN); else the connect's errno. */
  connected(errno: number): void;
}

/** Results read per batch: the addon calls back at most this many connects at a time. */
const BATCH = 1024;

/**
 * TCP_CHECK's connects with the addon, without a stream (netio.c tcpStart…): the socket is made
 * (by `nativeSocket` when bind_if, fwmark, bindto or a namespace is asked for, else by the addon),
 * connected without blocking and registered in one epoll set with every other connect in flight.
 * When connects finish, the addon reads each one's SO_ERROR, closes it at once (a FIN once
 * connected: keepalived too closes right after the handshake) and reports the batch in one call,
 * which goes to each connect's waiter. The fd names a connect on both sides while it is in flight.
 */
export class TcpConnects {
  /** The waiter of each fd in flight. */
  private readonly waiting: Array<TcpWaiter | undefined> = [];
  private readonly results = new Int32Array(2 * BATCH);
  private readonly batch: Array<TcpWaiter | undefined> = new Array<TcpWaiter | undefined>(BATCH).fill(undefined);

  constructor(private readonly io: NetIo) {
    io.tcpInit(this.done, this.results);
  }

  private readonly done = (count: number): void => {
    const { results, waiting, batch } = this;
    // Every connect of the batch is out of flight (its fd closed, the number free for a new
    // socket) before any waiter runs, since a waiter may start or close connects.
    for (let i = 0; i < count; i++) {
      const fd = results[2 * i]!;
      batch[i] = waiting[fd];
      waiting[fd] = undefined;
    }
    for (let i = 0; i < count; i++) {
      const w = batch[i];
      batch[i] = undefined;
      w?.connected(results[2 * i + 1]!);
    }
  };

  /**
   * Starts a connect to `to` (targetSockaddr of `target`) for `w`, with the checker's socket
   * options, in `netns`; returns its fd. Throws a LocalError when
   * the socket cannot be made or registered, and the addon's error (`.code` ENETUNREACH…) when
   * connect fails at once.
   */
  start(target: ProbeTarget, socket: SocketOptions, netns: string | undefined, to: Buffer, w: TcpWaiter): number {
    const made = needsNativeSocket(socket, netns) || socket.bindto !== undefined ? nativeSocket(target.family, SOCK_STREAM, 0, socket, netns) : -1;
    let fd: number;
    try {
      fd = this.io.tcpStart(made, to);
    } catch (e) {
      if ((e as { syscall?: unknown }).syscall === 'connect') throw e;
      throw new LocalError(made < 0 && (e as { syscall?: unknown }).syscall === 'socket' ? `cannot create socket: ${errorText(e)}` : `cannot watch the socket: ${errorText(e)}`, errorCode(e));
    }
    this.waiting[fd] = w;
    return fd;
  }

  /**
   * The connect's state now, without waiting for its batch: 'pending' while the handshake goes
   * on (or when `fd` is no longer `w`'s); undefined once connected; the error once failed. Used
   * at the deadline (ProbeHandle.settle). It stays in flight: close it once decided.
   */
  settle(fd: number, w: TcpWaiter, to: Buffer): Error | undefined | 'pending' {
    if (this.waiting[fd] !== w) return 'pending';
    const errno = this.io.tcpSettle(fd, to);
    return errno < 0 ? 'pending' : errno === 0 ? undefined : connectError(errno);
  }

  /** Closes `w`'s connect if it is still in flight (a FIN once connected); its waiter is not called. */
  close(fd: number, w: TcpWaiter): void {
    if (this.waiting[fd] !== w) return;
    this.waiting[fd] = undefined;
    this.io.tcpClose(fd);
  }
}
