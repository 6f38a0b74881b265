/**
 * Start-up, FAULT, STOP and sync-group membership (vrrp.md K-11, K-12, K-13 weight 0, K-14, K-28),
 * plus the observer contract: `vrrp.state` exactly once per transition, in order.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import type { InstanceEmitted } from '../../machines/vrrp/types.js';
import { advert, BASE_INPUT, expectTakeoverAt, MDI_V2_P100_MS, startInstance } from './instance-harness.js';

const T0 = MDI_V2_P100_MS;

describe('VRRP instance start-up (K-11)', () => {
  it('K-11 an owner configured state BACKUP starts as backup with the full Master_Down_Interval', () => {
    const h = startInstance({ basePriority: 255, initialState: 'BACKUP' });
    h.runUntil(3003.905);
    expect(h.state()).toBe('backup');
    h.runUntil(3003.906);
    expect(h.state()).toBe('master');
  });

  it('K-11 a non-owner with state MASTER starts as backup with the full interval, nopreempt and preempt_delay cleared', () => {
    const h = startInstance({ initialState: 'MASTER', preempt: false, preemptDelayMs: 30_000 });
    expect(h.state()).toBe('backup');
    h.runUntil(1000);
    h.send(advert(50)); // would be accepted with nopreempt or preempt_delay
    h.runUntil(T0);
    expect(h.state()).toBe('master');
  });

  it('K-11 a sync-group member wanting MASTER gets the short timer: one interval plus the minimal skew', () => {
    const h = startInstance({ initialState: 'MASTER' }, { withGroup: true });
    h.runUntil(1003.905);
    expect(h.group.filter(({ e }) => e.type === 'member.want')).toEqual([]);
    h.runUntil(1003.906);
    expect(h.group.filter(({ e }) => e.type === 'member.want')).toEqual([
      { at: 1003.906, e: { type: 'member.want', member: 'VI_1', want: 'MASTER' } },
    ]);
    expect(h.state()).toBe('backup');
  });

  it('K-11 vrrp_startup_delay: adverts are ignored and the timer starts when the delay ends', () => {
    const h = startInstance({ startupDelayMs: 5000 });
    expect(h.state()).toBe('backup');
    h.runUntil(2000);
    h.send(advert(200));
    expectTakeoverAt(h, 5000 + T0);
    const owner = startInstance({ startupDelayMs: 5000, basePriority: 255, initialState: 'MASTER' });
    owner.runUntil(4999);
    expect(owner.state()).toBe('backup');
    owner.runUntil(5000);
    expect(owner.state()).toBe('master');
  });
});

describe('VRRP instance FAULT (K-12, K-13)', () => {
  it('K-12 a weight-0 tracker failing in BACKUP enters FAULT; adverts are ignored there; recovery is BACKUP with a full timer', () => {
    const h = startInstance({ version: 3 });
    h.runUntil(1000);
    h.send(advert(200, '198.51.100.3', 50)); // learned 50 cs
    h.send({ type: 'track.fault', source: 'script:chk' });
    expect(h.state()).toBe('fault');
    h.runUntil(10_000);
    h.send(advert(0));
    expect(h.state()).toBe('fault');
    h.send({ type: 'track.ok', source: 'script:chk' });
    expect(h.state()).toBe('backup');
    expect(h.actor.getSnapshot().context.masterAdverIntervalCs).toBe(100); // own interval again
    expectTakeoverAt(h, 10_000 + T0);
    expect(h.io.filter(({ at }) => at < 10_000)).toEqual([]);
  });

  it('K-12 leaving MASTER for FAULT sends a priority-0 advert, then removes the VIPs', () => {
    const h = startInstance();
    h.runUntil(T0 + 200);
    const mark = h.io.length;
    h.send({ type: 'track.fault', source: 'if:eth0' });
    expect(h.ioTypes(mark)).toEqual(['io.sendAdvert:0', 'io.removeVips']);
    expect(h.emitted.at(-1)!.e).toMatchObject({ type: 'vrrp.state', from: 'MASTER', to: 'FAULT', reason: 'fault' });
    h.advance(10_000);
    expect(h.io.length).toBe(mark + 2);
  });

  it('K-12 FAULT lasts until every failed source recovers; start-up with a failed source goes to FAULT', () => {
    const h = startInstance({}, { startup: false });
    h.send({ type: 'track.fault', source: 'if:eth0' });
    h.send({ type: 'vrrp.startup' });
    h.send({ type: 'track.fault', source: 'script:a' });
    expect(h.state()).toBe('fault');
    h.send({ type: 'track.ok', source: 'if:eth0' });
    expect(h.state()).toBe('fault');
    h.send({ type: 'track.ok', source: 'script:a' });
    expect(h.state()).toBe('backup');
    expect(h.transitions()).toEqual(['INIT>FAULT@0', 'FAULT>BACKUP@0']);
  });

  it('K-12 an owner with state MASTER leaves FAULT straight to MASTER; a unicast instance announces its source address', () => {
    const owner = startInstance({ basePriority: 255, initialState: 'MASTER' });
    owner.send({ type: 'track.fault', source: 'if:eth0' });
    owner.send({ type: 'track.ok', source: 'if:eth0' });
    expect(owner.state()).toBe('master');
    const uni = startInstance({ unicast: true });
    uni.send({ type: 'track.fault', source: 'if:eth0' });
    uni.send({ type: 'track.ok', source: 'if:eth0' });
    expect(uni.ioTypes()).toEqual(['io.announceSource']);
  });

  it('K-13 weight 0 means FAULT, not a priority change: the effective priority is untouched', () => {
    const h = startInstance();
    h.send({ type: 'track.fault', source: 'script:w0' });
    expect(h.state()).toBe('fault');
    expect(h.actor.getSnapshot().context.priority).toBe(100);
  });
});

describe('VRRP instance STOP (K-28)', () => {
  it('K-28 on stop only a master releases: priority-0 advert before VIP removal; backup and fault send nothing', () => {
    const m = startInstance();
    m.runUntil(T0);
    const mark = m.io.length;
    m.send({ type: 'vrrp.shutdown' });
    expect(m.ioTypes(mark)).toEqual(['io.sendAdvert:0', 'io.removeVips']);
    const b = startInstance();
    b.send({ type: 'vrrp.shutdown' });
    const f = startInstance();
    f.send({ type: 'track.fault', source: 'x' });
    f.send({ type: 'vrrp.shutdown' });
    expect([b.io, f.io]).toEqual([[], []]);
    expect([b.state(), f.state()]).toEqual(['stop', 'stop']);
  });
});

describe('VRRP instance in a sync group (K-14 member side)', () => {
  it('K-14 a member whose timer expires wants MASTER, stays BACKUP, re-arms a full timer and waits for group.goMaster', () => {
    const h = startInstance({}, { withGroup: true });
    h.runUntil(T0);
    expect(h.state()).toBe('backup');
    expect(h.group.map(({ e }) => e.type)).toEqual(['member.state', 'member.want']);
    h.runUntil(2 * T0);
    expect(h.group.filter(({ e }) => e.type === 'member.want')).toHaveLength(1); // still wanting, not repeated
    h.send({ type: 'group.goMaster' });
    expect(h.state()).toBe('master');
    expect(h.emitted.at(-1)!.e).toMatchObject({ from: 'BACKUP', to: 'MASTER', reason: 'sync-group' });
  });

  it('K-14 a member wanting MASTER that accepts an advert wants BACKUP again', () => {
    const h = startInstance({}, { withGroup: true });
    h.runUntil(T0);
    h.send(advert(200));
    expect(h.group.filter(({ e }) => e.type === 'member.want').map(({ e }) => e)).toEqual([
      { type: 'member.want', member: 'VI_1', want: 'MASTER' },
      { type: 'member.want', member: 'VI_1', want: 'BACKUP' },
    ]);
  });

  it('K-14 group.goBackup takes a master to BACKUP without a priority-0 advert; group.goFault/clearFault drive FAULT', () => {
    const h = startInstance({}, { withGroup: true });
    h.send({ type: 'group.goMaster' });
    const mark = h.io.length;
    h.send({ type: 'group.goBackup' });
    expect(h.ioTypes(mark)).toEqual(['io.removeVips']);
    h.send({ type: 'group.goMaster' });
    const mark2 = h.io.length;
    h.send({ type: 'group.goFault' });
    expect(h.ioTypes(mark2)).toEqual(['io.sendAdvert:0', 'io.removeVips']);
    h.send({ type: 'track.fault', source: 'if:eth1' });
    h.send({ type: 'group.clearFault' });
    expect(h.state()).toBe('fault');
    h.send({ type: 'track.ok', source: 'if:eth1' });
    expect(h.state()).toBe('backup');
    const states = h.group.filter(({ e }) => e.type === 'member.state').map(({ e }) => (e.type === 'member.state' ? `${e.from}>${e.to}` : ''));
    expect(states).toEqual(['INIT>BACKUP', 'BACKUP>MASTER', 'MASTER>BACKUP', 'BACKUP>MASTER', 'MASTER>FAULT', 'FAULT>BACKUP']);
  });
});

describe('VRRP instance io failures', () => {
  it('an io actor that throws puts the instance in FAULT for good and logs the error (no crash)', () => {
    const clock = new SimClock();
    const broken = instanceMachine.provide({
      actors: { io: fromCallback(() => { throw new Error('socket exploded'); }) },
    });
    const actor = createActor(broken, { clock, input: BASE_INPUT });
    const seen: InstanceEmitted[] = [];
    actor.on('*', (e) => seen.push(e));
    actor.start();
    actor.send({ type: 'vrrp.startup' });
    actor.send({ type: 'track.ok', source: 'io-failure' }); // nothing clears an io failure
    clock.advance(20_000);
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().value).toBe('fault');
    expect(seen.some((e) => e.type === 'vrrp.actorFailed' && e.actor === 'io' && e.error.includes('socket exploded'))).toBe(true);
  });

  it('without a provided io actor the placeholder fails loudly into FAULT with a log line', () => {
    const actor = createActor(instanceMachine, { clock: new SimClock(), input: BASE_INPUT });
    const seen: InstanceEmitted[] = [];
    actor.on('*', (e) => seen.push(e));
    actor.start();
    expect(actor.getSnapshot().value).toBe('fault');
    expect(seen.find((e) => e.type === 'vrrp.actorFailed')).toMatchObject({ actor: 'io' });
  });

  it('a Master_Down_Timer that throws puts the instance in FAULT for good and says so (no crash)', () => {
    const clock = new SimClock();
    const broken = instanceMachine.provide({
      actors: { io: fromCallback(() => undefined), masterDownTimer: fromCallback(() => { throw new Error('no clock'); }) },
    });
    const actor = createActor(broken, { clock, input: BASE_INPUT });
    const seen: InstanceEmitted[] = [];
    actor.on('*', (e) => seen.push(e));
    actor.start();
    actor.send({ type: 'vrrp.startup' });
    clock.advance(20_000);
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().value).toBe('fault');
    expect(seen.filter((e) => e.type === 'vrrp.actorFailed')).toEqual([
      { type: 'vrrp.actorFailed', instance: 'VI_1', actor: 'masterDownTimer', error: 'Error: no clock' },
    ]);
  });
});

describe('VRRP instance observer contract', () => {
  it('emits vrrp.state exactly once per transition, in order, with from/to chaining', () => {
    const h = startInstance();
    h.runUntil(T0);
    h.send(advert(200));
    h.send({ type: 'track.fault', source: 'a' });
    h.send({ type: 'track.ok', source: 'a' });
    h.runUntil(T0 + 10_000);
    h.send({ type: 'vrrp.shutdown' });
    h.send({ type: 'vrrp.shutdown' });
    const states = h.emitted.flatMap(({ e }) => (e.type === 'vrrp.state' ? [e] : []));
    expect(states.map((e) => `${e.from}>${e.to}`)).toEqual([
      'INIT>BACKUP', 'BACKUP>MASTER', 'MASTER>BACKUP', 'BACKUP>FAULT', 'FAULT>BACKUP', 'BACKUP>MASTER', 'MASTER>STOP',
    ]);
    states.slice(1).forEach((e, i) => expect(e.from).toBe(states[i]!.to));
  });
});
