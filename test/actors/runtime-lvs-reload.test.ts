/**
 * Reload (SIGHUP) of the LVS subsystem: state kept by identity, only what changed is touched,
 * removed servers deleted with keepalived's lines, a failed server never put back before a check
 * succeeds.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import { FakeLan } from './fake-ports.js';
import { FakeProber, lvsPorts, RecordingTable } from './lvs-fakes.js';
import { model } from './two-nodes.js';

const VS = '[203.0.113.10]:tcp:80';
const rs = (n: number) => `[198.51.100.${n}]:tcp:80`;

interface Rs {
  n: number;
  weight?: number;
  check?: string;
}

const vs = (servers: Rs[], vsBody = '', addr = '203.0.113.10') => `
virtual_server ${addr} 80 {
  delay_loop 2
  lb_algo rr
  lb_kind NAT
  protocol TCP
  ${vsBody}
${servers.map((s) => `  real_server 198.51.100.${s.n} 80 {\n    weight ${s.weight ?? 1}\n    ${s.check ?? 'TCP_CHECK { connect_timeout 1 }'}\n  }`).join('\n')}
}`;

function setup(first: string) {
  const lan = new FakeLan();
  const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  const prober = new FakeProber(lan.clock);
  const table = new RecordingTable(lan.clock);
  const rt = createRuntime(lvsPorts(a, prober, table), model(first), { name: 'a' });
  rt.start();
  const mark = () => ({ at: lan.clock.now(), log: a.logLines().length, probes: prober.attempts.length });
  const since = (m: { log: number }) => a.logLines().slice(m.log).filter((l) => l !== 'Reloading ...' && !l.startsWith('Reload: '));
  const probesSince = (m: { probes: number }) => prober.attempts.slice(m.probes).map((p) => `${p.at} ${p.address}`);
  return { lan, a, prober, table, rt, mark, since, probesSince };
}

describe('LVS reload', () => {
  it('an unchanged configuration touches nothing: no line, no command, checkers keep their timers', () => {
    const text = vs([{ n: 21 }, { n: 22 }]);
    const t = setup(text);
    t.lan.clock.runUntil(2500);
    const m = t.mark();
    t.rt.reload(model(text));
    t.lan.clock.runUntil(8000);
    expect(t.since(m)).toEqual([]);
    expect(t.table.lines(m.at)).toEqual([]);
    // checks every delay_loop (2 s) after the last one finished (1 ms probes), unbroken by the reload
    expect(t.probesSince(m)).toEqual(['3001 198.51.100.21', '3001 198.51.100.22', '5002 198.51.100.21', '5002 198.51.100.22', '7003 198.51.100.21', '7003 198.51.100.22']);
  });

  it('a real server that went is deleted with keepalived\'s lines; its checker stops', () => {
    const t = setup(vs([{ n: 21 }, { n: 22 }]));
    t.lan.clock.runUntil(2500);
    const m = t.mark();
    t.rt.reload(model(vs([{ n: 21 }])));
    t.lan.clock.runUntil(8000);
    expect(t.since(m)).toEqual([`service ${rs(22)} no longer exist`, `Removing service ${rs(22)} from VS ${VS}`]);
    expect(t.table.lines(m.at)).toEqual(['delDest 203.0.113.10:80 198.51.100.22:80 w1']);
    expect(t.probesSince(m).filter((p) => p.endsWith('.22'))).toEqual([]);
  });

  it('a failed server stays out across a reload (even when its checker is replaced) until a check succeeds', () => {
    const t = setup(vs([{ n: 21 }, { n: 22 }]));
    t.prober.modes.set('198.51.100.22', 'refuse');
    t.lan.clock.runUntil(2500);
    const m = t.mark();
    // the timers change: the checker is replaced, its state carried over
    t.rt.reload(model(vs([{ n: 21 }, { n: 22, check: 'TCP_CHECK { connect_timeout 1\n delay_loop 3 }' }])));
    t.lan.clock.runUntil(4500);
    expect(t.since(m).filter((l) => !l.startsWith('TCP'))).toEqual([`Activating healthchecker for service ${rs(22)} for VS ${VS}`]);
    expect(t.table.lines(m.at)).toEqual([]);
    expect(t.rt.virtualServers!()[0]!.realServers[1]).toMatchObject({ alive: false, set: false, checkers: [{ up: false, hasRun: true, delayLoopMs: 3000 }] });
    t.prober.modes.set('198.51.100.22', 'up');
    t.lan.clock.runUntil(9000);
    expect(t.since(m).filter((l) => l.includes('.22') && !l.startsWith('TCP_CHECK'))).toEqual([
      `Activating healthchecker for service ${rs(22)} for VS ${VS}`,
      `TCP connection to ${rs(22)} success.`,
      `Adding service ${rs(22)} to VS ${VS}`,
    ]);
    expect(t.table.lines(m.at)).toEqual(['addDest 203.0.113.10:80 198.51.100.22:80 w1']);
  });

  it('a new checker on a failed server starts down: the server waits for it to succeed', () => {
    const t = setup(vs([{ n: 21 }, { n: 22 }]));
    t.prober.modes.set('198.51.100.22', 'refuse');
    t.lan.clock.runUntil(2500);
    const m = t.mark();
    t.prober.modes.set('198.51.100.22', 'up');
    // a different check (another port): not the same checker, so no state to carry
    t.rt.reload(model(vs([{ n: 21 }, { n: 22, check: 'TCP_CHECK { connect_timeout 1\n connect_port 8080 }' }])));
    t.lan.clock.runUntil(2600);
    expect(t.table.lines(m.at)).toEqual([]);
    t.lan.clock.runUntil(5000);
    expect(t.since(m).filter((l) => l.includes('.22'))).toEqual([
      `Activating healthchecker for service ${rs(22)} for VS ${VS}`,
      `TCP connection to ${rs(22)} success.`,
      `Adding service ${rs(22)} to VS ${VS}`,
    ]);
  });

  it('a new real server goes in as at start; a weight change is one setDest with keepalived\'s line', () => {
    const t = setup(vs([{ n: 21 }, { n: 22 }]));
    t.lan.clock.runUntil(2500);
    const m = t.mark();
    t.rt.reload(model(vs([{ n: 21, weight: 5 }, { n: 22 }, { n: 23 }])));
    t.lan.clock.runUntil(2600);
    expect(t.since(m)).toEqual([`Changing weight from 1 to 5 for active service ${rs(21)} of VS ${VS}`, `Activating healthchecker for service ${rs(23)} for VS ${VS}`]);
    expect(t.table.lines(m.at)).toEqual(['addDest 203.0.113.10:80 198.51.100.23:80 w1', 'setDest 203.0.113.10:80 198.51.100.21:80 w5']);
  });

  it('a virtual server that went is cleared and deleted; a new one starts', () => {
    const t = setup(vs([{ n: 21 }]));
    t.lan.clock.runUntil(2500);
    const m = t.mark();
    t.rt.reload(model(vs([{ n: 31 }], '', '203.0.113.11')));
    t.lan.clock.runUntil(2600);
    expect(t.since(m)).toEqual([
      `Removing Virtual Server ${VS}`,
      `Removing service ${rs(21)} from VS ${VS}`,
      'Gained quorum 1+0=1 <= 1 for VS [203.0.113.11]:tcp:80',
      `Activating healthchecker for service ${rs(31)} for VS [203.0.113.11]:tcp:80`,
    ]);
    expect(t.table.lines(m.at)).toEqual([
      'delDest 203.0.113.10:80 198.51.100.21:80 w1',
      'delService 203.0.113.10:80',
      'addService 203.0.113.11:80',
      'addDest 203.0.113.11:80 198.51.100.31:80 w1',
    ]);
  });

  it('quorum is decided again: raising it above the live weight loses quorum to the sorry server', () => {
    const t = setup(vs([{ n: 21 }, { n: 22 }], 'sorry_server 198.51.100.99 80'));
    t.lan.clock.runUntil(2500);
    const m = t.mark();
    t.rt.reload(model(vs([{ n: 21 }, { n: 22 }, { n: 23, check: 'TCP_CHECK { connect_timeout 1\n alpha }' }], 'sorry_server 198.51.100.99 80\n  quorum 3')));
    t.lan.clock.runUntil(2600);
    expect(t.since(m).filter((l) => !l.startsWith('Activating'))).toEqual([
      `Starting with quorum down 3-0=3 > 2 for VS ${VS}`,
      `Adding sorry server [198.51.100.99]:tcp:80 to VS ${VS}`,
      `Removing alive servers from the pool for VS ${VS}`,
    ]);
    // the alpha server comes up at its first check: quorum back, sorry server out
    t.lan.clock.runUntil(4000);
    expect(t.since(m).filter((l) => /quorum|sorry|pool/.test(l)).slice(3)).toEqual([
      `Gained quorum 3+0=3 <= 3 for VS ${VS}`,
      `Removing sorry server [198.51.100.99]:tcp:80 from VS ${VS}`,
      `Adding alive servers to the pool for VS ${VS}`,
    ]);
  });

  it('a checker keeps its count across a reload that changes nothing about it', () => {
    const t = setup(vs([{ n: 21, check: 'TCP_CHECK { connect_timeout 1\n retry 3\n delay_before_retry 1 }' }, { n: 22 }]));
    t.lan.clock.runUntil(1500);
    t.prober.modes.set('198.51.100.21', 'refuse');
    t.lan.clock.runUntil(3500);
    const before = t.rt.virtualServers!()[0]!.realServers[0]!.checkers[0]!;
    expect(before).toMatchObject({ up: true, retryIt: 1 });
    t.rt.reload(model(vs([{ n: 21, check: 'TCP_CHECK { connect_timeout 1\n retry 3\n delay_before_retry 1 }' }, { n: 22, weight: 2 }])));
    expect(t.rt.virtualServers!()[0]!.realServers[0]!.checkers[0]).toMatchObject({ up: true, retryIt: 1 });
  });
});
