/**
 * One probe attempt with one absolute deadline: a single timer armed when the attempt starts,
 * whatever the protocol does afterwards (keepalived re-arms connect_timeout for every read, so a
 * server that dribbles its answer never times out: keepalived issue #1822).
 *
 * The attempt ends exactly once: with the first `finish()`, at the deadline (with the outcome
 * `onDeadline` gives, by default a timeout failure) or silently on `cancel()`. Whatever ends it
 * runs the cleanups (sockets destroyed, watchers stopped), and the outcome is delivered on a later
 * turn of the event loop, never inside `probe()`.
 */
import type { ProbeFailure, ProbeHandle, ProbeOutcome } from '../../actors/lvs/prober-port.js';

export interface Attempt {
  /** Aborted when the attempt ends (deadline, finish or cancel). */
  readonly signal: AbortSignal;
  readonly ended: boolean;
  /** How it ended: a result, the deadline, or the caller's cancel(). */
  readonly endedBy: 'finish' | 'deadline' | 'cancel' | undefined;
  /** Ends the attempt with `outcome` (ignored once ended). */
  finish(outcome: ProbeOutcome): void;
  fail(failure: ProbeFailure, message: string, detail?: string, extra?: { url?: string; exitStatus?: number }): void;
  /** Runs when the attempt ends, however it ends; runs at once if it already has. */
  onEnd(cleanup: () => void): void;
  /** What the deadline reports; the protocol code updates it as it goes ("Timeout WEB read"). */
  onDeadline: () => ProbeOutcome;
  /** Milliseconds left before the deadline. */
  remainingMs(): number;
  /**
   * Set by a protocol that can tell, synchronously, that it has in fact ended (TCP_CHECK: the
   * socket's state): the outcome, or undefined while it is still running. See ProbeHandle.settle.
   */
  settle: (() => ProbeOutcome | undefined) | undefined;
}

export function failure(failure: ProbeFailure, message: string, detail?: string, extra: { url?: string; exitStatus?: number } = {}): ProbeOutcome {
  return { ok: false, failure, message, ...(detail !== undefined ? { detail } : {}), ...extra };
}

/**
 * Starts `body` under a deadline of `timeoutMs`; `done` receives the one outcome.
 * Exceptions thrown by `body` end the attempt as a local error.
 */
export function runAttempt(timeoutMs: number, done: (o: ProbeOutcome) => void, body: (a: Attempt) => void): ProbeHandle {
  // Made on first use (HTTP_GET reads it): an AbortController per TCP_CHECK attempt was measurable.
  let controller: AbortController | undefined;
  const cleanups: Array<() => void> = [];
  const started = performance.now();
  let ended = false;
  let endedBy: Attempt['endedBy'];
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The outcome waiting for its turn of the event loop (settle() may take it first). */
  let pending: ProbeOutcome | undefined;

  const end = (outcome: ProbeOutcome | undefined, by: NonNullable<Attempt['endedBy']> = 'finish'): void => {
    if (ended) return;
    ended = true;
    endedBy = by;
    if (timer) clearTimeout(timer);
    controller?.abort();
    for (const c of cleanups.splice(0)) {
      try {
        c();
      } catch {
        /* a cleanup failing must not stop the others */
      }
    }
    if (!outcome) return;
    pending = outcome;
    setImmediate(() => {
      if (pending !== outcome) return;
      pending = undefined;
      done(outcome);
    });
  };

  const a: Attempt = {
    get signal() {
      controller ??= new AbortController();
      if (ended && !controller.signal.aborted) controller.abort();
      return controller.signal;
    },
    get ended() {
      return ended;
    },
    get endedBy() {
      return endedBy;
    },
    finish: (o) => end(o),
    fail: (f, m, d, extra) => end(failure(f, m, d, extra)),
    onEnd(c) {
      if (ended) c();
      else cleanups.push(c);
    },
    onDeadline: () => failure('timeout', 'timeout', `no answer within ${timeoutMs} ms`),
    remainingMs: () => Math.max(0, timeoutMs - (performance.now() - started)),
    settle: undefined,
  };

  timer = setTimeout(() => end(a.onDeadline(), 'deadline'), Math.max(0, timeoutMs));
  try {
    body(a);
  } catch (e) {
    end(failure('local-error', e instanceof Error ? e.message : String(e)));
  }
  return {
    cancel: () => end(undefined, 'cancel'),
    settle: () => {
      if (ended) {
        const o = pending;
        pending = undefined;
        return o;
      }
      const o = a.settle?.();
      if (o) end(undefined, 'finish');
      return o;
    },
  };
}
