/**
 * The LVS checker child against keepalived 2.2.7's checker process (issue 11): CPU seconds per
 * minute with 1,000 and 10,000 TCP_CHECK real servers at delay_loop 1 s, printed as a ratio
 * (target ≤ 2× keepalived), and detection latency at 10,000 servers. Root only (namespaces).
 *
 *   npx tsx bench/lvs-checkers-vs-keepalived.bench.ts [--servers 1000,10000] [--seconds 30]
 *        [--only cpu|detect] [--impl keepalived-ts,keepalived] [--fail 5] [--cpu-prof DIR] [--log-dir DIR]
 *   npm run bench -- lvs-checkers
 *
 * Lab: namespace `dir` (the director, where the daemon runs with -C) and `srv`, joined by a veth
 * (198.51.100.1/30 — .2/30). `srv` answers for all of 203.0.113.0/24 (a local route on lo) with
 * one listener process on ports 10000… (bench/lib/accept-server.c, accept and close); real server r
 * is 203.0.113.(1 + r % 250) port 10000 + ⌊r / 250⌋, and virtual server v (198.51.100.(100+v):80,
 * NAT, rr) holds the 250 real servers on port 10000 + v. keepalived runs under the IPVS shim
 * (../shared/tools/fake_ipvs.c, built into a temporary directory); ours with lvs_backend auto
 * (nftables here).
 *
 * CPU: utime+stime of the checker process (its pid file, -c) over --seconds, after start-up and
 * the first round of checks; checks per second seen by the servers in the same window tell
 * whether each daemon really checked every server every second.
 * Detection: --fail real servers start refusing at once (nft reject with tcp reset in `srv`);
 * the time to each daemon's "Removing service …" line, median and max (keepalived's bound:
 * up to delay_loop to the next check + delay_before_retry = 1–2 s).
 *
 * Prints figures and the ratio; asserts nothing. See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, NetnsLab, rootRequiredReason, waitFor, type LabProcess, stampLines, type StampedLine } from '../test/helpers/netns.js';
import { SHARED_DIR } from '../test/helpers/shared.js';
import { usageOf } from './lib/procstat.js';
import { fmt, mean, median } from './lib/stats.js';
import { flag } from './lib/flags.js';

type Impl = 'keepalived-ts' | 'keepalived';
const KEEPALIVED = '/usr/sbin/keepalived';
const ROOT = new URL('../', import.meta.url).pathname;
const CLI = join(ROOT, 'adapters/node/cli.ts');
const ACCEPT_SERVER_SOURCE = join(ROOT, 'bench/lib/accept-server.c');
const SHIM_SOURCE = join(SHARED_DIR, 'tools/fake_ipvs.c');
const PER_VS = 250;

const serverCounts = flag('servers', '1000,10000').split(',').map(Number);
const seconds = Number(flag('seconds', '30'));
const only = flag('only', 'all');
const impls = flag('impl', 'keepalived-ts,keepalived').split(',') as Impl[];
const failCount = Number(flag('fail', '5'));
const cpuProf = flag('cpu-prof', '');
const logDir = flag('log-dir', '');
/** --child-flags "…": the checker child's node flags for ours (KEEPALIVED_TS_CHILD_NODE_FLAGS; "" for V8's defaults). */
const childFlags = process.argv.includes('--child-flags') ? flag('child-flags', '') : undefined;

const rsAddr = (r: number): string => `203.0.113.${1 + (r % PER_VS)}`;
const rsPort = (r: number): number => 10000 + Math.floor(r / PER_VS);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function configText(n: number): string {
  const out: string[] = ['global_defs {\n  router_id lvs_bench\n}\n'];
  for (let v = 0; v * PER_VS < n; v++) {
    out.push(`virtual_server 198.51.100.${100 + v} 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n`);
    for (let r = v * PER_VS; r < Math.min(n, (v + 1) * PER_VS); r++) {
      out.push(`  real_server ${rsAddr(r)} ${rsPort(r)} {\n    TCP_CHECK {\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n  }\n`);
    }
    out.push('}\n');
  }
  return out.join('');
}

interface Lab {
  lab: NetnsLab;
  dir: string;
  srv: string;
  tmp: string;
  shim: string;
  server: LabProcess;
  serverLines: StampedLine[];
}

