/**
 * reload(newModel) as a diff: unchanged instances keep state and VIPs, VIP list changes are
 * applied in place, removed instances report DELETED, new ones start, a priority change needs no
 * restart, tracking changes replace only the tracking actor.
 */
import { describe, expect, it } from 'vitest';
import { compileText } from '../../config/index.js';
import { createRuntime } from '../../actors/runtime.js';
import type { RuntimeEvent } from '../../actors/runtime-types.js';
import { FakeLan } from './fake-ports.js';

type Inst = { name: string; vrid: number; priority: number; vips: string[]; extra?: string };
const conf = (insts: Inst[], top = '') =>
  `${top}\n` +
  insts
    .map(
      (i) => `vrrp_instance ${i.name} {
  interface eth0
  virtual_router_id ${i.vrid}
  priority ${i.priority}
  advert_int 1
  notify_deleted
  ${i.extra ?? ''}
  virtual_ipaddress {
    ${i.vips.join('\n    ')}
  }
}`,
    )
    .join('\n');

function node(insts: Inst[], top = '') {
  const lan = new FakeLan();
  const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  const rt = createRuntime(a.ports(), compileText(conf(insts, top)).model, { name: 'a' });
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  rt.start();
  lan.clock.runUntil(5000);
  const states = () => events.filter((e) => e.type === 'instance.state').map((e) => [e.at, (e as { instance: string }).instance, (e as { to: string }).to]);
  const reload = (next: Inst[], nextTop = '') => rt.reload(compileText(conf(next, nextTop)).model);
  return { lan, a, rt, events, states, reload };
}

const VI_1: Inst = { name: 'VI_1', vrid: 51, priority: 150, vips: ['198.51.100.100/24'] };
const VI_2: Inst = { name: 'VI_2', vrid: 52, priority: 150, vips: ['198.51.100.110/24'] };

describe('reload', () => {
  it('an unchanged MASTER keeps its state; a changed VIP list is applied in place and announced', () => {
    const t = node([VI_1]);
    expect(t.rt.status()[0]!.state).toBe('MASTER');
    const before = t.states().length;
    t.reload([{ ...VI_1, vips: ['198.51.100.100/24', '198.51.100.101/24'] }]);
    t.lan.clock.runUntil(6000);
    expect(t.states().length).toBe(before);
    expect(t.a.vips()).toEqual(['198.51.100.100/24', '198.51.100.101/24']);
    expect(t.rt.status()[0]!.vipsInstalled.sort()).toEqual(['198.51.100.100/24', '198.51.100.101/24']);
    expect(t.a.logLines()).toContain('(VI_1) Sending/queueing gratuitous ARPs on eth0 for 198.51.100.101');
    // The adverts now carry both addresses (count byte of the VRRP message).
    const last = t.lan.wire.at(-1)!;
    expect(last.data[20 + 3]).toBe(2);
    t.reload([VI_1]);
    t.lan.clock.runUntil(7000);
    expect(t.a.vips()).toEqual(['198.51.100.100/24']);
  });

  it('a removed instance releases its VIPs and reports DELETED; a new one starts from INIT', () => {
    const fifo = 'global_defs { vrrp_notify_fifo /run/ka.fifo }';
    const t = node([VI_1, VI_2], fifo);
    t.reload([VI_1, { name: 'VI_3', vrid: 53, priority: 100, vips: ['198.51.100.120/24'] }], fifo);
    t.lan.clock.runUntil(10_000);
    expect(t.states().filter(([at]) => (at as number) >= 5000)).toEqual([
      [5000, 'VI_2', 'DELETED'],
      [5000, 'VI_3', 'BACKUP'],
      [8609.375, 'VI_3', 'MASTER'],
    ]);
    expect(t.a.vips()).toEqual(['198.51.100.100/24', '198.51.100.120/24']);
    expect(t.rt.status().map((s) => s.name)).toEqual(['VI_1', 'VI_3']);
    expect(t.a.logLines()).toContain('(VI_2) sent 0 priority');
    expect(t.a.fifo.filter((f) => f.at >= 5000).map((f) => f.line)).toEqual(['INSTANCE "VI_2" DELETED 150', 'INSTANCE "VI_3" BACKUP 100', 'INSTANCE "VI_3" MASTER 100']);
  });

  it('a base priority change moves the effective priority without a restart', () => {
    const t = node([VI_1]);
    const before = t.states().length;
    t.reload([{ ...VI_1, priority: 90 }]);
    t.lan.clock.runUntil(6000);
    expect(t.states().length).toBe(before);
    expect(t.rt.status()[0]).toMatchObject({ state: 'MASTER', basePriority: 90, effectivePriority: 90 });
    expect(t.a.logLines()).toContain('(VI_1) Changing effective priority from 150 to 90');
    expect(t.lan.wire.at(-1)!.data[20 + 2]).toBe(90);
  });

  it('a changed VRID restarts the instance quietly (no STOP/DELETED), as a new actor', () => {
    const t = node([VI_1]);
    t.reload([{ ...VI_1, vrid: 61 }]);
    t.lan.clock.runUntil(9000);
    expect(t.states().filter(([at]) => (at as number) >= 5000)).toEqual([
      [5000, 'VI_1', 'BACKUP'],
      [8414.062, 'VI_1', 'MASTER'],
    ]);
    expect(t.lan.wire.at(-1)!.data[20 + 1]).toBe(61);
  });

  it('adding a weighted track_script to a running instance replaces only its tracking', () => {
    const t = node([VI_1]);
    t.a.scripts['/bin/chk'] = { exitCode: 1 };
    const before = t.states().length;
    t.reload([{ ...VI_1, extra: 'track_script { chk }' }], 'vrrp_script chk { script /bin/chk\n interval 1\n weight -50 }');
    t.lan.clock.runUntil(5500);
    expect(t.states().length).toBe(before);
    expect(t.rt.status()[0]).toMatchObject({ state: 'MASTER', effectivePriority: 100 });
    t.a.scripts['/bin/chk'] = { exitCode: 0 };
    t.lan.clock.runUntil(6100);
    expect(t.rt.status()[0]!.effectivePriority).toBe(150);
  });
});
