/**
 * Memory of keepalived-ts per process at N VRRP instances (root only: network namespaces). Runs
 * the daemon as the footprint bench does (-P, N masters at advert 1 s, bench/lib/footprint.ts),
 * with bench/lib/mem-probe.mjs preloaded into the parent and the VRRP child through NODE_OPTIONS,
 * and prints for each process: RSS (anonymous and file-backed), V8 heap used and total, external
 * and array buffers, code space; over a steady window after that, CPU and garbage collection
 * (count and pause milliseconds per minute); the longest the event loop was blocked since the
 * process started (start-up included); then the per-instance RSS slope between the
 * smallest and largest N.
 *
 *   npx tsx bench/memory-daemon.ts [--instances 100,1000] [--settle 10] [--window 20] [--rounds 1]
 *       [--child-flags "default|--max-semi-space-size=1"] [--node-flags "…"] [--snapshot vrrp|parent] [--keep DIR]
 *
 * --child-flags: variants of the children's node flags (KEEPALIVED_TS_CHILD_NODE_FLAGS, see
 * adapters/node/daemon/child-node-flags.ts), separated by '|', 'default' for the daemon's own, 'v8'
 * for none (V8's defaults);
 * variants and instance counts are interleaved over --rounds and each figure is the median.
 * --node-flags puts node/V8 flags on the parent's command line (the daemon hands them on to its
 * children too). --snapshot writes a V8 heap snapshot of that process at the largest N in the
 * first round (Chrome DevTools, or `npx tsx bench/lib/heap-summary.ts FILE`). Runs dist/ when
 * built (npm run build).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isRoot, NetnsLab, rootRequiredReason, waitFor } from '../test/helpers/netns.js';
import { buildFootprintLab, footprintConf } from './lib/footprint.js';
import { oursCommand } from './lib/implementations.js';
import { namespacePids } from './lib/procstat.js';
import { flag } from './lib/flags.js';

const counts = flag('instances', '100,1000').split(',').map(Number);
const settleS = Number(flag('settle', '10'));
const windowS = Number(flag('window', '20'));
const rounds = Number(flag('rounds', '1'));
const variants = flag('child-flags', 'default').split('|').map((v) => v.trim() || 'default');
const snapshotRole = flag('snapshot', '');
const keep = flag('keep', '');
const nodeFlags = flag('node-flags', '').split(' ').filter(Boolean);
const PROBE = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'mem-probe.mjs');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const MiB = (b: number): number => b / 1024 / 1024;

interface Figures {
  pid: number;
  role: string;
  memory: NodeJS.MemoryUsage;
  spaces: Record<string, number>;
  cpu: { user: number; system: number };
  loopDelayMaxMs: number;
  gc: { young: number; youngMs: number; full: number; fullMs: number; other: number; otherMs: number };
  at: number;
  rssKiB: number;
  anonKiB: number;
  fileKiB: number;
}

/** One process's figures: memory at the end of the window, CPU and GC over it. */
interface Row {
  role: string;
  rss: number;
  anon: number;
  file: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  code: number;
  cpuPerMin: number;
  gcPerMin: number;
  gcMsPerMin: number;
  blockMs: number;
}

function readProbes(probeDir: string): Map<string, Figures> {
  const out = new Map<string, Figures>();
  for (const f of readdirSync(probeDir).filter((x) => x.startsWith('mem-'))) {
    try {
      const fig = JSON.parse(readFileSync(join(probeDir, f), 'utf8')) as Figures;
      out.set(fig.role, fig);
    } catch {
      /* being written: the previous second's file is gone; skip this reading */
    }
  }
  return out;
}

