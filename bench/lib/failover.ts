/**
 * Failover timing: a master and a backup of the same implementation on a bridge; the master is
 * killed with SIGKILL and an observer on the bridge timestamps the master's last advert and the
 * backup's first gratuitous ARP; `ip -ts monitor address` in the backup's namespace timestamps
 * the VIP's appearance.
 */
import type { LabProcess, NetnsLab } from '../../test/helpers/netns.js';
import { waitFor } from '../../test/helpers/netns.js';
import { startCapture, type Capture, type CapturedAdvert, type CapturedGarp } from './capture.js';
import { startStallProbe, stallOverlapMs, stallProbeMissing, type StallProbe } from './stall-probe.js';
import { startDaemon, type ImplName } from './implementations.js';
import { namespacePids } from './procstat.js';

export const VIP = '198.51.100.100';
const MASTER_IP = '198.51.100.1';
const BACKUP_MAC = '02:00:00:00:00:0b';
const BACKUP_PRIORITY = 100;

export interface FailoverCase {
  label: string;
  version: 2 | 3;
  advertS: number;
}

/** RFC 5798 §6.1 / keepalived: 3 × advert + skew, skew = (256 − priority) × advert / 256. */
export function masterDownMs(c: FailoverCase, priority = BACKUP_PRIORITY): number {
  return 3 * c.advertS * 1000 + ((256 - priority) * c.advertS * 1000) / 256;
}

