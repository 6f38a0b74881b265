/**
 * Client connections to a virtual service: where the client's ARP cache sends them, what the
 * director's table does with them, and how the real server answers (DR, NAT, faults).
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../sim/world.js';
import { applyAll, dest, director, fault, holdVip, lvsWorld, RS1, RS2, SERVICE, VIP } from './helpers/lvs-world.js';

const traffic = (fromMs = 1000, untilMs = 2000, everyMs = 250) => [{ address: VIP, port: 80, everyMs, fromMs, untilMs, timeoutMs: 3000 }];

function results(w: World): string[] {
  return w.recorder.of('conn').map((c) => `${c.result}${c.server ? ` ${c.server}` : ''}${c.detail ? ` (${c.detail})` : ''}`);
}

function setUp(method: 'DR' | 'NAT' = 'DR', o: Parameters<typeof lvsWorld>[0] = {}) {
  const w = lvsWorld({ traffic: traffic(), ...o });
  const { ports } = director(w);
  applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1, 1, { method }) }]);
  holdVip(w, 'ds1');
  return { w, ports };
}

describe('client connections', () => {
  it('DR: director → real server → client; every connection served', () => {
    const { w } = setUp();
    w.runUntil(6000);
    expect(results(w)).toEqual(Array(4).fill('ok rs1'));
    const c = w.recorder.of('conn')[0]!;
    expect(c).toMatchObject({ host: 'client', service: `${VIP}:80`, director: 'ds1', dest: `${RS1}:80`, server: 'rs1', via: 'scheduler', status: 200 });
  });

  it('DR: a real server without the VIP on lo drops the packets (the classic forgotten loopback)', () => {
    const { w } = setUp('DR', { rs1: { loopback: [] } });
    w.runUntil(6000);
    expect(results(w)).toEqual(Array(4).fill('timeout rs1'));
  });

  it('NAT: the real server answers through the director, no VIP needed on it', () => {
    const { w } = setUp('NAT', { rs1: { loopback: [] } });
    w.runUntil(6000);
    expect(results(w)).toEqual(Array(4).fill('ok rs1'));
  });

  it('a refusing, an erroring and a slow real server, as the client sees them', () => {
    const { w } = setUp();
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    w.runUntil(1100);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'up' } });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'status', code: 502 } });
    w.runUntil(1300);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'up' } });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'slow', ms: 5000 } });
    w.runUntil(9000);
    expect(results(w)).toEqual(['refused rs1 (rs1 refused port 80)', 'error rs1', 'timeout rs1', 'timeout rs1']);
  });

  it('no virtual service, or no destination: the director answers RST itself', () => {
    const w = lvsWorld({ traffic: traffic(1000, 1100) });
    const { ports } = director(w);
    holdVip(w, 'ds1');
    w.runUntil(1500);
    applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }]);
    w.clock.at(2000, () => w.lvs.traffic.open(w.hosts.get('client')!, traffic()[0]!));
    w.runUntil(3000);
    expect(results(w)).toEqual([`refused (no virtual service ${VIP}:80 on ds1)`, `refused (no destination available for ${VIP}:80 on ds1)`]);
  });

  it('a stale ARP cache sends connections to a box without the VIP: they time out', () => {
    const { w } = setUp();
    w.hosts.get('client')!.neighbours.set(VIP, w.hosts.get('ds2')!.nics[0]!.mac);
    w.runUntil(6000);
    expect(results(w)).toEqual(Array(4).fill('timeout (ds2 does not hold 198.51.100.100)'));
  });

  it('a partition between director and real server, and a crashed real server: timeouts', () => {
    const { w } = setUp();
    fault(w, { kind: 'partition', segment: 'lan', groups: [['client', 'ds1'], ['rs1']] });
    w.runUntil(6000);
    expect(results(w)).toEqual(Array(4).fill('timeout rs1'));
    const b = setUp();
    fault(b.w, { kind: 'crash', host: 'rs1' });
    b.w.runUntil(6000);
    expect(results(b.w)).toEqual(Array(4).fill('timeout rs1'));
  });

  it('active connections count for lc while they last', () => {
    const w = lvsWorld({ traffic: [{ address: VIP, port: 80, everyMs: 100, fromMs: 1000, untilMs: 1400, timeoutMs: 3000 }] });
    const { ports } = director(w);
    const svc = { ...SERVICE, scheduler: 'lc' };
    applyAll(w, ports, [{ cmd: 'addService', service: svc }, { cmd: 'addDest', service: svc, dest: dest(RS1) }, { cmd: 'addDest', service: svc, dest: dest(RS2) }]);
    holdVip(w, 'ds1');
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'slow', ms: 1000 } });
    fault(w, { kind: 'server', host: 'rs2', service: 'tcp:80', action: { do: 'slow', ms: 1000 } });
    w.runUntil(5000);
    const servers = w.recorder.of('conn').map((c) => c.server);
    expect(servers.filter((s) => s === 'rs1')).toHaveLength(2);
    expect(servers.filter((s) => s === 'rs2')).toHaveLength(2);
    expect(w.hosts.get('ds1')!.lb.services.get(`tcp:${VIP}:80`)!.active.get(`${RS1}:80`)).toBe(0);
  });
});
