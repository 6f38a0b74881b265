/**
 * The start-up sweep inside the runtime (the daemon statechart's starting.sweeping, over the
 * NetConfig port): VIPs a dead predecessor left are removed before any actor starts, so a
 * restarted BACKUP never answers for an address it does not own; the simulator rehearses it.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import { buildPlan } from '../../actors/vrrp/plan.js';
import { leftoverVips } from '../../actors/vrrp/sweep.js';
import { FakeLan } from './fake-ports.js';
import { eth0, model, vi1 } from './two-nodes.js';

describe('start-up sweep of leftover VIPs', () => {
  it('finds configured VIPs on their interface at any prefix length, and leaves owners and other addresses alone', () => {
    const conf = `${vi1(100, 'virtual_ipaddress_excluded { 2001:db8::7/64 }')}
vrrp_instance OWNER {
  interface eth0
  virtual_router_id 52
  priority 255
  virtual_ipaddress { 198.51.100.1/24 }
}`;
    const ifs = eth0(['198.51.100.1/24', '198.51.100.100/32', '2001:db8:0::7/128', '198.51.100.101/24']);
    const { plan } = buildPlan(model(conf), ifs, { hostname: 'a' });
    expect(leftoverVips(plan, ifs)).toEqual([
      { instance: 'VI_1', spec: { address: '198.51.100.100', prefixLength: 32, family: 4, ifname: 'eth0' } },
      { instance: 'VI_1', spec: { address: '2001:db8::7', prefixLength: 128, family: 6, ifname: 'eth0' } },
    ]);
    expect(leftoverVips(plan, [])).toEqual([]);
  });

  it('with the same VIP in two instances and twice on the interface: reported once, for the first instance, at the first address\'s prefix', () => {
    const conf = `${vi1(100)}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority 100
  virtual_ipaddress { 198.51.100.100/24 }
}`;
    const ifs = eth0(['198.51.100.100/30', '198.51.100.100/32']);
    const { plan } = buildPlan(model(conf), ifs, { hostname: 'a' });
    expect(leftoverVips(plan, ifs)).toEqual([{ instance: 'VI_1', spec: { address: '198.51.100.100', prefixLength: 30, family: 4, ifname: 'eth0' } }]);
  });

  it("keepalived's start-up lines (-D): each interface's own addresses once, then every non-owner instance's removal lines, leftovers or not", () => {
    const conf = `${vi1(100, 'virtual_ipaddress_excluded { 2001:db8::7/64 }\n  virtual_routes { 203.0.113.0/24 via 198.51.100.254 }')}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 53
  priority 100
  virtual_ipaddress { 198.51.100.102/24 }
}
vrrp_instance OWNER {
  interface eth0
  virtual_router_id 52
  priority 255
  virtual_ipaddress { 198.51.100.200/24 }
}`;
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const rt = createRuntime(a.ports(), model(conf), { name: 'a' });
    rt.start();
    expect(a.logLines().slice(0, 7)).toEqual([
      'Starting VRRP runtime a',
      'Assigned address 198.51.100.1 for interface eth0',
      'Assigned address fe80::1 for interface eth0',
      '(VI_1) removing Virtual Routes',
      '(VI_1) removing VIPs.',
      '(VI_1) removing E-VIPs.',
      '(VI_2) removing VIPs.',
    ]);
    lan.clock.runUntil(1);
    expect(a.logLines().slice(7)).toEqual(['(VI_1) Entering BACKUP STATE (init)', '(VI_2) Entering BACKUP STATE (init)', '(OWNER) Receive advertisement timeout', '(OWNER) Entering MASTER STATE', '(OWNER) setting VIPs.', '(OWNER) Sending/queueing gratuitous ARPs on eth0 for 198.51.100.200', ...Array(5).fill('Sending gratuitous ARP on eth0 for 198.51.100.200')]);
  });

  it('an owner that waits for an unweighted script gets the removal lines (keepalived holds it in FAULT), then takes over silently', () => {
    const conf = `vrrp_script chk {
  script "/bin/chk"
  interval 1
}
vrrp_instance OWNER {
  interface eth0
  virtual_router_id 52
  priority 255
  track_script { chk }
  virtual_ipaddress { 198.51.100.200/24 }
}`;
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const rt = createRuntime(a.ports(), model(conf), { name: 'a' });
    rt.start();
    lan.clock.runUntil(100);
    const lines = a.logLines().filter((l) => !/^Sending gratuitous ARP/.test(l));
    expect(lines.slice(0, 4)).toEqual(['Starting VRRP runtime a', 'Assigned address 198.51.100.1 for interface eth0', 'Assigned address fe80::1 for interface eth0', '(OWNER) removing VIPs.']);
    expect(lines.slice(4)).toEqual(['VRRP_Script(chk) succeeded', '(OWNER) Entering MASTER STATE', '(OWNER) setting VIPs.', '(OWNER) Sending/queueing gratuitous ARPs on eth0 for 198.51.100.200']);
  });

  it('a restarted runtime removes the VIP its killed predecessor left, then starts in BACKUP', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    a.addresses.add('198.51.100.100/24');
    const rt = createRuntime(a.ports(), model(vi1(150)), { name: 'a' });
    const states: string[] = [];
    rt.on((e) => {
      if (e.type === 'instance.state') states.push(`${e.to}@${e.at}`);
    });
    rt.start();
    // Nothing has started while the removal is in flight.
    const start = ['Starting VRRP runtime a', 'Assigned address 198.51.100.1 for interface eth0', 'Assigned address fe80::1 for interface eth0', '(VI_1) removing VIPs.'];
    expect(a.logLines()).toEqual(start);
    expect(rt.status()[0]).toMatchObject({ state: 'INIT' });
    lan.clock.runUntil(1);
    expect(a.vips()).toEqual([]);
    expect(a.logLines().slice(0, 6)).toEqual([...start, '(VI_1) removed leftover VIP 198.51.100.100/24 on eth0', '(VI_1) Entering BACKUP STATE (init)']);
    expect(states).toEqual(['BACKUP@0']);
    lan.clock.runUntil(5000);
    expect(rt.status()[0]).toMatchObject({ state: 'MASTER', vipsInstalled: ['198.51.100.100/24'] });
  });

  it('a failed removal is logged and start-up goes on; a stop during the sweep stops cleanly', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    a.addresses.add('198.51.100.100/24');
    a.netFail = (op) => (op.startsWith('removeAddress') ? 'Operation not permitted' : undefined);
    const rt = createRuntime(a.ports(), model(vi1(150)), { name: 'a' });
    rt.start();
    lan.clock.runUntil(1);
    expect(a.logLines()).toContain('(VI_1) cannot remove leftover VIP 198.51.100.100/24 on eth0: Operation not permitted');
    expect(rt.status()[0]).toMatchObject({ state: 'BACKUP' });

    const b = lan.node('b', '198.51.100.2', '02:00:00:00:00:02');
    b.addresses.add('198.51.100.100/24');
    const rtB = createRuntime(b.ports(), model(vi1(100)), { name: 'b' });
    let stopped = 0;
    rtB.on((e) => void (e.type === 'runtime.stopped' && stopped++));
    rtB.start();
    rtB.stop();
    lan.clock.runUntil(10);
    expect(stopped).toBe(1);
    expect(b.logLines()).toEqual(['Starting VRRP runtime b', 'Assigned address 198.51.100.2 for interface eth0', 'Assigned address fe80::1 for interface eth0', '(VI_1) removing VIPs.', 'Stopping', 'Stopped']);
    expect(rtB.status()[0]).toMatchObject({ state: 'INIT' });
  });
});
