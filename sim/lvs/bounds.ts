/**
 * How long keepalived 2.2.7's counting may take to notice a real server's change, per checker
 * (../shared/research/lvs-checkers.md §1.3 and docs/lvs.md "Counting per family"). The invariant
 * monitor's C1 and C2 use these; every term is a configured value:
 *
 *   t   one attempt's deadline: connect_timeout, misc_timeout for MISC_CHECK (default delay_loop)
 *   dl  delay_loop       dbr  delay_before_retry       R  retry       N  urls of an HTTP checker
 *
 * Removal (a server that stops answering, while its checker is up): the attempt in flight may
 * still succeed (t), the next run comes delay_loop after it (dl), then R + 1 failed attempts
 * (each at most t) with delay_before_retry between them:
 *
 *   t + dl + (R + 1)·t + R·dbr
 *
 * Recovery (a server answering again, while its checker is down): the attempt in flight may
 * still fail (t), the next one comes after the family's down-state gap, and succeeds (< t):
 *
 *   t + gap + t        gap: TCP_CHECK, SMTP_CHECK max(dl, dbr) (2.2.7 keeps retrying while down);
 *                           UDP, PING, DNS, MISC dl;  HTTP_GET/SSL_GET max(dbr, dl), then the
 *                           whole walk again, N·(dl + t)
 *
 * The issue's short form "delay_loop + connect_timeout" leaves out the attempt in flight, which a
 * recovery in the middle of a timeout cannot avoid. From a daemon start the first run comes at
 * BOOTSTRAP_DELAY (1 s) + up to warmup (default delay_loop) instead of the next delay_loop.
 * FILE_CHECK follows its file at once (0). BFD_CHECK is not run (no bound).
 */
import type { CheckerConfig } from '../../config/model-lvs.js';

/** keepalived's BOOTSTRAP_DELAY: the first run of a checker after start. */
export const BOOTSTRAP_MS = 1000;

/** One attempt's deadline. */
export function attemptMs(c: CheckerConfig): number {
  return c.kind === 'MISC_CHECK' ? (c.misc?.timeoutMs ?? c.delayLoopMs) : c.connectTimeoutMs;
}

function warmupMs(c: CheckerConfig): number {
  return c.warmupMs ?? c.delayLoopMs;
}

function urlCount(c: CheckerConfig): number {
  return Math.max(1, c.urls.filter((u) => u.path !== undefined).length);
}

function isHttp(c: CheckerConfig): boolean {
  return c.kind === 'HTTP_GET' || c.kind === 'SSL_GET';
}

/** Steady state: the checker is up and the server stops answering. */
export function removalBoundMs(c: CheckerConfig): number | undefined {
  if (c.kind === 'BFD_CHECK') return undefined;
  if (c.kind === 'FILE_CHECK') return 0;
  const t = attemptMs(c);
  return t + c.delayLoopMs + (c.retry + 1) * t + c.retry * c.delayBeforeRetryMs;
}

/** From the daemon's start with a server that fails from the first probe. */
export function startRemovalBoundMs(c: CheckerConfig): number | undefined {
  if (c.kind === 'BFD_CHECK') return undefined;
  if (c.kind === 'FILE_CHECK') return 0;
  const t = attemptMs(c);
  return BOOTSTRAP_MS + warmupMs(c) + (c.retry + 1) * t + c.retry * c.delayBeforeRetryMs;
}

function downGapMs(c: CheckerConfig): number {
  switch (c.kind) {
    case 'TCP_CHECK':
    case 'SMTP_CHECK':
    case 'HTTP_GET':
    case 'SSL_GET':
      return Math.max(c.delayLoopMs, c.delayBeforeRetryMs);
    default:
      return c.delayLoopMs;
  }
}

/** Steady state: the checker is down and the server answers again. */
export function recoveryBoundMs(c: CheckerConfig): number | undefined {
  if (c.kind === 'BFD_CHECK') return undefined;
  if (c.kind === 'FILE_CHECK') return 0;
  const t = attemptMs(c);
  return t + downGapMs(c) + t + (isHttp(c) ? urlCount(c) * (c.delayLoopMs + t) : 0);
}

/** From the daemon's start (an alpha checker, down until its first success). */
export function startRecoveryBoundMs(c: CheckerConfig): number | undefined {
  if (c.kind === 'BFD_CHECK') return undefined;
  if (c.kind === 'FILE_CHECK') return 0;
  const t = attemptMs(c);
  return BOOTSTRAP_MS + warmupMs(c) + t + (isHttp(c) ? (urlCount(c) - 1) * (c.delayLoopMs + t) : 0);
}

/** The terms of a bound, for a violation message: "3s + 6s + 4 × 3s + 3 × 3s". */
export function removalTerms(c: CheckerConfig): string {
  const s = (ms: number) => `${+(ms / 1000).toFixed(3)}s`;
  const t = attemptMs(c);
  return `${s(t)} in flight + ${s(c.delayLoopMs)} delay_loop + ${c.retry + 1} × ${s(t)} + ${c.retry} × ${s(c.delayBeforeRetryMs)} delay_before_retry`;
}
