/**
 * Respawn rate limiting for dead children: 1 s, 2 s, 4 s … capped at 60 s; a child that had
 * been running for at least `resetAfterMs` (60 s) starts again from the initial delay.
 * (keepalived restarts such a child at once; keepalived-ts always waits the initial second so
 * a child that dies right after a long run cannot spin.)
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = { initialMs: 1000, maxMs: 60_000, resetAfterMs: 60_000 };

/** The delay before the next respawn, given the previous delay (if any) and how long the child lived. */
export function nextRespawnDelayMs(previousMs: number | undefined, livedMs: number, policy: BackoffPolicy): number {
  if (previousMs === undefined || livedMs >= policy.resetAfterMs) return policy.initialMs;
  return Math.min(previousMs * 2, policy.maxMs);
}
