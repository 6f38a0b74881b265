/**
 * Steady-state cost of N VRRP instances at advert 1 s on one node: CPU seconds per minute and
 * RSS of every process in the node's namespace, plus the lateness of the adverts of every instance
 * on one link (and of one instance, VRID 1, alone), as captured on the far side of that link.
 */
import type { NetnsLab } from '../../test/helpers/netns.js';
import { waitFor } from '../../test/helpers/netns.js';
import { startCapture } from './capture.js';
import { pidsOf, startDaemon, type ImplName } from './implementations.js';
import { namespacePids, rssOf, usageOf, type ProcessRss } from './procstat.js';
import { percentile } from './stats.js';
import { everyCpuStalls, lateInStalls, lateMaxOutsideStalls, startStallProbe, stallProbeMissing, type StallProbe, type StallReport } from './stall-probe.js';
import { startCanary, type Canary, type CanaryReport } from './canary.js';

const LINKS = 4; // VRIDs are 1..255 per interface: 1,000 instances need 4 links of 250
const PER_LINK = 250;

export interface FootprintLab {
  node: string;
  sink: string;
}

export async function buildFootprintLab(lab: NetnsLab): Promise<FootprintLab> {
  const node = await lab.namespace('node');
  const sink = await lab.namespace('sink');
  for (let i = 0; i < LINKS; i++) {
    await lab.veth({ ns: node, ifname: `n${i}`, addresses: [`198.51.100.${64 * i + 1}/26`] }, { ns: sink, ifname: `s${i}`, addresses: [`198.51.100.${64 * i + 2}/26`] });
  }
  return { node, sink };
}

/** N master instances: instance k on link k/250 with VRID k%250+1 and one VIP in 203.0.113.0/24
 *  (the same VIP may recur on different links, which both daemons accept). */
export function footprintConf(n: number): string {
  const blocks: string[] = ['global_defs {\n  router_id bench_node\n}\n'];
  for (let k = 0; k < n; k++) {
    const link = Math.floor(k / PER_LINK);
    const vrid = (k % PER_LINK) + 1;
    blocks.push(`vrrp_instance VI_${k + 1} {
  state MASTER
  interface n${link}
  virtual_router_id ${vrid}
  priority 200
  advert_int 1
  virtual_ipaddress {
    203.0.113.${vrid}/32
  }
}
`);
  }
  return blocks.join('');
}

