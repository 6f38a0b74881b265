/**
 * docs/statecharts/<id>.stately.js, the Stately-ready `createMachine` modules:
 * - each is up to date, and loading it with XState gives the same states and transitions (events,
 *   guards, targets, delays) as the machine the runtime runs;
 * - @xstate/machine-extractor (Stately's parser for machines in source code) reads each back with its
 *   states, `internal: false` where the machine says `reenter: true`, the delay values and the
 *   sample's context;
 * - @xstate/graph walks each to every one of its states;
 * - run with XState on a SimulatedClock, timers fire at their real values (no immediate-fire loop).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createActor, getInitialMicrosteps, getMicrosteps, SimulatedClock, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type StateNode } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { getAdjacencyMap } from '@xstate/graph';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportEntries, exportFiles, guardName, type ExportEntry } from '../../sim/tools/export-diagrams.js';
import { statelyParts } from '../../sim/tools/stately-code.js';
import type { Json } from '../../sim/tools/sample-values.js';
import { loadMachineExtractor, machineExtractorVersion } from '../helpers/machine-extractor.js';

const docs = new URL('../../docs/statecharts/', import.meta.url);

type AnySnapshot = AnyMachineSnapshot;
type ExportModule = Record<string, unknown> & { guardResults?: Record<string, boolean> };
async function loadExport(id: string): Promise<{ machine: AnyStateMachine; mod: ExportModule }> {
  const mod = (await import(pathToFileURL(new URL(`${id}.stately.js`, docs).pathname).href)) as ExportModule;
  return { machine: mod[id.replace(/[^A-Za-z0-9_$]/g, '_')] as AnyStateMachine, mod };
}

/** Every state id and every transition as text: source, event, guard, target, internal or not. */
function shape(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const walk = (node: DirectedGraphNode) => {
    out.push(`state ${node.stateNode.id} ${node.stateNode.type} initial=${node.stateNode.initial?.target?.map((t) => t.id).join(',') ?? ''}`);
    for (const e of node.edges) {
      out.push(`${e.source.id} --${e.transition.eventType}[${guardName(e.transition.guard) ?? ''}]--> ${e.target.id}${e.transition.target ? '' : ' (internal)'}${e.transition.reenter ? ' reenter' : ''}`);
    }
    for (const t of node.stateNode.always ?? []) out.push(`${node.stateNode.id} --always[${guardName(t.guard) ?? ''}]--> ${(t.target ?? []).map((s) => s.id).join(',')}`);
    node.children.forEach(walk);
  };
  walk(toDirectedGraph(machine));
  return out.sort();
}

function allStateNodes(node: StateNode<any, any>): Array<StateNode<any, any>> {
  return Object.values(node.states ?? {}).flatMap((s) => [s, ...allStateNodes(s)]);
}

/** Config state paths (`a.b`) of an extractor config tree. */
function configPaths(states: unknown, prefix = ''): string[] {
  if (!states || typeof states !== 'object') return [];
  return Object.entries(states as Record<string, { states?: unknown }>).flatMap(([k, v]) => [`${prefix}${k}`, ...configPaths(v.states, `${prefix}${k}.`)]);
}

/** Every transition object (with `target`, `cond`, `internal`…) in an extractor config tree, with the key it hangs on. */
function configTransitions(node: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) for (const v of node) configTransitions(v, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ('target' in o || 'internal' in o || 'reenter' in o) out.push(o);
    for (const v of Object.values(o)) configTransitions(v, out);
  }
  return out;
}

/** The data without its negative numbers (the extractor reads `-20` as an unsupported expression and drops it). */
function withoutNegatives(v: Json | unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNegatives);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => !(typeof x === 'number' && x < 0)).map(([k, x]) => [k, withoutNegatives(x)]));
  return v;
}

/** A clock that records every timer XState arms: [armed at, ms]. */
class RecordingClock extends SimulatedClock {
  armed: Array<[number, number]> = [];
  override setTimeout(fn: (...args: any[]) => void, timeout: number): number {
    this.armed.push([this.now(), timeout]);
    return super.setTimeout(fn, timeout);
  }
}

