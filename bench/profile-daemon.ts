/**
 * Where keepalived-ts's time goes at N VRRP instances (root only: network namespaces). Runs our
 * daemon as the footprint bench does (-P, N masters at advert 1 s, bench/lib/footprint.ts), with
 * V8's CPU profiler (and, with --heap, the sampling heap profiler) in the parent and the VRRP
 * child, through NODE_OPTIONS, which the forked child inherits. Prints per process:
 *
 *  - CPU seconds of start-up (launch → every VIP up), steady state (--seconds) and stop
 *    (SIGTERM → exit), from /proc/PID/stat;
 *  - the functions with the most self time in each of those windows of the profile, and the
 *    share of each package (xstate, our directories, node internals, GC).
 *
 *   npx tsx bench/profile-daemon.ts [--instances 1000] [--seconds 20] [--top 20] [--heap] [--cpu-only] [--keep DIR]
 *                                   [--slice FROM,TO] [--dist]
 *
 * --dist runs the built daemon (dist/, after `npm run build`) as the footprint bench does; without
 * it the sources run through tsx, whose transpiling is in the start-up figures.
 *
 * --slice FROM,TO also prints the window from FROM to TO seconds after every VIP is up (for
 * example 4.5,6.5 for the garp_master_delay burst of a footprint run).
 *
 * Profiles are left in --keep DIR (default: a temp directory that is removed) for Chrome DevTools.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRoot, NetnsLab, rootRequiredReason, waitFor } from '../test/helpers/netns.js';
import { buildFootprintLab, footprintConf } from './lib/footprint.js';
import { usageOf } from './lib/procstat.js';
import { flag } from './lib/flags.js';

const n = Number(flag('instances', '1000'));
const seconds = Number(flag('seconds', '20'));
const top = Number(flag('top', '20'));
const keep = flag('keep', '');
const slice = flag('slice', '')
  .split(',')
  .filter((x) => x !== '')
  .map(Number);
const heap = process.argv.includes('--heap');
/** --cpu-only: no profiler (its sampling costs CPU too); only the CPU seconds per phase. */
const cpuOnly = process.argv.includes('--cpu-only');
/** --dist: run the built daemon (dist/, `npm run build`) as the footprint bench does, not the sources through tsx. */
const fromDist = process.argv.includes('--dist');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which package or directory a frame belongs to. */
function area(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)' || fn === '(program)' || fn === '(root)') return fn;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(actors|machines|adapters|protocol|config|sim|packages)\/([^/]+)/.exec(url);
  if (own) return own[2]!.includes('.') ? own[1]! : `${own[1]}/${own[2]}`;
  return url ? 'other' : 'native/builtin';
}

/** Self time per function and per area for the samples in [fromUs, toUs) after the profile start. */
function summarise(p: CpuProfile, fromUs: number, toUs: number): { totalMs: number; fns: Array<[string, number]>; areas: Array<[string, number]> } {
  const byId = new Map(p.nodes.map((nd) => [nd.id, nd]));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let t = 0;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (t < fromUs || t >= toUs) continue;
    const nd = byId.get(p.samples[i]!)!;
    const { functionName, url, lineNumber } = nd.callFrame;
    if (functionName === '(idle)') continue;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|wt\/[^/]+)\//, '')}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + dt);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    total += dt;
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1000]);
  return { totalMs: total / 1000, fns: sorted(fns), areas: sorted(areas) };
}

function printWindow(label: string, s: ReturnType<typeof summarise>): void {
  console.log(`  ${label}: ${s.totalMs.toFixed(0)} ms sampled (not idle)`);
  console.log(`    by area: ${s.areas.slice(0, 10).map(([k, v]) => `${k} ${((100 * v) / s.totalMs).toFixed(1)}%`).join(', ')}`);
  for (const [k, v] of s.fns.slice(0, top)) console.log(`    ${v.toFixed(1).padStart(8)} ms ${((100 * v) / s.totalMs).toFixed(1).padStart(5)}%  ${k}`);
}

