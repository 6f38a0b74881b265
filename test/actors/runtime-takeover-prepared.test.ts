/**
 * A BACKUP gets its takeover ready while it waits (vrrp-subsystem prepareWhileBackup): its first
 * advert as master encoded at its priority, its gratuitous ARP frames built. Preparing sends and
 * counts nothing and moves no IPv4 ID; a frame built for a MAC the interface no longer has is
 * not the one sent.
 */
import { describe, expect, it } from 'vitest';
import { parseIpv4Packet } from '../../protocol/ipv4.js';
import { parseMac } from '../../protocol/addr.js';
import { twoNodes, vi1 } from './two-nodes.js';

describe('takeover prepared while BACKUP', () => {
  it('sends and counts nothing until the takeover, then sends what it would have built then', () => {
    const { lan, b, rtA, rtB } = twoNodes(vi1(150), vi1(100));
    lan.clock.runUntil(10_000);
    expect(rtB.status()[0]!.state).toBe('BACKUP');
    expect(lan.wire.filter((p) => p.from === 'b')).toEqual([]);
    expect(b.frames).toEqual([]);
    expect(rtB.counters()['adverts_sent'] ?? 0).toBe(0);

    b.mac = '02:00:00:00:00:22'; // after its frames were built
    rtA.stop();
    lan.clock.runUntil(20_000);
    expect(rtB.status()[0]!.state).toBe('MASTER');
    const adverts = lan.wire.filter((p) => p.from === 'b');
    const first = parseIpv4Packet(adverts[0]!.data);
    if (!first.ok) throw new Error('not an IPv4 packet');
    expect(first.value.id).toBe(1); // the advert prepared at start-up took no IPv4 ID
    expect(adverts[0]!.data[20 + 2]).toBe(100); // VRRP priority: the backup's own
    expect(rtB.counters()['adverts_sent']).toBe(adverts.length);
    expect(b.frames.length).toBeGreaterThan(0);
    for (const f of b.frames) expect([...f.bytes.subarray(6, 12)]).toEqual([...parseMac('02:00:00:00:00:22')!]);
  });
});
