/**
 * K-14 across two nodes: each runs a sync group of two instances. A group-level track_script
 * failing on the master node takes the whole group to FAULT there and the other node's group to
 * MASTER; members never split (S8), and group notifies carry GROUP and priority 0.
 */
import { describe, expect, it } from 'vitest';
import { compileText } from '../../config/index.js';
import { createRuntime } from '../../actors/runtime.js';
import type { RuntimeEvent } from '../../actors/runtime-types.js';
import { FakeLan } from './fake-ports.js';

const conf = (priority: number) => `
global_defs { vrrp_notify_fifo /run/ka.fifo }
vrrp_script chk_app { script /bin/chk_app
  interval 1 }
vrrp_sync_group G1 {
  group { VI_A VI_B }
  track_script { chk_app }
}
vrrp_instance VI_A {
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  virtual_ipaddress { 198.51.100.100/24 }
}
vrrp_instance VI_B {
  interface eth0
  virtual_router_id 52
  priority ${priority}
  advert_int 1
  virtual_ipaddress { 198.51.100.101/24 }
}`;

describe('sync groups across two nodes (K-14)', () => {
  it('a group-level script failure moves the whole group, on both nodes, without splitting members', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const b = lan.node('b', '198.51.100.2', '02:00:00:00:00:02');
    const rtA = createRuntime(a.ports(), compileText(conf(150)).model, { name: 'a' });
    const rtB = createRuntime(b.ports(), compileText(conf(100)).model, { name: 'b' });
    const events: Array<[string, RuntimeEvent]> = [];
    rtA.on((e) => events.push(['a', e]));
    rtB.on((e) => events.push(['b', e]));
    rtA.start();
    rtB.start();
    lan.clock.runUntil(8000);
    expect(rtA.status().map((s) => s.state)).toEqual(['MASTER', 'MASTER']);
    expect(rtB.status().map((s) => s.state)).toEqual(['BACKUP', 'BACKUP']);
    expect(a.vips()).toEqual(['198.51.100.100/24', '198.51.100.101/24']);

    a.scripts['/bin/chk_app'] = { exitCode: 1 };
    lan.clock.runUntil(16_000);
    expect(rtA.status().map((s) => s.state)).toEqual(['FAULT', 'FAULT']);
    expect(rtB.status().map((s) => s.state)).toEqual(['MASTER', 'MASTER']);
    expect(a.vips()).toEqual([]);
    expect(b.vips()).toEqual(['198.51.100.100/24', '198.51.100.101/24']);

    // S8: after every instant, each node's members are all MASTER or all non-MASTER.
    for (const node of ['a', 'b']) {
      const now = new Map<string, string>();
      const byTime = new Map<number, Array<[string, string]>>();
      for (const [n, e] of events) {
        if (n !== node || e.type !== 'instance.state') continue;
        byTime.set(e.at, [...(byTime.get(e.at) ?? []), [e.instance, e.to]]);
      }
      for (const changes of byTime.values()) {
        for (const [i, to] of changes) now.set(i, to);
        const masters = [...now.values()].filter((s) => s === 'MASTER').length;
        expect(masters === 0 || masters === now.size).toBe(true);
      }
    }
    const groupLines = (n: typeof a) => n.fifo.map((f) => f.line).filter((l) => l.startsWith('GROUP'));
    expect(groupLines(a)).toEqual(['GROUP "G1" BACKUP 0', 'GROUP "G1" MASTER 0', 'GROUP "G1" FAULT 0']);
    expect(groupLines(b)).toEqual(['GROUP "G1" BACKUP 0', 'GROUP "G1" MASTER 0']);
    expect(a.logLines()).toEqual(expect.arrayContaining(['VRRP_Group(G1) Syncing instances to FAULT state']));
  });
});