export function failoverConf(c: FailoverCase, priority: number, state: 'MASTER' | 'BACKUP', ifname: string): string {
  return `global_defs {
  router_id bench_${priority}
  vrrp_version ${c.version}
}
vrrp_instance VI_1 {
  state ${state}
  interface ${ifname}
  virtual_router_id 51
  priority ${priority}
  advert_int ${c.advertS}
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
}

export interface FailoverSample {
  impl: ImplName;
  /** last advert from the master (capture) → first GARP from the backup (capture) */
  advertToGarpMs: number;
  /** kill -9 → first GARP */
  killToGarpMs: number;
  /** kill -9 → VIP added in the backup's namespace (ip monitor) */
  killToVipMs: number;
  /** The master's last advert interval (its last advert minus the one before): over the advert
   *  interval, the master itself was late before the kill, and advert→GARP is longer by as much. */
  masterLastGapMs: number;
  /** How long the machine itself stalled between the backup's due time (the master's last
   *  advert + Master_Down_Interval) and its first GARP: the longest overlap of one CPU's
   *  cyclictest stalls with that span (bench/lib/stall-probe.ts); NaN without the probe. */
  machineStallMs: number;
  /** why machineStallMs is NaN when the probe was asked for but gave nothing ('' otherwise) */
  machineProbeFailed: string;
}

export interface FailoverLab {
  a: string;
  b: string;
  obs: string;
  capture: Capture;
  vipMonitor: LabProcess;
}

export async function buildFailoverLab(lab: NetnsLab): Promise<FailoverLab> {
  const sw = await lab.namespace('sw');
  await lab.bridge(sw, 'br0');
  const a = await lab.namespace('a');
  const b = await lab.namespace('b');
  const obs = await lab.namespace('obs');
  await lab.attach(sw, 'br0', { ns: a, ifname: 'lba', addresses: [`${MASTER_IP}/24`], mac: '02:00:00:00:00:0a' });
  await lab.attach(sw, 'br0', { ns: b, ifname: 'lbb', addresses: ['198.51.100.2/24'], mac: BACKUP_MAC });
  await lab.attach(sw, 'br0', { ns: obs, ifname: 'obs', addresses: ['198.51.100.3/24'] });
  const capture = await startCapture(lab, obs, 'obs');
  const vipMonitor = lab.spawn(b, ['ip', '-ts', 'monitor', 'address']);
  return { a, b, obs, capture, vipMonitor };
}

/** `[2026-11-22T02:26:45.011165] 3: lbb    inet 198.51.100.100/24 …` (local time) → epoch ms. */
function vipAddedAtMs(monitorText: string, afterMs: number): number | undefined {
  const re = /^\[(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\.(\d+)\] (?!Deleted)\d+: \S+\s+inet (\S+)\//gm;
  for (const m of monitorText.matchAll(re)) {
    if (m[8] !== VIP) continue;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const at = new Date(y, mo - 1, d, h, mi, s).getTime() + Number(`0.${m[7]}`) * 1000;
    if (at >= afterMs) return at;
  }
  return undefined;
}

async function hasVip(lab: NetnsLab, ns: string): Promise<boolean> {
  const links = await lab.ipJson<Array<{ addr_info?: Array<{ local: string }> }>>(ns, ['addr', 'show']);
  return links.some((l) => l.addr_info?.some((x) => x.local === VIP));
}

let runCounter = 0;

/** One failover of `impl`: start the pair, let it settle, kill -9 the master, measure. */
export async function runFailover(lab: NetnsLab, fl: FailoverLab, impl: ImplName, c: FailoverCase, dir: string, stallProbe = true): Promise<FailoverSample> {
  for (const [ns, dev] of [[fl.a, 'lba'], [fl.b, 'lbb']] as const) await lab.exec(ns, ['ip', 'addr', 'del', `${VIP}/24`, 'dev', dev]);
  // Fresh pid-file names per run, as if on a fresh host: a pid file left by a SIGKILLed daemon
  // whose pid has been reused would otherwise read as "daemon is already running".
  runCounter++;
  const master = startDaemon(lab, fl.a, impl, dir, `a${runCounter}`, failoverConf(c, 150, 'MASTER', 'lba'));
  const backup = startDaemon(lab, fl.b, impl, dir, `b${runCounter}`, failoverConf(c, BACKUP_PRIORITY, 'BACKUP', 'lbb'));
  const tail = (d: typeof master): string => d.proc.output().trim().split('\n').slice(-2).join(' | ').slice(0, 240);
  let probe: StallProbe | undefined;
  try {
    const advertMs = c.advertS * 1000;
    // Settled: the VIP on the master only, the backup's last transition is to BACKUP, and the
    // master has advertised at least 3 times since then.
    await waitFor(
      async () => {
        const states = [...backup.proc.output().matchAll(/Entering (MASTER|BACKUP|FAULT) STATE/g)];
        return states.at(-1)?.[1] === 'BACKUP' && (await hasVip(lab, fl.a)) && !(await hasVip(lab, fl.b));
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `${impl}: master elected and backup in BACKUP` },
    ).catch((e: Error) => {
      throw new Error(`${e.message}; master log: ${tail(master)}; backup log: ${tail(backup)}`);
    });
    const settledAt = Date.now();
    await waitFor(() => fl.capture.packets().filter((p) => p.kind === 'vrrp' && p.src === MASTER_IP && p.atMs > settledAt).length >= 3, {
      timeoutMs: 10 * advertMs + 5000,
      intervalMs: Math.min(50, advertMs),
      what: `${impl}: 3 adverts from the master`,
    });
    probe = stallProbe && !stallProbeMissing() ? await startStallProbe(lab, fl.obs) : undefined;
    const killedAt = master.kill9();
    const mdi = masterDownMs(c);
    const firstGarp = await waitFor(
      () => fl.capture.packets().find((p): p is CapturedGarp => p.kind === 'garp' && p.srcMac === BACKUP_MAC && p.ip === VIP && p.atMs > killedAt - 5),
      { timeoutMs: 3 * mdi + 5000, intervalMs: 10, what: `${impl}: the backup's first GARP` },
    );
    const vipAt = await waitFor(() => vipAddedAtMs(fl.vipMonitor.output(), killedAt - 5), { timeoutMs: 5000, intervalMs: 20, what: `${impl}: the VIP on the backup` });
    const masterAdverts = fl.capture
      .packets()
      .filter((p): p is CapturedAdvert => p.kind === 'vrrp' && p.src === MASTER_IP && p.priority === 150 && p.atMs <= firstGarp.atMs);
    const lastAdvert = masterAdverts.at(-1);
    if (!lastAdvert) throw new Error(`${impl}: no advert from the master captured`);
    const before = masterAdverts.at(-2);
    const machine = await probe?.stop();
    probe = undefined;
    return {
      impl,
      advertToGarpMs: firstGarp.atMs - lastAdvert.atMs,
      killToGarpMs: firstGarp.atMs - killedAt,
      killToVipMs: vipAt - killedAt,
      masterLastGapMs: before ? lastAdvert.atMs - before.atMs : NaN,
      machineStallMs: machine && typeof machine !== 'string' ? stallOverlapMs(machine.stalls, lastAdvert.atMs + mdi, firstGarp.atMs) : NaN,
      machineProbeFailed: typeof machine === 'string' ? machine : '',
    };
  } finally {
    await probe?.stop();
    await master.stop();
    await backup.stop();
    // Anything still running in the two host namespaces (a respawned child) goes too.
    for (const ns of [fl.a, fl.b]) {
      for (const pid of namespacePids(ns).filter((p) => p !== fl.vipMonitor.child.pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    fl.capture.clear();
  }
}
