/**
 * The simulated load-balancer table (backend 'sim'): the port's commands, the kernel copy that
 * outlives the daemon but not a power loss, the schedulers, persistence, and the trace events.
 */
import { describe, expect, it } from 'vitest';
import type { LbDestination, LbService } from '../../actors/lvs/lb-port.js';
import { buildBuckets, destKey, newSchedulerState, persistenceKey, pick, type SchedView } from '../../sim/lvs/scheduler.js';
import { lbServiceKey } from '../../sim/lvs/table.js';
import { applyAll, dest, director, fault, lvsWorld, RS1, RS2, SERVICE, SORRY, VIP } from './helpers/lvs-world.js';

const KEY = lbServiceKey(SERVICE);

describe('sim table port', () => {
  it('commands build the kernel table; repeats are not errors; setDest adds; delDest and delService remove', () => {
    const w = lvsWorld();
    const { host, ports } = director(w);
    expect(ports.lb.backend).toBe('sim');
    expect(applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1, 100) }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1, 100) }])).toEqual([]);
    expect(applyAll(w, ports, [{ cmd: 'setDest', service: SERVICE, dest: dest(RS2, 50) }])).toEqual([]);
    expect(host.lb.services.get(KEY)!.dests.map((d) => `${destKey(d)} ${d.weight}`)).toEqual([`${RS2}:80 50`, `${RS1}:80 100`]);
    expect(applyAll(w, ports, [{ cmd: 'setDest', service: SERVICE, dest: dest(RS1, 0) }, { cmd: 'delDest', service: SERVICE, dest: dest(RS2, 50) }])).toEqual([]);
    expect(host.lb.services.get(KEY)!.dests.map((d) => `${destKey(d)} ${d.weight}`)).toEqual([`${RS1}:80 0`]);
    let seen: unknown;
    ports.lb.view((v) => (seen = v));
    w.runUntil(w.clock.now() + 1);
    expect(seen).toMatchObject({ backend: 'sim', services: [{ service: SERVICE, destinations: [{ address: RS1, weight: 0 }] }] });
    expect(applyAll(w, ports, [{ cmd: 'delService', service: SERVICE }])).toEqual([]);
    expect(host.lb.services.size).toBe(0);
    const changes = w.recorder.of('lb').map((e) => `${e.op} ${e.dest ?? e.service}${e.weight !== undefined ? ` ${e.weight}` : ''}`);
    expect(changes).toEqual([
      `add-service ${KEY}`,
      `add-dest ${RS1}:80 100`,
      `add-dest ${RS2}:80 50`,
      `del-dest ${RS2}:80 50`,
      `set-dest ${RS1}:80 0`,
      `del-service ${KEY}`,
    ]);
  });

  it('errors are values: a destination for a service never added, a mixed family without TUN', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    expect(applyAll(w, ports, [{ cmd: 'addDest', service: SERVICE, dest: dest(RS1) }])).toEqual([`no such service ${KEY} (add the service first)`]);
    expect(applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest('2001:db8::21', 1, { family: 6 }) }])).toEqual([
      'an IPv6 destination in an IPv4 service needs lvs_method TUN',
    ]);
  });

  it('refuses the schedulers it does not model, by name', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    expect(ports.lb.refuses(SERVICE, ['DR'])).toBeUndefined();
    expect(ports.lb.refuses({ ...SERVICE, scheduler: 'lblcr' }, ['DR'])).toMatch(/does not model the "lblcr" scheduler/);
  });

  it('the kernel table outlives the daemon (a kill leaves it), not a power loss; lvs_flush and flush empty it', () => {
    const w = lvsWorld();
    const { host, proc, ports } = director(w);
    applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1) }]);
    proc.exit();
    expect(host.lb.services.size).toBe(1);
    const again = director(w);
    let errors: string[] | undefined;
    again.ports.lb.startup!({ lvsFlush: true }, (e) => (errors = e));
    w.runUntil(w.clock.now() + 1);
    expect(errors).toEqual([]);
    expect(host.lb.services.size).toBe(0);
    applyAll(w, again.ports, [{ cmd: 'addService', service: SERVICE }]);
    fault(w, { kind: 'crash', host: 'ds1' });
    expect(host.lb.services.size).toBe(0);
    expect(w.recorder.of('lb').filter((e) => e.op === 'flush').map((e) => e.reason)).toEqual(['lvs_flush', 'power loss']);
  });

  it('a daemon\'s own services are reconciled; services it never managed stay', () => {
    const w = lvsWorld();
    const { host, ports } = director(w);
    const other: LbService = { ...SERVICE, port: 8080 };
    host.lb.sync(lbServiceKey(other), other, [dest(RS2)]);
    host.lb.sync(KEY, SERVICE, [dest(RS2)]); // left over from an earlier run
    applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1) }]);
    expect(host.lb.services.get(KEY)!.dests.map((d) => d.address)).toEqual([RS1]);
    expect(host.lb.services.get(lbServiceKey(other))!.dests.map((d) => d.address)).toEqual([RS2]);
  });
});