async function measure(lab: NetnsLab, node: string, n: number, variant: string, dir: string, snapshot: boolean): Promise<Row[]> {
  const base = join(dir, `mem${n}`);
  writeFileSync(`${base}.conf`, footprintConf(n));
  const probeDir = join(dir, `probe${n}`);
  rmSync(probeDir, { recursive: true, force: true });
  mkdirSync(probeDir, { recursive: true });
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${pathToFileURL(PROBE).href}`].filter(Boolean).join(' ');
  const [exe, ...script] = oursCommand().argv;
  const env: Record<string, string> = { TMPDIR: dir, NODE_OPTIONS: nodeOptions, KTS_MEM_PROBE_DIR: probeDir };
  if (variant !== 'default') env.KEEPALIVED_TS_CHILD_NODE_FLAGS = variant === 'v8' ? '' : variant;
  if (rounds > 1 || variants.length > 1) console.log(`  ${n} instances, child flags ${variant}: starting; load ${load()}`);
  const proc = lab.spawn(node, [exe!, ...nodeFlags, ...script, '-n', '-l', '-P', '-f', `${base}.conf`, '-p', `${base}.pid`, '-r', `${base}-vrrp.pid`, '-c', `${base}-checkers.pid`], env);
  try {
    const vipCount = async (): Promise<number> => {
      const links = await lab.ipJson<Array<{ addr_info?: Array<{ local: string }> }>>(node, ['addr', 'show']);
      return links.reduce((k, l) => k + (l.addr_info?.filter((x) => x.local.startsWith('203.0.113.')).length ?? 0), 0);
    };
    const problems = (): string => {
      const lines = proc.output().split('\n');
      const at = lines.findIndex((l) => /died|error|timed out|not responding|respawn/i.test(l));
      return at < 0 ? '(none logged)' : lines.slice(Math.max(0, at - 30), at + 10).filter((l) => !/Entering MASTER|Sending gratuitous/.test(l)).join('\n');
    };
    await waitFor(async () => (await vipCount()) >= n, { timeoutMs: 240_000, intervalMs: 250, what: `${n} VIPs` }).catch((e: Error) => {
      throw new Error(`${e.message}; daemon's problems:\n${problems()}\nlast output:\n${proc.output().slice(-1000)}`);
    });
    await sleep(settleS * 1000);
    const start = readProbes(probeDir);
    await sleep(windowS * 1000);
    const end = readProbes(probeDir);
    if (/child process\(\d+\) died/.test(proc.output())) throw new Error(`a child died:\n${problems()}`);
    if (snapshot) {
      writeFileSync(join(probeDir, `snapshot-${snapshotRole}`), '');
      await waitFor(async () => existsSync(join(probeDir, `snapshot-${snapshotRole}.done`)), { timeoutMs: 120_000, intervalMs: 500, what: 'heap snapshot' });
    }
    const rows: Row[] = [];
    for (const [role, f] of [...end].sort((a, b) => a[0].localeCompare(b[0]))) {
      const s = start.get(role);
      const min = s ? (f.at - s.at) / 60_000 : NaN;
      rows.push({
        role,
        rss: f.rssKiB / 1024,
        anon: f.anonKiB / 1024,
        file: f.fileKiB / 1024,
        heapUsed: MiB(f.memory.heapUsed),
        heapTotal: MiB(f.memory.heapTotal),
        external: MiB(f.memory.external),
        arrayBuffers: MiB(f.memory.arrayBuffers),
        code: MiB((f.spaces.code_space ?? 0) + (f.spaces.code_large_object_space ?? 0)),
        cpuPerMin: s ? (f.cpu.user + f.cpu.system - s.cpu.user - s.cpu.system) / 1e6 / min : NaN,
        gcPerMin: s ? (f.gc.young + f.gc.full + f.gc.other - s.gc.young - s.gc.full - s.gc.other) / min : NaN,
        blockMs: f.loopDelayMaxMs,
        gcMsPerMin: s ? (f.gc.youngMs + f.gc.fullMs + f.gc.otherMs - s.gc.youngMs - s.gc.fullMs - s.gc.otherMs) / min : NaN,
      });
    }
    return rows;
  } finally {
    // SIGTERM the parent (it stops its child), then make sure nothing of this run is left.
    try {
      process.kill(Number(readFileSync(`${base}.pid`, 'utf8').trim()), 'SIGTERM');
    } catch {
      /* not started or gone */
    }
    await waitFor(async () => namespacePids(node).length === 0, { timeoutMs: 60_000, intervalMs: 200, what: 'daemon exit' }).catch(() => undefined);
    await proc.stop(2000);
    for (let i = 0; i < 4; i++) await lab.exec(node, ['ip', 'addr', 'flush', 'dev', `n${i}`, 'to', '203.0.113.0/24']);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  if (!isRoot) return console.log(`memory-daemon: skipped, ${rootRequiredReason}`);
  console.log(`memory of keepalived-ts (${oursCommand().how}) per process, ${settleS} s after all VIPs are up, CPU over the next ${windowS} s; node ${process.version}; load average ${load()}`);
  if (nodeFlags.length) console.log(`node flags on the parent: ${nodeFlags.join(' ')}`);
  const lab = new NetnsLab('kts-mem-');
  const dir = keep ? (mkdirSync(keep, { recursive: true }), keep) : mkdtempSync(join(tmpdir(), 'kts-mem-'));
  const samples = new Map<string, Row[][]>(); // `${variant}\t${n}` → one Row[] per round
  try {
    const fl = await buildFootprintLab(lab);
    for (let r = 0; r < rounds; r++) {
      for (const n of counts) {
        for (const v of variants) {
          const rows = await measure(lab, fl.node, n, v, dir, r === 0 && snapshotRole !== '' && n === Math.max(...counts) && v === variants[0]);
          const key = `${v}\t${n}`;
          samples.set(key, [...(samples.get(key) ?? []), rows]);
          if (rounds > 1) console.log(`  round ${r + 1}: ${n} instances, ${v}: total RSS ${rows.reduce((a, x) => a + x.rss, 0).toFixed(1)} MiB, CPU ${rows.reduce((a, x) => a + x.cpuPerMin, 0).toFixed(2)} s/min; load ${load()}`);
        }
      }
    }
    const cols = 'RSS MiB (anon  file)  heap used/total  external  code  CPU s/min  GCs/min  GC ms/min  longest block ms';
    for (const v of variants) {
      console.log(`\nchild node flags: ${v === 'default' ? "(the daemon's own)" : v === 'v8' ? "none (V8's defaults)" : v}${rounds > 1 ? `; medians of ${rounds} rounds` : ''}`);
      console.log(`    N  process  ${cols}`);
      const totals = new Map<number, number>();
      for (const n of counts) {
        const runs = samples.get(`${v}\t${n}`) ?? [];
        const roles = [...new Set(runs.flat().map((x) => x.role))];
        let total = 0;
        let totalCpu = 0;
        for (const role of roles) {
          const rs = runs.map((rows) => rows.find((x) => x.role === role)).filter((x): x is Row => x !== undefined);
          const m = (k: keyof Row): number => median(rs.map((x) => x[k] as number));
          total += m('rss');
          totalCpu += m('cpuPerMin');
          console.log(
            `${String(n).padStart(5)}  ${role.padEnd(7)}  ${m('rss').toFixed(1).padStart(7)} (${m('anon').toFixed(1).padStart(5)} ${m('file').toFixed(1).padStart(5)})  ${m('heapUsed').toFixed(1).padStart(7)}/${m('heapTotal').toFixed(1).padEnd(6)} ${m('external').toFixed(1).padStart(8)}  ${m('code').toFixed(1).padStart(4)}  ${m('cpuPerMin').toFixed(2).padStart(9)}  ${m('gcPerMin').toFixed(0).padStart(7)}  ${m('gcMsPerMin').toFixed(0).padStart(9)}  ${m('blockMs').toFixed(0).padStart(16)}`,
          );
        }
        totals.set(n, total);
        console.log(`${String(n).padStart(5)}  total    ${total.toFixed(1).padStart(7)}${' '.repeat(42)}${totalCpu.toFixed(2).padStart(9)}`);
      }
      const lo = Math.min(...counts);
      const hi = Math.max(...counts);
      if (hi > lo) console.log(`per-instance RSS slope ${lo} → ${hi}: ${(((totals.get(hi)! - totals.get(lo)!) * 1024) / (hi - lo)).toFixed(1)} KiB per instance`);
    }
    if (keep) console.log(`\nprobe files and snapshots kept in ${dir}`);
    console.log(`load average at end ${load()}`);
  } finally {
    await lab.cleanup();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