async function buildLab(maxServers: number): Promise<Lab> {
  const lab = new NetnsLab('kts-lvsb-');
  const tmp = mkdtempSync(join(tmpdir(), 'kts-lvsb-'));
  const shim = join(tmp, 'fake_ipvs.so');
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', shim, SHIM_SOURCE, '-ldl'], { timeout: 60_000 });
  const acceptServer = join(tmp, 'accept-server');
  execFileSync('gcc', ['-O2', '-o', acceptServer, ACCEPT_SERVER_SOURCE], { timeout: 60_000 });
  const dir = await lab.namespace('dir');
  const srv = await lab.namespace('srv');
  await lab.veth({ ns: dir, ifname: 'eth0', addresses: ['198.51.100.1/30'] }, { ns: srv, ifname: 'eth0', addresses: ['198.51.100.2/30'] });
  await lab.exec(dir, ['ip', 'route', 'add', '203.0.113.0/24', 'via', '198.51.100.2']);
  await lab.exec(srv, ['ip', 'route', 'add', 'local', '203.0.113.0/24', 'dev', 'lo']);
  // Many checks a second leave many sockets in TIME_WAIT; let the director reuse them.
  await lab.exec(dir, ['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65000']);
  await lab.exec(srv, ['nft', '-f', '-'], { input: 'table inet ktsfail {\n  set down { type ipv4_addr . inet_service; }\n  chain in {\n    type filter hook input priority 0; policy accept;\n    ip daddr . tcp dport @down reject with tcp reset\n  }\n}\n' });
  const server = lab.spawn(srv, [acceptServer, '10000', String(rsPort(maxServers - 1))]);
  const serverLines = stampLines(server);
  await server.waitFor(/listening 10000/, 30_000);
  return { lab, dir, srv, tmp, shim, server, serverLines };
}

interface Running {
  proc: LabProcess;
  log: StampedLine[];
  checkerPid(): number | undefined;
  stop(): Promise<void>;
}

