/**
 * TCP_CHECK: the three-way handshake completes before the deadline, then the connection is
 * closed at once (a FIN; no SO_LINGER, see tcp-socket.ts). keepalived's log words: the attempt
 * "timeout"s or "failed" (`TCP connection to <rs> timeout.` / `… failed.`).
 */
import type { ProbeRequest } from '../../actors/lvs/prober-port.js';
import { failure, type Attempt } from './attempt.js';
import { connectFailure, errnoText, LocalError } from './errors.js';
import { connectTcp } from './tcp-socket.js';

export function probeTcp(req: ProbeRequest, netns: string | undefined, a: Attempt): void {
  a.onDeadline = () => failure('timeout', 'timeout', `no connection within ${req.timeoutMs} ms`);
  let s;
  try {
    s = connectTcp({ target: req.target, socket: req.checker, netns });
  } catch (e) {
    if (e instanceof LocalError) return a.fail('local-error', e.message);
    throw e;
  }
  const sock = s;
  a.onEnd(() => sock.destroy());
  sock.once('connect', () => a.finish({ ok: true }));
  sock.on('error', (e) => {
    const f = connectFailure(e);
    a.fail(f, f === 'local-error' ? `cannot connect: ${errnoText(e)}` : f === 'timeout' ? 'timeout' : 'failed', errnoText(e));
  });
}
