/**
 * Node/V8 flags for the VRRP and checker children the parent forks, one list per role.
 *
 * The children allocate short-lived objects on every advert and every check; with V8's defaults
 * on a machine with gigabytes of memory, the young generation grows to 2 × 16 MiB and the old
 * generation to about three times its live size before a full collection, so most of a child's
 * resident memory is garbage waiting to be collected. These flags keep the heap near its live
 * size instead (measured with bench/memory-daemon.ts and the CPU of bench/daemon-vs-keepalived.bench.ts;
 * see docs/benchmarks.md, "Memory at 1,000 instances"):
 *
 *  - `--max-semi-space-size=1`: the young generation stays at 2 × 1 MiB (node 20's V8 already
 *    holds it there under `--optimize-for-size`, whatever the semi-space flags say: this one
 *    states it, and keeps it should the other go; benchmarks.md, "The machine's own stalls");
 *  - `--optimize-for-size`: V8 grows the old generation in smaller steps and collects sooner;
 *  - `--memory-reducer-single-gc`: after start-up V8's memory reducer (8 s after a full
 *    collection that shrank the heap) runs one collection, not up to three. With
 *    `--optimize-for-size` it starts one whatever the allocation rate; the first gives back the
 *    start-up's garbage (about 10 MiB of the VRRP child's at 1,000 instances), the next found
 *    under 1 MiB more and cost as much (docs/benchmarks.md, "The fixed baseline").
 *
 * The checker child gets `--max-semi-space-size=4` alone. With `--optimize-for-size` at 10,000
 * TCP_CHECK servers it started in 63 s instead of 13 and managed 5,170 checks a second instead
 * of 7,625 (its old generation, where each checker's one-second timers end up, was collected
 * far more often); the larger young generation cost less CPU at 1,000 servers too (120 against
 * 145 µs a check). Its price is memory: 128 against 114 MiB at 1,000 servers, 659 against
 * 281 MiB at 10,000 (docs/benchmarks.md, "The checker child's node flags"). Since a TCP
 * attempt's deadline reads the socket once more before counting a timeout, the longer pauses of
 * the bigger heap no longer fail healthy servers (0 removed in those runs).
 *
 * Neither list caps the heap: a child with many more instances grows as it needs (no out-of-memory
 * crash at a fixed size). KEEPALIVED_TS_CHILD_NODE_FLAGS replaces the list (space separated; empty
 * for V8's defaults); node flags given to the parent (`node --max-old-space-size=… keepalived-ts`)
 * come after these and so take precedence.
 */
import { portableExecArgv } from './exec-argv.js';
import type { ChildRole } from './ipc.js';

export const CHILD_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--optimize-for-size', '--memory-reducer-single-gc'];
export const CHECKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
export const CHILD_NODE_FLAGS_ENV = 'KEEPALIVED_TS_CHILD_NODE_FLAGS';

/**
 * The environment the parent forks a child with: its own, plus, for the VRRP child,
 * MALLOC_ARENA_MAX=1 unless the operator set it. glibc gives each thread that calls malloc an
 * arena of its own (up to eight per core); in the VRRP child V8's worker threads (concurrent
 * marking, optimising compilation) each filled one, and memory freed in an arena stays resident
 * in it: four arenas held 8.3-10.3 MiB at 1,000 instances. With one arena the child's malloc'd
 * memory took 11.2-11.5 MiB in all against 14.3-14.6 (`/proc/PID/smaps` of the footprint bench's
 * set-up, two runs each; docs/benchmarks.md, "The parent's young generation and the VRRP child's
 * malloc arenas"), and its CPU did not move. The checker child keeps glibc's default: it runs
 * probes at up to 10,000 a second and was not measured with one arena. undefined: the child
 * inherits the parent's environment as it is.
 */
export function childEnv(role: ChildRole, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | undefined {
  if (role !== 'vrrp' || env.MALLOC_ARENA_MAX !== undefined) return undefined;
  return { ...env, MALLOC_ARENA_MAX: '1' };
}

export function childExecArgv(parentExecArgv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd(), role: ChildRole = 'vrrp'): string[] {
  const override = env[CHILD_NODE_FLAGS_ENV];
  const defaults = override !== undefined ? override.split(/\s+/).filter(Boolean) : role === 'checker' ? CHECKER_NODE_FLAGS : CHILD_NODE_FLAGS;
  return [...defaults, ...portableExecArgv(parentExecArgv, cwd)];
}
