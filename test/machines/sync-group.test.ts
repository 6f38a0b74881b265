/**
 * K-14 sync groups: first the group machine alone (members are recorders), then real instance
 * machines + tracking actors + a tracked interface, on SimClock with exact timing (K-13, K-14, S8).
 */
import { describe, expect, it } from 'vitest';
import { createActor, enqueueActions, fromCallback, setup, type AnyActorRef, type EventObject } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { syncGroupMachine, type SyncGroupEvent } from '../../machines/vrrp/sync-group.machine.js';
import { ip, timerEnv, withIo } from './instance-harness.js';
import type { InstanceInput, IoCommand } from '../../machines/vrrp/types.js';
import { trackerMachine } from '../../machines/track/tracker.machine.js';
import { trackingMachine } from '../../machines/track/tracking.machine.js';

function groupHarness(names: string[]) {
  const clock = new SimClock();
  const commands: Array<[string, string]> = [];
  const member = fromCallback<EventObject, { name: string }>(({ receive, input }) => {
    receive((e) => commands.push([input.name, e.type]));
  });
  const root = setup({ actors: { member, group: syncGroupMachine } }).createMachine({
    entry: enqueueActions(({ enqueue }) => {
      for (const n of names) enqueue.spawnChild('member', { id: n, systemId: `vrrp/${n}`, input: { name: n } });
      enqueue.spawnChild('group', { id: 'G', systemId: 'group/G', input: { name: 'G', members: names.map((n) => ({ name: n, systemId: `vrrp/${n}` })) } });
    }),
  });
  const actor = createActor(root, { clock }).start();
  const group = actor.system.get('group/G') as AnyActorRef;
  const states: string[] = [];
  const logs: string[] = [];
  group.on('group.state', (e: { to: string }) => states.push(e.to));
  group.on('group.log', (e: { message: string }) => logs.push(e.message));
  const send = (e: SyncGroupEvent) => group.send(e);
  const state = (m: string, from: string, to: string, reason = 'startup') =>
    send({ type: 'member.state', member: m, from: from as never, to: to as never, reason, priority: 100 });
  return { clock, commands, states, logs, send, state, group };
}

describe('sync group machine (K-14)', () => {
  it('starts BACKUP and goes MASTER only when every member wants it', () => {
    const h = groupHarness(['VI_1', 'VI_2']);
    h.state('VI_1', 'INIT', 'BACKUP');
    h.state('VI_2', 'INIT', 'BACKUP');
    expect(h.states).toEqual(['BACKUP']);
    h.send({ type: 'member.want', member: 'VI_1', want: 'MASTER' });
    expect(h.commands).toEqual([]);
    h.send({ type: 'member.want', member: 'VI_2', want: 'MASTER' });
    expect(h.states).toEqual(['BACKUP', 'MASTER']);
    expect(h.commands).toEqual([
      ['VI_1', 'group.goMaster'],
      ['VI_2', 'group.goMaster'],
    ]);
    expect(h.logs).toEqual(['VRRP_Group(G) Syncing instances to BACKUP state', 'VRRP_Group(G) Syncing instances to MASTER state']);
  });

  it('a wish withdrawn (member.want BACKUP) blocks MASTER again', () => {
    const h = groupHarness(['VI_1', 'VI_2']);
    h.state('VI_1', 'INIT', 'BACKUP');
    h.state('VI_2', 'INIT', 'BACKUP');
    h.send({ type: 'member.want', member: 'VI_1', want: 'MASTER' });
    h.send({ type: 'member.want', member: 'VI_1', want: 'BACKUP' });
    h.send({ type: 'member.want', member: 'VI_2', want: 'MASTER' });
    expect(h.states).toEqual(['BACKUP']);
    expect(h.commands).toEqual([]);
  });

  it('any member losing an election takes every MASTER member to BACKUP', () => {
    const h = groupHarness(['VI_1', 'VI_2', 'VI_3']);
    for (const m of ['VI_1', 'VI_2', 'VI_3']) h.state(m, 'INIT', 'BACKUP');
    for (const m of ['VI_1', 'VI_2', 'VI_3']) h.send({ type: 'member.want', member: m, want: 'MASTER' });
    for (const m of ['VI_1', 'VI_2', 'VI_3']) h.state(m, 'BACKUP', 'MASTER', 'sync-group');
    h.commands.length = 0;
    h.state('VI_2', 'MASTER', 'BACKUP', 'higher-priority');
    expect(h.states).toEqual(['BACKUP', 'MASTER', 'BACKUP']);
    expect(h.commands).toEqual([
      ['VI_1', 'group.goBackup'],
      ['VI_3', 'group.goBackup'],
    ]);
  });

  it('a member MASTER on its own (owner start-up) is sent back while the others do not want MASTER', () => {
    const h = groupHarness(['VI_1', 'VI_2']);
    h.state('VI_2', 'INIT', 'BACKUP');
    h.state('VI_1', 'INIT', 'MASTER', 'owner-startup');
    expect(h.commands).toEqual([['VI_1', 'group.goBackup']]);
    expect(h.states).toEqual(['BACKUP']);
  });

  it('any member FAULT puts every other member in FAULT; all leave when the last own fault clears', () => {
    const h = groupHarness(['VI_1', 'VI_2', 'VI_3']);
    for (const m of ['VI_1', 'VI_2', 'VI_3']) h.state(m, 'INIT', 'BACKUP');
    h.send({ type: 'member.trackFault', member: 'VI_1', faulted: true });
    expect(h.states).toEqual(['BACKUP', 'FAULT']);
    expect(h.commands).toEqual([
      ['VI_2', 'group.goFault'],
      ['VI_3', 'group.goFault'],
    ]);
    h.commands.length = 0;
    h.send({ type: 'member.trackFault', member: 'VI_3', faulted: true });
    h.send({ type: 'member.trackFault', member: 'VI_1', faulted: false });
    // VI_1's own fault cleared but VI_3's has not: VI_1 is held in FAULT by the group.
    expect(h.commands).toEqual([['VI_1', 'group.goFault']]);
    expect(h.states).toEqual(['BACKUP', 'FAULT']);
    h.send({ type: 'member.trackFault', member: 'VI_3', faulted: false });
    expect(h.states).toEqual(['BACKUP', 'FAULT', 'BACKUP']);
    expect(h.commands.slice(1)).toEqual([
      ['VI_1', 'group.clearFault'],
      ['VI_2', 'group.clearFault'],
      ['VI_3', 'group.clearFault'],
    ]);
    expect(h.logs).toContain('VRRP_Group(G) Leaving FAULT state');
  });

  it('reports STOP exactly once on shutdown', () => {
    const h = groupHarness(['VI_1', 'VI_2']);
    h.state('VI_1', 'INIT', 'BACKUP');
    h.send({ type: 'group.shutdown' });
    h.send({ type: 'group.shutdown' });
    h.state('VI_1', 'BACKUP', 'STOP', 'shutdown');
    expect(h.states).toEqual(['BACKUP', 'STOP']);
  });
});

