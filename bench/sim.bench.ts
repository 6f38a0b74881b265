/**
 * Simulator speed: simulated time over wall time.
 *
 *   npx tsx bench/sim.bench.ts [--hours 24] [--seeds 1000] [--jobs N] [--skip-seeds]
 *
 * 1. 24 h of a 2-host, 2-instance cluster (seed 001's configs, advert 1 s) on the real
 *    composition root. Target: under 2 s wall.
 * 2. The same 24 h with a replay runtime that only sends pre-encoded adverts and re-arms a down
 *    timer per packet: the cost of the simulator itself (clock, hosts, wire, checks), without
 *    the daemon's actors.
 * 3. The same 24 h with a floor runtime: one minimal XState statechart per instance (a master
 *    re-arms its advert timer with a delayed raise and emits the advert; a backup cancels and
 *    re-arms its down timer on every advert), pre-encoded packets, no validation. It is the
 *    least any design that keeps every instance a statechart with XState timers must pay.
 *    The last line runs the same statecharts with no simulator: the XState cost alone.
 * 4. 1,000 seeds of the three-node chaos scenario, 60 s simulated each, in this process and then
 *    on the worker pool `sim --seeds` uses (--jobs, default one per core), its workers loading
 *    dist/ when it is built (`npm run build`; through tsx otherwise). Target: under 60 s wall.
 *
 * Prints figures; asserts nothing (see test/sim for correctness).
 */
import { cancel, createActor, emit, raise, setup } from 'xstate';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Ports, VrrpSocket } from '../actors/ports.js';
import type { CreateRuntime, InstanceStatus, Runtime } from '../actors/runtime-types.js';
import type { KeepalivedConfig, VrrpInstanceConfig } from '../config/model.js';
import { encodeVrrpIpv4Packet } from '../protocol/vrrp/index.js';
import { defaultJobs, runSeedsPooled } from '../sim/cli/seed-pool.js';
import { runSeeds, type SeedsSummary } from '../sim/cli/seeds.js';
import { SimClock } from '../sim/clock.js';
import { createDaemonRuntime } from '../sim/daemon-runtime.js';
import { runScenario } from '../sim/run.js';
import type { Scenario } from '../sim/scenario/types.js';
import { loadScenarioFile } from '../sim/tools/scenario-file.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function load(file: string, edit?: (text: string) => string): Scenario {
  const r = loadScenarioFile(join(root, 'examples', file), { name: file, ...(edit ? { edit } : {}) });
  if (!r.scenario) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

/** A runtime with nothing to report: the benches' stand-ins only start and stop. */
function benchRuntime(start: () => void, stop: () => void = () => {}): Runtime {
  const report = () => ({ clockNow: 0, wallNow: 0, instances: [], syncGroups: [], trackers: [], notifyQueue: 0, virtualServers: [] });
  return { start, stop, reload() {}, status: (): InstanceStatus[] => [], report, counters: () => ({}), on: () => () => {} };
}

/**
 * For each VRRP instance: its advert encoded once (VRRPv2, the interface's first address as
 * source) and a VRRP socket on its interface whose packets go to `heard`.
 */
function advertSockets(ports: Ports, model: unknown, heard: (inst: VrrpInstanceConfig) => () => void): Array<{ inst: VrrpInstanceConfig; advert: Uint8Array; socket: VrrpSocket }> {
  const out: Array<{ inst: VrrpInstanceConfig; advert: Uint8Array; socket: VrrpSocket }> = [];
  for (const inst of (model as KeepalivedConfig).vrrpInstances) {
    const src = ports.net.interfaces().find((i) => i.name === inst.interface)?.addresses[0]?.split('/')[0] ?? '0.0.0.0';
    const advert = encodeVrrpIpv4Packet(
      { version: 2, family: 4, vrid: inst.vrid, priority: inst.priority, advertIntervalCs: inst.advertIntervalCs, addresses: inst.vips.map((v) => v.address) },
      { src, dst: '224.0.0.18', ipId: 1 },
    );
    const opened = ports.vrrp.open({ family: 4, ifname: inst.interface ?? 'eth0', groups: ['224.0.0.18'], protocols: [112] }, heard(inst), () => {});
    if (!('error' in opened)) out.push({ inst, advert, socket: opened });
  }
  return out;
}

