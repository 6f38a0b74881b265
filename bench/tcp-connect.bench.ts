/**
 * CPU per TCP_CHECK attempt in the daemon's prober, bare connect (the addon: socket, connect,
 * writable watch, SO_ERROR, close) against net.Socket, in rounds that alternate the two so that
 * the load of a shared machine falls on both alike. Root only (namespaces).
 *
 *   sudo npx tsx bench/tcp-connect.bench.ts [--connects 5000] [--rounds 6] [--parallel 100] [--only bare|stream]
 *        [--cpu-prof DIR]
 *
 * Two namespaces joined by a veth: `c` runs the prober (this file again, with --inner, so that
 * net.connect works without net_namespace as in the daemon), `s` runs bench/lib/accept-server.c,
 * which accepts and closes every connection. Each round runs N attempts with P in flight and
 * prints the process CPU (user + system) per attempt; the kernel's share (handshake over the veth,
 * close) is in both.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeOutcome } from '../actors/lvs/prober-port.js';
import { createProber } from '../adapters/probe/prober.js';
import { checker } from '../test/helpers/probe-lab.js';
import { isRoot, NetnsLab, rootRequiredReason } from '../test/helpers/netns.js';
import { flag } from './lib/flags.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const connects = Number(flag('connects', '5000'));
const rounds = Number(flag('rounds', '6'));
const parallel = Number(flag('parallel', '100'));
const only = flag('only', '');
const SERVER = '198.51.100.2';
const PORT = 10000;

async function round(way: 'bare' | 'stream'): Promise<{ cpuUs: number; failures: number }> {
  const prober = createProber({ scripts: undefined as never, tcpConnect: way });
  const c = checker('TCP_CHECK');
  const target = { family: 4 as const, address: SERVER, port: PORT };
  let started = 0;
  let failures = 0;
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve) => {
    let finished = 0;
    const next = (): void => {
      if (started >= connects) return;
      started++;
      prober.probe({ checker: c, target, timeoutMs: 2000 }, (o: ProbeOutcome) => {
        if (!o.ok) failures++;
        if (++finished === connects) resolve();
        else next();
      });
    };
    for (let i = 0; i < parallel; i++) next();
  });
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / connects, failures };
}

async function inner(): Promise<void> {
  const seen: Record<string, number[]> = { bare: [], stream: [] };
  const ways = (r: number): Array<'bare' | 'stream'> => (only === 'bare' || only === 'stream' ? [only] : r % 2 === 0 ? ['stream', 'bare'] : ['bare', 'stream']);
  for (const way of ways(0)) await round(way); // warm-up: JIT and the socket paths
  for (let r = 0; r < rounds; r++) {
    for (const way of ways(r)) {
      const x = await round(way);
      seen[way]!.push(x.cpuUs);
      console.log(`  round ${r + 1} ${way.padEnd(6)} ${x.cpuUs.toFixed(1).padStart(6)} µs CPU per attempt${x.failures ? `, ${x.failures} failed` : ''}`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const b = median(seen.bare!);
  const s = median(seen.stream!);
  console.log(`median: bare ${b.toFixed(1)} µs, net.Socket ${s.toFixed(1)} µs per attempt; bare/net.Socket ${(b / s).toFixed(2)}`);
}

async function outer(): Promise<void> {
  if (!isRoot) {
    console.log(`tcp-connect: skipped (${rootRequiredReason})`);
    return;
  }
  const lab = new NetnsLab('kts-tcb-');
  const tmp = mkdtempSync(join(tmpdir(), 'kts-tcb-'));
  try {
    const server = join(tmp, 'accept-server');
    execFileSync('gcc', ['-O2', '-o', server, join(ROOT, 'bench/lib/accept-server.c')], { timeout: 60_000 });
    const c = await lab.namespace('c');
    const s = await lab.namespace('s');
    await lab.veth({ ns: c, ifname: 'eth0', addresses: ['198.51.100.1/30'] }, { ns: s, ifname: 'eth0', addresses: [`${SERVER}/30`] });
    await lab.exec(c, ['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65000']);
    const srv = lab.spawn(s, [server, String(PORT), String(PORT)]);
    await srv.waitFor(/listening 10000/, 30_000);
    console.log(`TCP_CHECK connect: ${connects} attempts a round, ${parallel} in flight; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const prof = args.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${flag('cpu-prof', '.')}`] : [];
    const run = lab.spawn(c, [process.execPath, ...prof, '--import', 'tsx', fileURLToPath(import.meta.url), '--inner', ...args]);
    await run.waitFor(/^median: .*$/m, 600_000);
    // The inner process ends by itself (and writes its --cpu-prof profile when it does).
    if (run.child.exitCode === null) await new Promise((r) => run.child.once('exit', r));
    process.stdout.write(run.output());
    console.log(`load average at end ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    await lab.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await (args.includes('--inner') ? inner() : outer());
