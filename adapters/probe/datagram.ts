/**
 * Datagram sockets made by our addon for DNS_CHECK, UDP_CHECK and PING_CHECK: Node's dgram
 * cannot set IP_RECVERR (needed to hear "host unreachable" as well as "port unreachable"),
 * SO_BINDTODEVICE or SO_MARK, nor create ICMP sockets.
 *
 * The socket is not connected: every datagram is sent to the target and only datagrams from the
 * target are delivered (what a connected socket does in the kernel). With IP_RECVERR an ICMP
 * error about our datagrams sets the socket error, which the next read reports (ECONNREFUSED for
 * port unreachable, EHOSTUNREACH, …) through `onError`.
 */
import type { WatchHandle } from '../linux/native.js';
import { IPPROTO_IP, IPPROTO_IPV6, IPV6_RECVERR, IP_RECVERR } from '../linux/constants.js';
import { errorCode, errorText, netio } from '../linux/native.js';
import { formatIp, parseIp } from '../../protocol/addr.js';
import { parseSockaddrInet, sockaddrIn, sockaddrIn6 } from '../linux/sockaddr.js';
import { LocalError } from './errors.js';
import { nativeSocket, type SocketOptions } from './tcp-socket.js';

export interface DatagramOptions {
  family: 4 | 6;
  type: number;
  protocol: number;
  socket: SocketOptions;
  netns?: string | undefined;
  /** Ask for ICMP errors (IP_RECVERR / IPV6_RECVERR). */
  recvErr: boolean;
  /** Where datagrams go, and the only source accepted (port 0: any port, for ICMP). */
  peer: { address: string; port: number };
  /** Deliver datagrams from any source (raw ICMP: errors come from routers). */
  anySource?: boolean;
  /** Extra socket options before binding (ICMP filters). */
  setup?: (fd: number) => void;
}

export interface Datagram {
  /** The peer's address in canonical form. */
  readonly peer: string;
  send(data: Uint8Array): void;
  close(): void;
}

export interface SocketFailure extends Error {
  code?: string;
}

const NO_CONTROL = Buffer.alloc(0);

function socketError(e: unknown): SocketFailure {
  const err: SocketFailure = new Error(errorText(e));
  const code = errorCode(e);
  if (code) err.code = code;
  return err;
}

/** Opens the socket (throws LocalError) and starts delivering datagrams from the peer. */
export function openDatagram(o: DatagramOptions, onPacket: (data: Buffer, from: string) => void, onError: (e: SocketFailure) => void): Datagram {
  const io = netio();
  const peerBytes = parseIp(o.peer.address)?.bytes;
  if (!peerBytes) throw new LocalError(`bad address ${o.peer.address}`);
  const fd = nativeSocket(o.family, o.type, o.protocol, o.socket, o.netns);
  try {
    if (o.recvErr) {
      if (o.family === 4) io.setsockopt(fd, IPPROTO_IP, IP_RECVERR, 1);
      else io.setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
    }
    o.setup?.(fd);
  } catch (e) {
    io.close(fd);
    throw new LocalError(`socket option: ${errorText(e)}`, errorCode(e));
  }
  const to = o.family === 4 ? sockaddrIn(peerBytes, o.peer.port) : sockaddrIn6(peerBytes, 0, o.peer.port);
  const peerText = formatIp(peerBytes);
  const data = Buffer.alloc(65536);
  const name = Buffer.alloc(28);
  let closed = false;
  let watch: WatchHandle | undefined;

  const drain = (): void => {
    for (let i = 0; i < 64 && !closed; i++) {
      let r: [number, number, number, number] | null;
      try {
        r = io.recvmsg(fd, data, name, NO_CONTROL);
      } catch (e) {
        onError(socketError(e));
        return;
      }
      if (!r) return;
      const from = parseSockaddrInet(name.subarray(0, r[1]));
      if (!from) continue;
      if (!o.anySource && (from.address !== peerText || (o.peer.port !== 0 && from.port !== o.peer.port))) continue;
      onPacket(Buffer.from(data.subarray(0, r[0])), from.address);
    }
  };
  try {
    watch = io.watch(fd, () => drain());
  } catch (e) {
    io.close(fd);
    throw new LocalError(`cannot watch socket: ${errorText(e)}`, errorCode(e));
  }

  return {
    peer: peerText,
    send(bytes) {
      try {
        io.sendmsg(fd, bytes, to, null);
      } catch (e) {
        throw socketError(e);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      if (watch) io.unwatch(watch);
      io.close(fd);
    },
  };
}
