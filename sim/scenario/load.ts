/**
 * Scenario YAML → Scenario. Every problem is reported with file:line; a scenario with errors
 * does not run. Host configs are real keepalived.conf text (inline `config:` or `configFile:`),
 * compiled with the same compiler the daemon uses; their interface names are the host's NICs.
 */
import type { ModelAdapter } from '../model.js';
import type { HostSpec, NicSpec, WorldSpec } from '../world.js';
import type { ScriptBehaviour } from '../host/script-table.js';
import type { LinkProfile } from '../net/segment.js';
import { MEASURED_LATENCY } from '../host/latency.js';
import { parseExpectation } from './expect-input.js';
import { FAULT_KEYS, parseTimelineEntry, type FaultContext } from './fault-input.js';
import { loadAddresses, loadServices, loadTraffic } from './service-input.js';
import type { ChaosSpec, Expectation, Scenario } from './types.js';
import { ScenarioInput, type Path } from './yaml-input.js';

export interface CompiledConfig {
  model: unknown;
  /** "file:line: message" */
  errors: string[];
  warnings: string[];
}

export interface LoadEnv {
  /** Read a file named by the scenario (path as written; the caller resolves it against the scenario's directory). */
  readFile(path: string): string | undefined;
  /** Compile one host's keepalived.conf; `interfaces` are the host's NIC names. */
  compile(text: string, fileName: string, interfaces: string[]): CompiledConfig;
  models: ModelAdapter;
}

export interface LoadResult {
  scenario?: Scenario;
  errors: string[];
}

const TOP = ['name', 'description', 'seed', 'duration', 'tolerance', 'grace', 'disable', 'latency', 'expectViolations', 'segments', 'hosts', 'timeline', 'expect', 'chaos'];

function loadSegments(inp: ScenarioInput, hosts: HostSpec[]): WorldSpec['segments'] {
  const out: WorldSpec['segments'] = [];
  for (const name of inp.keys(['segments'])) {
    const p: Path = ['segments', name];
    inp.onlyKeys(p, ['delay', 'jitter', 'loss', 'duplicate', 'reorder', 'reorderBy']);
    const profile: Partial<LinkProfile> = {};
    const d = (k: keyof LinkProfile, v: number | undefined) => v !== undefined && (profile[k] = v);
    d('delayMs', inp.durationMs([...p, 'delay']));
    d('jitterMs', inp.durationMs([...p, 'jitter']));
    d('lossPct', inp.number([...p, 'loss']));
    d('dupPct', inp.number([...p, 'duplicate']));
    d('reorderPct', inp.number([...p, 'reorder']));
    d('reorderMs', inp.durationMs([...p, 'reorderBy']));
    out.push({ name, profile });
  }
  for (const h of hosts) for (const n of h.nics) if (n.segment && !out.some((s) => s.name === n.segment)) out.push({ name: n.segment });
  return out;
}

function loadNics(inp: ScenarioInput, p: Path): NicSpec[] {
  if (!inp.isMap(p)) return inp.error(p, 'needs nics: { NAME: { segment, address } }'), [];
  return inp.keys(p).map((name) => {
    const np: Path = [...p, name];
    inp.onlyKeys(np, ['segment', 'address', 'addresses', 'mac']);
    const one = inp.string([...np, 'address']);
    const many = inp.get([...np, 'addresses']);
    const addresses = one !== undefined ? [one] : Array.isArray(many) ? many.map(String) : [];
    for (const a of addresses) if (!/^[0-9a-fA-F:.]+(\/\d+)?$/.test(a)) inp.error(np, `bad address ${a} (CIDR like 198.51.100.11/24)`);
    const segment = inp.string([...np, 'segment']);
    const mac = inp.string([...np, 'mac']);
    return { name, addresses, ...(segment ? { segment } : {}), ...(mac ? { mac } : {}) };
  });
}

