/**
 * The simulator against the real daemon, side by side (root only: network namespaces). The same
 * two-node config runs as keepalived-ts daemons on a bridge and as a simulated scenario with the
 * measured start-up and reaction latency (`latency: measured`, sim/host/latency.ts); for each
 * case the takeover time and every host's state sequence must agree.
 *
 *  - SIGTERM of the master: signal → the backup's first advert as master (real: the observer's
 *    capture; sim: the backup's MASTER transition). Reaction time + the backup's skew time.
 *  - Carrier loss on the master (its switch port down): the master's last advert → the backup's
 *    first advert as master. The Master_Down_Interval.
 *
 * Tolerance: 150 ms for SIGTERM and 100 ms for carrier loss. The simulator is exact; the real
 * figures carry the machine's scheduling delay, which on a shared two-core machine under load
 * reaches tens of milliseconds (the measured reaction ranged 15–88 ms at load 11–18).
 */
import { loadavg } from 'node:os';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapture, type Capture, type CapturedAdvert } from '../../bench/lib/capture.js';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import type { SimEvent } from '../../sim/events.js';
import { runScenario } from '../../sim/run.js';
import { MEASURED_LATENCY } from '../../sim/host/latency.js';
import { loadScenarioFile } from '../../sim/tools/scenario-file.js';
import { DaemonLab, sleep, type DaemonHandle } from '../helpers/daemon-lab.js';
import { isRoot, waitFor } from '../helpers/netns.js';

const VIP = '198.51.100.100';

function conf(ifname: string, priority: number): string {
  return `vrrp_instance VI_1 {
    state BACKUP
    interface ${ifname}
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24 dev ${ifname}
    }
}
`;
}

const indent = (text: string, by: string): string => text.trimEnd().split('\n').map((l) => by + l).join('\n');