export interface FootprintSample {
  impl: ImplName;
  instances: number;
  /** start → every VIP present */
  startupMs: number;
  /** CPU seconds of the namespace's processes from their launch to the start of the window
   *  (every VIP present + 3 s): start-up with its gratuitous ARP bursts and log lines */
  startupCpuSeconds: number;
  cpuSecondsPerMinute: number;
  /** The peak of the RSS total over the window, sampled every second. */
  rssMiB: number;
  /** The RSS total at the window's last sample (after start-up's transients: the VRRP child's
   *  memory-reducing collection comes about 5 s into the window at 1,000 instances). */
  rssEndMiB: number;
  /** The sum of the processes' Pss at the 5-s sample where the RSS total was largest (shared pages counted once) */
  pssMiB: number;
  /** RSS of each process at the 5-s sample where the total was largest (ip netns exec's own
   *  process, when it is still there, included: it is part of the namespace) */
  perProcess: ProcessRss[];
  processes: number;
  /** advert interval − 1000 ms over every instance on the captured link (up to 250): max and
   *  p99, the number of intervals and of instances they came from */
  lateMaxMs: number;
  lateP99Ms: number;
  /** the shortest interval − 1000 ms (negative: an advert that left early) */
  lateMinMs: number;
  intervals: number;
  lateInstances: number;
  /** the same for VRID 1 alone (the figure the bench printed before 2026-12-04) */
  vrid1LateMaxMs: number;
  vrid1Intervals: number;
  /** The machine's own wake-up stalls in the same window (cyclictest, bench/lib/stall-probe.ts),
   *  or why there are none */
  machine: StallReport | string;
  /** How fast the machine ran in the same window: the CPU a fixed piece of work took (bench/lib/canary.ts), or why it is missing */
  machineSpeed: CanaryReport | string;
  /** the adverts more than 2 ms late, and how many of them were due during a stall of the probe */
  lateOver2: number;
  lateOver2InStall: number;
  /** how many of them would have been due in a stall by chance (the same intervals moved in time) */
  lateOver2ByChance: number;
  /** the lateness max over the adverts not due during a stall of the probe (NaN without the probe) */
  lateMaxOutsideStallsMs: number;
  /** the longest span with every CPU stalled at once, and the lateness max over the adverts not
   *  due during one (NaN without the probe): what a daemon sending from two CPUs can be held to */
  everyCpuStallMaxMs: number;
  lateMaxOutsideEveryCpuStallsMs: number;
  /** VIPs present at the end of the measurement (n when every instance became master) */
  vipsUp: number;
  logLines: number;
  /** '… child process(N) died' log lines: a respawning daemon's CPU figure is not valid */
  childDeaths: number;
  lastLogLine: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How many VIPs (203.0.113.0/24) the footprint lab's node holds. */
export async function vipCount(lab: NetnsLab, ns: string): Promise<number> {
  const links = await lab.ipJson<Array<{ addr_info?: Array<{ local: string }> }>>(ns, ['addr', 'show']);
  return links.reduce((n, l) => n + (l.addr_info?.filter((x) => x.local.startsWith('203.0.113.')).length ?? 0), 0);
}

/** Remove VIPs a SIGKILLed daemon left behind. */
export async function flushVips(lab: NetnsLab, ns: string): Promise<void> {
  for (let i = 0; i < LINKS; i++) await lab.exec(ns, ['ip', 'addr', 'flush', 'dev', `n${i}`, 'to', '203.0.113.0/24']);
}

/**
 * One daemon's window. `reloadAtS`: that many seconds into the window the daemon's main process
 * gets SIGHUP (a reload of the same configuration), so that the lateness shows what a reload
 * does to the adverts due meanwhile.
 */
export async function runFootprint(lab: NetnsLab, fl: FootprintLab, impl: ImplName, n: number, seconds: number, dir: string, stallProbe = true, reloadAtS?: number): Promise<FootprintSample> {
  await flushVips(lab, fl.node);
  const capture = await startCapture(lab, fl.sink, 's0', 'ip proto 112');
  const started = Date.now();
  const d = startDaemon(lab, fl.node, impl, dir, `fp${n}`, footprintConf(n));
  let canary: Canary | undefined;
  let probe: StallProbe | undefined;
  try {
    // Start-up: until every instance holds its VIP. A daemon that does not get there in 90 s is
    // measured anyway, and the count of VIPs it reached is reported.
    let startupMs = NaN;
    try {
      await waitFor(async () => (await vipCount(lab, fl.node)) >= n, { timeoutMs: 90_000, intervalMs: 250, what: `${impl}: ${n} VIPs` });
      startupMs = Date.now() - started;
    } catch {
      /* reported through vipsUp */
    }
    await sleep(3000); // let start-up work (GARP bursts, log flushing) finish
    const missing = stallProbe ? stallProbeMissing() : 'left out (--stall-probe no)';
    probe = missing ? undefined : await startStallProbe(lab, fl.sink);
    canary = startCanary();
    capture.clear();
    const pids = namespacePids(fl.node);
    const t0 = usageOf(pids);
    const w0 = performance.now();
    const reload =
      reloadAtS === undefined
        ? undefined
        : setTimeout(() => {
            const parent = pidsOf(d).parent;
            if (parent !== undefined) process.kill(parent, 'SIGHUP');
          }, reloadAtS * 1000);
    // The RSS every second (VmRSS only), and every 5 s with each process's name and Pss (a
    // heavier read of smaps_rollup, and `ip netns pids` for processes started since). Sampled
    // every 5 s alone, the peak hung on whether the first sample fell before or after the VRRP
    // child's memory-reducing collection about 5 s into the window (about 10 MiB apart).
    let rssKiB = 0;
    let rssEndKiB = 0;
    let fullKiB = -1;
    let perProcess: ProcessRss[] = [];
    let processes = 0;
    let sampled = pids;
    const last = Math.ceil(seconds);
    for (let at = 1; at <= last; at++) {
      await sleep(Math.max(0, w0 + Math.min(at, seconds) * 1000 - performance.now()));
      let total: number;
      if (at % 5 === 0 || at === last) {
        const each = rssOf(namespacePids(fl.node));
        sampled = each.map((p) => p.pid);
        total = each.reduce((a, p) => a + p.rssKiB, 0);
        if (total > fullKiB) {
          fullKiB = total;
          perProcess = each;
        }
        processes = Math.max(processes, each.length);
      } else {
        total = usageOf(sampled).rssKiB;
      }
      rssEndKiB = total;
      rssKiB = Math.max(rssKiB, total);
    }
    clearTimeout(reload);
    const t1 = usageOf(pids);
    const wallS = (performance.now() - w0) / 1000;
    const machine = probe ? await probe.stop() : missing!;
    probe = undefined;
    const machineSpeed = await canary.stop();
    const vipsUp = await vipCount(lab, fl.node);
    const log = d.proc.output().trim().split('\n');
    const lastLogLine = log.at(-1) ?? '';
    // Each instance's own intervals, in capture order (every instance on the link sends from the node's address).
    const byVrid = new Map<number, number[]>();
    for (const p of capture.packets()) {
      if (p.kind !== 'vrrp' || p.src !== '198.51.100.1' || p.priority === 0) continue;
      const times = byVrid.get(p.vrid) ?? [];
      times.push(p.atMs);
      byVrid.set(p.vrid, times);
    }
    // Each interval's end (the advert that closed it) and its lateness.
    const intervalsAt = (times: number[]): Array<{ atMs: number; lateMs: number }> => times.slice(1).map((t, i) => ({ atMs: t, lateMs: t - times[i]! - 1000 }));
    const intervalsOf = (times: number[]): number[] => intervalsAt(times).map((x) => x.lateMs);
    const lateAt = [...byVrid.values()].flatMap(intervalsAt);
    const late = lateAt.map((x) => x.lateMs);
    const attributed = lateInStalls(lateAt, typeof machine === 'string' ? [] : machine.stalls, 2);
    const allCpus = typeof machine === 'string' ? undefined : everyCpuStalls(machine.stalls, machine.threads);
    const vrid1 = intervalsOf(byVrid.get(1) ?? []);
    return {
      impl,
      instances: n,
      startupMs,
      startupCpuSeconds: t0.cpuSeconds,
      cpuSecondsPerMinute: ((t1.cpuSeconds - t0.cpuSeconds) / wallS) * 60,
      rssMiB: rssKiB / 1024,
      rssEndMiB: rssEndKiB / 1024,
      pssMiB: perProcess.reduce((a, p) => a + p.pssKiB, 0) / 1024,
      perProcess,
      processes,
      lateMaxMs: late.length ? Math.max(...late) : NaN,
      lateP99Ms: percentile(late, 99),
      lateMinMs: late.length ? Math.min(...late) : NaN,
      intervals: late.length,
      lateInstances: byVrid.size,
      vrid1LateMaxMs: vrid1.length ? Math.max(...vrid1) : NaN,
      vrid1Intervals: vrid1.length,
      machine,
      machineSpeed,
      lateOver2: attributed.late,
      lateOver2InStall: attributed.inStall,
      lateOver2ByChance: attributed.byChance,
      lateMaxOutsideStallsMs: typeof machine === 'string' ? NaN : lateMaxOutsideStalls(lateAt, machine.stalls),
      everyCpuStallMaxMs: allCpus ? Math.max(0, ...allCpus.map((x) => x.lateMs)) : NaN,
      lateMaxOutsideEveryCpuStallsMs: allCpus ? lateMaxOutsideStalls(lateAt, allCpus) : NaN,
      vipsUp,
      logLines: log.length,
      childDeaths: (d.proc.output().match(/child process\(\d+\) died/g) ?? []).length,
      lastLogLine,
    };
  } finally {
    await probe?.stop(); // only if the window failed before its own stop
    await canary?.stop(); // a second stop, or the first if the window failed: the canary is ours
    await d.stop();
    await capture.stop();
    await flushVips(lab, fl.node);
  }
}
