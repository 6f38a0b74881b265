/**
 * Worlds for the simulator's LVS side. A director host either gets a hand-made daemon process (no
 * runtime) and the LVS ports that process would get, so tests can drive the prober, the table and
 * the invariants directly; or (`daemon`) runs the daemon's own composition root on a compiled
 * config, as `keepalived-ts sim` does, so its LVS subsystem drives them.
 */
import type { LbCommand, LbDestination, LbService } from '../../../actors/lvs/lb-port.js';
import type { ProbeOutcome, ProbeRequest } from '../../../actors/lvs/prober-port.js';
import type { CheckerConfig, KeepalivedConfig } from '../../../config/model.js';
import { compileConfig } from '../../../config/index.js';
import { DaemonProcess, type Host } from '../../../sim/host/host.js';
import type { SimLvsPorts } from '../../../sim/lvs/lvs-sim.js';
import type { ServiceSpec } from '../../../sim/lvs/services.js';
import type { TrafficSpec } from '../../../sim/lvs/traffic.js';
import { Recorder } from '../../../sim/recorder.js';
import { WALL_ORIGIN_MS, World, type HostSpec, type WorldSpec } from '../../../sim/world.js';
import type { Fault } from '../../../sim/faults.js';
import type { CreateRuntime } from '../../../actors/runtime-types.js';
import { createDaemonRuntime } from '../../../sim/daemon-runtime.js';
import { keepalivedModels } from '../../../sim/model.js';
import { createToyRuntime, toyModels } from './toy-runtime.js';

export const DS1 = '198.51.100.11';
export const DS2 = '198.51.100.12';
export const RS1 = '198.51.100.21';
export const RS2 = '198.51.100.22';
export const SORRY = '198.51.100.29';
export const CLIENT = '198.51.100.200';
export const VIP = '198.51.100.100';

const nic = (address: string, segment = 'lan') => [{ name: 'eth0', segment, addresses: [`${address}/24`] }];

export const WEB: ServiceSpec[] = [
  { kind: 'http', proto: 'tcp', port: 80, body: 'ok\n' },
  { kind: 'https', proto: 'tcp', port: 443, body: 'secure\n' },
  { kind: 'smtp', proto: 'tcp', port: 25 },
  { kind: 'dns', proto: 'udp', port: 53 },
  { kind: 'udp', proto: 'udp', port: 5000 },
  { kind: 'tcp', proto: 'tcp', port: 3306 },
];

export interface LvsWorldOptions {
  seed?: number;
  tracing?: boolean;
  checks?: false | { toleranceMs?: number; graceMs?: number };
  segment?: WorldSpec['segments'][number]['profile'];
  extraHosts?: HostSpec[];
  rs1?: Partial<HostSpec>;
  rs2?: Partial<HostSpec>;
  traffic?: TrafficSpec[];
  /** ds1 runs the daemon on this config from 0 s (the real runtime; createRuntime to wrap it). */
  daemon?: { model: KeepalivedConfig; createRuntime?: CreateRuntime };
}

/** ds1 (director), ds2, rs1 and rs2 (WEB services, VIP on lo), client; one LAN. */
export function lvsWorld(o: LvsWorldOptions = {}): World {
  const spec: WorldSpec = {
    segments: [{ name: 'lan', ...(o.segment ? { profile: o.segment } : {}) }],
    hosts: [
      { name: 'ds1', nics: nic(DS1), ...(o.daemon ? { model: o.daemon.model } : {}) },
      { name: 'ds2', nics: nic(DS2) },
      { name: 'rs1', nics: nic(RS1), services: WEB, loopback: [VIP], ...o.rs1 },
      { name: 'rs2', nics: nic(RS2), services: WEB, loopback: [VIP], ...o.rs2 },
      { name: 'sorry', nics: nic(SORRY), services: [{ kind: 'http', proto: 'tcp', port: 80, body: 'sorry\n' }], loopback: [VIP] },
      { name: 'client', nics: nic(CLIENT), ...(o.traffic ? { traffic: o.traffic } : {}) },
      ...(o.extraHosts ?? []),
    ],
  };
  return new World(spec, {
    seed: o.seed ?? 1,
    createRuntime: o.daemon ? (o.daemon.createRuntime ?? createDaemonRuntime) : createToyRuntime,
    models: o.daemon ? keepalivedModels : toyModels,
    recorder: new Recorder({ tracing: o.tracing ?? false }),
    checks: o.checks === false ? false : { toleranceMs: 100, graceMs: 50, disable: [], ...(o.checks ?? {}) },
  });
}

