/**
 * Runtime.rehearse (actors/vrrp/takeover-rehearsal.ts): a throwaway instance runs the takeover
 * path (BACKUP → MASTER: advert, VIPs, GARPs) against I/O that goes nowhere. The rehearsal must be
 * seen nowhere: the same two nodes with and without rehearsals put the same bytes on the wire at
 * the same instants, log the same lines, hold the same VIPs and keep the same counters and timers.
 */
import { describe, expect, it } from 'vitest';
import { twoNodes, vi1 } from './two-nodes.js';

const VI_3 = `
vrrp_instance VI_3 {
  interface eth0
  virtual_router_id 53
  priority PRIO
  advert_int 1
  version 3
  virtual_ipaddress { 203.0.113.30/32 }
}`;
const VI_2 = `
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority PRIO
  advert_int 1
  virtual_ipaddress { 203.0.113.20/32 }
}`;
const conf = (priority: number) => vi1(priority) + VI_2.replace('PRIO', String(priority)) + VI_3.replace('PRIO', String(priority));

/** Everything either node showed the world, as comparable data. */
function observed(n: ReturnType<typeof twoNodes>) {
  const counters = (rt: typeof n.rtA) => Object.fromEntries(Object.entries(rt.counters()).sort());
  return {
    wire: n.lan.wire.map((p) => [p.at, p.from, p.dst, Buffer.from(p.data).toString('hex')]),
    frames: [n.a, n.b].map((x) => x.frames.map((f) => [f.at, f.ifname, Buffer.from(f.bytes).toString('hex')])),
    logs: [n.a.logLines(), n.b.logLines()],
    events: n.events.map(([node, e]) => [node, JSON.stringify(e)]),
    vips: [n.a.vips(), n.b.vips()],
    counters: [counters(n.rtA), counters(n.rtB)],
    timers: n.lan.clock.pending(),
    fired: n.lan.clock.firedCount(),
  };
}

describe('takeover rehearsal', () => {
  it('runs the whole takeover for one instance per VRRP version, with its own counters', () => {
    const n = twoNodes(conf(150), conf(100));
    n.lan.clock.runUntil(10_000);
    for (const rt of [n.rtA, n.rtB]) {
      const results = rt.rehearse!();
      // VI_2 is a second VRRPv2/IPv4 instance: VI_1 stands for it.
      expect(results.map((r) => [r.instance, r.reached])).toEqual([
        ['VI_1', 'MASTER'],
        ['VI_3', 'MASTER'],
      ]);
      for (const r of results) {
        expect(r.counters[`${r.instance}:adverts_sent`]).toBe(1);
        expect(r.counters[`${r.instance}:garp_sent`]).toBe(5);
        expect(r.counters[`${r.instance}:transitions`]).toBe(2);
      }
    }
  });

  it('leaves no trace: the same run with and without rehearsals, to the byte and the microsecond', () => {
    const quiet = twoNodes(conf(150), conf(100));
    const rehearsed = twoNodes(conf(150), conf(100));
    // Before start-up is done, while both are BACKUP, after the election, and after the master
    // stops and the backup takes over.
    const at = [500, 2_000, 3_700, 10_000, 15_000, 20_000];
    for (const t of at) {
      quiet.lan.clock.runUntil(t);
      rehearsed.lan.clock.runUntil(t);
      for (const rt of [rehearsed.rtA, rehearsed.rtB]) for (const r of rt.rehearse!()) expect(r.reached).toBe('MASTER');
      expect(observed(rehearsed)).toEqual(observed(quiet));
      if (t === 10_000) {
        quiet.rtA.stop();
        rehearsed.rtA.stop();
      }
    }
    // The run did what a failover does: b holds all three VIPs at the end.
    expect(rehearsed.b.vips()).toEqual(['198.51.100.100/24', '203.0.113.20/32', '203.0.113.30/32']);
    expect(rehearsed.a.vips()).toEqual([]);
  });

  it('rehearses nothing before start or without instances', () => {
    const n = twoNodes(conf(150), '', false);
    expect(n.rtA.rehearse!()).toEqual([]);
    n.rtB.start();
    n.lan.clock.runUntil(1_000);
    expect(n.rtB.rehearse!()).toEqual([]);
  });
});