// ---------------------------------------------------------------------------------------------
// Real instance machines in one group.

const garp = { masterDelayMs: 0, masterRepeat: 1, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 0, lowerPrioRepeat: 0 };
function instanceInput(name: string, vrid: number, priority: number): InstanceInput {
  return {
    name,
    vrid,
    family: 4,
    version: 2,
    basePriority: priority,
    advertIntervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    initialState: 'BACKUP',
    primaryAddress: ip('198.51.100.1'),
    vips: [`198.51.100.${vrid}0/32`],
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    garp,
    downTimerAdverts: 3,
    syncGroup: 'group/G',
  };
}

function groupOfInstances(links: Array<[number, boolean]>) {
  const clock = new SimClock();
  const io: Array<[number, string, string]> = [];
  const ioActor = fromCallback<IoCommand, InstanceInput>(({ receive, input }) => {
    receive((c) => io.push([clock.now(), input.name, c.type === 'io.sendAdvert' ? `advert ${c.priority}` : c.type]));
  });
  const linkProbe = fromCallback<EventObject, { parent: AnyActorRef }>(({ input }) => {
    const ids = links.map(([at, up]) => clock.at(at, () => input.parent.send({ type: 'tracker.update', ok: up, value: up ? 1 : 0 })));
    return () => ids.forEach((id) => clock.clearTimeout(id));
  });
  const instance = withIo(ioActor);
  const tracker = trackerMachine.provide({ actors: { linkProbe } });
  const members = [instanceInput('VI_1', 1, 100), instanceInput('VI_2', 2, 200)];
  // Two phases, as the runtime does it: spawn, attach observers, then let tracking start the instances.
  const root = setup({
    actors: { instance, group: syncGroupMachine, tracker, tracking: trackingMachine },
    actions: {
      spawnTracking: enqueueActions(({ enqueue }) => {
        for (const m of members) {
          const entries = m.name === 'VI_2' ? [{ kind: 'interface' as const, name: 'eth1', weight: -50, reverse: false }] : [];
          enqueue.spawnChild('tracking', {
            id: `tracking-${m.name}`,
            systemId: `tracking/${m.name}`,
            input: { instance: m.name, systemId: `tracking/${m.name}`, target: `vrrp/${m.name}`, basePriority: m.basePriority, entries, ignoreWeights: true, startInstance: true, group: 'group/G' },
          });
        }
      }),
    },
  }).createMachine({
    entry: enqueueActions(({ enqueue }) => {
      for (const m of members) enqueue.spawnChild('instance', { id: m.name, systemId: `vrrp/${m.name}`, input: { ...m, env: timerEnv(clock, (name, p) => io.push([clock.now(), name, `advert ${p}`])) } });
      enqueue.spawnChild('group', { id: 'G', systemId: 'group/G', input: { name: 'G', members: members.map((m) => ({ name: m.name, systemId: `vrrp/${m.name}` })) } });
      enqueue.spawnChild('tracker', { id: 'eth1', systemId: 'track/interface/eth1', input: { kind: 'interface', name: 'eth1', probe: {} } });
    }),
    // Two phases, as the runtime does it: spawn, attach observers, then let tracking start the instances.
    on: { 'test.go': { actions: 'spawnTracking' } },
  });
  const actor = createActor(root, { clock });
  const transitions: Array<[number, string, string, string]> = [];
  actor.start();
  for (const m of members) {
    (actor.system.get(`vrrp/${m.name}`) as AnyActorRef).on('vrrp.state', (e: { instance: string; to: string; reason: string }) =>
      transitions.push([clock.now(), e.instance, e.to, e.reason]),
    );
  }
  const groupStates: Array<[number, string]> = [];
  (actor.system.get('group/G') as AnyActorRef).on('group.state', (e: { to: string }) => groupStates.push([clock.now(), e.to]));
  actor.send({ type: 'test.go' });
  return { clock, io, transitions, groupStates, actor };
}