function loadScripts(inp: ScenarioInput, p: Path, env: LoadEnv, model: unknown): Record<string, Partial<ScriptBehaviour>> {
  const out: Record<string, Partial<ScriptBehaviour>> = {};
  for (const key of inp.keys(p)) {
    const kp: Path = [...p, key];
    const command = (model !== undefined ? env.models.scriptCommand(model, key) : undefined) ?? key;
    if (inp.isMap(kp)) {
      inp.onlyKeys(kp, ['exit', 'duration', 'error']);
      const exitRaw = inp.get([...kp, 'exit']);
      const durationMs = inp.durationMs([...kp, 'duration']);
      const error = inp.string([...kp, 'error']);
      out[command] = {
        exit: exitRaw === null ? null : (inp.number([...kp, 'exit'], 0) ?? 0),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(error !== undefined ? { error } : {}),
      };
    } else out[command] = { exit: inp.number(kp, 0) ?? 0 };
  }
  return out;
}

function loadHost(inp: ScenarioInput, name: string, env: LoadEnv, warnings: string[], measuredLatency: boolean): HostSpec {
  const p: Path = ['hosts', name];
  inp.onlyKeys(p, ['nics', 'config', 'configFile', 'scripts', 'files', 'processes', 'start', 'startup', 'reaction', 'drift', 'services', 'icmp', 'loopback', 'traffic']);
  const nics = loadNics(inp, [...p, 'nics']);
  let model: unknown;
  const inline = inp.string([...p, 'config']);
  const file = inp.string([...p, 'configFile']);
  if (inline !== undefined && file !== undefined) inp.error(p, 'give either config or configFile, not both');
  const text = file !== undefined ? env.readFile(file) : inline;
  if (file !== undefined && text === undefined) inp.error([...p, 'configFile'], `cannot read ${file}`);
  if (text !== undefined) {
    const compiled = env.compile(text, file ?? `${inp.file}#${name}`, nics.map((n) => n.name));
    for (const e of compiled.errors) inp.error([...p, inline !== undefined ? 'config' : 'configFile'], `keepalived.conf: ${e}`);
    warnings.push(...compiled.warnings.map((w) => `${name}: ${w}`));
    model = compiled.model;
  }
  const files: Record<string, string> = {};
  for (const f of inp.keys([...p, 'files'])) files[f] = inp.string([...p, 'files', f], '') ?? '';
  const processes: Record<string, number> = {};
  for (const c of inp.keys([...p, 'processes'])) processes[c] = inp.number([...p, 'processes', c], 1) ?? 1;
  const startRaw = inp.get([...p, 'start']);
  const startAtMs = startRaw === 'never' ? null : inp.durationMs([...p, 'start'], 0);
  const latencyMs = (key: 'startup' | 'reaction', measured: number): number | undefined =>
    inp.get([...p, key]) === 'measured' ? measured : (inp.durationMs([...p, key]) ?? (measuredLatency ? measured : undefined));
  const startupMs = latencyMs('startup', MEASURED_LATENCY.startupMs);
  const reactionMs = latencyMs('reaction', MEASURED_LATENCY.reactionMs);
  const driftPpm = inp.number([...p, 'drift']);
  const services = loadServices(inp, [...p, 'services']);
  const icmp = inp.get([...p, 'icmp']);
  if (icmp !== undefined && typeof icmp !== 'boolean') inp.error([...p, 'icmp'], 'expected true or false');
  const loopback = loadAddresses(inp, [...p, 'loopback']);
  const traffic = loadTraffic(inp, [...p, 'traffic']);
  return {
    name,
    nics,
    ...(model !== undefined ? { model } : {}),
    scripts: loadScripts(inp, [...p, 'scripts'], env, model),
    files,
    processes,
    ...(startAtMs !== undefined ? { startAtMs } : {}),
    ...(startupMs !== undefined ? { startupMs } : {}),
    ...(reactionMs !== undefined ? { reactionMs } : {}),
    ...(driftPpm !== undefined ? { driftPpm } : {}),
    ...(services.length ? { services } : {}),
    ...(icmp === false ? { icmp: false } : {}),
    ...(loopback.length ? { loopback } : {}),
    ...(traffic.length ? { traffic } : {}),
  };
}

