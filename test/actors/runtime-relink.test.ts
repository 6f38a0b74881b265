/**
 * An interface deleted and created again (new ifindex): the VRRP socket bound to the old index
 * hears nothing, so the runtime reopens it when netlink reports the new link, and the instance
 * leaves FAULT and works again without a restart.
 */
import { describe, expect, it } from 'vitest';
import { twoNodes, vi1 } from './two-nodes.js';

describe('interface deleted and recreated', () => {
  it('reopens the VRRP socket on the new index: FAULT, then a working election again', () => {
    const { lan, a, b, rtA, rtB } = twoNodes(vi1(150), vi1(100));
    lan.clock.runUntil(6000);
    expect([rtA.status()[0]!.state, rtB.status()[0]!.state]).toEqual(['MASTER', 'BACKUP']);

    a.deleteLink();
    lan.clock.runUntil(12_000);
    expect(rtA.status()[0]!.state).toBe('FAULT');
    expect(rtB.status()[0]!.state).toBe('MASTER');

    a.recreateLink();
    lan.clock.runUntil(20_000);
    // a hears b again, preempts with its higher priority, and b hears a: one master.
    expect([rtA.status()[0]!.state, rtB.status()[0]!.state]).toEqual(['MASTER', 'BACKUP']);
    expect(a.vips()).toEqual(['198.51.100.100/24']);
    expect(b.vips()).toEqual([]);
    expect(a.logLines()).toContain('eth0 (index 3) replaces index 2 - reopening VRRP socket for IPv4');
    const sentBefore = rtA.counters()['adverts_sent']!;
    lan.clock.runUntil(25_000);
    expect(rtA.counters()['adverts_sent']! - sentBefore).toBeGreaterThanOrEqual(4);
    expect(rtB.counters()['adverts_received']).toBeGreaterThan(0);
  });

  it('a link flap that keeps the index does not reopen the socket', () => {
    const { lan, a, rtA } = twoNodes(vi1(150), vi1(100));
    lan.clock.runUntil(6000);
    a.setLink(false);
    lan.clock.runUntil(7000);
    a.setLink(true);
    lan.clock.runUntil(12_000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(a.logLines().some((l) => l.includes('reopening VRRP socket'))).toBe(false);
    expect(lan.sockets.filter((s) => s.node === a).length).toBe(1);
  });
});
