/**
 * use_vmac through the runtime: the macvlan is created at start, the VIPs (and their GARPs, with
 * the virtual MAC) go on it, and it is deleted after the VIPs on a graceful stop. Ports without a
 * vmac port (the simulator) log that use_vmac is not available and keep the VIPs on the interface.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import { FakeLan } from './fake-ports.js';
import { model, twoNodes, vi1 } from './two-nodes.js';

describe('use_vmac', () => {
  it('creates vrrp.51 at start, puts the VIP on it, announces with the virtual MAC, deletes it on stop', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    a.vmacPort = true;
    const rtA = createRuntime(a.ports(), model(vi1(150, 'use_vmac')), { name: 'a' });
    rtA.start();
    lan.clock.runUntil(50);
    expect([...a.vmacs]).toEqual([['vrrp.51', '00:00:5e:00:01:33']]);
    lan.clock.runUntil(6000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(a.addressDevs.get('198.51.100.100/24')).toBe('vrrp.51');
    const f = a.frames[0]!;
    expect(f.ifname).toBe('vrrp.51');
    // Ethernet source MAC = the virtual MAC.
    expect([...f.bytes.slice(6, 12)]).toEqual([0, 0, 0x5e, 0, 1, 0x33]);
    let stopped = false;
    rtA.on((e) => {
      if (e.type === 'runtime.stopped') stopped = true;
    });
    rtA.stop();
    lan.clock.runUntil(7000);
    expect(stopped).toBe(true);
    expect(a.vips()).toEqual([]);
    expect(a.vmacs.size).toBe(0);
    expect(rtA.counters()['net_errors'] ?? 0).toBe(0);
  });

  const pair = (confA: string, confB: string) => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const b = lan.node('b', '198.51.100.2', '02:00:00:00:00:02');
    a.vmacPort = true;
    const rtA = createRuntime(a.ports(), model(confA), { name: 'a' });
    const rtB = createRuntime(b.ports(), model(confB), { name: 'b' });
    rtA.start();
    rtB.start();
    return { lan, a, b, rtA, rtB };
  };

  it('adverts leave from the VMAC, as keepalived sends them by default, and the VMAC socket hears the peer', () => {
    const { lan, a, rtA, rtB } = pair(vi1(150, 'use_vmac'), vi1(100));
    lan.clock.runUntil(10_000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(rtB.status()[0]!.state).toBe('BACKUP');
    const fromA = lan.wire.filter((w) => w.from === 'a');
    expect(fromA.length).toBeGreaterThan(3);
    expect(new Set(fromA.map((w) => w.ifname))).toEqual(new Set(['vrrp.51']));
    expect(a.logLines()).toContain('(VI_1) VRRP socket waits for VMAC vrrp.51');
    expect(rtA.counters()['socket_errors'] ?? 0).toBe(0);
    expect(rtA.counters()['VI_1:send_errors'] ?? 0).toBe(0);
  });

  it('a use_vmac backup hears the master on its VMAC socket and stays BACKUP', () => {
    const { lan, rtA, rtB } = pair(vi1(100, 'use_vmac'), vi1(150));
    lan.clock.runUntil(20_000);
    expect(rtB.status()[0]!.state).toBe('MASTER');
    expect(rtA.status()[0]!.state).toBe('BACKUP');
    expect(rtA.counters()['VI_1:adverts_received']).toBeGreaterThan(10);
  });

  it('an IPv6 use_vmac instance gets our link-local on its VMAC and sends its adverts there', () => {
    const v6 = (prio: number, extra = '') => `
vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 52
  version 3
  priority ${prio}
  advert_int 1
  use_vmac
  ${extra}
  virtual_ipaddress { 2001:db8::100/64 }
}`;
    const { lan, a, rtA, rtB } = pair(v6(150), v6(100));
    lan.clock.runUntil(10_000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(rtB.status()[0]!.state).toBe('BACKUP');
    expect(a.vmacSpecs).toEqual([{ baseIfname: 'eth0', vrid: 52, family: 6, name: 'vrrp.52', linkLocal: a.linkLocal }]);
    expect(new Set(lan.wire.filter((w) => w.from === 'a').map((w) => w.ifname))).toEqual(new Set(['vrrp.52']));
    const base = pair(v6(150, 'vmac_xmit_base'), v6(100));
    base.lan.clock.runUntil(10_000);
    expect(base.a.vmacSpecs[0]!.linkLocal).toBeUndefined();
    expect(new Set(base.lan.wire.filter((w) => w.from === 'a').map((w) => w.ifname))).toEqual(new Set(['eth0']));
  });

  it('vmac_xmit_base keeps the adverts on the base interface (the VIPs stay on the VMAC)', () => {
    const { lan, a, rtA } = pair(vi1(150, 'use_vmac\n    vmac_xmit_base'), vi1(100));
    lan.clock.runUntil(10_000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(new Set(lan.wire.filter((w) => w.from === 'a').map((w) => w.ifname))).toEqual(new Set(['eth0']));
    expect(a.addressDevs.get('198.51.100.100/24')).toBe('vrrp.51');
  });

  it('without a vmac port: logged, and the VIPs stay on the interface', () => {
    const { lan, a, rtA } = twoNodes(vi1(150, 'use_vmac'), vi1(100));
    lan.clock.runUntil(6000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(a.logLines()).toContain('(VI_1) use_vmac is not available here (not simulated) - VIPs stay on eth0');
    expect(a.addressDevs.get('198.51.100.100/24')).toBe('eth0');
  });
});