/** Steady-state VRRP traffic with no protocol logic: what the simulator costs on its own. */
const replayRuntime: CreateRuntime = (ports: Ports, model: unknown): Runtime =>
  benchRuntime(() => {
    const heard = () => {
      let down: unknown;
      return () => {
        ports.clock.clearTimeout(down);
        down = ports.clock.setTimeout(() => {}, 3700);
      };
    };
    for (const { inst, advert, socket } of advertSockets(ports, model, heard)) {
      if (inst.state !== 'MASTER') continue;
      const tick = () => {
        socket.send(advert, '224.0.0.18');
        ports.clock.setTimeout(tick, inst.advertIntervalCs * 10);
      };
      tick();
    }
  });

/** The least a statechart-per-instance runtime can do: one XState event per advert sent or heard. */
const floorMachine = setup({
  types: { input: {} as { advertMs: number; downMs: number }, context: {} as { advertMs: number; downMs: number }, emitted: {} as { type: 'advert' } },
  delays: { advertInterval: ({ context }) => context.advertMs, masterDown: ({ context }) => context.downMs },
}).createMachine({
  context: ({ input }) => ({ advertMs: input.advertMs, downMs: input.downMs }),
  initial: 'start',
  states: {
    start: { always: [{ guard: ({ context }) => context.advertMs > 0, target: 'master' }, { target: 'backup' }] },
    master: {
      entry: raise({ type: 'advertTimer' }, { id: 'advertTimer', delay: 'advertInterval' }),
      on: { advertTimer: { actions: [emit({ type: 'advert' }), raise({ type: 'advertTimer' }, { id: 'advertTimer', delay: 'advertInterval' })] } },
    },
    backup: {
      entry: raise({ type: 'masterDown' }, { id: 'masterDown', delay: 'masterDown' }),
      on: { advert: { actions: [cancel('masterDown'), raise({ type: 'masterDown' }, { id: 'masterDown', delay: 'masterDown' })] } },
    },
  },
});

/** A floor statechart per instance: masters (advertMs > 0) advertise, backups restart their down timer. */
const floorActor = (clock: Ports['clock'], advertMs: number) => createActor(floorMachine, { clock, input: { advertMs, downMs: 3609.375 } });

const floorRuntime: CreateRuntime = (ports: Ports, model: unknown): Runtime => {
  const actors = new Map<VrrpInstanceConfig, ReturnType<typeof floorActor>>();
  const ev = { type: 'advert' } as const;
  return benchRuntime(
    () => {
      const heard = (inst: VrrpInstanceConfig) => () => actors.get(inst)?.send(ev);
      for (const { inst, advert, socket } of advertSockets(ports, model, heard)) {
        const actor = floorActor(ports.clock, inst.state === 'MASTER' ? inst.advertIntervalCs * 10 : 0);
        actor.on('advert', () => socket.send(advert, '224.0.0.18'));
        actors.set(inst, actor);
        actor.start();
      }
    },
    () => {
      for (const a of actors.values()) a.stop();
    },
  );
};

