/**
 * IPv6 VRRP socket over our addon: raw IPv6, protocol 112. The kernel builds the IPv6 header
 * (hop limit 255 for multicast and unicast) and the VRRP checksum (IPV6_CHECKSUM at offset 6,
 * as keepalived does: whatever source the kernel picks, the checksum matches; bad checksums are
 * dropped by the kernel on receive). recvmsg returns the hop limit (IPV6_HOPLIMIT) and the
 * destination and ifindex (IPV6_PKTINFO), which raw-socket cannot. Sends leave from the socket's
 * off-heap send buffer (send-buffer.ts), with the sockaddr and IPV6_PKTINFO kept per address.
 * A master's next advert can be held by the advert backstop (advert-backstop.ts), which sends it
 * on the same fd if this thread is late.
 */
import { sendErrorText } from '../../actors/errno.js';
import type { RepeatState, VrrpRxPacket, VrrpSocket, VrrpSocketOptions } from '../../actors/ports.js';
import {
  AF_INET6,
  IPPROTO_IPV6,
  IPPROTO_VRRP,
  IPV6_ADD_MEMBERSHIP,
  IPV6_CHECKSUM,
  IPV6_HOPLIMIT,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_PKTINFO,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IPV6_UNICAST_HOPS,
  SOCK_RAW,
  SOL_SOCKET,
  SO_BINDTODEVICE,
} from './constants.js';
import { parseIpv6, type IpAddress } from '../../protocol/addr.js';
import { errorCode, errorText, netio } from './native.js';
import { SendBuffer, SendCache } from './send-buffer.js';
import { BackstopSlots, backstopEnabled } from './advert-backstop.js';
import { inNetns } from './netns.js';
import { controlMessage, in6Pktinfo, ipv6Mreq, parseControlMessages, parseIn6Pktinfo, parseSockaddrIn6, sockaddrIn6 } from './sockaddr.js';

/** Most datagrams drained per readiness callback, so one busy socket cannot starve the loop. */
const MAX_READS_PER_WAKE = 64;

/** Link-scoped destinations need the interface as scope id. */
function needsScope(b: Uint8Array): boolean {
  return (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) || (b[0] === 0xff && (b[1]! & 0x0f) <= 2);
}