/** The two-node scenario: a (150) starts at 0, b (100) at 5 s (as the lab starts b once a is master); `fault` at 15 s. */
function simulate(fault: string): { takeoverFromMs: (kind: 'fault' | 'last-advert') => number; states: Record<string, string[]> } {
  const yaml = `name: sim-vs-daemon
seed: 1
duration: 25s
latency: measured
segments:
  lan: { delay: 0.05ms }
hosts:
  a:
    nics: { kia: { segment: lan, address: 198.51.100.1/24 } }
    config: |
${indent(conf('kia', 150), '      ')}
  b:
    start: 5s
    nics: { kib: { segment: lan, address: 198.51.100.2/24 } }
    config: |
${indent(conf('kib', 100), '      ')}
timeline:
  - at: 15s
    ${fault}
`;
  const dir = mkdtempSync(join(tmpdir(), 'kts-svd-'));
  try {
    const path = join(dir, 'scenario.yaml');
    writeFileSync(path, yaml);
    const loaded = loadScenarioFile(path);
    if (!loaded.scenario) throw new Error(loaded.errors.join('\n'));
    const seen: SimEvent[] = [];
    const r = runScenario(loaded.scenario, { createRuntime: createDaemonRuntime, digest: true, listen: (e) => void (e.type === 'advert' && seen.push(e)) });
    const states: Record<string, string[]> = { a: [], b: [] };
    for (const e of r.history) if (e.type === 'state' && ['BACKUP', 'MASTER', 'FAULT'].includes(e.to)) states[e.host]?.push(e.to);
    const bMaster = r.history.filter((e) => e.type === 'state' && e.host === 'b' && e.to === 'MASTER').at(-1)!.t / 1000;
    const lastAdvert = seen.filter((e) => e.type === 'advert' && e.host === 'a' && e.t <= 15_000_000).at(-1)!.t / 1000;
    return { takeoverFromMs: (kind) => bMaster - (kind === 'fault' ? 15_000 : lastAdvert), states };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const entered = (d: DaemonHandle): string[] => [...d.log().matchAll(/\(VI_1\) Entering (BACKUP|MASTER|FAULT) STATE/g)].map((m) => m[1]!);

describe.skipIf(!isRoot)('the simulator and the real daemon agree (root: network namespaces)', () => {
  const lab = new DaemonLab('kts-svd-');
  let capture: Capture;
  beforeAll(async () => {
    await lab.setup(['a', 'b'], { observer: true });
    capture = await startCapture(lab.net, lab.observer.ns, lab.observer.ifname);
  }, 60_000);
  afterAll(async () => {
    await capture?.stop();
    await lab.cleanup();
  });

  const adverts = (src: string, prio: number, after: number): CapturedAdvert[] =>
    capture.packets().filter((p): p is CapturedAdvert => p.kind === 'vrrp' && p.src === src && p.priority === prio && p.atMs > after);

  /** a master, b backup, settled: b started once a is master, as in the scenario. */
  async function pair(): Promise<{ a: DaemonHandle; b: DaemonHandle }> {
    const a = lab.startOurs(lab.host('a'), conf('kia', 150));
    await a.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 60_000);
    const b = lab.startOurs(lab.host('b'), conf('kib', 100));
    await b.proc.waitFor(/\(VI_1\) Entering BACKUP STATE/, 60_000);
    const settled = Date.now();
    await waitFor(() => adverts('198.51.100.1', 150, settled).length >= 3, { timeoutMs: 10_000, intervalMs: 50, what: 'three adverts from a' });
    return { a, b };
  }

  it('SIGTERM of the master: takeover time and state sequences', async () => {
    const sim = simulate('stop: a');
    const { a, b } = await pair();
    try {
      const at = Date.now();
      a.signal('SIGTERM');
      const first = await waitFor(() => adverts('198.51.100.2', 100, at)[0], { timeoutMs: 10_000, intervalMs: 10, what: "b's first advert as master" });
      await a.proc.waitFor(/Stopped/, 10_000);
      // b's first advert leaves before its "Entering MASTER STATE" line is written (as
      // keepalived's does), and the line comes through a pipe: once read as missing in CI (18:13).
      await b.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 5_000);
      const real = first.atMs - at;
      const simulated = sim.takeoverFromMs('fault');
      console.log(`SIGTERM takeover: real ${real.toFixed(1)} ms, simulated ${simulated.toFixed(1)} ms (reaction ${MEASURED_LATENCY.reactionMs} ms), load ${loadavg()[0]!.toFixed(2)}`);
      expect(Math.abs(real - simulated)).toBeLessThanOrEqual(150);
      expect({ a: entered(a), b: entered(b) }).toEqual(sim.states);
    } finally {
      await a.proc.stop(3000);
      await b.proc.stop(3000);
    }
  }, 120_000);

  it('carrier loss on the master: takeover time and state sequences', async () => {
    const sim = simulate('link: a/kia down');
    await sleep(500);
    const { a, b } = await pair();
    try {
      const at = Date.now();
      await lab.net.exec(lab.switchNs, ['ip', 'link', 'set', 'kia-p', 'down']);
      await a.proc.waitFor(/\(VI_1\) Entering FAULT STATE/, 10_000);
      const first = await waitFor(() => adverts('198.51.100.2', 100, at)[0], { timeoutMs: 10_000, intervalMs: 10, what: "b's first advert as master" });
      const last = adverts('198.51.100.1', 150, 0).filter((p) => p.atMs <= at).at(-1)!;
      const real = first.atMs - last.atMs;
      const simulated = sim.takeoverFromMs('last-advert');
      console.log(`carrier-loss takeover: real ${real.toFixed(1)} ms, simulated ${simulated.toFixed(1)} ms (Master_Down_Interval 3609.4 ms), load ${loadavg()[0]!.toFixed(2)}`);
      expect(Math.abs(real - simulated)).toBeLessThanOrEqual(100);
      expect({ a: entered(a), b: entered(b) }).toEqual(sim.states);
    } finally {
      await lab.net.exec(lab.switchNs, ['ip', 'link', 'set', 'kia-p', 'up']);
      await a.proc.stop(3000);
      await b.proc.stop(3000);
    }
  }, 120_000);
});
