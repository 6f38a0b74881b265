/**
 * The advert backstop through the runtime (actors/vrrp/vrrp-io.ts hold/takeHeld, the
 * Adver_Timer's hand-over): a master's next advert is held by its socket, and when the socket's
 * backstop sends it first (the fake node's sends it early, as the daemon's does when its thread
 * is late), the advert is not sent again, counts as sent, keeps the IPv4 IDs in sequence, and
 * the next interval counts from when it left. Priority 0 drops what is held: nothing follows it.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import { FakeLan } from './fake-ports.js';
import { advertsOnWire, expectStopEndsWithPriorityZero } from './wire-adverts.js';
import { model, vi1 } from './two-nodes.js';

const adverts = advertsOnWire;

function master(earlyMs: number | undefined) {
  const lan = new FakeLan();
  const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  a.backstopEarlyMs = earlyMs;
  const rt = createRuntime(a.ports(), model(vi1(150, 'state MASTER')), { name: 'a' });
  rt.start();
  return { lan, a, rt };
}

describe('the advert backstop', () => {
  it('an advert the backstop sent is not sent again; IDs stay in sequence and the cadence holds', () => {
    const { lan, a, rt } = master(0.25);
    lan.clock.runUntil(20_000);
    const sent = adverts(lan, 'a');
    expect(a.backstopSent).toBeGreaterThan(10);
    // One advert per interval: never two within one, never more than an interval apart.
    const gaps = sent.slice(1).map((p, i) => p.at - sent[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThan(999);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1000);
    expect(sent.map((p) => p.id)).toEqual(sent.map((_, i) => i + 1));
    expect(rt.counters()['adverts_sent']).toBe(sent.length);
    expect(rt.counters()['VI_1:adverts_backstop']).toBe(a.backstopSent);
    // Each advert after one the backstop sent is held for an interval after that one left.
    expect(a.backstopHolds.slice(2)).toEqual(a.backstopHolds.slice(2).map(() => 999.75));
    rt.stop();
  });

  it('without a backstop the same master sends the same adverts from its own timer', () => {
    const { lan, a, rt } = master(undefined);
    lan.clock.runUntil(20_000);
    const sent = adverts(lan, 'a');
    expect(a.backstopSent).toBe(0);
    expect(sent.map((p) => p.id)).toEqual(sent.map((_, i) => i + 1));
    expect(rt.counters()['adverts_sent']).toBe(sent.length);
    expect(rt.counters()['VI_1:adverts_backstop']).toBeUndefined();
    rt.stop();
  });

  it('a reload between the backstop\'s send and the expiry does not send that advert twice', () => {
    const { lan, a, rt } = master(0.25);
    lan.clock.runUntil(5_000);
    const before = a.backstopSent;
    // The next advert is due just after 5,000 ms; the fake backstop sends it 0.25 ms before.
    const due = adverts(lan, 'a').at(-1)!.at + 1000;
    lan.clock.runUntil(due - 0.1);
    expect(a.backstopSent).toBe(before + 1);
    rt.reload(model(vi1(150, 'state MASTER')));
    lan.clock.runUntil(10_000);
    const sent = adverts(lan, 'a');
    const gaps = sent.slice(1).map((p, i) => p.at - sent[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThan(999);
    expect(sent.map((p) => p.id)).toEqual(sent.map((_, i) => i + 1));
    expect(rt.counters()['adverts_sent']).toBe(sent.length);
    rt.stop();
  });

  it('priority 0 on stop drops the held advert: nothing leaves after it', () => {
    const { lan, a, rt } = master(0.25);
    lan.clock.runUntil(5_500);
    expectStopEndsWithPriorityZero(lan, rt, 'a');
    expect(a.backstopSent).toBeGreaterThan(0);
  });
});
