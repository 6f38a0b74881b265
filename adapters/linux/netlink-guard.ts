/**
 * Guards sockets of the `netlink` package (0.3.0) against receive-buffer overruns.
 *
 * When a netlink socket's receive queue overflows, the kernel flags the socket with ENOBUFS and
 * epoll reports EPOLLERR. libuv turns that into a poll error, and the package's native poll
 * handler then builds its error object with a null syscall name, which throws a C++ exception
 * that nothing catches: the process aborts (SIGABRT, "terminate called after throwing an
 * instance of 'Napi::Error'"). A burst of address changes (1,000 VIPs at once) or an event loop
 * busy for a few seconds is enough to get there.
 *
 * The package does not expose its descriptor, so `guardNetlinkSocket` finds it as the one socket
 * descriptor that appeared while the socket was created, then sets NETLINK_NO_ENOBUFS (an
 * overrun drops messages instead of flagging the socket) and, when asked, a receive buffer
 * above net.core.rmem_max with SO_RCVBUFFORCE (root). keepalived likewise forces its netlink
 * buffers past rmem_max (vrrp_netlink_*_rcv_bufs_force).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { NETLINK_NO_ENOBUFS, SO_RCVBUFFORCE, SOL_NETLINK, SOL_SOCKET } from './constants.js';
import { netio } from './native.js';

function socketFds(): Set<number> {
  const fds = new Set<number>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`).startsWith('socket:')) fds.add(Number(name));
    } catch {
      // closed meanwhile (the directory's own descriptor, for one)
    }
  }
  return fds;
}

export interface NetlinkGuardOptions {
  /** Receive buffer to force, in bytes (the kernel doubles it for bookkeeping). */
  recvBufferBytes?: number;
  /** Told when the guard cannot be applied (the socket works, but an overrun would abort). */
  onWarning?: (message: string) => void;
}

/** Create a `netlink` package socket with `create` and guard it (see the file comment). */
export function guardNetlinkSocket<T>(create: () => T, opts: NetlinkGuardOptions = {}): T {
  const before = socketFds();
  const socket = create();
  const added = [...socketFds()].filter((fd) => !before.has(fd));
  if (added.length !== 1) {
    opts.onWarning?.(`netlink socket descriptor not found (${added.length} new sockets): receive overruns are not guarded`);
    return socket;
  }
  const fd = added[0]!;
  const io = netio();
  try {
    io.setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1);
  } catch (e) {
    opts.onWarning?.(`netlink socket: cannot set NETLINK_NO_ENOBUFS: ${(e as Error).message}`);
  }
  if (opts.recvBufferBytes !== undefined) {
    try {
      io.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, opts.recvBufferBytes);
    } catch {
      // not root (no CAP_NET_ADMIN): SO_RCVBUF's rmem_max cap stays, NO_ENOBUFS still protects
    }
  }
  return socket;
}
