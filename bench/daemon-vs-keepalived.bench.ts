/**
 * keepalived-ts against Debian's keepalived 2.2.7, side by side in one run (root only: network
 * namespaces). The figures of issues 5 and 14, with issue 14's targets:
 *
 *  1. Failover: kill -9 of the master → the backup's first gratuitous ARP, at advert 1 s (VRRPv2)
 *     and at VRRPv3 advert 0.05 s, median and p99 over --runs runs per implementation
 *     (interleaved), against the backup's Master_Down_Interval; with the machine's own stall
 *     (cyclictest) between the backup's due time and its GARP, per run.
 *  2. Footprint: CPU seconds per minute and RSS (total, and per process) for 1, 100 and 1,000
 *     instances at advert 1 s (the largest count --footprint-rounds times, interleaved), and how late the adverts of every instance on one link are (and
 *     those of VRID 1 alone, for reference); the RSS slope per
 *     instance between the smallest and the largest instance count run; the CPU seconds of
 *     start-up (launch to 3 s after every VIP is up), for reference. Targets at 1,000
 *     instances: CPU ≤ 1.5× keepalived's, total RSS ≤ 150 MiB, advert lateness max < 2 ms; slope
 *     ≤ 40 KiB per instance. Beside each daemon's window, the machine's own wake-up stalls in
 *     that window (cyclictest, when rt-tests is installed: bench/lib/stall-probe.ts), how
 *     many of the adverts more than 2 ms late were due during one of them, and the lateness max
 *     over the adverts that were not (the daemon's own part, for reference); and how fast the
 *     machine ran in that window (bench/lib/canary.ts: the CPU one fixed piece of work took).
 *
 *   npm run build && npx tsx bench/daemon-vs-keepalived.bench.ts [--runs 20] [--seconds 60]
 *        [--only failover|footprint] [--cases v2,v3] [--instances 1,100,1000] [--baseline DIR]
 *        [--stall-probe yes|no] [--reload-at S] [--footprint-rounds 3]
 *
 * --footprint-rounds N: the largest instance count runs N windows of each daemon, in turn (ours,
 * keepalived, ours, …). One 60-s window of one build of ours has used anywhere from 1.04 to 1.88
 * CPU-s/min on this machine (docs/benchmarks.md, "Three windows, not one"), so the CPU row
 * is the median window of each daemon; every other row takes the worst window (the largest RSS,
 * the latest advert) and the counts add up. Every window is printed.
 *
 * --reload-at S: S seconds into each footprint window the daemon gets SIGHUP (a reload of the
 * same configuration): the lateness then shows whether the adverts due during the reload left
 * on time.
 *
 * --baseline DIR: the failover runs also start keepalived-ts built in another checkout DIR
 * (its dist/), interleaved with this tree's and keepalived's, to compare two builds under the
 * same load.
 *
 * Prints figures and a target table; asserts nothing. See docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, NetnsLab, rootRequiredReason } from '../test/helpers/netns.js';
import { buildFailoverLab, masterDownMs, runFailover, type FailoverCase, type FailoverSample } from './lib/failover.js';
import { buildFootprintLab, runFootprint, type FootprintSample } from './lib/footprint.js';
import { SPIKE_US, stallProbeMissing } from './lib/stall-probe.js';
import { KEEPALIVED, oursCommand, useBaseline, type ImplName } from './lib/implementations.js';
import { fmt, mean, median, percentile } from './lib/stats.js';
import { flag } from './lib/flags.js';

const runs = Number(flag('runs', '20'));
const seconds = Number(flag('seconds', '60'));
const only = flag('only', 'all');
const instanceCounts = flag('instances', '1,100,1000').split(',').map(Number);
const footprintRounds = Math.max(1, Number(flag('footprint-rounds', '3')));
const baseline = flag('baseline', '');
const reloadAt = flag('reload-at', '');
const reloadAtS = reloadAt === '' ? undefined : Number(reloadAt);
if (reloadAtS !== undefined && !(reloadAtS > 0 && reloadAtS < seconds)) {
  console.error(`daemon-vs-keepalived: --reload-at takes seconds into the window, between 0 and --seconds (${seconds}), not "${reloadAt}"`);
  process.exit(2);
}
const stallProbeFlag = flag('stall-probe', 'yes');
if (stallProbeFlag !== 'yes' && stallProbeFlag !== 'no') {
  console.error(`daemon-vs-keepalived: --stall-probe takes yes or no, not "${stallProbeFlag}"`);
  process.exit(2);
}
const stallProbe = stallProbeFlag === 'yes';
const IMPLS: ImplName[] = ['keepalived-ts', 'keepalived'];
const FAILOVER_IMPLS: ImplName[] = baseline ? ['keepalived-ts', 'baseline', 'keepalived'] : IMPLS;
const CASES: FailoverCase[] = [
  { label: 'v2 advert 1 s', version: 2, advertS: 1 },
  { label: 'v3 advert 0.05 s', version: 3, advertS: 0.05 },
].filter((c) => flag('cases', 'v2,v3').split(',').includes(`v${c.version}`)) as FailoverCase[];

interface Row {
  metric: string;
  ours: number;
  theirs: number;
  target: string;
  met?: boolean;
}
const rows: Row[] = [];

function printRows(): void {
  console.log('\nmetric                                          ours   keepalived   ratio  target                       met?');
  for (const r of rows) {
    const ratio = r.theirs !== 0 ? r.ours / r.theirs : NaN;
    const met = r.met === undefined ? '-' : r.met ? 'yes' : 'NO';
    console.log(`${r.metric.padEnd(44)} ${fmt(r.ours, 2).padStart(8)} ${fmt(r.theirs, 2).padStart(12)} ${fmt(ratio, 2).padStart(7)}  ${r.target.padEnd(28)} ${met}`);
  }
}

async function failover(lab: NetnsLab, dir: string): Promise<void> {
  const fl = await buildFailoverLab(lab);
  const probeMissing = stallProbe ? stallProbeMissing() : undefined;
  if (probeMissing) console.log(`\nthe machine's own stalls in the takeovers: not measured, ${probeMissing}`);
  for (const c of CASES) {
    const mdi = masterDownMs(c);
    const samples: Record<ImplName, FailoverSample[]> = { 'keepalived-ts': [], keepalived: [], baseline: [] };
    const failures: Record<ImplName, string[]> = { 'keepalived-ts': [], keepalived: [], baseline: [] };
    console.log(`\nfailover, ${c.label}: Master_Down_Interval of the backup (priority 100) = ${fmt(mdi, 1)} ms; ${runs} runs each, interleaved`);
    for (let i = 0; i < runs; i++) {
      for (const impl of FAILOVER_IMPLS) {
        try {
          const s = await runFailover(lab, fl, impl, c, dir, stallProbe);
          samples[impl].push(s);
          const stalled = s.machineProbeFailed ? ` (stall probe: ${s.machineProbeFailed})` : Number.isNaN(s.machineStallMs) ? '' : `, machine stalled ${fmt(s.machineStallMs)} ms between MDI and the GARP`;
          console.log(`  run ${String(i + 1).padStart(2)} ${impl.padEnd(13)} last advert→GARP ${fmt(s.advertToGarpMs)} ms, kill→GARP ${fmt(s.killToGarpMs)} ms, kill→VIP ${fmt(s.killToVipMs)} ms${stalled}${s.masterLastGapMs > 1.5 * c.advertS * 1000 ? ` (the master's last advert came ${fmt(s.masterLastGapMs)} ms after its previous one)` : ''}`);
        } catch (e) {
          failures[impl].push((e as Error).message.split('\n')[0]!);
          console.log(`  run ${String(i + 1).padStart(2)} ${impl.padEnd(13)} FAILED: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    const stat = (impl: ImplName, key: keyof Omit<FailoverSample, 'impl' | 'machineProbeFailed'>, p: number): number => percentile(samples[impl].map((s) => s[key]), p);
    console.log('  figure (ms)                 ours median / p99      keepalived median / p99');
    for (const key of ['advertToGarpMs', 'killToGarpMs', 'killToVipMs'] as const) {
      console.log(`  ${key.padEnd(26)} ${fmt(stat('keepalived-ts', key, 50)).padStart(8)} / ${fmt(stat('keepalived-ts', key, 99)).padEnd(10)} ${fmt(stat('keepalived', key, 50)).padStart(10)} / ${fmt(stat('keepalived', key, 99))}${baseline ? `   baseline ${fmt(stat('baseline', key, 50))} / ${fmt(stat('baseline', key, 99))}` : ''}`);
    }
    for (const impl of FAILOVER_IMPLS) if (failures[impl].length) console.log(`  ${impl}: ${failures[impl].length} failed runs`);
    const oursP99 = stat('keepalived-ts', 'advertToGarpMs', 99);
    rows.push({ metric: `failover ${c.label}: advert→GARP median ms`, ours: stat('keepalived-ts', 'advertToGarpMs', 50), theirs: stat('keepalived', 'advertToGarpMs', 50), target: `(MDI ${fmt(mdi)} ms)` });
    rows.push({ metric: `failover ${c.label}: advert→GARP p99 ms`, ours: oursP99, theirs: stat('keepalived', 'advertToGarpMs', 99), target: `≤ MDI+10 = ${fmt(mdi + 10)}`, met: oursP99 <= mdi + 10 && samples['keepalived-ts'].length === runs });
    const longestStall = (impl: ImplName): number => (samples[impl].length ? Math.max(...samples[impl].map((x) => x.machineStallMs)) : NaN);
    rows.push({ metric: `failover ${c.label}: machine stall max ms`, ours: longestStall('keepalived-ts'), theirs: longestStall('keepalived'), target: '(between MDI and GARP)' });
    rows.push({ metric: `failover ${c.label}: kill→GARP p99 ms`, ours: stat('keepalived-ts', 'killToGarpMs', 99), theirs: stat('keepalived', 'killToGarpMs', 99), target: '(for reference)' });
  }
}

async function footprint(lab: NetnsLab, dir: string): Promise<void> {
  const fl = await buildFootprintLab(lab);
  const results: FootprintSample[] = [];
  console.log(`\nfootprint at advert 1 s, ${seconds} s measured per case (after all VIPs are up + 3 s)${reloadAtS !== undefined ? `; SIGHUP (a reload of the same configuration) ${reloadAtS} s into each window` : ''}`);
  const largest = Math.max(...instanceCounts);
  for (const n of instanceCounts) {
    const rounds = n === largest ? footprintRounds : 1;
    const windows: FootprintSample[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const impl of IMPLS) {
        try {
          const s = await runFootprint(lab, fl, impl, n, seconds, dir, stallProbe, reloadAtS);
          windows.push(s);
          console.log(
            `  ${String(n).padStart(4)} instances ${impl.padEnd(13)}${rounds > 1 ? ` window ${round}/${rounds}` : ''} start-up ${fmt(s.startupMs, 0)} ms (${fmt(s.startupCpuSeconds, 2)} CPU s to 3 s after), CPU ${fmt(s.cpuSecondsPerMinute, 2)} s/min, RSS ${fmt(s.rssMiB, 1)} MiB at most, ${fmt(s.rssEndMiB, 1)} at the end (${s.processes} processes), advert lateness max ${fmt(s.lateMaxMs, 2)} ms p99 ${fmt(s.lateP99Ms, 2)} ms min ${fmt(s.lateMinMs, 2)} ms over ${s.intervals} intervals of ${s.lateInstances} instances (VRID 1 alone: max ${fmt(s.vrid1LateMaxMs, 2)} over ${s.vrid1Intervals}), ${s.childDeaths} child deaths`,
          );
          console.log(`       RSS per process: ${s.perProcess.map((p) => `${p.name} ${fmt(p.rssKiB / 1024, 1)} MiB`).join(', ')}; PSS (shared pages split between the processes) ${fmt(s.pssMiB, 1)} MiB in all`);
          if (typeof s.machine === 'string') console.log(`       the machine's own stalls: not measured, ${s.machine}`);
          else {
            const over2 = s.machine.stalls.filter((x) => x.lateMs > 2).length;
            console.log(
              `       the machine in the same window (cyclictest, ${s.machine.threads} SCHED_FIFO threads, one per CPU, waking every ms): wake-up latency max ${fmt(s.machine.maxMs, 2)} ms, ${over2} wake-ups more than 2 ms late in ${s.machine.cycles}; of this daemon's ${s.lateOver2} adverts more than 2 ms late, ${s.lateOver2InStall} were due during one of the probe's stalls over ${SPIKE_US / 1000} ms (${fmt(s.lateOver2ByChance, 1)} would be by chance); lateness max over the adverts not due in a stall ${fmt(s.lateMaxOutsideStallsMs, 2)} ms; every CPU stalled at once for up to ${fmt(s.everyCpuStallMaxMs, 2)} ms, lateness max over the adverts not due then ${fmt(s.lateMaxOutsideEveryCpuStallsMs, 2)} ms`,
            );
          }
          console.log(
            typeof s.machineSpeed === 'string'
              ? `       the machine's speed: not measured, ${s.machineSpeed}`
              : `       the machine's speed in the same window (bench/lib/canary.ts, one fixed piece of work a second): ${fmt(s.machineSpeed.meanMs, 2)} ms of CPU per piece on average, median ${fmt(s.machineSpeed.medianMs, 2)}, over ${s.machineSpeed.units}`,
          );
          if (s.vipsUp < n) console.log(`       only ${s.vipsUp}/${n} VIPs up after 90 s + ${seconds} s; ${s.logLines} log lines, last: ${s.lastLogLine.slice(0, 160)}`);
        } catch (e) {
          console.log(`  ${String(n).padStart(4)} instances ${impl.padEnd(13)} FAILED: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    /** The canary's CPU ms per piece, the mean over `impl`'s windows (bench/lib/canary.ts). */
    const canaryMs = (impl: ImplName): number => mean(windows.filter((w) => w.impl === impl).map((w) => (typeof w.machineSpeed === 'string' ? NaN : w.machineSpeed.meanMs)));
    for (const impl of IMPLS) {
      const mine = windows.filter((w) => w.impl === impl);
      if (mine.length === 0) continue;
      results.push(combineWindows(mine));
      if (mine.length > 1) console.log(`  ${n} instances ${impl}: CPU s/min by window ${mine.map((w) => fmt(w.cpuSecondsPerMinute, 2)).join(', ')}; RSS MiB ${mine.map((w) => fmt(w.rssMiB, 1)).join(', ')} (at the end ${mine.map((w) => fmt(w.rssEndMiB, 1)).join(', ')}); the machine's speed (CPU ms per piece) ${mine.map((w) => (typeof w.machineSpeed === 'string' ? 'n/a' : fmt(w.machineSpeed.meanMs, 2))).join(', ')}`);
    }
    const ours = results.find((r) => r.impl === 'keepalived-ts' && r.instances === n);
    const theirs = results.find((r) => r.impl === 'keepalived' && r.instances === n);
    if (!ours || !theirs) continue;
    const big = n >= 1000;
    // A daemon whose instances never all came up, or whose VRRP child died, has no valid figures.
    for (const r of [ours, theirs]) {
      if (r.vipsUp < n || r.childDeaths > 0) {
        r.cpuSecondsPerMinute = NaN;
        console.log(`  ${r.impl} at ${n} instances: figures invalid (${r.vipsUp}/${n} VIPs, ${r.childDeaths} child deaths)`);
      }
    }
    rows.push({ metric: `${n} instances: CPU s/min`, ours: ours.cpuSecondsPerMinute, theirs: theirs.cpuSecondsPerMinute, target: big ? '≤ 1.5× keepalived' : '', met: big ? ours.cpuSecondsPerMinute <= 1.5 * theirs.cpuSecondsPerMinute : undefined /* NaN compares false */ });
    rows.push({ metric: `${n} instances: RSS MiB`, ours: ours.rssMiB, theirs: theirs.rssMiB, target: big ? '≤ 150 MiB' : '', met: big ? ours.rssMiB <= 150 : undefined });
    rows.push({ metric: `${n} instances: RSS MiB, window's end`, ours: ours.rssEndMiB, theirs: theirs.rssEndMiB, target: big ? '(after start-up)' : '' });
    rows.push({ metric: `${n} instances: machine speed, CPU ms`, ours: canaryMs('keepalived-ts'), theirs: canaryMs('keepalived'), target: '(canary, mean of windows)' });
    rows.push({ metric: `${n} instances: start-up CPU s`, ours: ours.startupCpuSeconds, theirs: theirs.startupCpuSeconds, target: big ? '(for reference)' : '' });
    rows.push({ metric: `${n} instances: PSS MiB`, ours: ours.pssMiB, theirs: theirs.pssMiB, target: big ? '(for reference)' : '' });
    rows.push({ metric: `${n} instances: advert lateness max ms`, ours: ours.lateMaxMs, theirs: theirs.lateMaxMs, target: big ? '< 2 ms' : '', met: big ? ours.lateMaxMs < 2 : undefined });
    const probeMax = (r: FootprintSample): number => (typeof r.machine === 'string' ? NaN : r.machine.maxMs);
    rows.push({ metric: `${n} instances: machine wake-up max ms`, ours: probeMax(ours), theirs: probeMax(theirs), target: '(cyclictest, same window)' });
    rows.push({ metric: `${n} instances: adverts > 2 ms late`, ours: ours.lateOver2, theirs: theirs.lateOver2, target: '(count)' });
    const inStall = (r: FootprintSample): number => (typeof r.machine === 'string' ? NaN : r.lateOver2InStall); // no probe, no stalls known
    rows.push({ metric: `${n} instances: of them due in a stall`, ours: inStall(ours), theirs: inStall(theirs), target: '(machine stall)' });
    rows.push({ metric: `${n} instances: lateness max ms, no stall`, ours: ours.lateMaxOutsideStallsMs, theirs: theirs.lateMaxOutsideStallsMs, target: '(adverts not due in a stall)' });
    rows.push({ metric: `${n} instances: every CPU stalled, max ms`, ours: ours.everyCpuStallMaxMs, theirs: theirs.everyCpuStallMaxMs, target: '(cyclictest, all CPUs at once)' });
    rows.push({ metric: `${n} instances: lateness max ms, no all-CPU stall`, ours: ours.lateMaxOutsideEveryCpuStallsMs, theirs: theirs.lateMaxOutsideEveryCpuStallsMs, target: '(adverts not due then)' });
    rows.push({ metric: `${n} instances: advert lateness p99 ms`, ours: ours.lateP99Ms, theirs: theirs.lateP99Ms, target: '' });
    rows.push({ metric: `${n} instances: advert lateness min ms`, ours: ours.lateMinMs, theirs: theirs.lateMinMs, target: '(< 0: early)' });
    rows.push({ metric: `${n} instances: VRID 1 lateness max ms`, ours: ours.vrid1LateMaxMs, theirs: theirs.vrid1LateMaxMs, target: '(one instance)' });
  }
  // RSS per instance: the slope between the smallest and the largest instance count run.
  const lo = Math.min(...instanceCounts);
  const hi = Math.max(...instanceCounts);
  if (hi > lo) {
    const slopeKiB = (impl: ImplName): number => {
      const a = results.find((r) => r.impl === impl && r.instances === lo);
      const b = results.find((r) => r.impl === impl && r.instances === hi);
      return a && b ? ((b.rssMiB - a.rssMiB) * 1024) / (hi - lo) : NaN;
    };
    const ours = slopeKiB('keepalived-ts');
    rows.push({ metric: `RSS slope ${lo}→${hi} instances, KiB/instance`, ours, theirs: slopeKiB('keepalived'), target: '≤ 40 KiB', met: ours <= 40 });
  }
}