/** Start a bare daemon process on `name` (no runtime): what the LVS subsystem would run in. */
export function director(w: World, name = 'ds1', model?: KeepalivedConfig): { host: Host; proc: DaemonProcess; ports: SimLvsPorts } {
  const host = w.hosts.get(name)!;
  if (model) host.model = model;
  const proc = new DaemonProcess(host.cpu, WALL_ORIGIN_MS, w.clock.nowMicros());
  host.proc = proc;
  return { host, proc, ports: w.lvsPorts(host, proc) };
}

/** The VIP on the director's NIC, as VRRP would add it (and the client's ARP cache pointing there). */
export function holdVip(w: World, name: string, vip = VIP): void {
  const host = w.hosts.get(name)!;
  const n = host.nics[0]!;
  n.addresses.push({ address: vip, prefixLength: 24, family: 4, dynamic: true });
  w.hosts.get('client')!.neighbours.set(vip, n.mac);
  w.onAddressChange(host, n, vip, true);
}

export function checker(kind: CheckerConfig['kind'], o: Partial<CheckerConfig> = {}): CheckerConfig {
  return {
    kind,
    source: { file: 'test.conf', line: 1 },
    connectTimeoutMs: 3000,
    retry: 1,
    delayBeforeRetryMs: 1000,
    delayLoopMs: 6000,
    alpha: false,
    logAllFailures: false,
    urls: [],
    enableSni: false,
    ...o,
  };
}

export function request(c: CheckerConfig, address: string, port: number, timeoutMs = c.connectTimeoutMs): ProbeRequest {
  return { checker: c, target: { family: 4, address, port }, timeoutMs };
}

/** One probe: the outcome and when it came (ms after the start), running the world as needed. */
export function probeOnce(w: World, ports: SimLvsPorts, req: ProbeRequest, runMs = req.timeoutMs + 5000): { outcome: ProbeOutcome | undefined; afterMs: number; calls: number } {
  const start = w.clock.now();
  let outcome: ProbeOutcome | undefined;
  let at = NaN;
  let calls = 0;
  ports.prober.probe(req, (o) => {
    calls++;
    outcome = o;
    at = w.clock.now();
  });
  w.runUntil(start + runMs);
  return { outcome, afterMs: at - start, calls };
}

export function fault(w: World, f: Fault, forMs?: number): void {
  const inverse = w.apply(f, forMs !== undefined);
  if (forMs !== undefined && inverse) w.clock.setTimeout(() => w.apply(inverse), forMs);
}

export const SERVICE: LbService = { family: 4, protocol: 'tcp', address: VIP, port: 80, scheduler: 'rr', flags: [], persistenceTimeoutS: 0 };

export function dest(address: string, weight = 1, o: Partial<LbDestination> = {}): LbDestination {
  return { family: 4, address, port: 80, method: 'DR', weight, upperThreshold: 0, lowerThreshold: 0, ...o };
}

/** Apply commands through the port and wait for its answer. */
export function applyAll(w: World, ports: SimLvsPorts, commands: LbCommand[]): string[] {
  let errors: string[] | undefined;
  ports.lb.apply(commands, (e) => (errors = e.map((x) => x.message)));
  w.runUntil(w.clock.now() + 1);
  if (!errors) throw new Error('apply did not answer');
  return errors;
}

/** Compile a keepalived.conf (the daemon's compiler); throws on fatal errors. */
export function compile(text: string): KeepalivedConfig {
  const r = compileConfig('test.conf', (p) => (p === 'test.conf' ? text : undefined), { interfaces: ['eth0'] });
  const fatal = r.diagnostics.filter((d) => d.kind === 'fatal');
  if (fatal.length) throw new Error(fatal.map((d) => d.message).join('\n'));
  return r.model;
}
