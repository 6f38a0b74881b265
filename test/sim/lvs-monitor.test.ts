/**
 * The LVS invariants C1–C5, driven by hand: a director with a compiled virtual_server, its table
 * programmed through the sim table port the way the virtual-server statechart would, its LVS
 * events fed to World.onLvsEvent, and server faults on the simulated real servers. Each
 * invariant is shown to fire when its rule is broken and to stay silent when it is kept.
 */
import { describe, expect, it } from 'vitest';
import { DaemonProcess } from '../../sim/host/host.js';
import { WALL_ORIGIN_MS, type World } from '../../sim/world.js';
import { bounds } from './helpers/lvs-bounds.js';
import { applyAll, compile, dest, director, fault, holdVip, lvsWorld, RS1, RS2, SERVICE, SORRY, VIP } from './helpers/lvs-world.js';

const CONF = (extra = '', checker = 'TCP_CHECK { connect_timeout 3\n retry 1\n delay_before_retry 1 }', weight = 1) => `
virtual_server ${VIP} 80 {
  delay_loop 6
  lb_algo rr
  lb_kind DR
  protocol TCP
  ${extra}
  real_server ${RS1} 80 {
    weight ${weight}
    ${checker}
  }
  real_server ${RS2} 80 {
    weight ${weight}
    ${checker}
  }
}
`;

const VS = `[${VIP}]:tcp:80`;
const R1 = `[${RS1}]:tcp:80`;
const R2 = `[${RS2}]:tcp:80`;

function ids(w: World): string[] {
  return w.recorder.of('violation').map((v) => `${v.id} ${(v.t / 1e6).toFixed(2)}`);
}

/** The director as the virtual-server statechart leaves it at start: both servers in, quorum decided. */
function start(conf = CONF(), o: Parameters<typeof lvsWorld>[0] = {}, first = { up: true, sum: 2 }) {
  const w = lvsWorld(o);
  const d = director(w, 'ds1', compile(conf));
  applyAll(w, d.ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1) }, { cmd: 'addDest', service: SERVICE, dest: dest(RS2) }]);
  w.onLvsEvent(d.host, { type: 'lvs.quorum', vs: VS, ...first, threshold: 1 });
  return { w, ...d };
}

