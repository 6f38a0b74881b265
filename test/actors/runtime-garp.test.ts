/**
 * Gratuitous ARP / unsolicited NA timing end to end through the runtime: garp_master_repeat,
 * garp_master_delay (second burst), garp_master_refresh (+ _repeat), and the per-interface pacing
 * of vrrp_garp_interval / vrrp_gna_interval (keepalived's garp_delay), counted on the fake LAN.
 */
import { describe, expect, it } from 'vitest';
import { twoNodes } from './two-nodes.js';

const conf = (priority: number, global = '') => `
global_defs {
  ${global}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  garp_master_delay 2
  garp_master_repeat 3
  garp_master_refresh 10
  garp_master_refresh_repeat 2
  virtual_ipaddress {
    198.51.100.100/24
    198.51.100.101/24
  }
}`;

/** Frame times in seconds relative to the first one, rounded to the ms. */
const relTimes = (frames: Array<{ at: number }>) => frames.map((f) => Math.round(f.at - frames[0]!.at) / 1000);

describe('GARP bursts and pacing through the runtime', () => {
  it('without vrrp_garp_interval: bursts of repeat × VIPs back to back, second burst after garp_master_delay, refresh', () => {
    const { lan, a, rtA } = twoNodes(conf(150), conf(100));
    lan.clock.runUntil(20_000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    const t = relTimes(a.frames);
    // 3 repeats × 2 VIPs at once, the same again 2 s later, then 2 × 2 every 10 s.
    expect(t).toEqual([0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 10, 10, 10, 10]);
    expect(rtA.counters()['garp_sent']).toBe(16);
  });

  it('vrrp_garp_interval spaces every frame on the interface, across bursts', () => {
    const { lan, a, b, rtA } = twoNodes(conf(150, 'vrrp_garp_interval 0.1'), conf(100, 'vrrp_garp_interval 0.1'));
    lan.clock.runUntil(20_000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    const t = relTimes(a.frames);
    expect(t).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 2, 2.1, 2.2, 2.3, 2.4, 2.5, 10, 10.1, 10.2, 10.3]);
    expect(b.frames).toEqual([]);
  });

  it('vrrp_gna_interval paces unsolicited NAs; queued frames are dropped when the VIPs go', () => {
    const v6 = (priority: number) =>
      conf(priority, 'vrrp_gna_interval 0.5').replace(/198\.51\.100\.10(\d)\/24/g, '2001:db8::10$1/64');
    const { lan, a, rtA } = twoNodes(v6(150), v6(100));
    let masterAt = 0;
    rtA.on((e) => {
      if (e.type === 'instance.state' && e.to === 'MASTER') masterAt = e.at;
    });
    lan.clock.runUntil(masterAt || 3000);
    while (!masterAt) lan.clock.step();
    // 6 NAs paced 0.5 s apart: after 1.2 s three have gone; stopping now drops the other three.
    lan.clock.runUntil(masterAt + 1200);
    expect(rtA.counters()['na_sent']).toBe(3);
    rtA.stop();
    lan.clock.runUntil(masterAt + 10_000);
    expect(rtA.counters()['na_sent']).toBe(3);
    expect(relTimes(a.frames)).toEqual([0, 0.5, 1]);
  });
});