describe('Stately export', async () => {
  const entries: ExportEntry[] = await exportEntries();

  it('covers every machine, one module each, with a sample', () => {
    expect(entries.length).toBeGreaterThanOrEqual(11);
    expect(entries.map(({ machine }) => machine.id)).toEqual(expect.arrayContaining(['vrrpInstance', 'scriptProbe', 'lvsChecker', 'lvsRealServer', 'lvsVirtualServer']));
  });

  it('every committed file under docs/statecharts is current (npx tsx sim/tools/export-diagrams.ts)', async () => {
    for (const { name, text } of await exportFiles()) expect(readFileSync(new URL(name, docs), 'utf8'), name).toBe(text);
  });

  for (const { machine } of entries) {
    it(`${machine.id}: loading the module with XState draws the same chart`, async () => {
      const { machine: exported } = await loadExport(machine.id);
      expect(exported.id).toBe(machine.id);
      const got = shape(exported);
      expect(got.length).toBeGreaterThan(3);
      expect(got).toEqual(shape(machine));
    });
  }

  it('the sample values come from docs/statecharts/sample.conf', () => {
    const by = Object.fromEntries(entries.map((e) => [e.machine.id, e.values]));
    // vrrp_script chk_http: interval 2, timeout 1; vrrp_track_process nginx: delay 2.
    expect(by['scriptProbe']!.delays).toEqual({ scriptInterval: 2000, scriptTimeout: 1000 });
    expect(by['scriptProbe']!.context).toMatchObject({ name: 'chk_http', intervalMs: 2000, timeoutMs: 1000, rise: 2, fall: 3 });
    expect(by['scriptProbe']!.omitted).toEqual(['parent']);
    expect(by['processProbe']!.delays).toEqual({ forkDelay: 2000, terminateDelay: 2000 });
    // VI_WEB: advert_int 1, preempt_delay 10, vrrp_startup_delay 3, garp delays 5 / refresh 60;
    // (Master_Down_Interval is the invoked masterDownTimer actor's, not a delay.)
    // (Adver_Timer is the invoked adverTimer actor's too.)
    expect(by['vrrpInstance']!.delays).toEqual({
      startupDelay: 3000,
      preemptDelay: 10000,
      garpMasterDelay: 5000,
      garpMasterRefresh: 60000,
      garpLowerPrioDelay: 5000,
    });
    expect(by['vrrpInstance']!.context).toMatchObject({ priority: 150, cfg: { name: 'VI_WEB', vrid: 51 } });
    // TCP_CHECK: first run 1 s + warmup (delay_loop 6 s) × 0.5; connect_timeout 3; then delay_loop.
    expect(by['lvsChecker']!.delays).toEqual({ firstRun: 4000, probeDeadline: 3000, nextRun: 6000, retryMark: 2000, loopMark: 6000 });
    // A notify script job gets the notifier's default 10 s.
    expect(by['notifier']!.delays).toEqual({ jobTimeout: 10000 });
    expect(by['daemon']!.delays).toEqual({ stopTimeout: 5000 });
  });

  describe('read back by @xstate/machine-extractor', () => {
    const extractor = loadMachineExtractor();

    it(`is version 0.16.0 (installed beside XState v4 under the alias xstate-v4)`, () => {
      expect(machineExtractorVersion()).toBe('0.16.0');
    });

    for (const { machine, values } of entries) {
      it(`${machine.id}: states, internal: false for reenter, delay values, implementations, context`, () => {
        const text = readFileSync(new URL(`${machine.id}.stately.js`, docs), 'utf8');
        const result = extractor.extractMachinesFromFile(text);
        expect(result?.machines.length).toBe(1);
        const extracted = result!.machines[0]!;
        const config = extracted.toConfig()!;
        expect(config['id']).toBe(machine.id);
        expect(configPaths(config['states']).sort()).toEqual(allStateNodes(machine.root).map((s) => s.path.join('.')).sort());

        // Every reenter: true of the machine comes back as internal: false, and nothing else does.
        const reenters = shape(machine).filter((l) => l.endsWith(' reenter')).length;
        const internalFalse = configTransitions(config['states']).filter((t) => t['internal'] === false).length;
        expect(internalFalse).toBe(reenters);

        const impl = extracted.getAllMachineImplementations();
        expect(Object.fromEntries(Object.entries(impl.delays).map(([k, v]) => [k, Number(v)]))).toEqual(values.delays);
        const parts = statelyParts(machine);
        expect(Object.keys(impl.guards).sort()).toEqual(parts.guards);
        expect(Object.keys(impl.actors).sort()).toEqual(parts.actors);
        expect(Object.keys(impl.actions).sort()).toEqual(Object.keys(parts.actions).sort());
        expect(withoutNegatives(config['context'])).toEqual(withoutNegatives(values.context));
      });
    }

    it('scriptProbe: the interval re-enters waiting (internal: false) and the timeout run restarts', () => {
      const text = readFileSync(new URL('scriptProbe.stately.js', docs), 'utf8');
      const config = extractor.extractMachinesFromFile(text)!.machines[0]!.toConfig()! as any;
      expect(config.states.schedule.states.waiting.after.scriptInterval).toMatchObject({ target: 'waiting', internal: false });
      expect(config.states.run.states.running.on['script.tick'][0]).toMatchObject({ target: 'running', internal: false });
    });
  });

  describe('walked by @xstate/graph', () => {
    for (const { machine } of entries) {
      it(`${machine.id}: every state is reached`, async () => {
        const { machine: exported } = await loadExport(machine.id);
        const guards = statelyParts(machine).guards;
        const eventless = [...new Set(allStateNodes(machine.root).flatMap((s) => (s.always ?? []).map((t) => guardName(t.guard)).filter((g): g is string => !!g)))];
        // Guards answer what the event says (`pass`): none, or one of them. Eventless transitions
        // taken at start see the start-up event, which says `initialPass`: none, or one eventless
        // guard. (All guards at once would loop: noTrackFault and anyTrackFault are never both
        // true in the runtime, but would be here.)
        const passes = [[], ...guards.map((g) => [g])];
        const reached = new Set<string>();
        for (const initialPass of [[], ...eventless.map((g) => [g])]) {
          const logic = exported.provide({
            guards: Object.fromEntries(guards.map((g) => [g, ({ event }: { event: EventObject & { pass?: string[] } }) => (event.pass ?? initialPass).includes(g)])),
          });
          // @xstate/graph's bounded traversal: every resting snapshot, every own event type of its
          // active states with every pass.
          const adjacency = getAdjacencyMap(logic, {
            events: (snapshot: AnySnapshot) => [...new Set([...snapshot._nodes].flatMap((n) => n.ownEvents))].flatMap((type) => passes.map((pass) => ({ type, pass }))),
            limit: 100_000,
          } as never) as unknown as Record<string, { state: AnySnapshot; transitions: Record<string, { event: EventObject }> }>;
          for (const { state } of Object.values(adjacency)) for (const n of state._nodes) reached.add(n.id);
          // A state left by an eventless transition at once never rests: look inside each step.
          if (eventless.length > 0) {
            for (const [s] of getInitialMicrosteps(logic, undefined as never)) for (const n of (s as AnySnapshot)._nodes) reached.add(n.id);
            for (const { state, transitions } of Object.values(adjacency)) {
              for (const { event } of Object.values(transitions)) for (const [s] of getMicrosteps(logic, state as never, event as never)) for (const n of (s as AnySnapshot)._nodes) reached.add(n.id);
            }
          }
        }
        expect(reached.size).toBeGreaterThan(1);
        expect(allStateNodes(machine.root).map((s) => s.id).filter((id) => !reached.has(id))).toEqual([]);
      });
    }
  });

  describe('run with XState on a SimulatedClock', () => {
    let scriptProbe: AnyStateMachine;
    let vrrpInstance: AnyStateMachine;
    let vrrpGuards: Record<string, boolean>;
    beforeAll(async () => {
      scriptProbe = (await loadExport('scriptProbe')).machine;
      const inst = await loadExport('vrrpInstance');
      vrrpInstance = inst.machine;
      vrrpGuards = inst.mod.guardResults!;
    });

    for (const { machine, values } of entries) {
      it(`${machine.id}: starts, and every timer it arms has a sample delay value`, async () => {
        const { machine: exported } = await loadExport(machine.id);
        // Every named delay has its value before anything runs (a missing one fires at once).
        expect(exported.implementations.delays).toEqual(values.delays);
        for (const ms of Object.values(values.delays)) expect(ms).toBeGreaterThan(0);
        const clock = new RecordingClock();
        const actor = createActor(exported, { clock });
        const errors: unknown[] = [];
        actor.subscribe({ error: (e) => errors.push(e) });
        actor.start();
        // Twice the longest delay: every armed timer fires at least once, none at once in a loop.
        const longest = Math.max(1, ...Object.values(values.delays));
        for (let t = 0; t < 2 * longest; t += 100) clock.increment(100);
        expect(errors).toEqual([]);
        expect(actor.getSnapshot().status).toBe('active');
        const allowed = new Set(Object.values(values.delays));
        for (const [, ms] of clock.armed) expect(allowed.has(ms), `armed ${ms} ms`).toBe(true);
        expect(clock.armed.length).toBeLessThan(2 * longest);
        actor.stop();
      });
    }

    it('scriptProbe: the run times out after 1 s, the next starts at the 2 s interval (no immediate-fire loop)', () => {
      const clock = new RecordingClock();
      const probe = createActor(scriptProbe, { clock }).start();
      expect(probe.getSnapshot().value).toEqual({ run: 'running', schedule: 'waiting' });
      clock.increment(999);
      expect(probe.getSnapshot().value).toEqual({ run: 'running', schedule: 'waiting' });
      clock.increment(1);
      expect(probe.getSnapshot().value).toEqual({ run: 'idle', schedule: 'waiting' });
      clock.increment(999);
      expect(probe.getSnapshot().value).toEqual({ run: 'idle', schedule: 'waiting' });
      clock.increment(1);
      expect(probe.getSnapshot().value).toEqual({ run: 'running', schedule: 'waiting' });
      // Interval re-armed at 0 and 2000; the run's timeout at 0 and 2000.
      expect(clock.armed).toEqual([
        [0, 1000],
        [0, 2000],
        [2000, 2000],
        [2000, 1000],
      ]);
      probe.stop();
    });

    it('vrrpInstance: the Master_Down_Timer stand-in waits for vrrp.masterDown; as master the adverTimer stand-in runs, restarted by re-entry', () => {
      for (const k of Object.keys(vrrpGuards)) vrrpGuards[k] = false;
      const clock = new RecordingClock();
      const inst = createActor(vrrpInstance, { clock }).start();
      expect(inst.getSnapshot().value).toBe('init');
      inst.send({ type: 'vrrp.startup' });
      expect(inst.getSnapshot().value).toEqual({ backup: 'countdown' });
      clock.increment(60_000);
      expect(inst.getSnapshot().value).toEqual({ backup: 'countdown' });
      // The invoked masterDownTimer is an inert stand-in in the export: send its event by hand.
      inst.send({ type: 'vrrp.masterDown' });
      expect(inst.getSnapshot().matches('master')).toBe(true);
      // The adverts are the invoked adverTimer's (an inert stand-in here): the chart arms no timer
      // of its own for them and takes no event per advert.
      const timer = inst.getSnapshot().children['adverTimer'];
      expect(timer).toBeDefined();
      const armedBefore = clock.armed.length;
      for (let i = 0; i < 30; i++) clock.increment(100);
      expect(clock.armed.filter(([, ms]) => ms === 1000).length).toBe(0);
      expect(clock.armed.length).toBe(armedBefore);
      inst.send({ type: 'track.priority', delta: -10 });
      expect(inst.getSnapshot().value).toEqual({ master: 'advertising' });
      expect(inst.getSnapshot().children['adverTimer']).toBe(timer);
      // K-10: a packet for our VRID re-enters advertising: a new timer actor.
      inst.send({ type: 'vrrp.rearmAdverTimer' });
      expect(inst.getSnapshot().children['adverTimer']).toBeDefined();
      expect(inst.getSnapshot().children['adverTimer']).not.toBe(timer);
      inst.stop();
      for (const k of Object.keys(vrrpGuards)) vrrpGuards[k] = false;
    });
  });
});