describe('C1: a server that stops answering leaves the pool within its bound', () => {
  // TCP_CHECK, connect_timeout 3, retry 1, delay_before_retry 1, delay_loop 6: 3 + 6 + 2·3 + 1 = 16 s.
  it('the bound comes from the config', () => {
    expect(bounds(compile(CONF()))).toEqual({ removal: 16_000, recovery: 12_000 });
  });

  it('fires when the refused server is still in the pool at the bound, not a moment before', () => {
    const { w } = start();
    w.runUntil(20_000);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    w.runUntil(36_000);
    expect(ids(w)).toEqual([]);
    w.runUntil(40_000);
    expect(ids(w)).toEqual(['C1 36.10']);
    expect(w.recorder.of('violation')[0]!.message).toMatch(
      new RegExp(`ds1: \\[${RS1}\\]:tcp:80 of VS \\[${VIP}\\]:tcp:80 stopped answering but stays in the pool \\(${RS1}:80 weight 1\\); TCP_CHECK \\(line \\d+\\) fails: bound 16.1s = 3s in flight \\+ 6s delay_loop \\+ 2 × 3s \\+ 1 × 1s delay_before_retry`),
    );
  });

  it('is silent when the server leaves in time (deleted, or weight 0 with inhibit_on_failure)', () => {
    for (const out of ['del', 'weight0'] as const) {
      const { w, ports } = start();
      w.runUntil(20_000);
      fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'drop' } });
      w.runUntil(35_000);
      applyAll(w, ports, [out === 'del' ? { cmd: 'delDest', service: SERVICE, dest: dest(RS1) } : { cmd: 'setDest', service: SERVICE, dest: dest(RS1, 0) }]);
      w.runUntil(80_000);
      expect(ids(w), out).toEqual([]);
    }
  });

  it('a partition between director and real server counts as not answering; a heal before the bound ends the episode', () => {
    const { w } = start();
    w.runUntil(10_000);
    const cut = [['ds1', 'ds2', 'rs1', 'sorry', 'client'], ['rs2']];
    fault(w, { kind: 'partition', segment: 'lan', groups: cut }, 10_000);
    w.runUntil(40_000);
    expect(ids(w)).toEqual([]);
    fault(w, { kind: 'partition', segment: 'lan', groups: cut });
    w.runUntil(60_000);
    expect(ids(w)).toEqual(['C1 56.10']);
  });

  it('a fault that does not affect this checker (a 500 under TCP_CHECK) is no failure; under HTTP_GET it is', () => {
    const tcp = start();
    fault(tcp.w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'status', code: 500 } });
    tcp.w.runUntil(60_000);
    expect(ids(tcp.w)).toEqual([]);
    const http = start(CONF('', 'HTTP_GET { url { path /\n } connect_timeout 2\n retry 2\n delay_before_retry 3 }'));
    fault(http.w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'status', code: 500 } });
    // 2 + 6 + 3·2 + 2·3 = 20 s
    http.w.runUntil(60_000);
    expect(ids(http.w)).toEqual(['C1 20.10']);
  });

  it('judges only what is certain: a slow answer near the deadline under jitter is not judged', () => {
    const http = start(CONF('', 'HTTP_GET { url { path /\n } connect_timeout 2\n }'), { segment: { delayMs: 1, jitterMs: 400 } });
    fault(http.w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'slow', ms: 1500 } });
    http.w.runUntil(60_000);
    expect(ids(http.w)).toEqual([]);
    // Slower than the deadline however fast the network: certain. 2 + 6 + 2·2 + 1·3 (HTTP's delay_before_retry) = 15 s.
    fault(http.w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'slow', ms: 2500 } });
    http.w.runUntil(100_000);
    expect(ids(http.w)).toEqual(['C1 75.10']);
  });

  it('a director whose daemon runs no LVS subsystem (took no LVS ports) is not judged', () => {
    const w = lvsWorld();
    const host = w.hosts.get('ds1')!;
    host.model = compile(CONF());
    host.proc = new DaemonProcess(host.cpu, WALL_ORIGIN_MS, 0);
    host.lb.sync(`tcp:${VIP}:80`, SERVICE, [dest(RS1), dest(RS2)]);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    w.runUntil(60_000);
    expect(ids(w)).toEqual([]);
  });

  it('a paused director starts the episode again when it runs; a daemon that is not running is not judged', () => {
    const { w } = start();
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    w.runUntil(10_000);
    fault(w, { kind: 'pause', host: 'ds1' }, 5000);
    w.runUntil(30_000);
    expect(ids(w)).toEqual([]);
    w.runUntil(40_000);
    expect(ids(w)).toEqual(['C1 31.10']);
    const k = start();
    fault(k.w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    k.w.endDaemon(k.host, 'killed');
    k.w.runUntil(60_000);
    expect(ids(k.w)).toEqual([]);
  });
});

describe('C2: a server that answers again returns within its bound', () => {
  // recovery: 3 in flight + max(6, 1) + 3 = 12 s
  it('fires when a recovered server stays out; silent when it is re-added in time', () => {
    for (const readd of [false, true]) {
      const { w, ports } = start();
      fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
      w.runUntil(15_000);
      applyAll(w, ports, [{ cmd: 'delDest', service: SERVICE, dest: dest(RS1) }]);
      w.runUntil(30_000);
      fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'up' } });
      w.runUntil(41_000);
      if (readd) applyAll(w, ports, [{ cmd: 'addDest', service: SERVICE, dest: dest(RS1) }]);
      w.runUntil(60_000);
      expect(ids(w), `re-added: ${readd}`).toEqual(readd ? [] : ['C2 42.10']);
    }
  });

  it('is excused while the virtual server is on its sorry server', () => {
    const { w, ports, host } = start(CONF(`quorum 2\n sorry_server ${SORRY} 80`));
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    w.runUntil(15_000);
    w.onLvsEvent(host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 1 });
    applyAll(w, ports, [{ cmd: 'delDest', service: SERVICE, dest: dest(RS1) }, { cmd: 'delDest', service: SERVICE, dest: dest(RS2) }, { cmd: 'addDest', service: SERVICE, dest: dest(SORRY) }]);
    w.onLvsEvent(host, { type: 'lvs.quorum', vs: VS, up: false, sum: 1, threshold: 2 });
    w.runUntil(80_000);
    expect(ids(w)).toEqual([]);
  });
});

