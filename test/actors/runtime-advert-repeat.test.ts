/**
 * Adverts repeated by the socket (VrrpSocket.repeat; actors/vrrp/vrrp-io.ts repeatAdvert, the
 * Adver_Timer's hand-over), through the runtime on the fake LAN, whose sockets repeat on its
 * clock as the daemon's thread does on the real one: the wire carries what the timer alone would
 * send (the same cadence, the IPv4 IDs in sequence, the counters), and the timer takes the adverts
 * back when the socket cannot go on: a failed send (the error logged once and counted, as
 * before), an advert outside the timer, a listener for every advert sent, the socket's close; a
 * reload that changes the advert changes the repeated bytes; the stop leaves nothing after
 * priority 0.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import { FakeLan } from './fake-ports.js';
import { advertsOnWire, expectStopEndsWithPriorityZero } from './wire-adverts.js';
import { model, vi1 } from './two-nodes.js';

const adverts = advertsOnWire;

const gapsOf = (sent: Array<{ at: number }>): number[] => sent.slice(1).map((p, i) => p.at - sent[i]!.at);

function master(repeat: boolean, conf = vi1(150, 'state MASTER')) {
  const lan = new FakeLan();
  const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  a.repeatAdverts = repeat;
  const rt = createRuntime(a.ports(), model(conf), { name: 'a' });
  rt.start();
  return { lan, a, rt };
}

describe('adverts repeated by the socket', () => {
  it('put on the wire what the timer alone sends: cadence, IDs, counters', () => {
    const runs = [true, false].map((repeat) => {
      const { lan, a, rt } = master(repeat);
      lan.clock.runUntil(20_000);
      const sent = adverts(lan, 'a');
      const counters = rt.counters();
      rt.stop();
      return { sent, counters, repeated: a.repeatSent };
    });
    const [repeated, timer] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(repeated.sent).toEqual(timer.sent);
    expect(repeated.sent.map((p) => p.id)).toEqual(repeated.sent.map((_, i) => i + 1));
    expect(Math.min(...gapsOf(repeated.sent))).toBeCloseTo(1000, 6);
    expect(Math.max(...gapsOf(repeated.sent))).toBeCloseTo(1000, 6);
    // The first advert as master is the io actor's; every later one left from the socket.
    expect(repeated.repeated).toBe(repeated.sent.length - 1);
    expect(repeated.counters['adverts_repeated']).toBe(repeated.sent.length - 1);
    expect(timer.counters['adverts_repeated']).toBeUndefined();
    expect(repeated.counters['VI_1:adverts_sent']).toBe(timer.counters['VI_1:adverts_sent']);
  });

  it('counts what the socket sent whenever the counters are read', () => {
    const { lan, rt } = master(true);
    lan.clock.runUntil(5_500);
    expect(rt.counters()['VI_1:adverts_sent']).toBe(adverts(lan, 'a').length);
    lan.clock.runUntil(9_500);
    expect(rt.counters()['VI_1:adverts_sent']).toBe(adverts(lan, 'a').length);
    rt.stop();
  });

  it('a failed send: the timer sends again at once, logs the error once and counts each; the socket repeats again once an advert leaves', () => {
    const { lan, a, rt } = master(true);
    lan.clock.runUntil(4_500);
    a.sendError = 'Operation not permitted';
    const failedFrom = lan.clock.now();
    lan.clock.runUntil(8_500);
    const errors = a.logs.filter(([, , m]) => m.includes('failed: Operation not permitted'));
    expect(errors).toHaveLength(1);
    expect(rt.counters()['VI_1:send_errors']).toBe(4);
    expect(adverts(lan, 'a').filter((p) => p.at > failedFrom)).toEqual([]);
    const repeatedBefore = a.repeatSent;
    a.sendError = undefined;
    lan.clock.runUntil(15_000);
    const after = adverts(lan, 'a').filter((p) => p.at > failedFrom);
    expect(after.length).toBeGreaterThanOrEqual(6);
    expect(Math.min(...gapsOf(after))).toBeCloseTo(1000, 6);
    expect(a.repeatSent).toBeGreaterThan(repeatedBefore);
    const ids = adverts(lan, 'a').map((p) => p.id);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(rt.counters()['VI_1:adverts_sent']).toBe(adverts(lan, 'a').length);
    rt.stop();
  });

  it('a listener for every advert sent takes them back to the timer: one event per advert from then on', () => {
    const { lan, a, rt } = master(true);
    lan.clock.runUntil(4_500);
    const repeatedBefore = a.repeatSent;
    const events: number[] = [];
    rt.on((e) => {
      if (e.type === 'advert.sent') events.push(e.at);
    }, ['advert.sent']);
    lan.clock.runUntil(10_500);
    expect(a.repeatSent).toBe(repeatedBefore);
    const later = adverts(lan, 'a').filter((p) => p.at > 4_500);
    expect(events).toEqual(later.map((p) => p.at));
    expect(Math.min(...gapsOf(adverts(lan, 'a')))).toBeCloseTo(1000, 6);
    rt.stop();
  });

  it('a reload that adds a VIP: the next adverts carry it, from the same due time, IDs in sequence', () => {
    const { lan, rt } = master(true);
    lan.clock.runUntil(4_500);
    rt.reload(model(vi1(150, 'state MASTER').replace('virtual_ipaddress { 198.51.100.100/24 }', 'virtual_ipaddress {\n 198.51.100.100/24\n 198.51.100.101/24\n }')));
    lan.clock.runUntil(9_500);
    const sent = adverts(lan, 'a');
    expect(sent.filter((p) => p.at < 4_500).every((p) => p.vips === 1)).toBe(true);
    expect(sent.filter((p) => p.at > 4_500).every((p) => p.vips === 2)).toBe(true);
    expect(Math.min(...gapsOf(sent))).toBeCloseTo(1000, 6);
    expect(Math.max(...gapsOf(sent))).toBeCloseTo(1000, 6);
    expect(sent.map((p) => p.id)).toEqual(sent.map((_, i) => i + 1));
    rt.stop();
  });

  it('the socket closed under a repeating master (its interface went away): the timer has the adverts again', () => {
    const { lan, a, rt } = master(true);
    lan.clock.runUntil(4_500);
    a.deleteLink();
    lan.clock.runUntil(8_500);
    // FAULT on the link's loss: the socket is closed, nothing is repeated on it any more.
    const repeated = a.repeatSent;
    lan.clock.runUntil(12_000);
    expect(a.repeatSent).toBe(repeated);
    expect(rt.counters()['VI_1:adverts_sent']).toBe(adverts(lan, 'a').length);
    rt.stop();
  });

  it('stop: priority 0 with the next ID, nothing after it', () => {
    const { lan, rt } = master(true);
    lan.clock.runUntil(5_500);
    expectStopEndsWithPriorityZero(lan, rt, 'a');
  });
});
