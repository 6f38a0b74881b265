/**
 * The socket under the client: one datagram out, datagrams in. `createNetlinkTransport` opens a
 * NETLINK_GENERIC socket from the `netlink` package, loaded only when called, so the codec works
 * (and this package installs) where that native addon is absent.
 *
 * We use the package's RawNetlinkSocket rather than its GenericNetlinkSocket: we need the exact
 * bytes both ways, the errno of every NLMSG_ERROR, and NLMSG_DONE's status, which the higher
 * layers fold into text ("Request rejected: ESRCH") or drop.
 */
import { createRequire } from 'node:module';

export interface NetlinkTransport {
  /** The socket's netlink port id: nlmsg_pid of our requests. */
  readonly portId: number;
  /** Send one datagram holding one or more complete netlink messages. */
  send(datagram: Uint8Array, done?: (error?: Error) => void): void;
  /** Where received datagrams and socket errors go (set once by the client). */
  listen(onDatagram: (datagram: Uint8Array) => void, onError: (error: Error) => void): void;
  /** While requests are outstanding the socket keeps the event loop alive; otherwise not. */
  setBusy?(busy: boolean): void;
  close(): void;
}

/** The part of the `netlink` package we use. */
interface RawSocket {
  on(event: 'message', cb: (msg: Buffer) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  send(msg: Uint8Array, options: { port: number }, cb: (err?: Error) => void): void;
  address(): { port: number };
  ref(): void;
  unref(): void;
  close(): void;
}
interface NetlinkModule {
  RawNetlinkSocket: new (protocol: number, options?: { recvBufferSize?: number; sendBufferSize?: number }) => RawSocket;
}

const NETLINK_GENERIC = 16;

export interface NetlinkTransportOptions {
  /** SO_RCVBUF in bytes (dumps of large tables arrive in many datagrams); default 1 MiB. */
  recvBufferBytes?: number;
  /**
   * Wraps the socket's creation: to create it inside a network namespace, or to find and tune
   * its descriptor. Called once with a function that creates the socket.
   */
  around?: <T>(create: () => T) => T;
  /** The module to use instead of `require('netlink')` (tests). */
  netlinkModule?: unknown;
}

/** Thrown by createNetlinkTransport when the `netlink` package or its addon cannot be loaded. */
export class NetlinkUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetlinkUnavailableError';
  }
}

function loadNetlink(): NetlinkModule {
  try {
    return createRequire(import.meta.url)('netlink') as NetlinkModule;
  } catch (e) {
    throw new NetlinkUnavailableError(`the 'netlink' package is not available (${(e as Error).message.split('\n')[0]}): install it next to ipvs-netlink`);
  }
}

/** Open a NETLINK_GENERIC socket (throws NetlinkUnavailableError, or the socket's own error). */
export function createNetlinkTransport(opts: NetlinkTransportOptions = {}): NetlinkTransport {
  const mod = (opts.netlinkModule as NetlinkModule | undefined) ?? loadNetlink();
  const create = () => new mod.RawNetlinkSocket(NETLINK_GENERIC, { recvBufferSize: opts.recvBufferBytes ?? 1 << 20 });
  const sock = opts.around ? opts.around(create) : create();
  sock.unref();
  let closed = false;
  return {
    portId: sock.address().port,
    send(datagram, done) {
      if (closed) {
        done?.(new Error('netlink socket closed'));
        return;
      }
      sock.send(datagram, { port: 0 }, (err) => done?.(err ?? undefined));
    },
    listen(onDatagram, onError) {
      sock.on('message', (msg: Buffer) => onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)));
      sock.on('error', onError);
    },
    setBusy(busy) {
      if (closed) return;
      if (busy) sock.ref();
      else sock.unref();
    },
    close() {
      if (closed) return;
      closed = true;
      sock.close();
    },
  };
}