function view(scheduler: string, dests: LbDestination[], flags: string[] = []): SchedView & { dests: LbDestination[]; active: Map<string, number> } {
  return { service: { ...SERVICE, scheduler, flags }, dests, active: new Map(), state: newSchedulerState() };
}

function sequence(v: SchedView, n: number, client = (i: number) => ({ address: `203.0.113.${i % 250}`, port: 40000 + i })): string[] {
  return Array.from({ length: n }, (_, i) => pick(v, client(i))?.address ?? '-');
}

describe('sim schedulers', () => {
  const A = '198.51.100.21';
  const B = '198.51.100.22';
  const C = '198.51.100.23';

  it('rr cycles over destinations with weight > 0 and continues after the last used', () => {
    const v = view('rr', [dest(A), dest(B, 0), dest(C)]);
    expect(sequence(v, 4)).toEqual([A, C, A, C]);
    v.dests.splice(0, 1);
    expect(sequence(v, 2)).toEqual([C, C]);
    expect(pick(view('rr', [dest(A, 0)]), { address: '203.0.113.1', port: 1 })).toBeUndefined();
  });

  it('wrr interleaves by weight (3:1) and skips weight 0', () => {
    const v = view('wrr', [dest(A, 3), dest(B, 1), dest(C, 0)]);
    const s = sequence(v, 8);
    expect(s.filter((x) => x === A)).toHaveLength(6);
    expect(s.filter((x) => x === B)).toHaveLength(2);
    expect(s.slice(0, 4)).toEqual([A, A, A, B]);
  });

  it('lc and wlc follow active connections (per weight); sed and nq; fo takes the heaviest', () => {
    const lc = view('lc', [dest(A), dest(B)]);
    lc.active.set(`${A}:80`, 2);
    expect(pick(lc, { address: '1.1.1.1', port: 1 })?.address).toBe(B);
    const wlc = view('wlc', [dest(A, 4), dest(B, 1)]);
    wlc.active.set(`${A}:80`, 3);
    wlc.active.set(`${B}:80`, 1);
    expect(pick(wlc, { address: '1.1.1.1', port: 1 })?.address).toBe(A);
    const nq = view('nq', [dest(A, 10), dest(B, 1)]);
    nq.active.set(`${A}:80`, 1);
    expect(pick(nq, { address: '1.1.1.1', port: 1 })?.address).toBe(B);
    expect(pick(view('fo', [dest(A, 5), dest(B, 9), dest(C, 9)]), { address: '1.1.1.1', port: 1 })?.address).toBe(B);
  });

  it('an upper threshold takes a destination out while it has that many connections', () => {
    const v = view('rr', [dest(A, 1, { upperThreshold: 1 }), dest(B)]);
    v.active.set(`${A}:80`, 1);
    expect(sequence(v, 3)).toEqual([B, B, B]);
  });

  it('sh: the same client always gets the same server, weight gives it more buckets; weight 0 gives none unless sh-fallback', () => {
    const v = view('sh', [dest(A, 3), dest(B, 1)]);
    const clients = Array.from({ length: 200 }, (_, i) => `203.0.113.${i}`);
    const first = clients.map((c) => pick(v, { address: c, port: 1 })?.address);
    expect(clients.map((c) => pick(v, { address: c, port: 9 })?.address)).toEqual(first);
    const onA = first.filter((x) => x === A).length;
    expect(onA).toBeGreaterThan(110);
    expect(onA).toBeLessThan(190);
    expect(buildBuckets([dest(A, 3), dest(B, 1)], true).slice(0, 8)).toEqual([`${A}:80`, `${A}:80`, `${A}:80`, `${B}:80`, `${A}:80`, `${A}:80`, `${A}:80`, `${B}:80`]);
    const down = view('sh', [dest(A, 0), dest(B, 1)]);
    const hashedToA = clients.find((c) => pick(view('sh', [dest(A, 1), dest(B, 1)]), { address: c, port: 1 })?.address === A)!;
    expect(pick(down, { address: hashedToA, port: 1 })).toBeUndefined();
    expect(pick(view('sh', [dest(A, 0), dest(B, 1)], ['sh-fallback']), { address: hashedToA, port: 1 })?.address).toBe(B);
  });

  it('persistence keys mask the client by the granularity', () => {
    expect(persistenceKey('203.0.113.77', '255.255.255.0')).toBe('203.0.113.0');
    expect(persistenceKey('203.0.113.77', undefined)).toBe('203.0.113.77');
  });
});

