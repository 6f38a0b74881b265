/**
 * Simulator speed: simulated time over wall time.
 *
 *   npx tsx bench/sim.bench.ts [--hours 24] [--seeds 1000] [--skip-seeds]
 *
 * 1. 24 h of a 2-host, 2-instance cluster (seed 001's configs, advert 1 s) on the real
 *    composition root. Target: under 2 s wall.
 * 2. The same 24 h with a replay runtime that only sends pre-encoded adverts and re-arms a down
 *    timer per packet: the cost of the simulator itself (clock, hosts, wire, checks), without
 *    the daemon's actors.
 * 3. 1,000 seeds of the three-node chaos scenario, 60 s simulated each. Target: under 60 s wall.
 *
 * Prints figures; asserts nothing (see test/sim for correctness).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Ports, VrrpSocket } from '../actors/ports.js';
import type { CreateRuntime, InstanceStatus, Runtime, RuntimeEvent } from '../actors/runtime-types.js';
import type { KeepalivedConfig } from '../config/model.js';
import { encodeVrrpIpv4Packet } from '../protocol/vrrp/index.js';
import { runSeeds } from '../sim/cli/seeds.js';
import { createDaemonRuntime } from '../sim/daemon-runtime.js';
import { keepalivedModels } from '../sim/model.js';
import { runScenario } from '../sim/run.js';
import { compileKeepalived } from '../sim/scenario/keepalived.js';
import { loadScenario } from '../sim/scenario/load.js';
import type { Scenario } from '../sim/scenario/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function load(file: string, edit: (text: string) => string = (t) => t): Scenario {
  const path = join(root, 'examples', file);
  const read = (p: string) => readFileSync(join(dirname(path), p), 'utf8');
  const r = loadScenario(edit(readFileSync(path, 'utf8')), file, { readFile: read, compile: compileKeepalived(read), models: keepalivedModels });
  if (!r.scenario) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** Steady-state VRRP traffic with no protocol logic: what the simulator costs on its own. */
const replayRuntime: CreateRuntime = (ports: Ports, model: unknown): Runtime => {
  const m = model as KeepalivedConfig;
  const listeners = new Set<(e: RuntimeEvent) => void>();
  const timers: unknown[] = [];
  return {
    start() {
      for (const inst of m.vrrpInstances) {
        const src = ports.net.interfaces().find((i) => i.name === inst.interface)?.addresses[0]?.split('/')[0] ?? '0.0.0.0';
        const advert = encodeVrrpIpv4Packet(
          { version: 2, family: 4, vrid: inst.vrid, priority: inst.priority, advertIntervalCs: inst.advertIntervalCs, addresses: inst.vips.map((v) => v.address) },
          { src, dst: '224.0.0.18', ipId: 1 },
        );
        let down: unknown;
        const opened = ports.vrrp.open({ family: 4, ifname: inst.interface ?? 'eth0', groups: ['224.0.0.18'], protocols: [112] }, () => {
          ports.clock.clearTimeout(down);
          down = ports.clock.setTimeout(() => {}, 3700);
        }, () => {});
        if ('error' in opened) continue;
        const socket: VrrpSocket = opened;
        if (inst.state !== 'MASTER') continue;
        const tick = () => {
          socket.send(advert, '224.0.0.18');
          timers.push(ports.clock.setTimeout(tick, inst.advertIntervalCs * 10));
        };
        tick();
      }
    },
    stop() {},
    reload() {},
    status: (): InstanceStatus[] => [],
    counters: () => ({}),
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
};

function long(label: string, createRuntime: CreateRuntime, hours: number, targetMs: number | undefined): void {
  const scn = load('seed-001-dual-master.yaml', (t) => t.replace(/\ntimeline:[\s\S]*$/, '\n').replace(/\n  client:\n.*\n/, '\n'));
  runScenario(scn, { createRuntime, untilMs: 60_000, checks: createRuntime !== replayRuntime }); // warm-up
  const t0 = performance.now();
  const r = runScenario(scn, { createRuntime, untilMs: hours * 3_600_000, checks: createRuntime !== replayRuntime });
  const ms = performance.now() - t0;
  const ratio = (hours * 3_600_000) / ms;
  const verdict = targetMs === undefined ? '' : ms < targetMs ? `  ✓ under ${targetMs / 1000} s` : `  ✗ target ${targetMs / 1000} s`;
  console.log(
    `${label.padEnd(44)} ${hours} h simulated in ${(ms / 1000).toFixed(2)} s wall  (${Math.round(ratio).toLocaleString('en')}× real time, ${r.stats.events.toLocaleString('en')} events, ${r.stats.frames.toLocaleString('en')} frames, ${((ms * 1000) / r.stats.events).toFixed(1)} µs/event)${verdict}`,
  );
}

function seeds(n: number): void {
  const scn = load('chaos-three-node.yaml');
  const t0 = performance.now();
  const s = runSeeds(scn, { from: 1, to: n }, { createRuntime: createDaemonRuntime });
  const ms = performance.now() - t0;
  const target = (60_000 * n) / 1000;
  console.log(
    `${`${n} seeds × 60 s, 3-node chaos`.padEnd(44)} ${(ms / 1000).toFixed(2)} s wall  (${Math.round(s.simulatedMs / ms).toLocaleString('en')}× real time, ${(ms / n).toFixed(1)} ms/seed, ${s.failing.length} failing)  ${ms < target ? '✓' : '✗'} target ${(target / 1000).toFixed(0)} s`,
  );
}

const hours = arg('hours', 24);
console.log(`node ${process.version}, ${process.arch}`);
long('2 hosts × 2 instances, real runtime', createDaemonRuntime, hours, hours === 24 ? 2000 : undefined);
long('2 hosts × 2 instances, replay runtime (sim only)', replayRuntime, hours, undefined);
if (!process.argv.includes('--skip-seeds')) seeds(arg('seeds', 1000));
