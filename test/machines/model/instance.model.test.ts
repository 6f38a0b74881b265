/**
 * Model-based tests: paths generated from the abstract RFC role model (xstate/graph) drive the real
 * instance machine on SimClock; after every step the implementation's state, io effects and timer
 * instants must equal the model's. Paths: one per (state, event) pair the model accepts (shortest path
 * to the state, then the event), plus every simple path; each ends with a quiet-until-deadline check.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { MODEL_EVENTS, rfcRoleModel, type ModelEvent } from './rfc-role.model.js';
import { ImplementationDriver } from './driver.js';

type ModelSnapshot = SnapshotFrom<typeof rfcRoleModel>;
const traversal = { events: MODEL_EVENTS, serializeState: (s: ModelSnapshot) => JSON.stringify(s.value) };

const stateName = (s: ModelSnapshot) => String(s.value);

/** Replay `events` on model and implementation side by side. Returns the (state, event) pairs taken. */
function run(events: ModelEvent[]): string[] {
  const driver = new ImplementationDriver();
  let [snap] = initialTransition(rfcRoleModel);
  const taken: string[] = [];
  for (const ev of events) {
    expect(snap.can(ev), `model accepts ${ev.type} in ${stateName(snap)}`).toBe(true);
    taken.push(`${stateName(snap)}:${ev.type}`);
    [snap] = transition(rfcRoleModel, snap, ev);
    driver.step(ev, stateName(snap), snap.context);
  }
  driver.checkQuietUntilNextDeadline(stateName(snap));
  return taken;
}

const shortest = getShortestPaths(rfcRoleModel, traversal);
/** Path steps without the synthetic initial `xstate.init` step. */
const eventsOf = (steps: Array<{ event: { type: string } }>) =>
  steps.map((s) => s.event).filter((e): e is ModelEvent => e.type !== 'xstate.init');
const coveragePaths: ModelEvent[][] = shortest.flatMap((p) =>
  MODEL_EVENTS.filter((e) => p.state.can(e)).map((e) => [...eventsOf(p.steps), e]),
);
const simplePaths: ModelEvent[][] = getSimplePaths(rfcRoleModel, traversal).map((p) => eventsOf(p.steps));
const describePath = (events: ModelEvent[]) => events.map((e) => e.type).join(' → ') || '(initial)';

describe('model-based: RFC role model drives the instance machine', () => {
  it.each(coveragePaths.map((p) => [describePath(p), p] as const))('transition path %s', (_name, events) => {
    run(events);
  });

  it.each(simplePaths.filter((p) => p.length > 0).map((p) => [describePath(p), p] as const))('simple path %s', (_name, events) => {
    run(events);
  });

  it('every simple path of the model with its expectations as state (self-loops included) holds', () => {
    const withContext = { events: MODEL_EVENTS, serializeState: (s: ModelSnapshot) => JSON.stringify([s.value, s.context]) };
    const paths = getSimplePaths(rfcRoleModel, withContext).map((p) => eventsOf(p.steps));
    expect(paths.length).toBeGreaterThan(500);
    for (const events of paths) {
      try {
        run(events);
      } catch (err) {
        throw new Error(`path ${describePath(events)}: ${(err as Error).message}`);
      }
    }
  });

  it('R-19..R-30 every RFC role transition of the model is exercised against the implementation', () => {
    const accepted = new Set<string>();
    for (const p of shortest) for (const e of MODEL_EVENTS) if (p.state.can(e)) accepted.add(`${stateName(p.state)}:${e.type}`);
    const exercised = new Set(coveragePaths.flatMap((events) => run(events)));
    expect([...accepted].sort()).toEqual([...exercised].sort());
    expect(new Set(shortest.map((p) => stateName(p.state)))).toEqual(new Set(['init', 'backup', 'master', 'fault', 'stop']));
    expect(accepted.size).toBe(19);
  });
});