/**
 * One daemon's windows at one instance count as one sample (--footprint-rounds): the median CPU
 * and start-up, the worst of everything with a line to meet (the largest RSS, the latest advert,
 * the longest machine stall), counts added up; the per-process RSS and PSS of the window whose
 * RSS was largest.
 */
function combineWindows(w: FootprintSample[]): FootprintSample {
  if (w.length === 1) return w[0]!;
  const mid = (f: (s: FootprintSample) => number): number => median(w.map(f));
  const max = (f: (s: FootprintSample) => number): number => Math.max(...w.map(f));
  const sum = (f: (s: FootprintSample) => number): number => w.reduce((a, s) => a + f(s), 0);
  const fattest = w.reduce((a, s) => (s.rssMiB > a.rssMiB ? s : a));
  const probes = w.map((s) => s.machine);
  const missing = probes.find((m): m is string => typeof m === 'string');
  const machine =
    missing ??
    (probes as Exclude<FootprintSample['machine'], string>[]).reduce((a, m) => ({
      cycles: a.cycles + m.cycles,
      threads: m.threads,
      maxMs: Math.max(a.maxMs, m.maxMs),
      stalls: [...a.stalls, ...m.stalls],
    }));
  return {
    ...fattest,
    startupMs: mid((s) => s.startupMs),
    startupCpuSeconds: mid((s) => s.startupCpuSeconds),
    cpuSecondsPerMinute: mid((s) => s.cpuSecondsPerMinute),
    rssEndMiB: max((s) => s.rssEndMiB),
    lateMaxMs: max((s) => s.lateMaxMs),
    lateP99Ms: max((s) => s.lateP99Ms),
    lateMinMs: Math.min(...w.map((s) => s.lateMinMs)),
    intervals: sum((s) => s.intervals),
    vrid1LateMaxMs: max((s) => s.vrid1LateMaxMs),
    vrid1Intervals: sum((s) => s.vrid1Intervals),
    machine,
    lateOver2: sum((s) => s.lateOver2),
    lateOver2InStall: sum((s) => s.lateOver2InStall),
    lateOver2ByChance: sum((s) => s.lateOver2ByChance),
    lateMaxOutsideStallsMs: max((s) => s.lateMaxOutsideStallsMs),
    everyCpuStallMaxMs: max((s) => s.everyCpuStallMaxMs),
    lateMaxOutsideEveryCpuStallsMs: max((s) => s.lateMaxOutsideEveryCpuStallsMs),
    vipsUp: Math.min(...w.map((s) => s.vipsUp)),
    childDeaths: sum((s) => s.childDeaths),
  };
}

async function main(): Promise<number> {
  if (!isRoot) {
    console.log(`daemon-vs-keepalived: skipped, ${rootRequiredReason}`);
    return 0;
  }
  console.log(`keepalived-ts vs keepalived (${KEEPALIVED}); ours runs as: ${oursCommand().how}${baseline ? `; baseline runs as: ${useBaseline(baseline)}` : ''}`);
  console.log(`node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const lab = new NetnsLab('kts-bench-');
  const dir = mkdtempSync(join(tmpdir(), 'kts-bench-'));
  const onSignal = (): void => process.exit(130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (only === 'all' || only === 'failover') await failover(lab, dir);
    if (only === 'all' || only === 'footprint') await footprint(lab, dir);
    printRows();
    console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main();
