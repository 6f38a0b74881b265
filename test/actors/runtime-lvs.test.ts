/**
 * The LVS subsystem through createRuntime (actors/lvs/): plan, start-up order, checkers through
 * the Prober port, table commands through the LbTablePort, notifies, stop, and a node without a
 * prober or a table. Reload has its own file (runtime-lvs-reload.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import { SPAWN_BATCH } from '../../actors/subsystem.js';
import type { RuntimeEvent } from '../../actors/runtime-types.js';
import { FakeLan } from './fake-ports.js';
import { FakeProber, lvsPorts, RecordingTable } from './lvs-fakes.js';
import { model, vi1 } from './two-nodes.js';

const VS = '[203.0.113.10]:tcp:80';
const rs = (n: number) => `[198.51.100.${n}]:tcp:80`;

const conf = (vsBody = '', top = '', rsBody = '') => `
global_defs {
  router_id lb1
  ${top}
}
virtual_server 203.0.113.10 80 {
  delay_loop 2
  lb_algo rr
  lb_kind NAT
  protocol TCP
  ${vsBody}
  real_server 198.51.100.21 80 {
    weight 1
    ${rsBody}
    TCP_CHECK { connect_timeout 1 }
  }
  real_server 198.51.100.22 80 {
    weight 3
    TCP_CHECK { connect_timeout 1 }
  }
}`;

function node(text: string, opts: { prober?: boolean; table?: boolean; duties?: boolean; subsystems?: string[] } = {}) {
  const lan = new FakeLan();
  const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  const prober = new FakeProber(lan.clock);
  const table = new RecordingTable(lan.clock, { duties: opts.duties ?? false });
  const rt = createRuntime(lvsPorts(a, opts.prober === false ? undefined : prober, opts.table === false ? undefined : table), model(text), {
    name: 'a',
    ...(opts.subsystems ? { subsystems: opts.subsystems } : {}),
  });
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  const lvsLines = () => a.logLines().filter((l) => !l.startsWith('Starting') && l !== 'Stopping' && l !== 'Stopped');
  return { lan, a, prober, table, rt, events, lvsLines };
}

describe('the LVS subsystem', () => {
  it('starts as keepalived does: services and destinations, quorum, then the checkers', () => {
    const n = node(conf());
    n.prober.modes.set('198.51.100.22', 'refuse');
    n.rt.start();
    n.lan.clock.runUntil(10);
    expect(n.lvsLines()).toEqual([`Gained quorum 1+0=1 <= 4 for VS ${VS}`, `Activating healthchecker for service ${rs(21)} for VS ${VS}`, `Activating healthchecker for service ${rs(22)} for VS ${VS}`]);
    expect(n.table.lines()).toEqual(['addService 203.0.113.10:80', 'addDest 203.0.113.10:80 198.51.100.21:80 w1', 'addDest 203.0.113.10:80 198.51.100.22:80 w3']);
    // warmup draws 0: the first checks at 1 s; the refused server goes at once (first result rule)
    n.lan.clock.runUntil(1500);
    expect(n.prober.attempts.map((p) => [p.at, p.address])).toEqual([
      [1000, '198.51.100.21'],
      [1000, '198.51.100.22'],
    ]);
    expect(n.lvsLines().slice(3)).toEqual([`TCP connection to ${rs(21)} success.`, `TCP_CHECK on service ${rs(22)} failed.`, `Removing service ${rs(22)} from VS ${VS}`]);
    expect(n.table.lines(500)).toEqual(['delDest 203.0.113.10:80 198.51.100.22:80 w3']);
    expect(n.events.filter((e) => e.type.startsWith('lvs.')).map((e) => e.type)).toEqual(['lvs.quorum', 'lvs.checker', 'lvs.server']);
  });

  it('a server that comes back is added again after one success', () => {
    const n = node(conf());
    n.prober.modes.set('198.51.100.22', 'refuse');
    n.rt.start();
    n.lan.clock.runUntil(1500);
    n.prober.modes.set('198.51.100.22', 'up');
    n.lan.clock.runUntil(4000);
    expect(n.lvsLines().slice(6)).toEqual([`TCP connection to ${rs(22)} success.`, `Adding service ${rs(22)} to VS ${VS}`]);
    expect(n.table.lines(1500)).toEqual(['addDest 203.0.113.10:80 198.51.100.22:80 w3']);
  });

  it('stops in keepalived order: checkers first, then "Shutting down service" and the deletes', () => {
    const n = node(conf());
    n.prober.modes.set('198.51.100.22', 'refuse');
    n.rt.start();
    n.lan.clock.runUntil(1500);
    const attempts = n.prober.attempts.length;
    n.rt.stop();
    n.lan.clock.runUntil(10_000);
    expect(n.a.logLines().slice(-4)).toEqual(['Stopping', `Shutting down service ${rs(21)} from VS ${VS}`, `Shutting down service ${rs(22)} from VS ${VS}`, 'Stopped']);
    expect(n.table.lines(1500)).toEqual(['delDest 203.0.113.10:80 198.51.100.21:80 w1', 'delService 203.0.113.10:80']);
    expect(n.prober.attempts.length).toBe(attempts);
    expect(n.events.at(-1)?.type).toBe('runtime.stopped');
  });

  it('omega: alive servers and the virtual server are notified at stop (scripts, FIFO lines)', () => {
    const n = node(conf('omega\n  quorum_down /bin/q-down', 'lvs_notify_fifo /run/lvs.fifo', 'notify_down /bin/rs-down'));
    n.rt.start();
    n.lan.clock.runUntil(1500);
    n.rt.stop();
    n.lan.clock.runUntil(10_000);
    expect(n.a.scriptRuns.map((r) => r.argv.join(' '))).toEqual(['/bin/rs-down', '/bin/q-down']);
    // quorum up at start, then at stop every alive server and the virtual server down
    expect(n.a.fifo.map((f) => f.line)).toEqual([`VS ${VS} UP`, `RS ${rs(21)} ${VS} DOWN`, `RS ${rs(22)} ${VS} DOWN`, `VS ${VS} DOWN`]);
  });

  it('lvs_flush_on_stop: no deletes of its own, the backend flushes', () => {
    const n = node(conf('', 'lvs_flush_on_stop'), { duties: true });
    n.rt.start();
    n.lan.clock.runUntil(1500);
    n.rt.stop();
    n.lan.clock.runUntil(10_000);
    expect(n.table.lines(1500)).toEqual([]);
    expect(n.table.duties).toEqual(['startup {"lvsFlushOnStop":"full"}', 'shutdown {"lvsFlushOnStop":"full"}']);
    expect(n.a.logLines().filter((l) => l.startsWith('Shutting down'))).toEqual([]);
  });

  it('quorum, sorry server and notifies follow the checkers', () => {
    const n = node(conf('quorum 4\n  sorry_server 198.51.100.99 80\n  quorum_up /bin/q-up\n  quorum_down /bin/q-down', 'notify_fifo /run/n.fifo'));
    n.prober.modes.set('198.51.100.22', 'refuse');
    n.rt.start();
    n.lan.clock.runUntil(1500);
    expect(n.lvsLines().filter((l) => !l.startsWith('Activating'))).toEqual([
      `Gained quorum 4+0=4 <= 4 for VS ${VS}`,
      `TCP connection to ${rs(21)} success.`,
      `TCP_CHECK on service ${rs(22)} failed.`,
      `Removing service ${rs(22)} from VS ${VS}`,
      `Lost quorum 4-0=4 > 1 for VS ${VS}`,
      `Adding sorry server [198.51.100.99]:tcp:80 to VS ${VS}`,
      `Removing alive servers from the pool for VS ${VS}`,
    ]);
    expect(n.table.lines(500)).toEqual([
      'delDest 203.0.113.10:80 198.51.100.22:80 w3',
      'delDest 203.0.113.10:80 198.51.100.21:80 w1',
      'addDest 203.0.113.10:80 198.51.100.99:80 w1',
    ]);
    expect(n.a.scriptRuns.map((r) => r.argv.join(' '))).toEqual(['/bin/q-up', '/bin/q-down']);
    expect(n.a.fifo.map((f) => f.line)).toEqual([`VS ${VS} UP`, `RS ${rs(22)} ${VS} DOWN`, `VS ${VS} DOWN`]);
  });

  it('a virtual server the backend cannot carry is logged once and not run; the others run', () => {
    const text = `${conf()}
virtual_server 203.0.113.11 80 {
  lb_algo wlc
  lb_kind DR
  protocol TCP
  real_server 198.51.100.31 80 { TCP_CHECK { connect_timeout 1 } }
}`;
    const n = node(text);
    n.table.refuse = (s, methods) => (methods.includes('DR') ? 'lvs_method DR needs IPVS' : undefined);
    n.rt.start();
    n.lan.clock.runUntil(1500);
    const errors = n.a.logs.filter(([, level]) => level === 'error').map(([, , m]) => m);
    expect(errors).toEqual([expect.stringMatching(/^VS \[203\.0\.113\.11\]:tcp:80 \(.*\) not started: the test backend cannot program it: lvs_method DR needs IPVS; VRRP and the other virtual servers run$/)]);
    expect(n.prober.attempts.map((p) => p.address).sort()).toEqual(['198.51.100.21', '198.51.100.22']);
    expect(n.rt.virtualServers!().map((v) => [v.name, v.refused ?? ''])).toEqual([
      [VS, ''],
      ['[203.0.113.11]:tcp:80', 'lvs_method DR needs IPVS'],
    ]);
  });

  it("a backend that carries nothing ('none') is named as no backend, not as a backend called none", () => {
    const n = node(conf());
    (n.table as { backend: string }).backend = 'none';
    n.table.refuse = () => 'lvs_backend ipvs, and the kernel has no IPVS';
    n.rt.start();
    n.lan.clock.runUntil(1500);
    const errors = n.a.logs.filter(([, level]) => level === 'error').map(([, , m]) => m);
    expect(errors).toEqual([expect.stringMatching(/^VS \[203\.0\.113\.10\]:tcp:80 \(.*\) not started: no load-balancer backend can program it: lvs_backend ipvs, and the kernel has no IPVS; VRRP and the other virtual servers run$/)]);
    expect(n.table.commands).toEqual([]);
  });

  it('without a prober nothing is checked, said once; VRRP runs as ever', () => {
    const n = node(`${vi1(150)}\n${conf()}`, { prober: false });
    n.rt.start();
    n.lan.clock.runUntil(5000);
    expect(n.a.logLines().filter((l) => l.startsWith('LVS:'))).toEqual(['LVS: no health-check prober here - 1 virtual server not checked and not programmed (VRRP is not affected)']);
    expect(n.rt.status()).toMatchObject([{ name: 'VI_1', state: 'MASTER' }]);
    expect(n.table.commands).toEqual([]);
  });

  it('without a table the servers are checked, not programmed (said once)', () => {
    const n = node(conf(), { table: false });
    n.prober.modes.set('198.51.100.22', 'refuse');
    n.rt.start();
    n.lan.clock.runUntil(1500);
    expect(n.a.logLines()).toContain('LVS: no load-balancer backend here - 1 virtual server are health-checked but not programmed (VRRP is not affected)');
    expect(n.a.logLines()).toContain(`Removing service ${rs(22)} from VS ${VS}`);
  });

  it("subsystems: ['lvs'] runs the checker side only, ['vrrp'] the VRRP side only", () => {
    const text = `${vi1(150)}\n${conf()}`;
    const c = node(text, { subsystems: ['lvs'] });
    c.rt.start();
    c.lan.clock.runUntil(5000);
    expect(c.a.logLines()[0]).toBe('Starting LVS runtime a');
    expect(c.rt.status()).toEqual([]);
    expect(c.a.logLines().some((l) => l.includes('VI_1'))).toBe(false);
    expect(c.table.commands.length).toBeGreaterThan(0);
    const v = node(text, { subsystems: ['vrrp'] });
    v.rt.start();
    v.lan.clock.runUntil(5000);
    expect(v.rt.status()).toMatchObject([{ name: 'VI_1', state: 'MASTER' }]);
    expect(v.table.commands).toEqual([]);
    expect(v.prober.attempts).toEqual([]);
  });

  it('a large configuration starts in batches: other work runs between them, keepalived order kept, every server checked', () => {
    // 600 real servers: more than two batches (SPAWN_BATCH) of real servers and of checkers.
    const servers = Array.from({ length: 600 }, (_, i) => `  real_server 198.51.${101 + Math.floor(i / 250)}.${1 + (i % 250)} 80 {\n    TCP_CHECK { connect_timeout 1 }\n  }`);
    const text = `global_defs {\n  router_id lb1\n}\nvirtual_server 203.0.113.10 80 {\n  delay_loop 2\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${servers.join('\n')}\n}`;
    const n = node(text);
    const activated = () => n.lvsLines().filter((l) => l.startsWith('Activating healthchecker')).length;
    // A timer of the same instant that keeps coming back: what it sees is what another event
    // (the parent's hello in the daemon) would see between two batches.
    const seen: number[] = [];
    const tick = (): void => {
      seen.push(activated());
      if (seen.length < 50 && activated() < 600) n.lan.clock.setTimeout(tick, 0);
    };
    n.rt.start();
    n.lan.clock.setTimeout(tick, 0);
    n.lan.clock.runUntil(10);
    expect(seen[0]).toBe(0);
    expect(seen).toContain(SPAWN_BATCH);
    expect(seen).toContain(2 * SPAWN_BATCH);
    expect(activated()).toBe(600);
    const want = Array.from({ length: 600 }, (_, i) => `Activating healthchecker for service [198.51.${101 + Math.floor(i / 250)}.${1 + (i % 250)}]:tcp:80 for VS ${VS}`);
    expect(n.lvsLines().filter((l) => l.startsWith('Activating'))).toEqual(want);
    n.lan.clock.runUntil(1500);
    expect(new Set(n.prober.attempts.map((a) => a.address)).size).toBe(600);
    expect(n.table.lines().filter((l) => l.startsWith('addDest')).length).toBe(600);
  });
});