describe('sim table: schedulers meet client connections', () => {
  it('rr over two real servers: the trace says who served each connection; a removed one gets none', () => {
    const w = lvsWorld({ traffic: [{ address: VIP, port: 80, everyMs: 100, fromMs: 1000, untilMs: 3000, timeoutMs: 3000 }] });
    const { ports } = director(w);
    applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1) }, { cmd: 'addDest', service: SERVICE, dest: dest(RS2) }]);
    const ds1 = w.hosts.get('ds1')!;
    ds1.nics[0]!.addresses.push({ address: VIP, prefixLength: 24, family: 4, dynamic: true });
    w.runUntil(2000);
    applyAll(w, ports, [{ cmd: 'delDest', service: SERVICE, dest: dest(RS1) }]);
    w.runUntil(8000);
    const conns = w.recorder.of('conn');
    expect(conns).toHaveLength(20);
    const before = conns.filter((c) => c.start < 2000e3);
    expect(new Set(before.map((c) => c.server))).toEqual(new Set(['rs1', 'rs2']));
    expect(before.every((c) => c.result === 'ok' && c.director === 'ds1' && c.via === 'scheduler')).toBe(true);
    expect(conns.filter((c) => c.start > 2001e3).map((c) => c.server)).toEqual(Array(9).fill('rs2'));
    expect(w.recorder.of('violation')).toEqual([]);
  });

  it('persistence keeps a client on its server, even at weight 0 (a quiescent template), but not once it is deleted', () => {
    const w = lvsWorld({ traffic: [{ address: VIP, port: 80, everyMs: 500, fromMs: 1000, untilMs: 6000, timeoutMs: 2000 }] });
    const { ports } = director(w);
    const svc: LbService = { ...SERVICE, persistenceTimeoutS: 300 };
    applyAll(w, ports, [{ cmd: 'addService', service: svc }, { cmd: 'addDest', service: svc, dest: dest(RS1) }, { cmd: 'addDest', service: svc, dest: dest(RS2) }]);
    w.hosts.get('ds1')!.nics[0]!.addresses.push({ address: VIP, prefixLength: 24, family: 4, dynamic: true });
    w.runUntil(2200);
    const first = w.recorder.of('conn')[0]!.server!;
    const other = first === 'rs1' ? RS2 : RS1;
    const mine = first === 'rs1' ? RS1 : RS2;
    applyAll(w, ports, [{ cmd: 'setDest', service: svc, dest: dest(mine, 0) }]);
    w.runUntil(4200);
    applyAll(w, ports, [{ cmd: 'delDest', service: svc, dest: dest(mine, 0) }]);
    w.runUntil(9000);
    const conns = w.recorder.of('conn');
    expect(conns.filter((c) => c.start < 4200e3).every((c) => c.server === first)).toBe(true);
    expect(conns.filter((c) => c.start > 2200e3 && c.start < 4200e3).every((c) => c.via === 'persistence')).toBe(true);
    expect(conns.filter((c) => c.start > 4300e3).every((c) => c.dest === `${other}:80`)).toBe(true);
    expect(w.recorder.of('violation')).toEqual([]);
  });

  it('the sorry server is just a destination: connections go there when it is the only one', () => {
    const w = lvsWorld({ traffic: [{ address: VIP, port: 80, everyMs: 200, fromMs: 1000, untilMs: 2000, timeoutMs: 2000 }] });
    const { ports } = director(w);
    applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(SORRY) }]);
    w.hosts.get('ds1')!.nics[0]!.addresses.push({ address: VIP, prefixLength: 24, family: 4, dynamic: true });
    w.runUntil(5000);
    expect(w.recorder.of('conn').map((c) => c.server)).toEqual(Array(5).fill('sorry'));
  });
});
