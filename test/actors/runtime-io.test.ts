/**
 * The I/O glue on its own terms: drops counted by reason (R-31..R-39 via protocol/), unknown
 * VRIDs, IPv6 (v3, unsolicited NA), track_file and track_process through the runtime.
 */
import { describe, expect, it } from 'vitest';
import { compileText } from '../../config/index.js';
import { createRuntime } from '../../actors/runtime.js';
import { encodeVrrpIpv4Packet } from '../../protocol/vrrp/index.js';
import { FakeLan } from './fake-ports.js';
import { vi1 } from './two-nodes.js';

const v4 = vi1;

describe('receive validation through the runtime', () => {
  it('counts drops by reason and tells a MASTER about invalid packets for its VRID (K-10)', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const rogue = lan.node('r', '198.51.100.9', '02:00:00:00:00:09');
    const rt = createRuntime(a.ports(), compileText(v4(150)).model, { name: 'a' });
    rt.start();
    const sock = rogue.ports().vrrp.open({ family: 4, ifname: 'eth0', groups: ['224.0.0.18'], protocols: [112] }, () => {}, () => {});
    if ('error' in sock) throw new Error(sock.error);
    const pkt = (over: { vrid?: number; ttl?: number; priority?: number; version?: 2 | 3 }) =>
      encodeVrrpIpv4Packet(
        { version: over.version ?? 2, family: 4, vrid: over.vrid ?? 51, priority: over.priority ?? 100, advertIntervalCs: 100, addresses: ['198.51.100.100'] },
        { src: '198.51.100.9', dst: '224.0.0.18', ipId: 1, ttl: over.ttl ?? 255 },
      );
    lan.clock.runUntil(100);
    sock.send(pkt({ ttl: 64 }), '224.0.0.18');
    sock.send(pkt({ vrid: 99 }), '224.0.0.18');
    sock.send(pkt({ version: 3 }), '224.0.0.18');
    sock.send(new Uint8Array([0x45, 0, 0]), '224.0.0.18');
    lan.clock.runUntil(200);
    expect(rt.counters()).toMatchObject({
      packets_received: 4,
      'drop.bad-ttl': 1,
      'VI_1:drop.bad-ttl': 1,
      'drop.vrid-unknown': 1,
      'drop.bad-version': 1,
      'drop.too-short': 1,
    });
    expect(a.logLines()).toContain('(VI_1) TTL/hop limit 64, expected 255 - dropping advert from 198.51.100.9');
    // A valid lower-priority advert is accepted (not a drop) and the instance stays BACKUP until its timer.
    sock.send(pkt({}), '224.0.0.18');
    lan.clock.runUntil(300);
    expect(rt.counters()['adverts_received']).toBe(1);
    expect(a.logLines()).toContain('(VI_1) received lower priority (100) advert from 198.51.100.9 - discarding');
  });
});

describe('the strict-mode address owner (one layer decides)', () => {
  it('K-7 with owner_ignore_adverts (strict mode, RFC R-35) an owner discards every advert', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const rogue = lan.node('r', '198.51.100.9', '02:00:00:00:00:09');
    const rt = createRuntime(a.ports(), compileText(v4(255, 'state MASTER\n  strict_mode on')).model, { name: 'a' });
    rt.start();
    const sock = rogue.ports().vrrp.open({ family: 4, ifname: 'eth0', groups: ['224.0.0.18'], protocols: [112] }, () => {}, () => {});
    if ('error' in sock) throw new Error(sock.error);
    const pkt = (priority: number) =>
      encodeVrrpIpv4Packet(
        { version: 2, family: 4, vrid: 51, priority, advertIntervalCs: 100, addresses: ['198.51.100.100'] },
        { src: '198.51.100.9', dst: '224.0.0.18', ipId: 1, ttl: 255 },
      );
    lan.clock.runUntil(500);
    // Another owner (K-7 would demote us) and a release (we would answer at once): both dropped.
    sock.send(pkt(255), '224.0.0.18');
    sock.send(pkt(0), '224.0.0.18');
    lan.clock.runUntil(2000);
    expect(rt.status()[0]).toMatchObject({ state: 'MASTER', effectivePriority: 255 });
    expect(rt.counters()).toMatchObject({ 'drop.owner-ignores-adverts': 2, adverts_sent: 3 });
    expect(a.logLines()).toContain('(VI_1) address owner ignores adverts (strict mode) - dropping advert from 198.51.100.9');
    expect(a.logLines().join('\n')).not.toMatch(/CONFIGURATION ERROR|priority 0 message/);
  });
});

describe('IPv6 (VRRPv3)', () => {
  it('elects over IPv6 link-local sources and announces the VIP with unsolicited NAs', () => {
    const v6 = (priority: number) => `vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 61
  priority ${priority}
  advert_int 1
  virtual_ipaddress { 2001:db8::100/64 }
}`;
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const b = lan.node('bb', '198.51.100.2', '02:00:00:00:00:02');
    const ra = createRuntime(a.ports(), compileText(v6(150)).model, { name: 'a' });
    const rb = createRuntime(b.ports(), compileText(v6(100)).model, { name: 'b' });
    ra.start();
    rb.start();
    lan.clock.runUntil(6000);
    expect(ra.status()[0]).toMatchObject({ family: 6, state: 'MASTER', vipsInstalled: ['2001:db8::100/64'] });
    expect(rb.status()[0]).toMatchObject({ state: 'BACKUP', masterAddress: 'fe80::1' });
    expect(a.logLines()).toContain('(VI_6) Sending/queueing Unsolicited Neighbour Adverts on eth0 for 2001:db8::100');
    // Ethernet type 0x86dd, ICMPv6 type 136 (NA) at 14 + 40.
    const f = a.frames[0]!.bytes;
    expect([f[12], f[13], f[14 + 40]]).toEqual([0x86, 0xdd, 136]);
    expect(rb.counters()['adverts_received']).toBeGreaterThan(0);
  });
});

