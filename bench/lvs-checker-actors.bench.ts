/**
 * The cost of the LVS actors alone, in one process and without sockets: N TCP_CHECK real servers
 * (delay_loop 1 s, the lvs-checkers bench's layout) run through createRuntime with a prober that
 * answers at once, so what is measured is the checker, real-server and virtual-server actors,
 * XState and the runtime (no kernel, no network). Complements lvs-checkers-vs-keepalived, which
 * measures the whole checker process against keepalived's.
 *
 *   npx tsx bench/lvs-checker-actors.bench.ts [--servers 1000,10000] [--seconds 10] [--clock sim|real]
 *
 *  --clock sim   (default) the simulator's clock: every due timer fires as fast as the CPU allows.
 *                Prints start-up CPU and CPU µs per check.
 *  --clock real  Node's timers, a prober answering on the next turn of the event loop (setImmediate)
 *                and a 100 ms heartbeat: prints the longest the event loop was blocked during
 *                start-up and while checking. The daemon's checker child answers its parent's
 *                hellos on that loop, and the parent kills a child that leaves two unanswered
 *                (about 10 s): a start-up that blocks for seconds here is one that can be killed
 *                on a loaded machine.
 *
 * Prints figures; asserts nothing. Not root, no namespaces. See docs/benchmarks.md.
 */
import { performance } from 'node:perf_hooks';
import type { ProbeOutcome, Prober, ProbeRequest } from '../actors/lvs/prober-port.js';
import type { Clock } from '../actors/ports.js';
import { createRuntime } from '../actors/runtime.js';
import { createNodeClock } from '../adapters/node/clock.js';
import { compileText } from '../config/index.js';
import { FakeLan } from '../test/actors/fake-ports.js';
import { lvsPorts, RecordingTable } from '../test/actors/lvs-fakes.js';
import type { SimClock } from '../sim/clock.js';
import { flag } from './lib/flags.js';

const PER_VS = 250;
const serverCounts = flag('servers', '1000,10000').split(',').map(Number);
const seconds = Number(flag('seconds', '10'));
const clockKind = flag('clock', 'sim');

function configText(n: number): string {
  const out: string[] = ['global_defs {\n  router_id lvs_actors\n}\n'];
  for (let v = 0; v * PER_VS < n; v++) {
    out.push(`virtual_server 198.51.100.${100 + v} 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n`);
    for (let r = v * PER_VS; r < Math.min(n, (v + 1) * PER_VS); r++) {
      out.push(`  real_server 203.0.113.${1 + (r % PER_VS)} ${10000 + Math.floor(r / PER_VS)} {\n    TCP_CHECK {\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n  }\n`);
    }
    out.push('}\n');
  }
  return out.join('');
}

/** A seeded uniform draw in 0..1 (warmups spread as the daemon's Math.random spreads them). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

class CountingProber implements Prober {
  attempts = 0;
  constructor(private readonly later: (fn: () => void) => { cancel(): void }) {}
  probe(_req: ProbeRequest, done: (o: ProbeOutcome) => void): { cancel(): void } {
    this.attempts++;
    return this.later(() => done({ ok: true }));
  }
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

function model(n: number) {
  const r = compileText(configText(n));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`config: ${errors[0]!.message}`);
  return r.model;
}

function runSim(n: number): void {
  const m = model(n);
  const lan = new FakeLan();
  const node = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  const prober = new CountingProber((fn) => {
    const id = lan.clock.setTimeout(fn, 1);
    return { cancel: () => lan.clock.clearTimeout(id) };
  });
  const table = new RecordingTable(lan.clock);
  const rt = createRuntime(lvsPorts(node, prober, table, lcg(n)), m, { name: 'a' });
  const c0 = cpuMs();
  rt.start();
  lan.clock.runUntil(2500);
  const c1 = cpuMs();
  const a1 = prober.attempts;
  lan.clock.runUntil(2500 + seconds * 1000);
  const c2 = cpuMs();
  const checks = prober.attempts - a1;
  const heap = process.memoryUsage();
  console.log(
    `  ${String(n).padStart(5)} servers (sim clock): start-up + warmup ${(c1 - c0).toFixed(0)} ms CPU; ${checks} checks in ${seconds} simulated s, ` +
      `${((1000 * (c2 - c1)) / checks).toFixed(1)} µs CPU per check; heap ${mib(heap.heapUsed)} MiB, RSS ${mib(heap.rss)} MiB`,
  );
  rt.stop();
  lan.clock.runUntil(lan.clock.now() + 20_000);
}

async function runReal(n: number): Promise<void> {
  const m = model(n);
  const lan = new FakeLan();
  const node = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  const clock: Clock = createNodeClock();
  const prober = new CountingProber((fn) => {
    let live = true;
    setImmediate(() => live && fn());
    return { cancel: () => void (live = false) };
  });
  const table = new RecordingTable(clock as unknown as SimClock);
  const rt = createRuntime({ ...lvsPorts(node, prober, table, lcg(n)), clock }, m, { name: 'a' });
  let last = performance.now();
  let worst = 0;
  const beat = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
  }, 100);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const c0 = cpuMs();
  rt.start();
  await sleep(3000);
  const startWorst = worst;
  worst = 0;
  const c1 = cpuMs();
  const a1 = prober.attempts;
  const t1 = performance.now();
  await sleep(seconds * 1000);
  const c2 = cpuMs();
  const checks = prober.attempts - a1;
  const wall = (performance.now() - t1) / 1000;
  console.log(
    `  ${String(n).padStart(5)} servers (real clock): start-up + warmup ${(c1 - c0).toFixed(0)} ms CPU, event loop blocked up to ${startWorst.toFixed(0)} ms; ` +
      `then ${(checks / wall).toFixed(0)} checks/s, ${((1000 * (c2 - c1)) / checks).toFixed(1)} µs CPU per check, blocked up to ${worst.toFixed(0)} ms`,
  );
  clearInterval(beat);
  rt.stop();
  await sleep(2000);
}

console.log(`LVS actors without sockets: TCP_CHECK, delay_loop 1 s, prober answering at once; node ${process.version}, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const n of serverCounts) {
  if (clockKind === 'real') await runReal(n);
  else runSim(n);
}
