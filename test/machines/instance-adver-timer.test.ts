/**
 * The master's Adver_Timer as the invoked `adverTimer` actor (R-27, K-10, K-13): periodic adverts
 * cost the instance machine nothing (no event, no macrostep), carry the current priority, restart
 * on re-entry and stop with MASTER; a timer that fails puts the instance in FAULT.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type InspectionEvent } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import type { InstanceEmitted, InstanceInput, IoCommand } from '../../machines/vrrp/types.js';
import { BASE_INPUT, MDI_V2_P100_MS, startInstance, timerEnv, withIo } from './instance-harness.js';

const T0 = MDI_V2_P100_MS;
/** No GARP bursts after becoming master: the Adver_Timer's is then the only timer a master has. */
const NO_GARP_TIMERS = { garp: { ...BASE_INPUT.garp, masterDelayMs: 0, masterRefreshMs: 0 } };

/** An owner master on a SimClock with XState inspection: what reaches the instance actor itself. */
function inspectedOwner(n: number) {
  const clock = new SimClock();
  const adverts: Array<[number, number]> = [];
  const io: IoCommand[] = [];
  const seen = { events: [] as string[], snapshots: 0, microsteps: 0 };
  const machine = withIo(fromCallback<IoCommand, InstanceInput>(({ receive }) => receive((c) => void io.push(c))));
  const input: InstanceInput = { ...BASE_INPUT, ...NO_GARP_TIMERS, basePriority: 255, initialState: 'MASTER', env: timerEnv(clock, (_, p) => void adverts.push([clock.now(), p])) };
  let self: unknown;
  const inspect = (e: InspectionEvent) => {
    if (e.actorRef !== self) return;
    if (e.type === '@xstate.event') seen.events.push(e.event.type);
    else if (e.type === '@xstate.snapshot') seen.snapshots++;
    else if (e.type === '@xstate.microstep') seen.microsteps++;
  };
  const actor = createActor(machine, { clock, input, inspect });
  self = actor;
  actor.start();
  actor.send({ type: 'vrrp.startup' });
  return { clock, adverts, io, seen, actor, n };
}

