/**
 * The order of what the instance says and does on each transition, as keepalived 2.2.7 does it
 * (vrrp.c vrrp_state_master_tx / vrrp_state_become_master / vrrp_state_leave_master,
 * vrrp_scheduler.c vrrp_dispatcher_read_timeout): the state is announced ("Entering … STATE")
 * before its side effects, the advert leaves before the VIPs are set and the GARPs queued, the
 * notifier and the sync group hear of it last. test/system/log-order-keepalived.test.ts compares
 * the resulting log lines with keepalived's in the same scenario.
 */
import { describe, expect, it } from 'vitest';
import { advert, type Harness, MDI_V2_P100_MS, startInstance } from './instance-harness.js';

function master(opts: { withGroup?: boolean } = {}): Harness {
  const h = startInstance({}, opts);
  h.runUntil(MDI_V2_P100_MS);
  expect(h.state()).toBe('master');
  return h;
}

/** The journal from index `from`, without the periodic adverts of a master. */
const since = (h: Harness, from: number) => h.journal.slice(from);

describe('VRRP instance: what is said and done, in keepalived order', () => {
  it('BACKUP → MASTER on Master_Down: timeout line, advert, Entering MASTER, VIPs, GARPs', () => {
    const h = startInstance();
    const from = h.journal.length;
    h.runUntil(MDI_V2_P100_MS);
    expect(since(h, from)).toEqual(['log detail Receive advertisement timeout', 'io.sendAdvert:100', 'state BACKUP>MASTER', 'io.addVips', 'io.sendGarp:master']);
  });

  it('the sync group hears of a new MASTER after its VIPs and GARPs', () => {
    const h = startInstance({}, { withGroup: true });
    const from = h.journal.length;
    h.send({ type: 'group.goMaster' });
    expect(since(h, from)).toEqual(['io.sendAdvert:100', 'state BACKUP>MASTER', 'io.addVips', 'io.sendGarp:master', 'group member.state MASTER']);
  });

  it('MASTER → BACKUP on a higher priority: Entering BACKUP, then the VIPs go (no priority 0)', () => {
    const h = master();
    const from = h.journal.length;
    h.send(advert(200));
    expect(since(h, from)).toEqual(['state MASTER>BACKUP', 'io.removeVips']);
  });

  it('MASTER → FAULT: Entering FAULT, priority 0, then the VIPs go', () => {
    const h = master();
    const from = h.journal.length;
    h.send({ type: 'track.fault', source: 'interface/eth0' });
    expect(since(h, from)).toEqual(['state MASTER>FAULT', 'io.sendAdvert:0', 'io.removeVips']);
  });

  it('MASTER → STOP: the state first (keepalived logs none), priority 0, then the VIPs go; the group hears last', () => {
    const h = startInstance({}, { withGroup: true });
    h.send({ type: 'group.goMaster' });
    const from = h.journal.length;
    h.send({ type: 'vrrp.shutdown' });
    expect(since(h, from)).toEqual(['state MASTER>STOP', 'io.sendAdvert:0', 'io.removeVips', 'group member.state STOP']);
  });

  it('BACKUP → STOP and FAULT → BACKUP touch no address', () => {
    const h = startInstance();
    h.send({ type: 'track.fault', source: 'interface/eth0' });
    h.send({ type: 'track.ok', source: 'interface/eth0' });
    const from = h.journal.length;
    h.send({ type: 'vrrp.shutdown' });
    expect(h.journal).not.toContain('io.removeVips');
    expect(since(h, from)).toEqual(['state BACKUP>STOP']);
  });

  it('a BACKUP that hears priority 0 says so (-D), then takes over after Skew_Time', () => {
    const h = startInstance();
    h.runUntil(1000);
    h.send(advert(200));
    const from = h.journal.length;
    h.send(advert(0));
    expect(since(h, from)).toEqual(['log detail Backup received priority 0 advertisement']);
    h.advance(1000);
    expect(since(h, from).slice(1, 3)).toEqual(['log detail Receive advertisement timeout', 'io.sendAdvert:100']);
  });

  it('start-up after unweighted scripts (vrrp.startup held): reason scripts-ready; an owner takes over without a timeout line', () => {
    const h = startInstance({}, { startup: false });
    h.send({ type: 'vrrp.startup', held: true });
    expect(h.emitted.map((s) => s.e)).toContainEqual(expect.objectContaining({ type: 'vrrp.state', from: 'INIT', to: 'BACKUP', reason: 'scripts-ready' }));
    const owner = startInstance({ basePriority: 255, initialState: 'MASTER' }, { startup: false });
    owner.send({ type: 'vrrp.startup', held: true });
    expect(owner.journal).toEqual(['io.sendAdvert:255', 'state INIT>MASTER', 'io.addVips', 'io.sendGarp:master']);
    const plain = startInstance({ basePriority: 255, initialState: 'MASTER' });
    expect(plain.journal[0]).toBe('log detail Receive advertisement timeout');
  });

  it('a MASTER that hears priority 0 answers with an advert, then says so (-D)', () => {
    const h = master();
    const from = h.journal.length;
    h.send(advert(0));
    expect(since(h, from)).toEqual(['io.sendAdvert:100', 'log detail Master received priority 0 message']);
  });
});
