/**
 * Two runtimes on one fake LAN elect a master with real encoded VRRP bytes (R-19..R-30 through
 * the whole stack: compiler model → runtime → instance machine → codec → wire → codec → machine).
 */
import { describe, expect, it } from 'vitest';
import { twoNodes, vi1 } from './two-nodes.js';

const conf = (priority: number, extra = '') => vi1(priority, `state BACKUP\n${extra}`, 'global_defs { router_id lb }');

describe('two runtimes elect a master over encoded bytes', () => {
  it('the higher priority becomes MASTER at its Master_Down_Interval and holds the VIP', () => {
    const t = twoNodes(conf(150), conf(100));
    t.lan.clock.runUntil(10_000);
    // v2, 1 s: A (150) times out at 3 s + floor((256-150)/256 s in µs) = 3414.062 ms (keepalived rounds to µs); B hears A's advert first.
    expect(t.states()).toEqual([
      [0, 'a', 'BACKUP', 'startup'],
      [0, 'b', 'BACKUP', 'startup'],
      [3414.062, 'a', 'MASTER', 'master-down'],
    ]);
    expect(t.rtA.status()[0]).toMatchObject({ name: 'VI_1', state: 'MASTER', effectivePriority: 150, vipsInstalled: ['198.51.100.100/24'], masterAddress: '198.51.100.1' });
    expect(t.rtB.status()[0]).toMatchObject({ state: 'BACKUP', vipsInstalled: [], masterAddress: '198.51.100.1' });
    expect(t.a.vips()).toEqual(['198.51.100.100/24']);
    expect(t.b.vips()).toEqual([]);
    expect(t.a.logLines()).toEqual(
      expect.arrayContaining(['(VI_1) Entering BACKUP STATE (init)', '(VI_1) Receive advertisement timeout', '(VI_1) Entering MASTER STATE', '(VI_1) Sending/queueing gratuitous ARPs on eth0 for 198.51.100.100']),
    );
    expect(t.b.logLines()).toContain('(VI_1) Entering BACKUP STATE (init)');
    // Adverts every second from 3414.062 ms on; B received and accepted every one of them.
    const sent = t.lan.wire.filter((w) => w.from === 'a').map((w) => w.at);
    expect(sent).toEqual([3414.062, 4414.062, 5414.062, 6414.062, 7414.062, 8414.062, 9414.062]);
    expect(t.rtA.counters()).toMatchObject({ adverts_sent: 7, 'VI_1:adverts_sent': 7, garp_sent: 10 });
    expect(t.rtB.counters()).toMatchObject({ adverts_received: 7, 'VI_1:adverts_received': 7 });
    expect(t.rtB.counters()['adverts_sent'] ?? 0).toBe(0);
    // K-16: five gratuitous ARPs at once, five more after garp_master_delay (5 s).
    expect(t.a.frames.map((f) => f.at)).toEqual([3414.062, 3414.062, 3414.062, 3414.062, 3414.062, 8414.062, 8414.062, 8414.062, 8414.062, 8414.062]);
  });

  it('a graceful stop sends priority 0, releases the VIP, and the backup takes over after Skew_Time', () => {
    const t = twoNodes(conf(150), conf(100));
    t.lan.clock.runUntil(5000);
    t.rtA.stop();
    t.lan.clock.runUntil(8000);
    const release = t.lan.wire.filter((w) => w.from === 'a').at(-1)!;
    expect(release.at).toBe(5000);
    // IPv4 header (20 bytes) + VRRP: priority is byte 2 of the VRRP message.
    expect(release.data[20 + 2]).toBe(0);
    // B: priority-0 advert received at 5000.1 → Skew_Time (256-100)/256 s = 609.375 ms.
    expect(t.states().slice(-2)).toEqual([
      [5000, 'a', 'STOP', 'shutdown'],
      [5609.475, 'b', 'MASTER', 'master-down'],
    ]);
    expect(t.events.some(([n, e]) => n === 'a' && e.type === 'runtime.stopped')).toBe(true);
    expect(t.a.vips()).toEqual([]);
    expect(t.b.vips()).toEqual(['198.51.100.100/24']);
    expect(t.a.logLines()).toContain('(VI_1) sent 0 priority');
    expect(t.rtA.counters()['VI_1:priority_zero_sent']).toBe(1);
  });

  it('a priority-255 owner with state MASTER is master at once and the backup follows it', () => {
    const t = twoNodes(vi1(255, 'state MASTER'), conf(100));
    t.lan.clock.runUntil(2000);
    expect(t.states()).toEqual([
      [0, 'a', 'MASTER', 'owner-startup'],
      [0, 'b', 'BACKUP', 'startup'],
    ]);
  });

  it('mismatched PASS authentication is dropped and counted: both become MASTER', () => {
    const auth = (p: string) => `authentication {\n auth_type PASS\n auth_pass ${p}\n }`;
    const t = twoNodes(conf(150, auth('secret1')), conf(100, auth('secret2')));
    t.lan.clock.runUntil(6000);
    expect(t.rtA.status()[0]!.state).toBe('MASTER');
    expect(t.rtB.status()[0]!.state).toBe('MASTER');
    expect(t.rtB.counters()['drop.auth-mismatch']).toBeGreaterThan(0);
    expect(t.rtB.counters()['VI_1:drop.auth-mismatch']).toBe(t.rtB.counters()['drop.auth-mismatch']);
    expect(t.events.some(([n, e]) => n === 'b' && e.type === 'advert.dropped' && e.reason === 'auth-mismatch')).toBe(true);
  });

  it('AH authentication with the same key elects one master (HMAC-MD5-96, sequence numbers)', () => {
    const auth = `authentication {\n auth_type AH\n auth_pass k3y\n }`;
    const t = twoNodes(conf(150, auth), conf(100, auth));
    t.lan.clock.runUntil(8000);
    expect(t.rtA.status()[0]!.state).toBe('MASTER');
    expect(t.rtB.status()[0]!.state).toBe('BACKUP');
    expect(t.rtB.counters()).toMatchObject({ adverts_received: 5 });
    expect(Object.keys(t.rtB.counters()).filter((k) => k.startsWith('drop.'))).toEqual([]);
    // IPv4 protocol 51 on the wire.
    expect(t.lan.wire.find((w) => w.from === 'a')!.data[9]).toBe(51);
  });

  it('unicast peers: one packet per peer with TTL 255, no multicast', () => {
    const uni = (src: string, peer: string) => `unicast_src_ip ${src}\n unicast_peer {\n ${peer}\n }`;
    const t = twoNodes(conf(150, uni('198.51.100.1', '198.51.100.2')).replace('advert_int 1', 'advert_int 1\n version 3'), conf(100, uni('198.51.100.2', '198.51.100.1')).replace('advert_int 1', 'advert_int 1\n version 3'));
    t.lan.clock.runUntil(6000);
    expect(t.rtA.status()[0]!.state).toBe('MASTER');
    expect(t.rtB.status()[0]!.state).toBe('BACKUP');
    expect(new Set(t.lan.wire.map((w) => w.dst))).toEqual(new Set(['198.51.100.2']));
  });
});
