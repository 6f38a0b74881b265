/**
 * rt.report(): what `keepalived-ts status` and the metrics read. Instances with their last
 * transition and tracked objects, sync groups, trackers, the notify queue, and the sections a
 * second subsystem (LVS) fills through the seam's `status`. Plus the counters behind it:
 * master changes and priority-zero adverts received.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import type { Subsystem, SubsystemFactory } from '../../actors/subsystem.js';
import { SUBSYSTEMS } from '../../actors/subsystems.js';
import type { VirtualServerStatus } from '../../actors/runtime-types.js';
import { FakeLan } from './fake-ports.js';
import { model, twoNodes, vi1 } from './two-nodes.js';

const SCRIPT = `vrrp_script chk {
  script /bin/chk
  interval 1
  weight -20
}`;
const GROUP = 'vrrp_sync_group G1 { group { VI_1 } }';

describe('rt.report()', () => {
  it('instances with priorities, master, VIPs, last transition and tracked objects; groups and trackers', () => {
    const { lan, a, rtA, rtB } = twoNodes(vi1(150, 'track_script { chk }', SCRIPT), vi1(140));
    a.scripts['/bin/chk'] = { exitCode: 1 };
    lan.clock.runUntil(6000);
    const ra = rtA.report();
    expect(ra.instances).toHaveLength(1);
    const ia = ra.instances[0]!;
    expect(ia).toMatchObject({ name: 'VI_1', state: 'BACKUP', basePriority: 150, effectivePriority: 130, masterAddress: '198.51.100.2' });
    expect(ia.lastTransition).toMatchObject({ to: 'BACKUP', reason: expect.any(String) });
    expect(ia.lastTransition!.at).toBeLessThanOrEqual(ra.clockNow);
    expect(ia.tracked).toEqual([
      { kind: 'interface', name: 'eth0', weight: 0, reverse: false, known: true, ok: true, value: 1, effect: 0 },
      { kind: 'script', name: 'chk', weight: -20, reverse: false, known: true, ok: false, value: 0, effect: -20 },
    ]);
    expect(ra.syncGroups).toEqual([]);
    expect(ra.trackers).toEqual(
      expect.arrayContaining([
        { kind: 'script', name: 'chk', known: true, ok: false, value: 0 },
        { kind: 'interface', name: 'eth0', known: true, ok: true, value: 1 },
      ]),
    );
    expect(ra.notifyQueue).toBe(0);
    expect(ra.virtualServers).toEqual([]);

    const ib = rtB.report().instances[0]!;
    expect(ib).toMatchObject({ state: 'MASTER', basePriority: 140, effectivePriority: 140, masterAddress: '198.51.100.2', vipsInstalled: ['198.51.100.100/24'] });
    expect(ib.lastTransition).toMatchObject({ from: 'BACKUP', to: 'MASTER' });
    expect(rtB.status()).toEqual(rtB.report().instances);
  });

  it('counts master changes and priority-zero adverts received', () => {
    const { lan, rtA, rtB } = twoNodes(vi1(150), vi1(100, '', GROUP));
    lan.clock.runUntil(5000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(rtB.report().syncGroups).toEqual([{ name: 'G1', state: 'BACKUP', members: ['VI_1'] }]);
    expect(rtB.report().instances[0]!.syncGroup).toBe('G1');
    expect(rtB.counters()['VI_1:master_changes']).toBeUndefined();
    rtA.stop();
    lan.clock.runUntil(9000);
    expect(rtB.status()[0]!.state).toBe('MASTER');
    expect(rtB.report().instances[0]!.lastTransition).toMatchObject({ from: 'BACKUP', to: 'MASTER', reason: 'sync-group' });
    const c = rtB.counters();
    expect(c['VI_1:priority_zero_received']).toBe(1);
    // a → b: one change of master as b sees it.
    expect(c['VI_1:master_changes']).toBe(1);
  });

  it('a second subsystem fills its own sections (virtual servers) through the seam', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const vs: VirtualServerStatus = {
      name: '198.51.100.10:80',
      source: { file: 'keepalived.conf', line: 1 },
      services: [{ family: 4, protocol: 'TCP', address: '198.51.100.10', port: 80, scheduler: 'rr', persistenceTimeoutS: 0 }],
      backend: 'sim',
      quorum: 1,
      hysteresis: 0,
      quorumUp: true,
      liveWeight: 1,
      omega: false,
      haSuspend: false,
      checkersEnabled: true,
      realServers: [],
    };
    const lvsLike: SubsystemFactory = () =>
      ({
        children: {},
        plan: () => ({ plan: {}, problems: [] }),
        sweep: () => [],
        start: () => [],
        reload: () => [],
        release: () => [],
        drain: () => [],
        close: () => undefined,
        status: () => ({ virtualServers: [vs] }),
      }) satisfies Subsystem;
    const rt = createRuntime(a.ports(), model(vi1(150)), { name: 'a' }, [...SUBSYSTEMS, lvsLike]);
    expect(rt.report().virtualServers).toEqual([]);
    rt.start();
    lan.clock.runUntil(10);
    const r = rt.report();
    expect(r.virtualServers).toEqual([vs]);
    expect(r.instances.map((i) => i.name)).toEqual(['VI_1']);
  });
});
