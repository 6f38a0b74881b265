/**
 * Running a scenario with one seed: build the world, schedule the timeline (the scenario's
 * faults plus the seed's chaos faults), arm expectations, run to the end, collect results.
 * `runScenario` is deterministic: same scenario, seed and code ⇒ same trace, byte for byte.
 */
import type { AnyStateMachine, InspectionEvent } from 'xstate';
import { actorFeed, combineInspectors } from '../actors/actor-feed.js';
import type { CreateRuntime } from '../actors/runtime-types.js';
import { chaosTimeline } from './chaos.js';
import type { SimEvent } from './events.js';
import type { TimelineEntry } from './faults.js';
import { keepalivedModels, type ModelAdapter } from './model.js';
import { PcapCollector } from './out/pcap.js';
import { renderSvg, type SvgPanel } from './out/svg.js';
import { TraceWriter } from './out/trace.js';
import { Prng } from './prng.js';
import { Recorder } from './recorder.js';
import { armExpectations, type ExpectResult } from './scenario/expect.js';
import type { Scenario } from './scenario/types.js';
import { WALL_ORIGIN_MS, World } from './world.js';

export interface RunOptions {
  createRuntime: CreateRuntime;
  models?: ModelAdapter;
  seed?: number;
  untilMs?: number;
  /** Run exactly these faults instead of the scenario's timeline and chaos (shrinking, replay). */
  timeline?: TimelineEntry[];
  /** Write the JSON-lines trace here (also turns on trace-only events). */
  traceLine?: (line: string) => void;
  /** Compute the trace digest even without a sink. */
  digest?: boolean;
  /** See every event as it happens (live timeline). */
  listen?: (e: SimEvent) => void;
  /** Produce `actor` events (statechart state changes) for the listeners even without a trace. */
  actors?: boolean;
  /** Called once per machine the actor events name (the web view draws it). */
  onMachine?: (machine: AnyStateMachine) => void;
  /** One more inspection observer per daemon start on a host (Stately's inspector). */
  inspect?: (host: string) => ((e: InspectionEvent) => void) | undefined;
  pcap?: boolean;
  checks?: boolean;
  /** Compiles the config of a "reload" fault that carries new text. */
  compile?: (text: string, host: string) => unknown;
}

export type ViolationEvent = Extract<SimEvent, { type: 'violation' }>;

export interface RunResult {
  scenario: Scenario;
  seed: number;
  untilMs: number;
  timeline: TimelineEntry[];
  violations: ViolationEvent[];
  expectations: ExpectResult[];
  passed: boolean;
  history: readonly SimEvent[];
  traceDigest?: string;
  traceLines: number;
  pcap?: Uint8Array;
  /** Timers fired (events processed) and frames put on the wire. */
  stats: { events: number; frames: number };
  world: World;
  svg(): string;
}

/** The faults a seed runs: the scenario's own plus the chaos the seed draws. */
export function timelineFor(scn: Scenario, seed: number, models: ModelAdapter = keepalivedModels): TimelineEntry[] {
  const own = scn.timeline.slice();
  if (!scn.chaos) return own;
  const facts = (host: string) => {
    const m = scn.world.hosts.find((h) => h.name === host)?.model;
    return m === undefined ? undefined : models.facts(m);
  };
  const chaos = chaosTimeline(scn.chaos, new Prng(seed).fork('chaos'), {
    world: scn.world,
    scriptsOf: (h) => facts(h)?.scripts ?? [],
    instancesOf: (h) => facts(h)?.instances.map((i) => i.name) ?? [],
  });
  return [...own, ...chaos].sort((a, b) => a.atMs - b.atMs);
}

export function svgPanels(world: World): SvgPanel[] {
  const panels = new Map<string, SvgPanel>();
  for (const h of world.allHosts()) {
    for (const t of h.tracks.values()) {
      const f = t.facts;
      const key = t.routerKey;
      let p = panels.get(key);
      if (!p) panels.set(key, (p = { title: `VRID ${f.vrid} (IPv${f.family}) on ${t.nic?.segment?.name ?? f.ifname}`, rows: [] }));
      p.rows.push({ host: h.name, instance: f.name, vips: f.vips });
    }
  }
  const observers = world.allHosts().filter((h) => h.observer);
  for (const [key, p] of panels) {
    const names = [...new Set(p.rows.map((r) => r.instance))];
    p.title += ` — ${names.join(', ')}`;
    const segment = key.split('|')[0];
    const vips = [...new Set(p.rows.flatMap((r) => r.vips))];
    p.arpRows = observers.filter((o) => o.nics.some((n) => n.segment?.name === segment)).flatMap((o) => vips.map((vip) => ({ observer: o.name, vip })));
  }
  return [...panels.values()];
}

/** No violation, or exactly the ones the scenario says it demonstrates (each at least once). */
export function violationsAsExpected(scn: Scenario, violations: readonly ViolationEvent[]): boolean {
  const ids = new Set(violations.map((v) => v.id));
  return [...ids].every((id) => scn.expectViolations.includes(id)) && scn.expectViolations.every((id) => ids.has(id));
}

export function runScenario(scn: Scenario, opts: RunOptions): RunResult {
  const seed = opts.seed ?? scn.seed;
  const untilMs = opts.untilMs ?? scn.durationMs;
  const models = opts.models ?? keepalivedModels;
  const tracing = opts.traceLine !== undefined || opts.digest === true;
  const recorder = new Recorder({ tracing });
  const trace = tracing ? new TraceWriter(opts.traceLine) : undefined;
  if (trace) recorder.listen((e) => trace.write(e));
  if (opts.listen) recorder.listen(opts.listen);
  const pcap = opts.pcap ? new PcapCollector(WALL_ORIGIN_MS) : undefined;
  const actors = tracing || opts.actors === true;
  let world: World;
  const inspect = (host: string) =>
    combineInspectors(
      actors ? actorFeed((c) => world.emit({ t: world.clock.nowMicros(), type: 'actor', host, ...c }), opts.onMachine) : undefined,
      opts.inspect?.(host),
    );
  world = new World(scn.world, {
    seed,
    createRuntime: opts.createRuntime,
    models,
    recorder,
    ...(pcap ? { capture: pcap.capture } : {}),
    checks: opts.checks === false ? false : scn.checks,
    ...(opts.compile ? { compile: opts.compile } : {}),
    ...(actors || opts.inspect ? { inspect } : {}),
  });
  const timeline = opts.timeline ?? timelineFor(scn, seed, models);
  world.schedule(timeline);
  const expectations: ExpectResult[] = [];
  armExpectations(world, scn.expectations, expectations);
  world.runUntil(untilMs);
  const violations = recorder.of('violation');
  let frames = 0;
  for (const s of world.segments.values()) frames += s.framesSent;
  return {
    scenario: scn,
    seed,
    untilMs,
    timeline,
    violations,
    expectations,
    passed: violationsAsExpected(scn, violations) && expectations.every((x) => x.ok),
    history: recorder.history,
    ...(trace ? { traceDigest: trace.digest() } : {}),
    traceLines: trace?.lines ?? 0,
    ...(pcap ? { pcap: pcap.bytes() } : {}),
    stats: { events: world.clock.firedCount(), frames },
    world,
    svg: () => renderSvg({ title: `${scn.name} — seed ${seed}`, endUs: untilMs * 1000, panels: svgPanels(world), history: recorder.history }),
  };
}
