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
 * Sockets are closed with a plain close (destroy): no SO_LINGER, which in keepalived 2.2.7 could
 * block the whole checker process for 5 s per socket (keepalived issue #2271).
 */
import net from 'node:net';
import type { ProbeTarget } from '../../actors/lvs/prober-port.js';
import type { CheckerConfig } from '../../config/model-lvs.js';
import { AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, SO_BINDTODEVICE, SO_MARK } from '../linux/constants.js';
import { parseIp } from '../../protocol/addr.js';
import { errorCode, errorText, netio } from '../linux/native.js';
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