function startDaemon(l: Lab, impl: Impl, conf: string, tag: string): Running {
  const base = join(l.tmp, `${impl}-${tag}`);
  writeFileSync(`${base}.conf`, conf);
  const pidFile = `${base}-checkers.pid`;
  const flags = ['-n', '-l', '-C', '-f', `${base}.conf`, '-p', `${base}.pid`, '-r', `${base}-vrrp.pid`, '-c', pidFile];
  const env: Record<string, string> = { TMPDIR: l.tmp };
  if (impl === 'keepalived-ts' && childFlags !== undefined) env.KEEPALIVED_TS_CHILD_NODE_FLAGS = childFlags;
  // --cpu-prof DIR: node's own profiler in every keepalived-ts process (the children inherit it).
  const prof = impl === 'keepalived-ts' && cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
  const argv = impl === 'keepalived' ? ['env', `LD_PRELOAD=${l.shim}`, KEEPALIVED, ...flags] : [process.execPath, ...prof, '--conditions=ipvs-netlink-source', '--import', 'tsx', CLI, ...flags];
  const proc = l.lab.spawn(l.dir, argv, env);
  const log = stampLines(proc);
  const checkerPid = (): number | undefined => {
    try {
      const n = Number(readFileSync(pidFile, 'utf8').trim());
      return n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    proc,
    log,
    checkerPid,
    stop: async () => {
      // SIGTERM to the parent (our own process): both daemons stop their children and exit.
      await proc.stop(15_000);
    },
  };
}

/** Checks per second the servers saw, from the `conns N` lines stamped in [from, to). */
function checkRate(l: Lab, from: number, to: number): number {
  const xs = l.serverLines.filter((s) => s.at >= from && s.at < to && s.line.startsWith('conns ')).map((s) => Number(s.line.slice(6)));
  return mean(xs);
}

interface Result {
  impl: Impl;
  servers: number;
  startupMs: number;
  cpuSecondsPerMinute: number;
  rssMiB: number;
  checksPerSecond: number;
  detectMs: number[];
  /** Why detection has no figure (not every failed server was removed in time). */
  detectNote?: string;
}

async function measure(l: Lab, impl: Impl, n: number): Promise<Result> {
  const started = Date.now();
  const d = startDaemon(l, impl, configText(n), String(n));
  try {
    // Start-up: the checker process exists and the servers see about n checks a second.
    const pid = await waitFor(() => d.checkerPid(), { timeoutMs: 120_000, intervalMs: 100, what: `${impl}: checker pid file` });
    await waitFor(() => checkRate(l, Date.now() - 2500, Date.now()) >= 0.8 * n, { timeoutMs: Number(flag('startup', '120')) * 1000, intervalMs: 500, what: `${impl}: ${n} checks a second` }).catch(() => undefined);
    const startupMs = Date.now() - started;
    await sleep(3000);
    const out: Result = { impl, servers: n, startupMs, cpuSecondsPerMinute: NaN, rssMiB: NaN, checksPerSecond: NaN, detectMs: [] };
    if (only === 'all' || only === 'cpu') {
      const t0 = usageOf([pid]);
      const w0 = Date.now();
      await sleep(seconds * 1000);
      const t1 = usageOf([pid]);
      const w1 = Date.now();
      out.cpuSecondsPerMinute = ((t1.cpuSeconds - t0.cpuSeconds) / ((w1 - w0) / 1000)) * 60;
      out.rssMiB = t1.rssKiB / 1024;
      out.checksPerSecond = checkRate(l, w0 + 1000, w1);
    }
    if ((only === 'all' || only === 'detect') && n >= 10_000) {
      try {
        out.detectMs = await detect(l, d, n);
      } catch (e) {
        out.detectNote = (e as Error).message.split('\n')[0];
      }
    }
    if (process.argv.includes('--verbose')) console.log(d.log.slice(-40).map((s) => `    | ${s.line}`).join('\n'));
    return out;
  } finally {
    await d.stop();
    // --log-dir DIR: the daemon's whole output, each line stamped with when the bench read it.
    if (logDir) writeFileSync(join(logDir, `${impl}-${n}.log`), d.log.map((s) => `${new Date(s.at).toISOString()} ${s.line}\n`).join(''));
  }
}

/** Fail `failCount` real servers at once (tcp reset); ms from then to each "Removing service" line. */
async function detect(l: Lab, d: Running, n: number): Promise<number[]> {
  const picks = Array.from({ length: failCount }, (_, i) => Math.floor(((i + 0.5) * n) / failCount));
  const from = d.log.length;
  const elems = picks.map((r) => `${rsAddr(r)} . ${rsPort(r)}`).join(', ');
  const r = await l.lab.exec(l.srv, ['nft', 'add', 'element', 'inet', 'ktsfail', 'down', `{ ${elems} }`]);
  const t = Date.now();
  if (r.code !== 0) throw new Error(`nft add element: ${r.stderr}`);
  try {
    const wanted = picks.map((p) => `Removing service [${rsAddr(p)}]:tcp:${rsPort(p)} from VS [198.51.100.${100 + Math.floor(p / PER_VS)}]:tcp:80`);
    const found = await waitFor(
      () => {
        const got = wanted.map((w) => d.log.slice(from).find((s) => s.line.endsWith(w)));
        return got.every(Boolean) ? (got as StampedLine[]) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: `all ${picks.length} failed servers removed within 60 s` },
    );
    return found.map((s) => s.at - t);
  } finally {
    await l.lab.exec(l.srv, ['nft', 'flush', 'set', 'inet', 'ktsfail', 'down']);
  }
}

async function main(): Promise<number> {
  if (!isRoot) {
    console.log(`lvs-checkers-vs-keepalived: skipped, ${rootRequiredReason}`);
    return 0;
  }
  if (!existsSync(KEEPALIVED) || !existsSync(SHIM_SOURCE)) {
    console.log(`lvs-checkers-vs-keepalived: skipped, needs ${KEEPALIVED} and ${SHIM_SOURCE}`);
    return 0;
  }
  console.log(`LVS checker child vs keepalived's checker, TCP_CHECK at delay_loop 1 s; ${seconds} s measured per case`);
  console.log(`node ${process.version}; load average at start ${load()}`);
  const l = await buildLab(Math.max(...serverCounts));
  const onSignal = (): void => process.exit(130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: Result[] = [];
  try {
    for (const n of serverCounts) {
      for (const impl of impls) {
        try {
          const r = await measure(l, impl, n);
          results.push(r);
          const det = r.detectMs.length ? `, detection median ${fmt(median(r.detectMs), 0)} ms max ${fmt(Math.max(...r.detectMs), 0)} ms [${r.detectMs.join(' ')}]` : r.detectNote ? `, detection: ${r.detectNote}` : '';
          console.log(`  ${String(n).padStart(5)} servers ${impl.padEnd(13)} start-up ${fmt(r.startupMs / 1000, 1)} s, checker CPU ${fmt(r.cpuSecondsPerMinute, 2)} s/min, RSS ${fmt(r.rssMiB, 1)} MiB, ${fmt(r.checksPerSecond, 0)} checks/s${det}; load ${load()}`);
        } catch (e) {
          console.log(`  ${String(n).padStart(5)} servers ${impl.padEnd(13)} FAILED: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    console.log('\nmetric                                   ours   keepalived   ratio  target   met?');
    for (const n of serverCounts) {
      const o = results.find((r) => r.impl === 'keepalived-ts' && r.servers === n);
      const k = results.find((r) => r.impl === 'keepalived' && r.servers === n);
      if (!o || !k) continue;
      const row = (metric: string, a: number, b: number, target: string, met?: boolean): void =>
        console.log(`${metric.padEnd(36)} ${fmt(a, 2).padStart(8)} ${fmt(b, 2).padStart(12)} ${fmt(a / b, 2).padStart(7)}  ${target.padEnd(8)} ${met === undefined ? '-' : met ? 'yes' : 'NO'}`);
      row(`${n} servers: checker CPU s/min`, o.cpuSecondsPerMinute, k.cpuSecondsPerMinute, '≤ 2×', o.cpuSecondsPerMinute <= 2 * k.cpuSecondsPerMinute);
      row(`${n} servers: checks/s`, o.checksPerSecond, k.checksPerSecond, '');
      // CPU s/min alone flatters a daemon that falls behind (fewer checks, less CPU): per check.
      const perCheck = (r: Result): number => (r.cpuSecondsPerMinute / 60 / r.checksPerSecond) * 1e6;
      row(`${n} servers: CPU µs per check`, perCheck(o), perCheck(k), '≤ 2×', perCheck(o) <= 2 * perCheck(k));
      if (o.detectMs.length && k.detectMs.length) row(`${n} servers: detection median ms`, median(o.detectMs), median(k.detectMs), '');
    }
    console.log(`load average at end ${load()}`);
  } finally {
    await l.lab.cleanup();
    rmSync(l.tmp, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main();
