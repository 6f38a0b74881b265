/**
 * TCP_CHECK: the three-way handshake completes before the deadline, then the connection is
 * closed at once (a FIN; no SO_LINGER, see tcp-socket.ts). keepalived's log words: the attempt
 * "timeout"s or "failed" (`TCP connection to <rs> timeout.` / `… failed.`).
 *
 * With the addon the connect is bare (connectBare: no stream, no net.Socket); without it, or
 * for a target only `net` can resolve, a net.Socket does the same. Errors map alike.
 */
import type { ProbeOutcome, ProbeRequest } from '../../actors/lvs/prober-port.js';
import { failure, type Attempt } from './attempt.js';
import { connectFailure, errnoText, LocalError } from './errors.js';
import { bareConnectIo, connectBare, connectTcp, targetSockaddr, type TcpConnectOptions } from './tcp-socket.js';

export function probeTcp(req: ProbeRequest, netns: string | undefined, a: Attempt, allowBare = true): void {
  a.onDeadline = () => failure('timeout', 'timeout', `no connection within ${req.timeoutMs} ms`);
  const o: TcpConnectOptions = { target: req.target, socket: req.checker, netns };
  const io = allowBare ? bareConnectIo() : undefined;
  const to = io && targetSockaddr(req.target);
  try {
    if (io && to) {
      let c;
      try {
        c = connectBare(io, o, to, (e) => (e ? failed(a, e) : a.finish({ ok: true })));
      } catch (e) {
        // connect(2) failing at once (ENETUNREACH…) is the server's failure, as from net.Socket.
        if (e instanceof LocalError) throw e;
        return failed(a, e);
      }
      const conn = c;
      a.onEnd(() => conn.close());
      a.settle = () => {
        const r = conn.settle();
        if (r === 'pending') return undefined;
        return r ? failedOutcome(r) : { ok: true };
      };
      return;
    }
    const sock = connectTcp(o);
    a.onEnd(() => sock.destroy());
    sock.once('connect', () => a.finish({ ok: true }));
    sock.on('error', (e) => failed(a, e));
  } catch (e) {
    if (e instanceof LocalError) return a.fail('local-error', e.message);
    throw e;
  }
}

function failedOutcome(e: unknown): ProbeOutcome {
  const f = connectFailure(e);
  return failure(f, f === 'local-error' ? `cannot connect: ${errnoText(e)}` : f === 'timeout' ? 'timeout' : 'failed', errnoText(e));
}

function failed(a: Attempt, e: unknown): void {
  a.finish(failedOutcome(e));
}
