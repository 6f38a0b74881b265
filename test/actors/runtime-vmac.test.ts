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

  it('without a vmac port: logged, and the VIPs stay on the interface', () => {
    const { lan, a, rtA } = twoNodes(vi1(150, 'use_vmac'), vi1(100));
    lan.clock.runUntil(6000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(a.logLines()).toContain('(VI_1) use_vmac is not available here (not simulated) - VIPs stay on eth0');
    expect(a.addressDevs.get('198.51.100.100/24')).toBe('eth0');
  });
});
