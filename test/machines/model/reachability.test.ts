/**
 * Structural checks on the production instance machine with xstate/graph (no actors run): every state
 * node is reachable, FAULT and STOP are reachable from every state, and the set of reachable
 * (state, event) pairs is pinned so that a structural change shows up in review.
 */
import { describe, expect, it } from 'vitest';
import { transition, type AnyStateMachine, type EventFromLogic, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { instanceMachine } from '../../../machines/vrrp/instance.machine.js';
import type { InstanceInput } from '../../../machines/vrrp/types.js';
import { advert, BASE_INPUT } from '../instance-harness.js';

type Snap = SnapshotFrom<typeof instanceMachine>;
type AnyEvent = EventFromLogic<typeof instanceMachine>;

const PAYLOAD_EVENTS: AnyEvent[] = [
  { type: 'vrrp.startup' },
  { type: 'vrrp.shutdown' },
  advert(200),
  advert(50),
  advert(0),
  { type: 'net.invalid', reason: 'junk' },
  { type: 'track.priority', delta: -20 },
  { type: 'track.fault', source: 'x' },
  { type: 'track.ok', source: 'x' },
  { type: 'group.goMaster' },
  { type: 'group.goBackup' },
  { type: 'group.goFault' },
  { type: 'group.clearFault' },
  { type: 'vrrp.masterDown' },
];

/** Payload events plus the delayed (`xstate.after.*`) events the current state has armed. */
const eventsFor = (s: Snap) => [
  ...PAYLOAD_EVENTS,
  ...s._nodes.flatMap((n) => n.ownEvents.filter((t) => t.startsWith('xstate.after.')).map((type) => ({ type }))),
];

const serializeState = (s: Snap) =>
  JSON.stringify([s.value, s.context.faults.length, s.context.priority, s.context.want, s.context.downTimer]);

function paths(input: InstanceInput) {
  return getShortestPaths(instanceMachine, { input, events: eventsFor as never, serializeState: serializeState as never });
}

const leafStates = (ps: ReturnType<typeof paths>) => new Set(ps.flatMap((p) => (p.state as Snap)._nodes.filter((n) => n.type === 'atomic').map((n) => n.id)));

describe('instance machine structure (xstate/graph)', () => {
  it('every state node is reachable (startup delay and sync-group inputs included)', () => {
    const reached = new Set([
      ...leafStates(paths(BASE_INPUT)),
      ...leafStates(paths({ ...BASE_INPUT, startupDelayMs: 1000 })),
      ...leafStates(paths({ ...BASE_INPUT, syncGroup: 'group/G1', initialState: 'MASTER' })),
    ]);
    expect([...reached].sort()).toEqual([
      'vrrpInstance.backup.countdown',
      'vrrpInstance.backup.startupHold',
      'vrrpInstance.fault',
      'vrrpInstance.init',
      'vrrpInstance.master.advertising',
      'vrrpInstance.stop',
    ]);
  });

  it('FAULT and STOP are reachable from every state, and nothing leaves STOP', () => {
    const all = paths(BASE_INPUT);
    for (const p of all) {
      const from = p.state as Snap;
      const stopEvent = { type: 'vrrp.shutdown' } as const;
      if (from.matches('stop')) {
        expect(transition(instanceMachine, from, stopEvent)[0].value).toBe('stop');
        continue;
      }
      const toFault = getShortestPaths(instanceMachine, {
        fromState: from, events: eventsFor as never, serializeState: serializeState as never,
        toState: (s: Snap) => s.matches('fault'),
      } as never);
      expect(toFault.length, `fault from ${JSON.stringify(from.value)}`).toBeGreaterThan(0);
      expect(from.can(stopEvent), `stop from ${JSON.stringify(from.value)}`).toBe(true);
    }
  });

  it('the reachable top-level transitions are exactly the documented ones', () => {
    const top = (s: Snap) => (typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]!);
    const adjacency = getAdjacencyMap(instanceMachine as AnyStateMachine, { input: BASE_INPUT, events: eventsFor as never, serializeState: serializeState as never });
    const edges = new Set<string>();
    for (const node of Object.values(adjacency)) {
      for (const t of Object.values(node.transitions) as Array<{ state: unknown }>) {
        const [from, to] = [top(node.state as Snap), top(t.state as Snap)];
        if (from !== to) edges.add(`${from}>${to}`);
      }
    }
    expect([...edges].sort()).toEqual([
      'backup>fault', 'backup>master', 'backup>stop', 'fault>backup', 'fault>stop',
      'init>backup', 'init>fault', 'init>stop', 'master>backup', 'master>fault', 'master>stop',
    ]);
  });
});
