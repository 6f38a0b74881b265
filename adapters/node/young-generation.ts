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
 * It comes from v8-gc.ts, which leaves the daemon's own global scope without a `gc`. Where it
 * cannot be had the collector does nothing.
 */
import { v8Gc } from './v8-gc.js';

/** At most one scavenge in this many ms: expiries due together (start-up, a master of many
 *  instances gone) share one, and a burst of takeovers scavenges on its own anyway. */
export const YOUNG_COLLECT_GAP_MS = 100;

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
    v8Gc()?.({ type: 'minor' });
  };
}
