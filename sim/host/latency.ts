/**
 * How long a daemon takes to start and to react to a local event, per simulated host. Without
 * these a simulated daemon is ready the instant its process starts and acts on SIGTERM or a lost
 * carrier in 0 ms, while the real one needs a few hundred milliseconds to start, which decides
 * close elections (docs/simulator.md, "Start-up and reaction latency").
 *
 *  - startupMs: process start → the runtime starts (config read, VRRP child forked, sockets open;
 *    then the start-up sweep and INIT → BACKUP/MASTER happen at once).
 *  - reactionMs: SIGTERM → the runtime stops (priority-0 advert), and a carrier change → the
 *    daemon's link watchers hear of it.
 *
 * Both are 0 unless a scenario asks: `latency: measured` at the top gives every host
 * MEASURED_LATENCY, a host's `startup:` / `reaction:` (a duration, or `measured`) sets its own.
 * They are off by default so the shipped examples keep the timing their expectations were written
 * against (docs/simulator.md says why).
 */
export const DEFAULT_STARTUP_MS = 0;
export const DEFAULT_REACTION_MS = 0;

/**
 * keepalived-ts measured in network namespaces by bench/daemon-latency.bench.ts (node dist/): the
 * lower figures of runs on a shared two-core machine (docs/simulator.md has the runs and load).
 */
export const MEASURED_LATENCY: Readonly<HostLatency> = { startupMs: 1000, reactionMs: 25 };

export interface HostLatency {
  startupMs: number;
  reactionMs: number;
}
