/**
 * Steady-state CPU of keepalived-ts per process (parent, VRRP child), two or more builds
 * interleaved (root only: network namespaces). Each build is a tree with a dist/ (npm run build);
 * each round runs every tree once, in turn, in the footprint bench's lab (-P, N masters at
 * advert 1 s, bench/lib/footprint.ts), and reads from /proc the CPU seconds and the context
 * switches (all threads) of each process over --seconds, starting 3 s (--settle) after every VIP is up.
 *
 *   npx tsx bench/daemon-cpu-ab.ts --trees /tmp/base,. [--instances 1000] [--seconds 20] [--rounds 3]
 *
 * --settle S: the window starts S s after every VIP is up (3, as in the footprint bench).
 * --node-flags "…": node flags for the parent (it hands them to the VRRP child too), e.g.
 * --perf-basic-prof. --hook "CMD": a shell command run (and waited for) at the start of each
 * measured window, with {parent} and {vrrp} replaced by the pids, e.g. a `perf record -p {vrrp}`
 * or `strace -c -f -p {vrrp}` of a few seconds; its CPU is not the daemon's. --output FILE: the
 * daemon's output of each run goes to FILE.rROUND.TREE, headed by where the window fell in each
 * process's own time (for --trace-gc).
 *
 * Prints one line per run and, at the end, per tree and process the CPU s/min of each round and
 * the per-round ratio of every tree to the first one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isRoot, NetnsLab, rootRequiredReason, run as runCommand, waitFor } from '../test/helpers/netns.js';
import { buildFootprintLab, flushVips, footprintConf, vipCount } from './lib/footprint.js';
import { contextSwitches, threadCpuSeconds, usageOf } from './lib/procstat.js';
import { flag } from './lib/flags.js';

/** TREE or TREE|CHILD FLAGS (KEEPALIVED_TS_CHILD_NODE_FLAGS for that arm, space separated) */
const arms = flag('trees', '.').split(',').map((t) => {
  const [tree, flags] = t.split('|');
  return { tree: resolve(tree!), flags, label: flags === undefined ? resolve(tree!) : `${resolve(tree!)}|${flags}` };
});
const trees = arms.map((a) => a.label);
const n = Number(flag('instances', '1000'));
const seconds = Number(flag('seconds', '20'));
const rounds = Number(flag('rounds', '3'));
const nodeFlags = flag('node-flags', '').split(/\s+/).filter(Boolean);
const hook = flag('hook', '');
/** Seconds from every VIP up to the window (the footprint bench's is 3). */
const settle = Number(flag('settle', '3'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

interface Run {
  parent: number;
  vrrp: number;
  parentCs: number;
  vrrpCs: number;
  rss: number;
}

async function main(): Promise<void> {
  if (!isRoot) return console.log(`daemon-cpu-ab: skipped, ${rootRequiredReason}`);
  console.log(`daemon-cpu-ab: ${n} instances, advert 1 s, ${seconds} s, ${rounds} rounds; trees ${trees.join(', ')}; load average ${load()}`);
  const lab = new NetnsLab('kts-cpuab-');
  const dir = mkdtempSync(join(tmpdir(), 'kts-cpuab-'));
  const results = new Map<string, Run[]>(trees.map((t) => [t, []]));
  try {
    const fl = await buildFootprintLab(lab);
    const conf = join(dir, 'ab.conf');
    writeFileSync(conf, footprintConf(n));
    for (let r = 0; r < rounds; r++) {
      for (const arm of arms) {
        const tree = arm.label;
        const base = join(dir, `r${r}`);
        const pidFiles = { parent: `${base}.pid`, vrrp: `${base}-vrrp.pid` };
        const proc = lab.spawn(fl.node, [process.execPath, ...nodeFlags, join(arm.tree, 'dist/adapters/node/cli.js'), '-n', '-l', '-P', '-f', conf, '-p', pidFiles.parent, '-r', pidFiles.vrrp, '-c', `${base}-checkers.pid`], { TMPDIR: dir, ...(arm.flags !== undefined ? { KEEPALIVED_TS_CHILD_NODE_FLAGS: arm.flags } : {}) });
        try {
          await waitFor(async () => (await vipCount(lab, fl.node)) >= n, { timeoutMs: 120_000, intervalMs: 100, what: `${n} VIPs` });
          // CLOCK_MONOTONIC in µs, the clock of V8's CPU profiles (--node-flags --cpu-prof): where "up" falls in them.
          const upMonotonicUs = Number(process.hrtime.bigint() / 1000n);
          const pidOf = (f: string): number => Number(readFileSync(f, 'utf8').trim());
          const pids = { parent: pidOf(pidFiles.parent), vrrp: pidOf(pidFiles.vrrp) };
          await sleep(settle * 1000);
          const cpu0 = { parent: threadCpuSeconds(pids.parent), vrrp: threadCpuSeconds(pids.vrrp) };
          const cs0 = { parent: contextSwitches(pids.parent), vrrp: contextSwitches(pids.vrrp) };
          const t0 = performance.now();
          const windowStart = Date.now();
          const hooked = hook ? runCommand(['sh', '-c', hook.replaceAll('{parent}', String(pids.parent)).replaceAll('{vrrp}', String(pids.vrrp))], { timeoutMs: (seconds + 30) * 1000 }) : undefined;
          // RSS: the peak of samples every 5 s (MiB, per process), as the footprint bench took it until
          // 2026-12-06; it now reads every second, as these 5-s samples can miss the VRRP child's peak
          // before its memory-reducing collection (docs/benchmarks.md, "RSS sampled every second").
          const rss = { parent: 0, vrrp: 0 };
          for (let left = seconds * 1000; left > 0; left -= 5000) {
            await sleep(Math.min(5000, left));
            rss.parent = Math.max(rss.parent, usageOf([pids.parent]).rssKiB / 1024);
            rss.vrrp = Math.max(rss.vrrp, usageOf([pids.vrrp]).rssKiB / 1024);
          }
          if (hooked) console.log((await hooked).stdout + (await hooked).stderr);
          const perMin = 60_000 / (performance.now() - t0);
          const run: Run = {
            parent: (threadCpuSeconds(pids.parent) - cpu0.parent) * perMin,
            vrrp: (threadCpuSeconds(pids.vrrp) - cpu0.vrrp) * perMin,
            parentCs: ((contextSwitches(pids.parent) - cs0.parent) * perMin) / 60,
            vrrpCs: ((contextSwitches(pids.vrrp) - cs0.vrrp) * perMin) / 60,
            rss: rss.parent + rss.vrrp,
          };
          results.get(tree)!.push(run);
          console.log(
            `  round ${r + 1} ${tree}: parent ${run.parent.toFixed(3)} s/min (${run.parentCs.toFixed(1)} cs/s), vrrp ${run.vrrp.toFixed(3)} s/min (${run.vrrpCs.toFixed(1)} cs/s), total ${(run.parent + run.vrrp).toFixed(3)}; RSS parent ${rss.parent.toFixed(1)} + vrrp ${rss.vrrp.toFixed(1)} MiB; load ${load()}`,
          );
          const outFile = flag('output', '');
          if (outFile) {
            // Where the window fell in each process's own clock (--trace-gc prints ms since its start).
            const startedMs = (pid: number): number => Number(statOf(pid).slice(statOf(pid).lastIndexOf(')') + 2).split(' ')[19]) * 10 + bootMs();
            const at = (pid: number): string => `${Math.round(windowStart - startedMs(pid))}-${Math.round(windowStart + seconds * 1000 - startedMs(pid))} ms`;
            writeFileSync(`${outFile}.r${r}.${trees.indexOf(tree)}`, `up at monotonic ${upMonotonicUs} µs; window: parent ${pids.parent} ${at(pids.parent)}, vrrp ${pids.vrrp} ${at(pids.vrrp)}\n${proc.output()}`);
          }
          process.kill(pids.parent, 'SIGTERM');
          await waitFor(async () => usageOf([pids.parent, pids.vrrp]).processes === 0 || /\) Z /.test(statOf(pids.parent)), { timeoutMs: 30_000, intervalMs: 50, what: 'daemon exit' });
        } finally {
          await proc.stop(2000);
        }
        await flushVips(lab, fl.node);
        await sleep(1000);
      }
    }
    console.log(`\nCPU s/min per round (ratio to ${trees[0]} in the same round); load average ${load()}`);
    const first = results.get(trees[0]!)!;
    for (const tree of trees) {
      const rs = results.get(tree)!;
      for (const k of ['parent', 'vrrp'] as const) {
        console.log(`  ${tree} ${k}: ${rs.map((x, i) => `${x[k].toFixed(3)} (${(x[k] / first[i]![k]).toFixed(2)})`).join(', ')}`);
      }
      console.log(`  ${tree} RSS MiB: ${rs.map((x) => x.rss.toFixed(1)).join(', ')}`);
      console.log(`  ${tree} total: ${rs.map((x, i) => `${(x.parent + x.vrrp).toFixed(3)} (${((x.parent + x.vrrp) / (first[i]!.parent + first[i]!.vrrp)).toFixed(2)})`).join(', ')}`);
    }
  } finally {
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

function bootMs(): number {
  return Number(/btime (\d+)/.exec(readFileSync('/proc/stat', 'utf8'))![1]) * 1000;
}

function statOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return ') Z ';
  }
}

await main();