describe('C3: quorum changes exactly at the thresholds', () => {
  const conf = CONF('quorum 2\n hysteresis 0');

  it('a loss that follows the server change is fine; a missed loss is reported after grace', () => {
    const ok = start(conf);
    ok.w.onLvsEvent(ok.host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 1 });
    ok.w.onLvsEvent(ok.host, { type: 'lvs.quorum', vs: VS, up: false, sum: 1, threshold: 2 });
    ok.w.runUntil(5000);
    expect(ids(ok.w)).toEqual([]);
    const missed = start(conf);
    missed.w.onLvsEvent(missed.host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 1 });
    missed.w.runUntil(5000);
    expect(ids(missed.w)).toEqual(['C3 0.05']);
    expect(missed.w.recorder.of('violation')[0]!.message).toMatch(/Σ alive weights 1 < quorum 2 − hysteresis 0 but quorum is still up/);
  });

  it('a gain below the threshold, a loss above it, and a sum that is not the alive servers\' are reported at once', () => {
    const { w, host } = start(CONF('quorum 2\n hysteresis 1', undefined, 2), {}, { up: true, sum: 4 });
    w.onLvsEvent(host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 2 });
    w.onLvsEvent(host, { type: 'lvs.quorum', vs: VS, up: false, sum: 2, threshold: 1 });
    w.onLvsEvent(host, { type: 'lvs.quorum', vs: VS, up: true, sum: 2, threshold: 3 });
    w.onLvsEvent(host, { type: 'lvs.quorum', vs: VS, up: true, sum: 5, threshold: 3 });
    const msgs = w.recorder.of('violation').map((v) => v.message);
    expect(msgs).toEqual([
      `ds1: VS ${VS} lost quorum with Σ 2 ≥ quorum 2 − hysteresis 1`,
      `ds1: VS ${VS} gained quorum with Σ 2 < quorum 2 + hysteresis 1`,
      `ds1: VS ${VS} reports Σ alive weights 5, the alive real servers add up to 2`,
    ]);
  });

  it('hysteresis: no change between the thresholds is no violation', () => {
    // weights 2 + 2, quorum 2, hysteresis 1: up at 4; one server down (2) is above 2 − 1; both down (0) must lose.
    const { w, host } = start(CONF('quorum 2\n hysteresis 1', undefined, 2), {}, { up: true, sum: 4 });
    w.onLvsEvent(host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 2 });
    w.runUntil(5000);
    expect(ids(w)).toEqual([]);
    w.onLvsEvent(host, { type: 'lvs.server', vs: VS, rs: R2, alive: false, weight: 2 });
    w.runUntil(10_000);
    expect(ids(w)).toEqual(['C3 5.05']);
  });
});