export function openVrrp6Socket(
  opts: VrrpSocketOptions & { ifindex: number; netns?: string },
  onPacket: (p: VrrpRxPacket) => void,
  onError: (message: string) => void,
): VrrpSocket {
  const io = netio();
  const sendBuffer = new SendBuffer();
  const sockaddrs = new SendCache<string, Buffer>();
  const pktinfos = new SendCache<string, Buffer>();
  const fds: { fd: number; protocol: number; watch?: ReturnType<typeof io.watch> }[] = [];
  let closed = false;
  const backstop = backstopEnabled() ? new BackstopSlots(io, onError) : undefined;
  const closeAll = (): void => {
    closed = true;
    for (const s of fds.splice(0)) {
      if (s.watch) io.unwatch(s.watch);
      backstop?.close(s.fd);
      io.close(s.fd);
    }
  };
  const data = Buffer.alloc(9216);
  const name = Buffer.alloc(28);
  const control = Buffer.alloc(256);

  const drain = (fd: number): void => {
    for (let i = 0; i < MAX_READS_PER_WAKE && !closed; i++) {
      let got: ReturnType<typeof io.recvmsg>;
      try {
        got = io.recvmsg(fd, data, name, control);
      } catch (e) {
        onError(`${opts.ifname} IPv6 receive: ${errorText(e)}`);
        return;
      }
      if (!got) return;
      let ttl = -1;
      let dst: IpAddress | undefined;
      for (const c of parseControlMessages(control, got[2])) {
        if (c.level !== IPPROTO_IPV6) continue;
        if (c.type === IPV6_HOPLIMIT) ttl = c.data.readInt32LE(0);
        if (c.type === IPV6_PKTINFO) dst = parseIn6Pktinfo(c.data).address;
      }
      const src = parseSockaddrIn6(name).address;
      onPacket({ family: 6, ifname: opts.ifname, data: new Uint8Array(data.subarray(0, got[0])), src, ...(dst ? { dst } : {}), ttl });
    }
  };

  try {
    inNetns(opts.netns, () => {
      for (const protocol of opts.protocols) {
        const fd = io.socket(AF_INET6, SOCK_RAW, protocol);
        fds.push({ fd, protocol });
        io.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, Buffer.from(`${opts.ifname}\0`));
        if (protocol === IPPROTO_VRRP) io.setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, 6);
        io.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255);
        io.setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255);
        io.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, opts.ifindex);
        io.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
        io.setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
        io.setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
        for (const group of opts.groups) {
          const g = parseIpv6(group);
          if (!g) throw new Error(`bad IPv6 multicast group ${group}`);
          io.setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, ipv6Mreq(g, opts.ifindex));
        }
      }
    });
    for (const s of fds) s.watch = io.watch(s.fd, () => drain(s.fd));
  } catch (e) {
    closeAll();
    throw e;
  }
  backstop?.start(); // its thread now, not on a takeover's path

  // Where the datagram being sent goes (set by route(); kept here so that a send allocates nothing).
  let viaFd = -1;
  let viaTo: Buffer | null = null;
  let viaCtrl: Buffer | null = null;
  /** Sets viaFd, viaTo and viaCtrl for a datagram to `dst` from `src`; why it cannot go, if it cannot. */
  const route = (dst: string, src: string | undefined): string | undefined => {
    if (closed) return 'socket closed';
    let to = sockaddrs.get(dst);
    if (!to) {
      const d = parseIpv6(dst);
      if (!d) return `bad IPv6 destination ${dst}`;
      to = sockaddrs.keep(dst, sockaddrIn6(d, needsScope(d) ? opts.ifindex : 0));
    }
    let ctrl: Buffer | null = null;
    if (src !== undefined) {
      ctrl = pktinfos.get(src) ?? null;
      if (!ctrl) {
        const s = parseIpv6(src);
        if (!s) return `bad IPv6 source ${src}`;
        ctrl = pktinfos.keep(src, controlMessage(IPPROTO_IPV6, IPV6_PKTINFO, in6Pktinfo(s, opts.ifindex)));
      }
    }
    const sock = fds.find((f) => f.protocol === IPPROTO_VRRP) ?? fds[0];
    if (!sock) return 'no socket';
    viaFd = sock.fd;
    viaTo = to;
    viaCtrl = ctrl;
    return undefined;
  };

  return {
    send(payload, dst, src) {
      const error = route(dst, src);
      if (error !== undefined) return error;
      try {
        io.sendmsg(viaFd, sendBuffer.load(payload), viaTo, viaCtrl);
        return undefined;
      } catch (e) {
        return sendErrorText(opts.ifname, dst, errorCode(e), errorText(e));
      }
    },
    ...(backstop && {
      backstop(key: string, payload: Uint8Array, dst: string, src: string | undefined, inMs: number) {
        if (route(dst, src) === undefined) backstop.hold(key, viaFd, payload, viaTo, viaCtrl, inMs);
      },
      takeBackstop: (key: string) => backstop.take(key),
      dropBackstop: (key: string) => backstop.drop(key),
      repeat(key: string, payload: Uint8Array, dst: string, src: string | undefined, firstInMs: number, intervalMs: number, _ipId: number | undefined, onStop: (r: RepeatState) => void) {
        return route(dst, src) === undefined && backstop.repeat(key, viaFd, payload, viaTo, viaCtrl, firstInMs, intervalMs, undefined, onStop);
      },
      repeatRead: (key: string, end: boolean) => backstop.read(key, end),
    }),
    close: closeAll,
  };
}
