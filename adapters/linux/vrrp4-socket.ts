/**
 * IPv4 VRRP socket: receives over `raw-socket` (raw IP, protocol 112 and/or 51 for AH), sends
 * over a send-only IPPROTO_RAW socket of our addon.
 *
 * Sends complete IPv4 datagrams built by protocol/ (IP_HDRINCL), so the source address, TTL 255
 * and IP id are ours. A send is one sendmsg(2) before `send` returns, as the port promises:
 * raw-socket queues its sends until the next poll of the event loop, which let the gratuitous
 * ARPs sent right after an advert (synchronously, adapters/linux/frame-sender.ts) leave before
 * it, and reported errors later and without the instance. keepalived sends the advert first.
 * The bytes leave from the socket's own off-heap send buffer (send-buffer.ts) to a sockaddr kept
 * per destination, so an advert allocates nothing here. A master's next advert can be held by
 * the advert backstop (advert-backstop.ts), which sends it on the same fd if this thread is late.
 * Receives whole datagrams, IP header included, from which the decoder reads src/dst; the TTL is
 * reported, and the core drops anything but 255 (RFC 9568 §7.1).
 * Bound to the interface (SO_BINDTODEVICE), multicast sent out of it (IP_MULTICAST_IF) and not
 * looped back, and the configured groups joined on it (224.0.0.18 or mcast_dst_ip).
 */
import raw, { type RawSocket } from 'raw-socket';
import { sendErrorText } from '../../actors/errno.js';
import type { RepeatState, VrrpRxPacket, VrrpSocket, VrrpSocketOptions } from '../../actors/ports.js';
import {
  AF_INET,
  IPPROTO_IP,
  IPPROTO_RAW,
  IP_ADD_MEMBERSHIP,
  IP_HDRINCL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  SOCK_RAW,
  SOL_SOCKET,
  SO_BINDTODEVICE,
} from './constants.js';
import { parseIpv4 } from '../../protocol/addr.js';
import { errorCode, errorText, netio } from './native.js';
import { inNetns } from './netns.js';
import { SendBuffer, SendCache } from './send-buffer.js';
import { BackstopSlots, backstopEnabled } from './advert-backstop.js';
import { ipMreqn, sockaddrIn } from './sockaddr.js';

/** At least an IPv4 header's length, and version 4. */
function isIpv4Datagram(d: Uint8Array): boolean {
  return d.length >= 20 && d[0]! >> 4 === 4;
}

/** The IPv4 header fields the socket needs (the decoder reads the addresses); undefined for a
 *  datagram too short to hold a header. */
export function ipv4Envelope(d: Uint8Array): { ttl: number; protocol: number } | undefined {
  if (!isIpv4Datagram(d)) return undefined;
  return { ttl: d[8]!, protocol: d[9]! };
}

export function openVrrp4Socket(
  opts: VrrpSocketOptions & { ifindex: number; netns?: string },
  onPacket: (p: VrrpRxPacket) => void,
  onError: (message: string) => void,
): VrrpSocket {
  const sockets = new Map<number, RawSocket>();
  const io = netio();
  const sendBuffer = new SendBuffer();
  const sockaddrs = new SendCache<string, Buffer>();
  let sendFd = -1;
  let closed = false;
  const backstop = backstopEnabled() ? new BackstopSlots(io, onError) : undefined;
  const closeAll = (): void => {
    closed = true;
    for (const s of sockets.values()) s.close();
    sockets.clear();
    if (sendFd >= 0) {
      backstop?.close(sendFd);
      io.close(sendFd);
    }
    sendFd = -1;
  };
  /** The sockaddr for `dst`, or why there is none. */
  const sockaddrOf = (dst: string): Buffer | string => {
    const to = sockaddrs.get(dst);
    if (to) return to;
    const address = parseIpv4(dst);
    return address ? sockaddrs.keep(dst, sockaddrIn(address)) : `bad IPv4 destination ${dst}`;
  };
  try {
    inNetns(opts.netns, () => {
      // IPPROTO_RAW: send only (it never receives), IP_HDRINCL implied.
      sendFd = io.socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
      io.setsockopt(sendFd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${opts.ifname}\0`));
      io.setsockopt(sendFd, IPPROTO_IP, IP_MULTICAST_IF, ipMreqn(undefined, opts.ifindex));
      io.setsockopt(sendFd, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
      for (const protocol of opts.protocols) {
        const s = raw.createSocket({ protocol, addressFamily: raw.AddressFamily.IPv4, bufferSize: 9216 });
        sockets.set(protocol, s);
        const dev = Buffer.from(`${opts.ifname}\0`);
        s.setOption(SOL_SOCKET, SO_BINDTODEVICE, dev, dev.length);
        s.setOption(IPPROTO_IP, IP_HDRINCL, 1);
        s.setOption(IPPROTO_IP, IP_MULTICAST_TTL, 255);
        s.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, 0);
        const mreqIf = ipMreqn(undefined, opts.ifindex);
        s.setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqIf, mreqIf.length);
        for (const group of opts.groups) {
          const g = parseIpv4(group);
          if (!g) throw new Error(`bad IPv4 multicast group ${group}`);
          const mreq = ipMreqn(g, opts.ifindex);
          s.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq, mreq.length);
        }
        s.on('message', (buffer) => {
          const env = ipv4Envelope(buffer);
          if (!env || closed) return;
          onPacket({ family: 4, ifname: opts.ifname, data: new Uint8Array(buffer), ttl: env.ttl });
        });
        s.on('error', (e) => {
          if (!closed) onError(`${opts.ifname} IPv4 protocol ${protocol} socket: ${errorText(e)}`);
        });
      }
    });
  } catch (e) {
    closeAll();
    throw e;
  }
  backstop?.start(); // its thread now, not on a takeover's path
  /** The sockaddr a datagram handed to the backstop's thread goes to; undefined when it cannot go (closed, not IPv4, a bad destination). */
  const threadSockaddr = (data: Uint8Array, dst: string): Buffer | undefined => {
    if (closed || sendFd < 0 || !isIpv4Datagram(data)) return undefined;
    const to = sockaddrOf(dst);
    return typeof to === 'string' ? undefined : to;
  };
  return {
    send(data, dst) {
      if (closed || sendFd < 0) return 'socket closed';
      if (!isIpv4Datagram(data)) return 'not an IPv4 datagram';
      const to = sockaddrOf(dst);
      if (typeof to === 'string') return to;
      try {
        io.sendmsg(sendFd, sendBuffer.load(data), to, null);
        return undefined;
      } catch (e) {
        return sendErrorText(opts.ifname, dst, errorCode(e), errorText(e));
      }
    },
    ...(backstop && {
      backstop(key: string, data: Uint8Array, dst: string, _src: string | undefined, inMs: number) {
        const to = threadSockaddr(data, dst);
        if (to) backstop.hold(key, sendFd, data, to, null, inMs);
      },
      takeBackstop: (key: string) => backstop.take(key),
      dropBackstop: (key: string) => backstop.drop(key),
      repeat(key: string, data: Uint8Array, dst: string, _src: string | undefined, firstInMs: number, intervalMs: number, ipId: number | undefined, onStop: (r: RepeatState) => void) {
        const to = ipId === undefined ? undefined : threadSockaddr(data, dst);
        return to !== undefined && backstop.repeat(key, sendFd, data, to, null, firstInMs, intervalMs, ipId, onStop);
      },
      repeatRead: (key: string, end: boolean) => backstop.read(key, end),
    }),
    close: closeAll,
  };
}
