/**
 * Emptying V8's young generation ahead of a takeover, so that the takeover does not stop for a
 * scavenge on its way to the first gratuitous ARP.
 *
 * The VRRP child runs with a 1 MiB semi-space (child-node-flags.ts), so it scavenges after every
 * megabyte it allocates, and the scavenges in the failover lab's backup lasted 0.7 to 7.5 ms.
 * One of eleven traced takeovers met one between its Master_Down_Timer's expiry and its first
 * GARP (1.97 ms) and eight had one just after (docs/benchmarks.md, "Log lines after the
 * takeover, and no scavenge in it"). The node clock runs the collector when a precise timeout's
 * long sleep ends, 6 to 37 ms before it fires (NodeClockOptions.beforePreciseExpiry); there it
 * took 0.9 to 1.9 ms, and no takeover traced after met a scavenge. A steady backup never gets
 * there, since every advert of its master restarts the timer long before.
 *
 * Node has no API for a scavenge; V8's `gc` function does one when asked for `{ type: 'minor' }`.
 * It is taken from a fresh vm context after `--expose-gc` is set at run time, so the daemon's own
 * global scope never gets a `gc`. Where that fails the collector does nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type V8Gc = (options: { type: 'minor' | 'major' }) => void;

/** At most one scavenge in this many ms: expiries due together (start-up, a master of many
 *  instances gone) share one, and a burst of takeovers scavenges on its own anyway. */
export const YOUNG_COLLECT_GAP_MS = 100;

/** V8's gc function, taken once (null: not to be had here). */
let v8Gc: V8Gc | null | undefined;

function findGc(): V8Gc | null {
  try {
    setFlagsFromString('--expose-gc');
    const found: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    return typeof found === 'function' ? (found as V8Gc) : null;
  } catch {
    return null;
  }
}

/**
 * A function that scavenges the young generation, at most once per `gapMs`. V8's gc is looked
 * for at its first call, so a process that never calls it sets no flag; where it cannot be had
 * the function does nothing.
 */
export function youngGenerationCollector(now: () => number, gapMs = YOUNG_COLLECT_GAP_MS): () => void {
  let lastMs = -Infinity;
  return () => {
    const t = now();
    if (t - lastMs < gapMs) return;
    lastMs = t;
    if (v8Gc === undefined) v8Gc = findGc();
    v8Gc?.({ type: 'minor' });
  };
}
