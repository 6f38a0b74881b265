/**
 * How long a real daemon takes to start and to react to local events: the figures behind the
 * simulator's per-host `startupMs` and `reactionMs` defaults (docs/simulator.md, "Start-up and
 * reaction latency"). Root only: one daemon on a bridge in network namespaces, an observer's
 * tcpdump timestamping adverts, `ip -ts monitor link address` in the daemon's namespace
 * timestamping link and address changes.
 *
 *   npm run build && npx tsx bench/daemon-latency.bench.ts [--runs 5] [--impl keepalived-ts,keepalived]
 *
 *  - start-up: spawn → first advert on the wire, minus the Master_Down_Interval the instance
 *    (state BACKUP, priority 150, advert 1 s) waits in BACKUP first: the time from process start
 *    to INIT → BACKUP with its timer running.
 *    Also the CPU time the daemon's processes used until INIT → BACKUP: on a shared machine the
 *    wall time stretches with the load, the CPU time does not (it is the idle-machine floor).
 *  - SIGTERM: the signal → the priority-0 advert on the wire.
 *  - link down: `ip link set … down` (monitor timestamp) → the VIP deleted (FAULT removes it).
 *  - VIP removed: `ip addr del` of the VIP on the master (monitor timestamp) → the VIP back.
 *
 * Prints medians and minima with the load average; the machine may be shared, so prefer the
 * lower figures. Asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, NetnsLab, rootRequiredReason, waitFor, type LabProcess } from '../test/helpers/netns.js';
import { startCapture, type CapturedAdvert } from './lib/capture.js';
import { oursCommand, pidsOf, startDaemon, type ImplName, type RunningDaemon } from './lib/implementations.js';
import { namespacePids, usageOf } from './lib/procstat.js';
import { fmt, median } from './lib/stats.js';
import { flag } from './lib/flags.js';

const runs = Number(flag('runs', '5'));
const impls = flag('impl', 'keepalived-ts,keepalived').split(',') as ImplName[];
const VIP = '198.51.100.100';
const IP = '198.51.100.1';
const PRIORITY = 150;
/** Master_Down_Interval at advert 1 s, priority 150 (RFC 3768: 3 × advert + skew). */
const MDI_MS = 3000 + ((256 - PRIORITY) * 1000) / 256;