describe('an io actor that throws (a bug: ports report failures as values)', () => {
  it('leaves the instance in FAULT without its VIP, says which actor failed, counts it and reports actor.failed', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const ports = a.ports();
    ports.vrrp.sendFrame = () => {
      throw new Error('frame port exploded');
    };
    const rt = createRuntime(ports, compileText(v4(150)).model, { name: 'a' });
    const failed: unknown[] = [];
    rt.on((e) => failed.push(e), ['actor.failed']);
    rt.start();
    lan.clock.runUntil(5000);
    // MASTER after Master_Down_Interval, VIP added; its first gratuitous ARP goes through the io
    // actor, which throws: FAULT, and the subsystem gives the VIP up and says priority 0 itself.
    expect(rt.status()[0]!.state).toBe('FAULT');
    expect(a.logLines()).toContain('(VI_1) io actor failed: Error: frame port exploded');
    expect(a.vips()).toEqual([]);
    expect(rt.counters()).toMatchObject({ actor_errors: 1, vip_added: 1, vip_removed: 1, priority_zero_sent: 1 });
    expect(failed).toMatchObject([{ type: 'actor.failed', actor: 'vrrp/VI_1/io', error: 'Error: frame port exploded' }]);
    lan.clock.runUntil(9000);
    expect(a.vips()).toEqual([]);
  });
});

describe('track_file and track_process through the runtime (K-13)', () => {
  it('track_file: value × weight moves the priority; a value of −127 × 2 is FAULT', () => {
    const top = 'track_file f { file /run/prio\n weight 2 }';
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    a.files.set('/run/prio', '10\n');
    const rt = createRuntime(a.ports(), compileText(v4(100, 'track_file { f }', top)).model, { name: 'a' });
    rt.start();
    lan.clock.runUntil(100);
    expect(rt.status()[0]).toMatchObject({ state: 'BACKUP', effectivePriority: 120 });
    a.writeFile('/run/prio', '-5');
    lan.clock.runUntil(200);
    expect(rt.status()[0]!.effectivePriority).toBe(90);
    a.writeFile('/run/prio', '-127');
    lan.clock.runUntil(300);
    expect(rt.status()[0]!.state).toBe('FAULT');
    // keepalived -D (track_file.c), before the state it causes
    const lines = a.logLines();
    expect(lines.indexOf('(VI_1): tracked file f now FAULT state')).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf('(VI_1) Entering FAULT STATE')).toBeGreaterThan(lines.indexOf('(VI_1): tracked file f now FAULT state'));
  });

  it('the tracking lines: a FAULT the instance starts in, a tracked file entering and leaving FAULT (-D)', () => {
    const top = 'track_file f { file /run/prio\n weight 2 }';
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    a.setLink(false);
    a.files.set('/run/prio', '0\n');
    const rt = createRuntime(a.ports(), compileText(v4(100, 'track_file { f }', top)).model, { name: 'a' });
    rt.start();
    lan.clock.runUntil(100);
    expect(rt.status()[0]!.state).toBe('FAULT');
    expect(a.logLines()).toContain('(VI_1): entering FAULT state (interface eth0 down)');
    a.setLink(true);
    lan.clock.runUntil(200);
    expect(rt.status()[0]!.state).toBe('BACKUP');
    a.writeFile('/run/prio', '-127');
    lan.clock.runUntil(300);
    a.writeFile('/run/prio', '1');
    lan.clock.runUntil(400);
    expect(rt.status()[0]).toMatchObject({ state: 'BACKUP', effectivePriority: 102 });
    const lines = a.logLines();
    const entered = lines.indexOf('(VI_1): tracked file f now FAULT state');
    const left = lines.indexOf('(VI_1): tracked file f leaving FAULT state');
    expect(entered).toBeGreaterThanOrEqual(0);
    expect(left).toBeGreaterThan(entered);
    // Each said once: the observer keeps the fault sources between verdicts.
    expect(lines.filter((l) => l.includes('tracked file f'))).toHaveLength(2);
  });

  it('track_process: losing the quorum (weight 0) is FAULT, regaining it leaves FAULT', () => {
    const top = 'vrrp_track_process haproxy { process haproxy\n quorum 2 }';
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    a.setProcesses('haproxy', 2);
    const rt = createRuntime(a.ports(), compileText(v4(100, 'track_process { haproxy }', top)).model, { name: 'a' });
    rt.start();
    lan.clock.runUntil(1000);
    expect(rt.status()[0]!.state).toBe('BACKUP');
    a.setProcesses('haproxy', 1);
    lan.clock.runUntil(1100);
    expect(rt.status()[0]!.state).toBe('FAULT');
    expect(a.logLines()).toContain('Quorum lost for tracked process haproxy');
    a.setProcesses('haproxy', 3);
    lan.clock.runUntil(1200);
    expect(rt.status()[0]!.state).toBe('BACKUP');
  });

  it('without a process port, track_process counts as failed and says why', () => {
    const top = 'vrrp_track_process haproxy { process haproxy }';
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const { processes: _gone, ...ports } = a.ports();
    const rt = createRuntime(ports, compileText(v4(100, 'track_process { haproxy }', top)).model, { name: 'a' });
    rt.start();
    lan.clock.runUntil(100);
    expect(rt.status()[0]!.state).toBe('FAULT');
    expect(a.logLines().some((l) => l.includes('process tracking is not available on this platform'))).toBe(true);
  });
});
