/**
 * What one VRRP instance costs in V8 heap, without root: the footprint bench's configuration
 * (N masters at advert 1 s on four links, bench/lib/footprint.ts) compiled and run for 20 s of
 * simulated time on one simulated host, through the daemon's own composition root. Prints the
 * heap used after two full collections, less the same with no instance, per instance. The
 * simulator's own per-instance records (its history of events) are in the figure too, so it is
 * a little above what the daemon's VRRP child holds; it moves with it, and it is the quick check
 * of a change before bench/memory-daemon.ts (root, the real daemon) confirms it.
 *
 *   npx tsx bench/instance-heap.ts [--instances 1000] [--rounds 3] [--snapshot FILE]
 *
 * --snapshot writes a V8 heap snapshot at the last round's largest N (Chrome DevTools, or
 * `npx tsx bench/lib/heap-summary.ts FILE`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { collectGarbage } from '../adapters/node/daemon/heap-compact.js';
import { compileText } from '../config/compile.js';
import { createDaemonRuntime } from '../sim/daemon-runtime.js';
import { runScenario } from '../sim/run.js';
import type { Scenario } from '../sim/scenario/types.js';
import { footprintConf } from './lib/footprint.js';
import { flag } from './lib/flags.js';

const counts = flag('instances', '1000').split(',').map(Number);
const rounds = Number(flag('rounds', '3'));
const snapshot = flag('snapshot', '');
const LINKS = [0, 1, 2, 3];

function heapUsed(): number {
  if (!collectGarbage()) throw new Error('this node cannot run a collection on demand');
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function scenario(n: number): Scenario {
  const compiled = compileText(n > 0 ? footprintConf(n) : 'global_defs {\n  router_id bench_node\n}\n');
  if (!compiled.model) throw new Error(compiled.diagnostics.map((d) => d.message).join('\n'));
  return {
    name: `instance-heap ${n}`,
    description: '',
    file: 'instance-heap',
    seed: 1,
    durationMs: 20_000,
    world: {
      segments: LINKS.map((i) => ({ name: `s${i}` })),
      hosts: [{ name: 'node', model: compiled.model, nics: LINKS.map((i) => ({ name: `n${i}`, segment: `s${i}`, addresses: [`198.51.100.${64 * i + 1}/26`] })) }],
    },
    timeline: [],
    expectations: [],
    checks: {},
    expectViolations: [],
    warnings: [],
  };
}

/** Heap used with n instances running, less before (the run is alive when it is measured). */
function measure(n: number, snapshotFile?: string): { bytes: number; masters: number } {
  const scn = scenario(n);
  const before = heapUsed();
  const run = runScenario(scn, { createRuntime: createDaemonRuntime, checks: false });
  const after = heapUsed();
  const masters = (run.world.hosts.get('node')?.proc?.runtime?.status() ?? []).filter((s) => s.state === 'MASTER').length;
  if (snapshotFile) console.log(`  heap snapshot: ${writeHeapSnapshot(snapshotFile)}`);
  return { bytes: after - before, masters };
}

/** One measurement in a fresh process (heap figures taken in one process drift with what earlier
 *  runs left: compiled code, feedback, caches). */
function inChild(n: number, snapshotFile?: string): { bytes: number; masters: number } {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', String(n), ...(snapshotFile ? ['--snapshot', snapshotFile] : [])];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as { bytes: number; masters: number };
}

const one = flag('one', '');
if (one !== '') {
  const r = measure(Number(one), snapshot || undefined);
  console.log(JSON.stringify(r));
} else {
  console.log(`V8 heap per VRRP instance (footprint configuration, one simulated host, 20 s simulated, a process per figure); node ${process.version}`);
  for (let r = 0; r < rounds; r++) {
    const empty = inChild(0).bytes;
    const byN = new Map<number, number>();
    for (const n of counts) {
      const last = r === rounds - 1 && n === Math.max(...counts);
      const { bytes, masters } = inChild(n, last && snapshot ? snapshot : undefined);
      byN.set(n, bytes - empty);
      console.log(`  round ${r + 1}: ${n} instances (${masters} MASTER): ${((bytes - empty) / 1024 / 1024).toFixed(2)} MiB, ${((bytes - empty) / n / 1024).toFixed(2)} KiB an instance`);
    }
    const [lo, hi] = [Math.min(...counts), Math.max(...counts)];
    if (hi > lo) console.log(`  round ${r + 1}: slope ${lo} -> ${hi}: ${((byN.get(hi)! - byN.get(lo)!) / (hi - lo) / 1024).toFixed(2)} KiB an instance`);
  }
}