function long(label: string, createRuntime: CreateRuntime, hours: number, targetMs: number | undefined): number {
  const scn = load('seed-001-dual-master.yaml', (t) => t.replace(/\ntimeline:[\s\S]*$/, '\n').replace(/\n  client:\n.*\n/, '\n'));
  runScenario(scn, { createRuntime, untilMs: 60_000, checks: createRuntime === createDaemonRuntime }); // warm-up
  const cpu0 = (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  const t0 = performance.now();
  const r = runScenario(scn, { createRuntime, untilMs: hours * 3_600_000, checks: createRuntime === createDaemonRuntime });
  const ms = performance.now() - t0;
  const ratio = (hours * 3_600_000) / ms;
  lastCpuMs = (process.cpuUsage().user + process.cpuUsage().system) / 1000 - cpu0;
  const verdict = targetMs === undefined ? '' : ms < targetMs ? `  ✓ under ${targetMs / 1000} s` : `  ✗ target ${targetMs / 1000} s`;
  console.log(
    `${label.padEnd(44)} ${hours} h simulated in ${(ms / 1000).toFixed(2)} s wall  (${Math.round(ratio).toLocaleString('en')}× real time, ${r.stats.events.toLocaleString('en')} events, ${r.stats.frames.toLocaleString('en')} frames, ${((ms * 1000) / r.stats.events).toFixed(1)} µs/event, ${(lastCpuMs / 1000).toFixed(2)} s CPU)${verdict}`,
  );
  return ms;
}

let lastCpuMs = 0;

/** The same two statecharts per VRID with no simulator at all: the master's advert goes straight to the backup. */
function xstateOnly(hours: number): void {
  const run = (untilMs: number) => {
    const clock = new SimClock();
    let adverts = 0;
    for (let vrid = 0; vrid < 2; vrid++) {
      const backup = floorActor(clock, 0);
      const master = floorActor(clock, 1000);
      const ev = { type: 'advert' } as const;
      master.on('advert', () => {
        adverts++;
        backup.send(ev);
      });
      backup.start();
      master.start();
    }
    clock.runUntil(untilMs);
    return adverts;
  };
  run(60_000);
  const t0 = performance.now();
  const adverts = run(hours * 3_600_000);
  const ms = performance.now() - t0;
  console.log(
    `${'2 × (master + backup) statecharts, no simulator'.padEnd(44)} ${hours} h in ${(ms / 1000).toFixed(2)} s wall  (${adverts.toLocaleString('en')} adverts, ${((ms * 1000) / adverts).toFixed(1)} µs per advert sent and heard)`,
  );
}

const cpuMs = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;

/** `cpu`: CPU ms of the whole process, worker threads included. */
function seedsLine(label: string, n: number, ms: number, cpu: number, s: SeedsSummary): void {
  const target = (60_000 * n) / 1000;
  console.log(
    `${label.padEnd(44)} ${(ms / 1000).toFixed(2)} s wall  (${Math.round(s.simulatedMs / ms).toLocaleString('en')}× real time, ${(ms / n).toFixed(1)} ms/seed, ${(cpu / 1000).toFixed(2)} s CPU, ${s.failing.length} failing)  ${ms < target ? '✓' : '✗'} target ${(target / 1000).toFixed(0)} s`,
  );
}

async function seeds(n: number, jobs: number): Promise<void> {
  const scn = load('chaos-three-node.yaml');
  let c0 = cpuMs();
  let t0 = performance.now();
  const serial = runSeeds(scn, { from: 1, to: n }, { createRuntime: createDaemonRuntime });
  seedsLine(`${n} seeds × 60 s, 3-node chaos, serial`, n, performance.now() - t0, cpuMs() - c0, serial);
  // The pool as `keepalived-ts sim examples/chaos-three-node.yaml --seeds 1..N --jobs J` runs it
  // (worker start-up included): from dist/ when it is built, as an operator runs it; otherwise
  // each worker loads the sources through tsx, whose transpiling is then in the figure.
  const built = join(root, 'dist/adapters/node/commands/sim-seed-worker.js');
  const fromDist = import.meta.url.endsWith('.ts') && existsSync(built);
  const worker = fromDist ? pathToFileURL(built) : new URL(`../adapters/node/commands/sim-seed-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const spec = { argv: ['chaos-three-node.yaml', '--seeds', `1..${n}`], cwd: join(root, 'examples') };
  c0 = cpuMs();
  t0 = performance.now();
  const pooled = await runSeedsPooled({ worker, spec, range: { from: 1, to: n }, jobs });
  seedsLine(`${n} seeds, worker pool, ${jobs} thread${jobs === 1 ? '' : 's'}${fromDist ? ' (dist/)' : ''}`, n, performance.now() - t0, cpuMs() - c0, pooled);
  if (pooled.events !== serial.events || pooled.failing.length !== serial.failing.length) console.log('  ✗ the pool and the serial run disagree (events or failing seeds)');
}

const hours = arg('hours', 24);
console.log(`node ${process.version}, ${process.arch}`);
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`);
const realMs = long('2 hosts × 2 instances, real runtime', createDaemonRuntime, hours, hours === 24 ? 2000 : undefined);
const realCpuMs = lastCpuMs;
long('2 hosts × 2 instances, replay runtime (sim only)', replayRuntime, hours, undefined);
const floorMs = long('2 hosts × 2 instances, floor runtime (XState)', floorRuntime, hours, undefined);
console.log(
  `${'real runtime / floor runtime'.padEnd(44)} ${(realMs / floorMs).toFixed(2)}× wall, ${(realCpuMs / lastCpuMs).toFixed(2)}× CPU  ${realMs / floorMs <= 1.2 ? '✓' : '✗'} target 1.2×`,
);
xstateOnly(hours);
if (!process.argv.includes('--skip-seeds')) await seeds(arg('seeds', 1000), arg('jobs', defaultJobs()));
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
