/**
 * The daemon's LVS subsystem (actors/lvs/, the real composition root) on a director, against the
 * simulator's real servers, prober and table: detection and recovery happen within the
 * invariants' bounds, quorum and sorry server switch at the thresholds, clients follow the table
 * — and the invariants stay silent. A planted bug (a table port that loses deletes) makes C1 and
 * C4 fire. Same seed, same trace bytes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TraceWriter } from '../../sim/out/trace.js';
import type { World } from '../../sim/world.js';
import type { LbCommand } from '../../actors/lvs/lb-port.js';
import type { CreateRuntime } from '../../actors/runtime-types.js';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { compile, fault, holdVip, lvsWorld, RS1, RS2, SORRY, VIP } from './helpers/lvs-world.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The page both directors expect: "ok\n". */
const CONF = `
virtual_server ${VIP} 80 {
  delay_loop 2
  lb_algo rr
  lb_kind DR
  protocol TCP
  quorum 2
  sorry_server ${SORRY} 80
  real_server ${RS1} 80 {
    weight 1
    HTTP_GET {
      url { path /health
            digest ${md5('ok\n')} }
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
  real_server ${RS2} 80 {
    weight 1
    TCP_CHECK { connect_timeout 1
      retry 1
      delay_before_retry 1 }
  }
}
`;

/** The daemon, with a table port that silently loses every command of kind `drop`. */
const losing =
  (drop: LbCommand['cmd']): CreateRuntime =>
  (ports, model, opts) => {
    const table = ports.lbTable!;
    const apply: typeof table.apply = (commands, done) => table.apply(commands.filter((c) => c.cmd !== drop), done);
    const lbTable = new Proxy(table, {
      get: (t, k) => (k === 'apply' ? apply : typeof Reflect.get(t, k) === 'function' ? (Reflect.get(t, k) as Function).bind(t) : Reflect.get(t, k)),
    });
    return createDaemonRuntime({ ...ports, lbTable }, model, opts);
  };

function run(o: { seed?: number; tracing?: boolean; loss?: number; drop?: LbCommand['cmd'] } = {}) {
  const w = lvsWorld({
    daemon: { model: compile(CONF), ...(o.drop ? { createRuntime: losing(o.drop) } : {}) },
    seed: o.seed ?? 1,
    tracing: o.tracing ?? false,
    ...(o.loss ? { segment: { lossPct: o.loss } } : {}),
    traffic: [{ address: VIP, port: 80, everyMs: 250, fromMs: 5000, untilMs: 80_000, timeoutMs: 2000 }],
  });
  holdVip(w, 'ds1');
  return { w };
}

function table(w: World): string {
  const ks = w.hosts.get('ds1')!.lb.services.get(`tcp:${VIP}:80`);
  return ks ? ks.dests.filter((d) => d.weight > 0).map((d) => d.address).sort().join(' ') : '-';
}

describe('LVS statecharts on the simulator', () => {
  it('a refusing server leaves within C1, quorum falls to the sorry server, recovery brings both back; no invariant fires', () => {
    const { w } = run();
    w.runUntil(10_000);
    expect(table(w)).toBe(`${RS1} ${RS2}`);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } }, 30_000);
    w.runUntil(40_000);
    expect(table(w)).toBe(SORRY);
    w.runUntil(60_000);
    expect(table(w)).toBe(`${RS1} ${RS2}`);
    w.runUntil(85_000);
    expect(w.recorder.of('violation').map((v) => `${v.id}: ${v.message}`)).toEqual([]);

    const quorum = w.recorder.of('lvs-quorum').map((e) => `${(e.t / 1e6).toFixed(3)} ${e.up ? 'up' : 'down'} ${e.sum}`);
    expect(quorum[0]).toBe('0.000 up 2');
    expect(quorum).toHaveLength(3);
    const lost = Number(quorum[1]!.split(' ')[0]);
    const back = Number(quorum[2]!.split(' ')[0]);
    // HTTP_GET, connect_timeout 1, delay_loop 2, retry 1, delay_before_retry 1: removal ≤ 1 + 2 + 2·1 + 1 = 6 s.
    expect(lost).toBeGreaterThan(10);
    expect(lost).toBeLessThanOrEqual(16.1);
    // recovery ≤ 1 + max(1, 2) + 1 + 1·(2 + 1) = 7 s.
    expect(back).toBeGreaterThan(40);
    expect(back).toBeLessThanOrEqual(47.1);

    const conns = w.recorder.of('conn');
    const served = (from: number, to: number) => [...new Set(conns.filter((c) => c.start >= from * 1e6 && c.start < to * 1e6 && c.result === 'ok').map((c) => c.server))].sort();
    expect(served(5, 10)).toEqual(['rs1', 'rs2']);
    expect(served(lost + 0.01, 40)).toEqual(['sorry']);
    expect(served(back + 0.01, 80)).toEqual(['rs1', 'rs2']);
    // Between the fault and the removal some clients were refused by rs1: what C1 bounds.
    expect(conns.filter((c) => c.result === 'refused' && c.server === 'rs1').length).toBeGreaterThan(0);
    expect(conns.filter((c) => c.result === 'refused' && c.start > (lost + 0.01) * 1e6)).toEqual([]);
  });

  it('a wrong page (digest) takes the HTTP_GET server out too; the TCP_CHECK server stays', () => {
    const { w } = run();
    w.runUntil(10_000);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'body', text: 'maintenance\n' } });
    fault(w, { kind: 'server', host: 'rs2', service: 'tcp:80', action: { do: 'body', text: 'maintenance\n' } });
    w.runUntil(30_000);
    expect(table(w)).toBe(SORRY);
    expect(w.recorder.of('lvs-checker').filter((e) => !e.up).map((e) => `${e.kind} ${e.rs}`)).toEqual([`HTTP_GET [${RS1}]:tcp:80`]);
    expect(w.recorder.of('violation')).toEqual([]);
  });

  it('a partition between director and real servers looks like dead servers: removed within the bound', () => {
    const { w } = run();
    w.runUntil(10_000);
    fault(w, { kind: 'partition', segment: 'lan', groups: [['ds1', 'ds2', 'client', 'sorry'], ['rs1', 'rs2']] }, 20_000);
    w.runUntil(17_000);
    expect(table(w)).toBe(SORRY);
    w.runUntil(45_000);
    expect(table(w)).toBe(`${RS1} ${RS2}`);
    expect(w.recorder.of('violation')).toEqual([]);
  });

  it('a planted bug (the table port loses every delete) is caught by C1 and C4', () => {
    const { w } = run({ drop: 'delDest' });
    w.runUntil(10_000);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    w.runUntil(40_000);
    const ids = [...new Set(w.recorder.of('violation').map((v) => v.id))].sort();
    expect(ids).toEqual(['C1', 'C4']);
  });

  it('same seed, same trace bytes (with 10 % loss); another seed, another trace', () => {
    const digest = (seed: number) => {
      const { w } = run({ seed, tracing: true, loss: 10 });
      const t = new TraceWriter();
      w.recorder.listen((e) => t.write(e));
      w.runUntil(60_000);
      return `${t.digest()} ${t.lines}`;
    };
    const a = digest(3);
    expect(digest(3)).toBe(a);
    expect(digest(4)).not.toBe(a);
  });
});
