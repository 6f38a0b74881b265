/**
 * UDP_CHECK (keepalived check_udp.c): send `payload` (default 32 bytes of "keepalived check - ")
 * to the real server. Without `require_reply`, success is any reply, or silence until the
 * deadline; an ICMP error (port/host unreachable, heard through IP_RECVERR) fails at once.
 * With `require_reply [HEX]`, a reply must arrive and match: the first min(reply, pattern) bytes,
 * X = any nibble, and the reply length within min_reply_length..max_reply_length (see
 * docs/lvs.md for where the length rule differs from keepalived).
 * A socket or bind error counts as a failure here, as in keepalived (unlike the TCP checkers).
 */
import type { ProbeRequest } from '../../actors/lvs/prober-port.js';
import { replyMismatch, udpCheckSetup } from '../../protocol/check/udp-check.js';
import { SOCK_DGRAM } from '../linux/constants.js';
import { failure, type Attempt } from './attempt.js';
import { connectFailure, errnoText, LocalError } from './errors.js';
import { openDatagram } from './datagram.js';

export function probeUdp(req: ProbeRequest, netns: string | undefined, a: Attempt): void {
  const setup = udpCheckSetup(req.checker.udp);
  if (setup instanceof Error) return a.fail('local-error', setup.message);
  const { payload, rule } = setup;
  a.onDeadline = () => (rule ? failure('timeout', 'failed', `no reply within ${req.timeoutMs} ms`) : { ok: true, detail: 'no ICMP error before the deadline' });

  let sock;
  try {
    sock = openDatagram(
      { family: req.target.family, type: SOCK_DGRAM, protocol: 0, socket: req.checker, netns, recvErr: true, peer: req.target },
      (reply) => {
        const why = rule ? replyMismatch(reply, rule) : undefined;
        if (why) a.fail('bad-reply', 'reply data mismatch', why);
        else a.finish({ ok: true, detail: `reply of ${reply.length} bytes` });
      },
      (e) => a.fail(connectFailure(e), 'failed', errnoText(e)),
    );
  } catch (e) {
    // keepalived counts a UDP socket or bind failure against the server.
    if (e instanceof LocalError) return a.fail('connect-error', 'failed', e.message);
    throw e;
  }
  const s = sock;
  a.onEnd(() => s.close());
  try {
    s.send(payload);
  } catch (e) {
    a.fail(connectFailure(e), 'failed', errnoText(e));
  }
}