function loadChaos(inp: ScenarioInput, durationMs: number): ChaosSpec | undefined {
  const p: Path = ['chaos'];
  if (!inp.has(p)) return undefined;
  inp.onlyKeys(p, ['faults', 'kinds', 'from', 'to', 'maxDuration']);
  const kindsRaw = inp.get([...p, 'kinds']);
  const allowed = [...FAULT_KEYS] as string[];
  const kinds = Array.isArray(kindsRaw) ? kindsRaw.map(String) : ['crash', 'stop', 'partition', 'link', 'pause', 'loss', 'delay'];
  for (const k of kinds) if (!allowed.includes(k)) inp.error([...p, 'kinds'], `unknown fault kind ${k}`);
  return {
    faults: inp.number([...p, 'faults'], 10) ?? 10,
    kinds: kinds as ChaosSpec['kinds'],
    fromMs: inp.durationMs([...p, 'from'], 5000) ?? 5000,
    toMs: inp.durationMs([...p, 'to'], durationMs * 0.7) ?? durationMs * 0.7,
    maxDurationMs: inp.durationMs([...p, 'maxDuration'], 10_000) ?? 10_000,
  };
}

export function loadScenario(text: string, file: string, env: LoadEnv): LoadResult {
  const inp = new ScenarioInput(file, text);
  if (inp.errors.length > 0) return { errors: inp.errors };
  if (!inp.isMap([])) return { errors: [`${file}:1: a scenario is a YAML map (name, hosts, timeline, expect…)`] };
  inp.onlyKeys([], TOP);
  const warnings: string[] = [];
  // latency: measured gives every daemon the start-up and reaction times measured from the real one.
  const latency = inp.get(['latency']);
  if (latency !== undefined && latency !== 'measured' && latency !== 'none') inp.error(['latency'], 'expected measured or none');
  const hosts = inp.keys(['hosts']).map((h) => loadHost(inp, h, env, warnings, latency === 'measured'));
  if (hosts.length === 0) inp.error(['hosts'], 'a scenario needs hosts');
  const world: WorldSpec = { segments: loadSegments(inp, hosts), hosts };
  const durationMs = inp.durationMs(['duration'], 60_000) ?? 60_000;
  const ctx: FaultContext = {
    world,
    scriptCommand: (host, name) => {
      const m = hosts.find((h) => h.name === host)?.model;
      return m === undefined ? undefined : env.models.scriptCommand(m, name);
    },
    readConfig: (path) => env.readFile(path),
  };
  const timeline = Array.from({ length: inp.length(['timeline']) }, (_, i) => parseTimelineEntry(inp, ['timeline', i], ctx)).filter((e) => e !== undefined);
  const expectations = Array.from({ length: inp.length(['expect']) }, (_, i) => parseExpectation(inp, ['expect', i], world)).filter((e): e is Expectation => e !== undefined);
  const disable = inp.get(['disable']);
  const expectViolations = inp.get(['expectViolations']);
  if (expectViolations !== undefined && !Array.isArray(expectViolations)) inp.error(['expectViolations'], 'expected a list of invariant ids, e.g. [L12]');
  const toleranceMs = inp.durationMs(['tolerance']);
  const graceMs = inp.durationMs(['grace']);
  const chaos = loadChaos(inp, durationMs);
  if (inp.errors.length > 0) return { errors: inp.errors };
  const scenario: Scenario = {
    name: inp.string(['name'], file) ?? file,
    description: inp.string(['description'], '') ?? '',
    file,
    seed: inp.number(['seed'], 1) ?? 1,
    durationMs,
    world,
    timeline,
    expectations,
    checks: {
      ...(toleranceMs !== undefined ? { toleranceMs } : {}),
      ...(graceMs !== undefined ? { graceMs } : {}),
      ...(Array.isArray(disable) ? { disable: disable.map(String) } : {}),
    },
    ...(chaos ? { chaos } : {}),
    expectViolations: Array.isArray(expectViolations) ? expectViolations.map(String) : [],
    warnings,
  };
  return { scenario, errors: [] };
}