async function main(): Promise<void> {
  if (!isRoot) return console.log(`profile-daemon: skipped, ${rootRequiredReason}`);
  console.log(`profile of keepalived-ts at ${n} instances, advert 1 s, ${seconds} s steady; node ${process.version}; load average ${load()}`);
  const lab = new NetnsLab('kts-prof-');
  const dir = keep || mkdtempSync(join(tmpdir(), 'kts-prof-'));
  const profDir = join(dir, 'profiles');
  mkdirSync(profDir, { recursive: true });
  try {
    const fl = await buildFootprintLab(lab);
    // --cpu-prof is not allowed in NODE_OPTIONS; the daemon hands its own node flags to the child it forks.
    const profFlags = cpuOnly ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=200', ...(heap ? ['--heap-prof', `--heap-prof-dir=${profDir}`] : [])];
    const base = join(dir, `prof${n}`);
    writeFileSync(`${base}.conf`, footprintConf(n));
    const pidFiles = { parent: `${base}.pid`, vrrp: `${base}-vrrp.pid` };
    const t0 = Date.now();
    const cli = fromDist ? [join(ROOT, 'dist/adapters/node/cli.js')] : ['--import', 'tsx', join(ROOT, 'adapters/node/cli.ts')];
    const proc = lab.spawn(fl.node, [process.execPath, ...profFlags, ...cli, '-n', '-l', '-P', '-f', `${base}.conf`, '-p', pidFiles.parent, '-r', pidFiles.vrrp, '-c', `${base}-checkers.pid`], { TMPDIR: dir });
    const d = { proc };
    const vipCount = async (): Promise<number> => {
      const links = await lab.ipJson<Array<{ addr_info?: Array<{ local: string }> }>>(fl.node, ['addr', 'show']);
      return links.reduce((k, l) => k + (l.addr_info?.filter((x) => x.local.startsWith('203.0.113.')).length ?? 0), 0);
    };
    await waitFor(async () => (await vipCount()) >= n, { timeoutMs: 120_000, intervalMs: 100, what: `${n} VIPs` }).catch((e: Error) => {
      throw new Error(`${e.message}; daemon output:\n${d.proc.output().slice(-2000)}`);
    });
    const tUp = Date.now();
    const pidOf = (f: string): number => Number(readFileSync(f, 'utf8').trim());
    const procs = { parent: pidOf(pidFiles.parent), vrrp: pidOf(pidFiles.vrrp) };
    const cpu = (pid: number): number => usageOf([pid]).cpuSeconds;
    const startCpu = { parent: cpu(procs.parent), vrrp: cpu(procs.vrrp) };
    await sleep(3000);
    const s0 = { parent: cpu(procs.parent), vrrp: cpu(procs.vrrp) };
    const tS0 = Date.now();
    await sleep(seconds * 1000);
    const s1 = { parent: cpu(procs.parent), vrrp: cpu(procs.vrrp) };
    const tS1 = Date.now();
    process.kill(procs.parent, 'SIGTERM');
    // Last CPU reading of each process before it goes (a zombie's stat is still readable until reaped).
    const last = { ...s1 };
    const gone = { parent: 0, vrrp: 0 };
    await waitFor(
      async () => {
        for (const k of ['parent', 'vrrp'] as const) {
          if (gone[k]) continue;
          const u = usageOf([procs[k]]);
          if (u.processes === 0 || /\) Z /.test(safeStat(procs[k]))) gone[k] = Date.now();
          else last[k] = u.cpuSeconds;
        }
        return gone.parent > 0 && gone.vrrp > 0;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: 'daemon exit' },
    );
    await d.proc.stop(2000);
    console.log(`  ${n} VIPs up after ${tUp - t0} ms (launch${fromDist ? ', from dist/' : ' through tsx'} included); load average ${load()}`);
    for (const k of ['parent', 'vrrp'] as const) {
      console.log(
        `  ${k.padEnd(6)} CPU s: start-up ${startCpu[k].toFixed(2)}, steady ${(s1[k] - s0[k]).toFixed(2)} over ${((tS1 - tS0) / 1000).toFixed(1)} s (${(((s1[k] - s0[k]) / ((tS1 - tS0) / 1000)) * 60).toFixed(2)} s/min), stop ${(last[k] - s1[k]).toFixed(2)} (SIGTERM → exit ${gone[k] - tS1} ms)`,
      );
    }
    // Profiles: one per process; the VRRP child's is the one whose pid is procs.vrrp.
    await sleep(500);
    const files = existsSync(profDir) && !cpuOnly ? readdirSync(profDir) : [];
    for (const [k, pid] of cpuOnly ? [] : Object.entries(procs)) {
      const f = files.find((x) => x.endsWith('.cpuprofile') && x.includes(`.${pid}.`));
      if (!f) {
        console.log(`  no CPU profile for ${k} (pid ${pid}) in ${profDir}: ${files.join(', ')}`);
        continue;
      }
      const p = JSON.parse(readFileSync(join(profDir, f), 'utf8')) as CpuProfile;
      // Align the profile with wall time by its end (≈ the process's exit, seen within ~10 ms).
      const endUs = p.endTime - p.startTime;
      const at = (wall: number): number => endUs - (gone[k as 'parent' | 'vrrp'] - wall) * 1000;
      console.log(`\n${k} (pid ${pid}), ${f}`);
      printWindow('start-up (process start → all VIPs up)', summarise(p, 0, at(tUp)));
      printWindow(`steady (${seconds} s)`, summarise(p, at(tS0), at(tS1)));
      printWindow('stop (SIGTERM → exit)', summarise(p, at(tS1), Infinity));
      if (slice.length === 2) printWindow(`+${slice[0]} to +${slice[1]} s after every VIP is up`, summarise(p, at(tUp + slice[0]! * 1000), at(tUp + slice[1]! * 1000)));
    }
    if (keep) console.log(`\nprofiles kept in ${profDir}`);
  } finally {
    await lab.cleanup();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function safeStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return ') Z ';
  }
}

await main();
