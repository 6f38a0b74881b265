/**
 * Where the footprint bench's CPU falls in time: keepalived-ts and keepalived, one after the
 * other in the footprint lab (-P, N masters at advert 1 s, bench/lib/footprint.ts), each
 * process's CPU (the sum of /proc/PID/task/*∕schedstat, nanoseconds) read every second from the
 * moment every VIP is up, for --seconds. Prints one row per second (ms of CPU per process and in
 * all, and of the VRRP child's main thread alone: the rest of the child's is V8's worker threads,
 * concurrent marking and compilation), then the total over the footprint bench's window (+3 s, 20 s) and over the later
 * seconds, so a one-off cost after start-up can be told from the steady state. Root only.
 *
 *   npx tsx bench/footprint-timeline.ts [--instances 1000] [--seconds 40] [--rounds 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, NetnsLab, rootRequiredReason, waitFor } from '../test/helpers/netns.js';
import { buildFootprintLab, flushVips, footprintConf, vipCount } from './lib/footprint.js';
import { pidsOf, startDaemon, type ImplName } from './lib/implementations.js';
import { contextSwitches, mainThreadCpuSeconds, threadCpuSeconds } from './lib/procstat.js';
import { flag } from './lib/flags.js';

const n = Number(flag('instances', '1000'));
const seconds = Number(flag('seconds', '40'));
const rounds = Number(flag('rounds', '1'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

async function timeline(lab: NetnsLab, node: string, impl: ImplName, dir: string, tag: string): Promise<number[][]> {
  const d = startDaemon(lab, node, impl, dir, tag, footprintConf(n));
  try {
    await waitFor(async () => (await vipCount(lab, node)) >= n, { timeoutMs: 120_000, intervalMs: 100, what: `${n} VIPs` });
    const p = pidsOf(d);
    const pids = [p.parent!, p.vrrp!];
    let prev = pids.map(threadCpuSeconds);
    let prevCs = contextSwitches(p.vrrp!);
    let prevMain = mainThreadCpuSeconds(p.vrrp!);
    const rows: number[][] = [];
    const t0 = performance.now();
    for (let s = 1; s <= seconds; s++) {
      await sleep(t0 + s * 1000 - performance.now());
      const now = pids.map(threadCpuSeconds);
      const cs = contextSwitches(p.vrrp!);
      const main = mainThreadCpuSeconds(p.vrrp!);
      rows.push([...now.map((v, i) => (v - prev[i]!) * 1000), cs - prevCs, (main - prevMain) * 1000]);
      prev = now;
      prevCs = cs;
      prevMain = main;
    }
    return rows;
  } finally {
    await d.stop();
    await flushVips(lab, node);
  }
}

async function main(): Promise<void> {
  if (!isRoot) return console.log(`footprint-timeline: skipped, ${rootRequiredReason}`);
  console.log(`footprint-timeline: ${n} instances, advert 1 s, ${seconds} s from every VIP up; load average ${load()}`);
  const lab = new NetnsLab('kts-tl-');
  const dir = mkdtempSync(join(tmpdir(), 'kts-tl-'));
  try {
    const fl = await buildFootprintLab(lab);
    for (let r = 0; r < rounds; r++) {
      const ours = await timeline(lab, fl.node, 'keepalived-ts', dir, `r${r}`);
      await sleep(1000);
      const theirs = await timeline(lab, fl.node, 'keepalived', dir, `r${r}`);
      await sleep(1000);
      console.log(`\nround ${r + 1}: CPU ms per second (parent, VRRP child, all, the VRRP child's main thread) and the VRRP child's context switches, load ${load()}`);
      console.log('  second   keepalived-ts                        keepalived');
      const cell = (row: number[]): string =>
        `${row.slice(0, 2).map((v) => v.toFixed(1).padStart(6)).join(' ')} ${(row[0]! + row[1]!).toFixed(1).padStart(7)} ${row[3]!.toFixed(1).padStart(6)} ${String(row[2]).padStart(5)}`;
      for (let s = 0; s < seconds; s++) console.log(`  +${String(s + 1).padStart(3)}  ${cell(ours[s]!)}      ${cell(theirs[s]!)}`);
      const sum = (rows: number[][], from: number, to: number): number => rows.slice(from, to).reduce((k, row) => k + row[0]! + row[1]!, 0);
      const perMin = (ms: number, secs: number): string => ((ms / 1000) * (60 / secs)).toFixed(2);
      const windows: Array<[string, number, number]> = [
        ['footprint window (+3 to +23 s)', 3, 23],
        [`later (+23 to +${seconds} s)`, 23, seconds],
      ];
      for (const [what, from, to] of windows) {
        if (to <= from || to > seconds) continue;
        const a = sum(ours, from, to);
        const b = sum(theirs, from, to);
        const cs = (rows: number[][]): string => (rows.slice(from, to).reduce((k, row) => k + row[2]!, 0) / (to - from)).toFixed(0);
        const main = (rows: number[][]): number => rows.slice(from, to).reduce((k, row) => k + row[3]!, 0);
        console.log(
          `  ${what}: keepalived-ts ${perMin(a, to - from)} s/min, keepalived ${perMin(b, to - from)} s/min, ratio ${(a / b).toFixed(2)}; ` +
            `VRRP child's main thread ${perMin(main(ours), to - from)} against ${perMin(main(theirs), to - from)} s/min; VRRP child context switches ${cs(ours)}/s against ${cs(theirs)}/s`,
        );
      }
    }
  } finally {
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
