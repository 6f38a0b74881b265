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
 * TCP_CHECK needs no stream, only the handshake's result: `connectBare` does just that with the
 * addon (socket, connect, a writable watch, SO_ERROR, close): about a quarter less CPU per check
 * than a `net.Socket` (bench/tcp-connect.bench.ts), most of the rest being the kernel's. Where the
 * addon cannot load, TCP_CHECK uses `connectTcp` like the others.
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
import { errnoName, errorCode, errorText, netio, type NetIo, type WatchHandle } from '../linux/native.js';
import { inNetns } from '../linux/netns.js';
import { sockaddrIn, sockaddrIn6 } from '../linux/sockaddr.js';
import { errnoCode, LocalError } from './errors.js';

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

/** The addon when it loads and has connect (a stale build may not): else undefined, asked once. */
let bare: NetIo | null | undefined;
export function bareConnectIo(): NetIo | undefined {
  if (bare === undefined) {
    try {
      const io = netio();
      bare = typeof io.connect === 'function' && typeof io.socketError === 'function' ? io : null;
    } catch {
      bare = null;
    }
  }
  return bare ?? undefined;
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

export interface BareConnection {
  /** Stops waiting and closes the socket (a FIN once connected). Idempotent. */
  close(): void;
  /**
   * Reads the handshake's state now, without waiting for the event loop to report the socket
   * writable: 'pending' while it goes on; undefined once connected; the error once failed. Used
   * at the deadline (ProbeHandle.settle). A second connect(2) tells: EISCONN connected, EALREADY
   * in progress, else the handshake's error.
   */
  settle(): Error | undefined | 'pending';
}

/**
 * Starts a non-blocking connect to `to` (targetSockaddr) on a socket made by `nativeSocket`
 * (bind_if, fwmark, bindto / bind_port, netns). `done` runs once, from the event loop, with
 * undefined when the handshake completed or the connect error (connectError); it does not run
 * after close(). Throws a LocalError when the socket cannot be prepared, and the addon's error
 * (`.code` ENETUNREACH…) when connect fails at once.
 */
export function connectBare(io: NetIo, o: TcpConnectOptions, to: Buffer, done: (error: Error | undefined) => void): BareConnection {
  const fd = nativeSocket(o.target.family, SOCK_STREAM, 0, o.socket, o.netns);
  let open = true;
  let watch: WatchHandle | undefined;
  const stop = (): void => {
    if (watch) io.unwatch(watch);
    watch = undefined;
  };
  const close = (): void => {
    if (!open) return;
    open = false;
    stop();
    io.close(fd);
  };
  try {
    io.connect(fd, to);
  } catch (e) {
    close();
    throw e;
  }
  try {
    // Connected or not, the socket turns writable when the handshake ends (at once if it has).
    watch = io.watch(
      fd,
      (status) => {
        if (!open) return;
        // A connected socket stays writable: one answer is all we want.
        stop();
        const errno = io.socketError(fd) || (status < 0 ? -status : 0);
        done(errno ? connectError(errno) : undefined);
      },
      true,
    );
  } catch (e) {
    close();
    throw new LocalError(`cannot watch the socket: ${errorText(e)}`, errorCode(e));
  }
  const settle = (): Error | undefined | 'pending' => {
    if (!open) return 'pending';
    const errno = io.socketError(fd);
    if (errno) return connectError(errno);
    try {
      return io.connect(fd, to) ? undefined : 'pending';
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EISCONN') return undefined;
      if (code === 'EALREADY' || code === 'EINPROGRESS') return 'pending';
      return e instanceof Error ? e : new Error(String(e));
    }
  };
  return { close, settle };
}
