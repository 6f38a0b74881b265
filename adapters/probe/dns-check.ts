/**
 * DNS_CHECK (keepalived check_dns.c): one UDP query (random ID, RD, class IN, `type` default SOA,
 * `name` default the root) to the real server's address and port; success is a reply with our
 * ID, QR set and RCODE 0. Replies with another ID are ignored; an ICMP error (port or host
 * unreachable) fails at once; no answer by the deadline is keepalived's "read timeout from socket".
 */
import { randomInt } from 'node:crypto';
import type { ProbeRequest } from '../../actors/lvs/prober-port.js';
import { dnsQuery, judgeDnsReply } from '../../protocol/check/dns-query.js';
import { SOCK_DGRAM } from '../linux/constants.js';
import { failure, type Attempt } from './attempt.js';
import { connectFailure, errnoNumberText, errnoText, LocalError } from './errors.js';
import { openDatagram } from './datagram.js';

export function probeDns(req: ProbeRequest, netns: string | undefined, a: Attempt): void {
  const id = randomInt(0, 0x10000);
  const query = dnsQuery(id, req.checker.dns?.type, req.checker.dns?.name);
  let ignored = '';
  a.onDeadline = () => failure('timeout', 'read timeout from socket', `no answer within ${req.timeoutMs} ms${ignored ? ` (ignored: ${ignored})` : ''}`);
  let sock;
  try {
    sock = openDatagram(
      { family: req.target.family, type: SOCK_DGRAM, protocol: 0, socket: req.checker, netns, recvErr: true, peer: req.target },
      (reply) => {
        const v = judgeDnsReply(id, reply);
        if (v.kind === 'ignore') ignored = v.why;
        else if (v.kind === 'ok') a.finish({ ok: true });
        else a.fail('bad-reply', `read error occurred. (rcode = ${v.rcode})`, `RCODE ${v.rcode}`);
      },
      (e) => a.fail(connectFailure(e), `failed to read socket; ${errnoNumberText(e)}`, errnoText(e)),
    );
  } catch (e) {
    if (e instanceof LocalError) return a.fail('local-error', e.message);
    throw e;
  }
  const s = sock;
  a.onEnd(() => s.close());
  try {
    s.send(query);
  } catch (e) {
    a.fail(connectFailure(e), 'failed to write socket.', errnoText(e));
  }
}
