/**
 * PING_CHECK: one ICMP / ICMPv6 echo request (8-byte header, 128 bytes of payload, as
 * keepalived); the first echo reply to it from the real server is success; an ICMP error about
 * it (unreachable, time exceeded) fails at once; nothing by the deadline is a timeout.
 *
 * Socket: the unprivileged "ping socket" (SOCK_DGRAM + IPPROTO_ICMP[V6]) like keepalived: the
 * kernel picks the echo id and hands each socket only its own replies, which scales to many
 * checkers. It is allowed only when our group is inside net.ipv4.ping_group_range (per network
 * namespace; "1 0", i.e. nobody, in a fresh namespace). keepalived rewrites that sysctl; we do not
 * change host settings and fall back to a raw ICMP socket instead (root / CAP_NET_RAW), filtering
 * replies by id, sequence and source ourselves. bind_if, fwmark and bindto are applied to both
 * (keepalived 2.2.7 ignores them for PING_CHECK; docs/lvs.md).
 */
import type { ProbeRequest } from '../../actors/lvs/prober-port.js';
import { echoRequest, icmpErrorText, ipv4Payload, parseIcmpAnswer } from '../../protocol/check/icmp-echo.js';
import { ICMP6_FILTER, ICMP_FILTER, IPPROTO_ICMP, IPPROTO_ICMPV6, SOCK_DGRAM, SOCK_RAW, SOL_RAW } from '../linux/constants.js';
import { netio } from '../linux/native.js';
import { failure, type Attempt } from './attempt.js';
import { connectFailure, errnoText, LocalError } from './errors.js';
import { openDatagram, type Datagram } from './datagram.js';

let sequence = 0;
const RAW_ID = process.pid & 0xffff;

function rawFilter(family: 4 | 6, fd: number): void {
  const io = netio();
  if (family === 4) {
    // Bit set = type dropped; keep echo reply (0), unreachable (3), time exceeded (11).
    io.setsockopt(fd, SOL_RAW, ICMP_FILTER, ~((1 << 0) | (1 << 3) | (1 << 11)));
  } else {
    const f = Buffer.alloc(32, 0xff);
    for (const type of [1, 3, 129]) {
      const at = (type >> 5) * 4;
      f.writeUInt32LE((f.readUInt32LE(at) & ~(1 << (type & 31))) >>> 0, at);
    }
    io.setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, f);
  }
}

export function probePing(req: ProbeRequest, netns: string | undefined, a: Attempt): void {
  const family = req.target.family;
  const seq = (sequence = (sequence + 1) & 0xffff);
  a.onDeadline = () => failure('timeout', 'timeout', `no echo reply within ${req.timeoutMs} ms`);
  // The echo id is the ping socket's "port": bind_port must not choose it.
  const socketOptions = { ...req.checker, bindPort: undefined };
  const protocol = family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

  // ping_group_range is per namespace and may change: try the ping socket every time (one syscall).
  let raw = false;
  const onPacket = (data: Buffer, from: string, peer: string): void => {
    const icmp = raw && family === 4 ? ipv4Payload(data) : data;
    const answer = icmp && parseIcmpAnswer(family, icmp);
    if (!answer || answer.seq !== seq || (raw && answer.id !== RAW_ID)) return;
    if (answer.kind === 'reply') {
      if (from === peer) a.finish({ ok: true });
    } else {
      a.fail('unreachable', 'failed', `${icmpErrorText(family, answer.type, answer.code)} from ${from}`);
    }
  };
  const open = (): Datagram =>
    openDatagram(
      {
        family,
        type: raw ? SOCK_RAW : SOCK_DGRAM,
        protocol,
        socket: socketOptions,
        netns,
        recvErr: !raw,
        peer: { address: req.target.address, port: 0 },
        anySource: raw,
        ...(raw ? { setup: (fd: number) => rawFilter(family, fd) } : {}),
      },
      (data, from) => onPacket(data, from, sock.peer),
      (e) => a.fail(connectFailure(e), 'failed', errnoText(e)),
    );
  let sock: Datagram;
  try {
    try {
      sock = open();
    } catch (e) {
      if (raw || !(e instanceof LocalError) || (e.code !== 'EACCES' && e.code !== 'EPERM' && e.code !== 'EPROTONOSUPPORT')) throw e;
      raw = true;
      sock = open();
    }
  } catch (e) {
    if (e instanceof LocalError) return a.fail('local-error', e.message);
    throw e;
  }
  a.onEnd(() => sock.close());
  try {
    sock.send(echoRequest(family, raw ? RAW_ID : 0, seq));
  } catch (e) {
    a.fail(connectFailure(e), 'failed', errnoText(e));
  }
}