describe('C4: the sorry server is in exactly while quorum is down', () => {
  const conf = CONF(`quorum 2\n sorry_server ${SORRY} 80`);

  it('quorum down without the sorry server, or with real servers left in the pool, is reported; the keepalived sequence is not', () => {
    const good = start(conf);
    good.w.onLvsEvent(good.host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 1 });
    applyAll(good.w, good.ports, [{ cmd: 'delDest', service: SERVICE, dest: dest(RS1) }, { cmd: 'delDest', service: SERVICE, dest: dest(RS2) }, { cmd: 'addDest', service: SERVICE, dest: dest(SORRY) }]);
    good.w.onLvsEvent(good.host, { type: 'lvs.quorum', vs: VS, up: false, sum: 1, threshold: 2 });
    good.w.runUntil(2000);
    expect(ids(good.w)).toEqual([]);

    const noSorry = start(conf);
    noSorry.w.onLvsEvent(noSorry.host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 1 });
    applyAll(noSorry.w, noSorry.ports, [{ cmd: 'delDest', service: SERVICE, dest: dest(RS1) }]);
    noSorry.w.onLvsEvent(noSorry.host, { type: 'lvs.quorum', vs: VS, up: false, sum: 1, threshold: 2 });
    noSorry.w.runUntil(2000);
    expect(noSorry.w.recorder.of('violation').map((v) => `${v.id}: ${v.message}`)).toEqual([`C4: ds1: VS ${VS}: quorum is down but the sorry server ${SORRY} is not in the pool (for 0.05s)`]);

    const left = start(conf);
    applyAll(left.w, left.ports, [{ cmd: 'addDest', service: SERVICE, dest: dest(SORRY) }]);
    left.w.onLvsEvent(left.host, { type: 'lvs.server', vs: VS, rs: R1, alive: false, weight: 1 });
    left.w.onLvsEvent(left.host, { type: 'lvs.quorum', vs: VS, up: false, sum: 1, threshold: 2 });
    left.w.runUntil(2000);
    expect(left.w.recorder.of('violation').map((v) => v.message)).toEqual([`ds1: VS ${VS}: quorum is down (on the sorry server) but real servers are still in the pool: ${RS1}:80, ${RS2}:80 (for 0.05s)`]);
  });

  it('quorum back up with the sorry server still in is reported', () => {
    const { w, host, ports } = start(conf);
    applyAll(w, ports, [{ cmd: 'addDest', service: SERVICE, dest: dest(SORRY) }]);
    w.runUntil(1000);
    expect(ids(w)).toEqual(['C4 0.05']);
    void host;
  });
});

describe('C5: no new connection goes to a removed destination', () => {
  it('judges the scheduler against the table at the instant it picks', () => {
    const { w, host } = start();
    const ks = host.lb.services.get(`tcp:${VIP}:80`)!;
    w.onScheduled(host, ks, dest(RS1), 'scheduler');
    expect(ids(w)).toEqual([]);
    w.onScheduled(host, ks, dest('198.51.100.23'), 'scheduler');
    ks.dests.find((d) => d.address === RS2)!.weight = 0;
    w.onScheduled(host, ks, dest(RS2, 0), 'scheduler');
    w.onScheduled(host, ks, dest(RS2, 0), 'persistence');
    expect(w.recorder.of('violation').map((v) => v.message)).toEqual([
      `ds1: a new connection for tcp:${VIP}:80 went to 198.51.100.23:80, which is not in the table`,
      `ds1: the rr scheduler of tcp:${VIP}:80 sent a new connection to ${RS2}:80 at weight 0`,
    ]);
  });

  it('real client traffic through the sim table never breaks it, across removals', () => {
    const w = lvsWorld({ traffic: [{ address: VIP, port: 80, everyMs: 50, fromMs: 0, untilMs: 20_000, timeoutMs: 1000 }] });
    const { ports } = director(w);
    applyAll(w, ports, [{ cmd: 'addService', service: SERVICE }, { cmd: 'addDest', service: SERVICE, dest: dest(RS1) }, { cmd: 'addDest', service: SERVICE, dest: dest(RS2) }]);
    holdVip(w, 'ds1');
    for (let t = 1000; t < 20_000; t += 1000) {
      w.runUntil(t);
      applyAll(w, ports, [t % 2000 ? { cmd: 'delDest', service: SERVICE, dest: dest(RS1) } : { cmd: 'addDest', service: SERVICE, dest: dest(RS1) }]);
    }
    w.runUntil(22_000);
    expect(w.recorder.of('conn').length).toBeGreaterThan(300);
    expect(ids(w)).toEqual([]);
  });
});
