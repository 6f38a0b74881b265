/**
 * Gratuitous ARP / unsolicited NA timing end to end through the runtime: garp_master_repeat,
 * garp_master_delay (second burst), garp_master_refresh (+ _repeat), and the per-interface pacing
 * of vrrp_garp_interval / vrrp_gna_interval (keepalived's garp_delay), counted on the fake LAN.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import type { InterfaceInfo, Logger, LogLevel, NetConfig } from '../../actors/ports.js';
import { FakeLan } from './fake-ports.js';
import { model, twoNodes } from './two-nodes.js';

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

describe('GARP lines and MACs', () => {
  /** Node a alone on the LAN (master after its Master_Down_Interval); its runtime has no listener
   *  unless `listen`, and its logger drops `detail` lines when `quiet` (the daemon's without -D). */
  function alone(opts: { quiet: boolean; listen?: boolean; net?: (net: NetConfig) => NetConfig }) {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const base = a.ports();
    const asked: string[] = [];
    const logger: Logger = {
      log: (level, message) => {
        asked.push(message);
        base.logger.log(level, message);
      },
      ...(opts.quiet ? { enabled: (level: LogLevel) => level !== 'detail' && level !== 'debug' } : {}),
    };
    const rt = createRuntime({ ...base, logger, net: opts.net ? opts.net(base.net) : base.net }, model(conf(150)), { name: 'a' });
    const logEvents: string[] = [];
    if (opts.listen) rt.on((e) => void (e.type === 'log' && logEvents.push(e.message)), ['log']);
    rt.start();
    return { lan, a, rt, asked, logEvents };
  }
  const garpLines = (logs: Array<[number, LogLevel, string]>) => logs.filter(([, , m]) => /gratuitous ARP/.test(m));

  it('without -D the per-frame lines are not built: the logger is not asked, the frames and counters are the same', () => {
    const loud = alone({ quiet: false });
    const quiet = alone({ quiet: true });
    loud.lan.clock.runUntil(20_000);
    quiet.lan.clock.runUntil(20_000);
    // Three bursts (master, garp_master_delay, refresh): a queueing line per VIP and a line per frame.
    expect(garpLines(loud.a.logs).length).toBe(3 * 2 + 16);
    expect(quiet.asked.filter((m) => /gratuitous ARP/.test(m))).toEqual([]);
    expect(quiet.a.frames.map((f) => [f.at, f.ifname, [...f.bytes]])).toEqual(loud.a.frames.map((f) => [f.at, f.ifname, [...f.bytes]]));
    expect(quiet.rt.counters()).toEqual(loud.rt.counters());
  });

  it('a listener on log events still gets the lines without -D', () => {
    const quiet = alone({ quiet: true, listen: true });
    quiet.lan.clock.runUntil(20_000);
    expect(quiet.logEvents.filter((m) => /gratuitous ARP/.test(m)).length).toBe(3 * 2 + 16);
  });

  it('an interface list handed back unchanged keeps its MACs; a new list (a new MAC) is used at the next burst', () => {
    let kept: readonly InterfaceInfo[] | undefined;
    const run = alone({
      quiet: true,
      // The same list until eth0's MAC changes, as the daemon's until a link event.
      net: (net) => ({
        ...net,
        interfaces: () => {
          const now = net.interfaces();
          if (kept?.[0]?.mac !== now[0]?.mac) kept = now;
          return kept!;
        },
      }),
    });
    const macOf = (bytes: Uint8Array) => [...bytes.subarray(6, 12)].map((x) => x.toString(16).padStart(2, '0')).join(':');
    run.lan.clock.runUntil(8_000); // the master's burst and its garp_master_delay burst
    expect(run.a.frames.length).toBe(12);
    run.a.mac = '02:00:00:00:00:99';
    run.lan.clock.runUntil(20_000); // the refresh
    expect(run.a.frames.map((f) => macOf(f.bytes))).toEqual([...Array<string>(12).fill('02:00:00:00:00:01'), ...Array<string>(4).fill('02:00:00:00:00:99')]);
  });
});
