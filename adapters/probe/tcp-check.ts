/**
 * TCP_CHECK: the three-way handshake completes before the deadline, then the connection is
 * closed at once (a FIN; no SO_LINGER, see tcp-socket.ts). keepalived's log words: the attempt
 * "timeout"s or "failed" (`TCP connection to <rs> timeout.` / `… failed.`).
 *
 * With the addon the connect is bare (`probeTcpBare`: TcpConnects, no stream, no net.Socket),
 * and the attempt is one object: the per-attempt machinery of attempt.ts (closures, a cleanup
 * list, an immediate per outcome) is what a healthy checker's thousands of checks a second would
 * otherwise pay for. Without the addon, or for a target only `net` can resolve, a net.Socket does
 * the same under runAttempt (`probeTcp`). Errors map alike.
 */
import type { ProbeHandle, ProbeOutcome, ProbeRequest } from '../../actors/lvs/prober-port.js';
import { failure, type Attempt } from './attempt.js';
import { connectFailure, errnoText, LocalError } from './errors.js';
import { bareConnects, connectError, connectTcp, targetSockaddr, type TcpConnectOptions, type TcpConnects, type TcpWaiter } from './tcp-socket.js';

/** The bare attempt, or undefined when it cannot be made here (no addon, a target only `net` resolves). */
export function probeTcpBare(req: ProbeRequest, netns: string | undefined, done: (o: ProbeOutcome) => void): ProbeHandle | undefined {
  const c = bareConnects();
  const to = c && targetSockaddr(req.target);
  if (!c || !to) return undefined;
  return new BareAttempt(c, to, req, netns, done);
}

/**
 * One bare TCP_CHECK attempt, with the contract of runAttempt (attempt.ts): one outcome, at the
 * latest at the deadline (`no connection within N ms`), never inside probe(); cancel() ends it
 * silently; the socket is closed however it ends. The connect's result is delivered from the
 * addon's batch, itself a turn of the event loop; an outcome known at once (connect failing at
 * once, a local error) and the deadline's wait for the next turn (setImmediate), and settle()
 * may take such a waiting outcome first.
 */
class BareAttempt implements ProbeHandle, TcpWaiter {
  private fd = -1;
  private ended = false;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** An outcome waiting for its turn of the event loop. */
  private pending: ProbeOutcome | undefined;

  constructor(
    private readonly connects: TcpConnects,
    private readonly to: Buffer,
    readonly req: ProbeRequest,
    netns: string | undefined,
    private readonly done: (o: ProbeOutcome) => void,
  ) {
    this.timer = setTimeout(deadline, Math.max(0, req.timeoutMs), this);
    try {
      this.fd = connects.start(req.target, req.checker, netns, to, this);
    } catch (e) {
      // connect(2) failing at once (ENETUNREACH…) is the server's failure, as from net.Socket.
      this.end(e instanceof LocalError || !(e instanceof Error) || (e as { syscall?: unknown }).syscall !== 'connect' ? failure('local-error', e instanceof Error ? e.message : String(e)) : failedOutcome(e));
    }
  }

  connected(errno: number): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.done(errno ? failedOutcome(connectError(errno)) : { ok: true });
  }

  /** Ends the attempt: the socket closed, `outcome` (if any) delivered on the next turn. */
  end(outcome: ProbeOutcome | undefined): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.fd >= 0) this.connects.close(this.fd, this);
    if (!outcome) return;
    this.pending = outcome;
    setImmediate(() => {
      if (this.pending !== outcome) return;
      this.pending = undefined;
      this.done(outcome);
    });
  }

  cancel(): void {
    this.end(undefined);
  }

  settle(): ProbeOutcome | undefined {
    if (this.ended) {
      const o = this.pending;
      this.pending = undefined;
      return o;
    }
    const r = this.connects.settle(this.fd, this, this.to);
    if (r === 'pending') return undefined;
    this.end(undefined);
    return r ? failedOutcome(r) : { ok: true };
  }
}

/** A bare attempt's deadline (a function of the module and the timer's argument: no closure per attempt). */
function deadline(a: BareAttempt): void {
  a.timer = undefined;
  a.end(failure('timeout', 'timeout', `no connection within ${a.req.timeoutMs} ms`));
}

/** The net.Socket attempt, under runAttempt. */
export function probeTcp(req: ProbeRequest, netns: string | undefined, a: Attempt): void {
  a.onDeadline = () => failure('timeout', 'timeout', `no connection within ${req.timeoutMs} ms`);
  const o: TcpConnectOptions = { target: req.target, socket: req.checker, netns };
  try {
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