const conf = `global_defs {
  router_id latency
}
vrrp_instance VI_1 {
  state BACKUP
  interface lba
  virtual_router_id 51
  priority ${PRIORITY}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;

/** `[2026-12-03T15:40:01.123456] …` lines of `ip -ts monitor` (local time) → epoch ms, with the rest of the line. */
function monitorEvents(text: string): Array<{ atMs: number; line: string }> {
  const out: Array<{ atMs: number; line: string }> = [];
  for (const m of text.matchAll(/^\[(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)\] (.*)$/gm)) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    out.push({ atMs: new Date(y, mo - 1, d, h, mi, s).getTime() + Number(`0.${m[7]}`) * 1000, line: m[8]! });
  }
  return out;
}

interface Sample {
  startupMs: number;
  /** CPU time the daemon's processes used by the time the instance entered BACKUP (load-independent). */
  startupCpuMs: number;
  sigtermMs: number;
  linkDownMs: number;
  vipReaddMs: number;
}

async function main(): Promise<void> {
  if (!isRoot) {
    console.log(`skipped: ${rootRequiredReason}`);
    return;
  }
  const lab = new NetnsLab('kts-lat-');
  const dir = mkdtempSync(join(tmpdir(), 'kts-lat-'));
  try {
    const sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    const a = await lab.namespace('a');
    const obs = await lab.namespace('obs');
    await lab.attach(sw, 'br0', { ns: a, ifname: 'lba', addresses: [`${IP}/24`] });
    await lab.attach(sw, 'br0', { ns: obs, ifname: 'obs', addresses: ['198.51.100.3/24'] });
    const capture = await startCapture(lab, obs, 'obs');
    const monitor: LabProcess = lab.spawn(a, ['ip', '-ts', 'monitor', 'link', 'address']);
    await new Promise((r) => setTimeout(r, 300));
    const samples = new Map<ImplName, Sample[]>(impls.map((i) => [i, []]));
    const adverts = (after: number, prio?: number): CapturedAdvert[] =>
      capture.packets().filter((p): p is CapturedAdvert => p.kind === 'vrrp' && p.src === IP && p.atMs > after && (prio === undefined || p.priority === prio));
    const event = (after: number, re: RegExp): number | undefined => monitorEvents(monitor.output()).find((e) => e.atMs >= after && re.test(e.line))?.atMs;
    let n = 0;
    for (let run = 0; run < runs; run++) {
      for (const impl of impls) {
        n++;
        await lab.exec(a, ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'lba']).catch(() => undefined);
        await lab.exec(a, ['ip', 'link', 'set', 'lba', 'up']);
        await new Promise((r) => setTimeout(r, 200));
        const s: Partial<Sample> = {};
        const spawnedAt = Date.now();
        let d: RunningDaemon = startDaemon(lab, a, impl, dir, `s${n}`, conf);
        try {
          await waitFor(() => /Entering BACKUP STATE/.test(d.proc.output()), { timeoutMs: 30_000, intervalMs: 10, what: `${impl}: BACKUP` });
          s.startupCpuMs = usageOf(namespacePids(a).filter((p) => p !== monitor.child.pid)).cpuSeconds * 1000;
          const first = await waitFor(() => adverts(spawnedAt, PRIORITY)[0], { timeoutMs: 30_000, intervalMs: 20, what: `${impl}: first advert` });
          s.startupMs = first.atMs - spawnedAt - MDI_MS;
          await waitFor(() => event(spawnedAt, new RegExp(`inet ${VIP.replace(/\./g, '\\.')}/`)) !== undefined, { timeoutMs: 5000, intervalMs: 20, what: 'VIP added' });
          await new Promise((r) => setTimeout(r, 1500));
          // link down → VIP deleted (FAULT)
          const downAt = Date.now();
          await lab.exec(a, ['ip', 'link', 'set', 'lba', 'down']);
          const down = await waitFor(() => event(downAt - 50, /state DOWN|<BROADCAST,MULTICAST>/), { timeoutMs: 5000, intervalMs: 10, what: 'link down' });
          const gone = await waitFor(() => event(downAt - 50, /^Deleted .*inet 198\.51\.100\.100\//), { timeoutMs: 5000, intervalMs: 10, what: `${impl}: VIP deleted on FAULT` }).catch(() => undefined);
          s.linkDownMs = gone === undefined ? NaN : gone - down;
          const upAt = Date.now();
          await lab.exec(a, ['ip', 'link', 'set', 'lba', 'up']);
          await waitFor(() => adverts(upAt, PRIORITY).length > 0, { timeoutMs: 15_000, intervalMs: 20, what: `${impl}: master again` });
          await new Promise((r) => setTimeout(r, 1500));
          // VIP removed → re-added
          const delAt = Date.now();
          await lab.exec(a, ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'lba']);
          const deleted = await waitFor(() => event(delAt - 50, /^Deleted .*inet 198\.51\.100\.100\//), { timeoutMs: 5000, intervalMs: 10, what: 'VIP deleted' });
          const back = await waitFor(() => event(deleted + 0.001, /^(?!Deleted).*inet 198\.51\.100\.100\//), { timeoutMs: 3000, intervalMs: 10, what: `${impl}: VIP re-added` }).catch(() => undefined);
          s.vipReaddMs = back === undefined ? NaN : back - deleted;
          await new Promise((r) => setTimeout(r, 1500));
          // SIGTERM → priority-0 advert
          const pid = pidsOf(d).parent ?? d.proc.child.pid!;
          const termAt = Date.now();
          process.kill(pid, 'SIGTERM');
          const zero = await waitFor(() => adverts(termAt - 5, 0)[0], { timeoutMs: 5000, intervalMs: 10, what: `${impl}: priority-0 advert` });
          s.sigtermMs = zero.atMs - termAt;
          await d.proc.stop(3000);
        } catch (e) {
          console.log(`${impl} run ${run + 1}: ${(e as Error).message}`);
          if (process.env.LATENCY_DEBUG) console.log(d.proc.output().slice(-3000), monitor.output().slice(-2000));
        } finally {
          if (process.env.LATENCY_DEBUG) console.log(d.proc.output().slice(-4000), monitor.output().slice(-3000));
          await d.stop();
        }
        samples.get(impl)!.push(s as Sample);
        d = undefined as unknown as RunningDaemon;
      }
    }
    console.log(`daemon latency, ${runs} runs per implementation; keepalived-ts as ${oursCommand().how}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    for (const impl of impls) {
      const list = samples.get(impl)!;
      const col = (k: keyof Sample): string => {
        const v = list.map((x) => x[k]).filter((x): x is number => Number.isFinite(x));
        return `median ${fmt(median(v), 0)} ms, min ${fmt(Math.min(...v), 0)} ms, max ${fmt(Math.max(...v), 0)} ms (n=${v.length}) [${v.map((x) => x.toFixed(0)).join(' ')}]`;
      };
      console.log(`${impl}:`);
      console.log(`  start-up (spawn → INIT→BACKUP):   ${col('startupMs')}`);
      console.log(`  start-up CPU time (all processes): ${col('startupCpuMs')}`);
      console.log(`  SIGTERM → priority-0 advert:      ${col('sigtermMs')}`);
      console.log(`  link down → VIP removed (FAULT):  ${col('linkDownMs')}`);
      console.log(`  VIP removed → re-added:           ${col('vipReaddMs')}`);
    }
    await capture.stop();
  } finally {
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