describe('VRRP instance: Adver_Timer as an invoked actor', () => {
  it('R-27 N periodic adverts reach the instance machine as no event, no macrostep and no snapshot', () => {
    const N = 200;
    const t = inspectedOwner(N);
    expect(t.actor.getSnapshot().value).toEqual({ master: 'advertising' });
    const before = { events: t.seen.events.length, snapshots: t.seen.snapshots, microsteps: t.seen.microsteps };
    expect(before.events).toBeGreaterThan(0); // the inspection does see this actor (xstate.init, vrrp.startup)
    const ioBefore = t.io.length;
    t.clock.runUntil(N * 1000);
    expect(t.adverts).toHaveLength(N);
    expect(t.adverts.every(([at, p], i) => at === (i + 1) * 1000 && p === 255)).toBe(true);
    expect(t.seen.events.length - before.events).toBe(0);
    expect(t.seen.snapshots - before.snapshots).toBe(0);
    expect(t.seen.microsteps - before.microsteps).toBe(0);
    expect(t.io.length).toBe(ioBefore); // and no io command either: the timer sent them
    // Control: one event from outside is one event and one snapshot for the same inspection.
    t.actor.send({ type: 'net.invalid', reason: 'test' });
    expect(t.seen.events.slice(before.events)).toEqual(['net.invalid']);
    expect(t.seen.snapshots - before.snapshots).toBe(1);
    t.actor.stop();
  });

  it('K-13 a tracker changing the priority of a master: the next periodic adverts carry it, at the same cadence', () => {
    const h = startInstance();
    h.runUntil(T0 + 1500);
    h.send({ type: 'track.priority', delta: -20 });
    h.runUntil(T0 + 3000);
    h.send({ type: 'track.priority', delta: 30 });
    h.runUntil(T0 + 4000);
    h.send({ type: 'track.priority', delta: 30 }); // the same sum again: nothing changes
    h.runUntil(T0 + 5000);
    expect(h.adverts()).toEqual([
      [T0, 100],
      [T0 + 1000, 100],
      [T0 + 2000, 80],
      [T0 + 3000, 80],
      [T0 + 4000, 130],
      [T0 + 5000, 130],
    ]);
    expect(h.emitted.filter(({ e }) => e.type === 'vrrp.priority').map(({ e }) => e)).toEqual([
      { type: 'vrrp.priority', instance: 'VI_1', from: 100, to: 80 },
      { type: 'vrrp.priority', instance: 'VI_1', from: 80, to: 130 },
    ]);
  });

  it('K-13 a priority change in MASTER, then leaving and re-entering MASTER: the new timer starts at the current priority', () => {
    const h = startInstance();
    h.runUntil(T0 + 500);
    h.send({ type: 'track.priority', delta: 50 }); // 150
    h.send({ type: 'group.goBackup' }); // not in a group, but the transition is the chart's: BACKUP
    expect(h.state()).toBe('backup');
    const mark = h.io.length;
    h.send({ type: 'group.goMaster' });
    h.runUntil(h.clock.now() + 2000);
    expect(h.io.slice(mark).filter(({ e }) => e.type === 'io.sendAdvert').map(({ e }) => (e.type === 'io.sendAdvert' ? e.priority : -1))).toEqual([150, 150, 150]);
  });

  it('K-10 a packet for our VRID restarts the interval from now (a new timer actor); lower_prio_no_advert leaves it', () => {
    const h = startInstance();
    h.runUntil(T0 + 400);
    h.send({ type: 'net.invalid', reason: 'bad auth' });
    h.runUntil(T0 + 3000);
    expect(h.adverts().map(([t]) => t)).toEqual([T0, T0 + 1400, T0 + 2400]);
    const quiet = startInstance({ lowerPrioNoAdvert: true });
    quiet.runUntil(T0 + 400);
    quiet.send({ type: 'net.invalid', reason: 'bad auth' });
    quiet.runUntil(T0 + 3000);
    expect(quiet.adverts().map(([t]) => t)).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000]);
  });

  it('leaving MASTER stops the timer: no periodic advert afterwards, its expiry is off the clock', () => {
    const h = startInstance(NO_GARP_TIMERS);
    h.runUntil(T0 + 1500);
    expect(h.clock.pending()).toBe(1);
    h.send({ type: 'track.fault', source: 'if:eth0' });
    expect(h.state()).toBe('fault');
    expect(h.clock.pending()).toBe(0);
    const mark = h.io.length;
    h.runUntil(T0 + 20_000);
    expect(h.ioTypes(mark)).toEqual([]);
    const s = startInstance({ ...NO_GARP_TIMERS, basePriority: 255, initialState: 'MASTER' });
    s.runUntil(2500);
    s.send({ type: 'vrrp.shutdown' });
    const after = s.io.length;
    s.runUntil(20_000);
    expect(s.io.slice(after)).toEqual([]);
    expect(s.clock.pending()).toBe(0);
  });

  it('an Adver_Timer whose send throws puts the instance in FAULT for good and says so (no crash)', () => {
    const clock = new SimClock();
    const machine = withIo(fromCallback<IoCommand, InstanceInput>(() => undefined));
    const sender = (_: string, p: number) => {
      if (p === 255) throw new Error('encoder bug');
    };
    const actor = createActor(machine, { clock, input: { ...BASE_INPUT, basePriority: 255, initialState: 'MASTER', env: timerEnv(clock, sender) } });
    const seen: InstanceEmitted[] = [];
    actor.on('*', (e) => seen.push(e));
    actor.start();
    actor.send({ type: 'vrrp.startup' });
    expect(actor.getSnapshot().value).toEqual({ master: 'advertising' });
    expect(() => clock.advance(5000)).not.toThrow();
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().value).toBe('fault');
    expect(seen.filter((e) => e.type === 'vrrp.actorFailed')).toEqual([{ type: 'vrrp.actorFailed', instance: 'VI_1', actor: 'adverTimer', error: 'Error: encoder bug' }]);
    actor.send({ type: 'track.ok', source: 'io-failure' });
    expect(actor.getSnapshot().value).toBe('fault');
  });
});