/** S8: after every processed event the members are all MASTER or all non-MASTER. */
function assertS8(transitions: Array<[number, string, string, string]>) {
  const now = new Map<string, string>();
  const byTime = new Map<number, Array<[string, string]>>();
  for (const [t, i, to] of transitions) byTime.set(t, [...(byTime.get(t) ?? []), [i, to]]);
  for (const [, changes] of byTime) {
    for (const [i, to] of changes) now.set(i, to);
    const masters = [...now.values()].filter((s) => s === 'MASTER').length;
    expect(masters === 0 || masters === now.size).toBe(true);
  }
}

describe('sync group with real instances (K-14, K-13 weights ignored, S8)', () => {
  it('members elect together, fault together and come back together with exact timing', () => {
    const h = groupOfInstances([
      [0, true],
      [10_000, false],
      [15_000, true],
    ]);
    h.clock.runUntil(20_000);
    expect(h.transitions).toEqual([
      [0, 'VI_1', 'BACKUP', 'startup'],
      [0, 'VI_2', 'BACKUP', 'startup'],
      // VI_2 (priority 200) times out first at 3·1 s + 0.21875 s, wants MASTER and waits; VI_1
      // (priority 100) times out at 3.609375 s: now every member wants MASTER.
      // The group commands VI_1 then VI_2, but VI_1 is still busy with its own timer event, so VI_2 moves first.
      [3609.375, 'VI_2', 'MASTER', 'sync-group'],
      [3609.375, 'VI_1', 'MASTER', 'sync-group'],
      // eth1 down: weight -50 is forced to 0 in a sync group (K-14), so VI_2 faults, and VI_1 with it.
      [10_000, 'VI_2', 'FAULT', 'fault'],
      [10_000, 'VI_1', 'FAULT', 'fault'],
      [15_000, 'VI_1', 'BACKUP', 'fault-cleared'],
      [15_000, 'VI_2', 'BACKUP', 'fault-cleared'],
      [18_609.375, 'VI_2', 'MASTER', 'sync-group'],
      [18_609.375, 'VI_1', 'MASTER', 'sync-group'],
    ]);
    expect(h.groupStates).toEqual([
      [0, 'BACKUP'],
      [3609.375, 'MASTER'],
      [10_000, 'FAULT'],
      [15_000, 'BACKUP'],
      [18_609.375, 'MASTER'],
    ]);
    // Leaving MASTER for FAULT: a priority-0 advert, then the VIPs go (K-12).
    expect(h.io.filter(([t]) => t === 10_000)).toEqual([
      [10_000, 'VI_2', 'advert 0'],
      [10_000, 'VI_2', 'io.removeVips'],
      [10_000, 'VI_1', 'advert 0'],
      [10_000, 'VI_1', 'io.removeVips'],
    ]);
    assertS8(h.transitions);
  });

  it('one member hearing a better master takes the whole group to BACKUP', () => {
    const h = groupOfInstances([[0, true]]);
    h.clock.runUntil(5000);
    const vi1 = h.actor.system.get('vrrp/VI_1') as AnyActorRef;
    vi1.send({ type: 'net.advert', advert: { vrid: 1, priority: 250, maxAdvertIntervalCs: 100, src: '198.51.100.9' } });
    h.clock.runUntil(5001);
    expect(h.transitions.slice(-2)).toEqual([
      [5000, 'VI_1', 'BACKUP', 'higher-priority'],
      [5000, 'VI_2', 'BACKUP', 'sync-group'],
    ]);
    expect(h.groupStates.at(-1)).toEqual([5000, 'BACKUP']);
    assertS8(h.transitions);
  });
});
