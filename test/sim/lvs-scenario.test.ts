/**
 * The scenario side of the simulated LVS world: services, loopback VIPs and client traffic in
 * host blocks, the `server` fault (one grammar for YAML and --fault, errors that point at the
 * word), its layering with `for`, chaos drawing it, the new expectations, and the connection
 * summary.
 */
import { describe, expect, it } from 'vitest';
import { chaosTimeline } from '../../sim/chaos.js';
import { parseFaultText } from '../../sim/cli/adhoc.js';
import { describeFault, entryToData } from '../../sim/faults.js';
import { connectionSummary } from '../../sim/out/lvs-summary.js';
import { Prng } from '../../sim/prng.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { parseServerFault } from '../../sim/scenario/server-fault.js';
import { createToyRuntime, toyModels } from './helpers/toy-runtime.js';
import { loadToyScenario, toyHosts } from './helpers/toy-scenario.js';

const REAL_SERVERS = `
  rs1:
    nics: { eth0: { segment: lan, address: 198.51.100.21/24 } }
    loopback: [198.51.100.100]
    services:
      80: http
      443: { https: { status: 200, body: "ok\\n" }, slow: 20ms }
      25: smtp
      53/udp: { dns: { status: 0 } }
      5000/udp: { udp: { reply: pong } }
      3306: tcp
    icmp: false
`;

function load(extra: string, timeline = '', expect = '') {
  return loadScenario(`name: t\nduration: 20s\n${toyHosts()}${extra}${timeline ? `timeline:\n${timeline}` : ''}${expect ? `expect:\n${expect}` : ''}`, 'lvs.yaml', {
    readFile: () => undefined,
    compile: (text) => ({ model: JSON.parse(text), errors: [], warnings: [] }),
    models: toyModels,
  });
}

describe('scenario: real servers and clients', () => {
  it('reads services, loopback VIPs, ICMP and traffic', () => {
    const r = load(`${REAL_SERVERS}  c2:\n    nics: { eth0: { segment: lan, address: 198.51.100.201/24 } }\n    traffic:\n      - { to: 198.51.100.100:80, every: 200ms, from: 5s, until: 15s }\n      - { to: "[2001:db8::100]:443", rate: 4, timeout: 1s }\n`);
    expect(r.errors).toEqual([]);
    const rs1 = r.scenario!.world.hosts.find((h) => h.name === 'rs1')!;
    expect(rs1.services).toEqual([
      { kind: 'http', proto: 'tcp', port: 80 },
      { kind: 'https', proto: 'tcp', port: 443, status: 200, body: 'ok\n', slowMs: 20 },
      { kind: 'smtp', proto: 'tcp', port: 25 },
      { kind: 'dns', proto: 'udp', port: 53, status: 0 },
      { kind: 'udp', proto: 'udp', port: 5000, body: 'pong' },
      { kind: 'tcp', proto: 'tcp', port: 3306 },
    ]);
    expect(rs1.loopback).toEqual(['198.51.100.100']);
    expect(rs1.icmp).toBe(false);
    expect(r.scenario!.world.hosts.find((h) => h.name === 'c2')!.traffic).toEqual([
      { address: '198.51.100.100', port: 80, everyMs: 200, fromMs: 5000, untilMs: 15000, timeoutMs: 3000 },
      { address: '2001:db8::100', port: 443, everyMs: 250, fromMs: 0, timeoutMs: 1000 },
    ]);
  });

  it('says what is wrong, where', () => {
    const r = load(`  rs9:
    nics: { eth0: { segment: lan, address: 198.51.100.29/24 } }
    services:
      80: htttp
      53: { dns: { status: 2 }, slow: 1s }
      25/udp: smtp
      abc: tcp
      22: { tcp: {}, slow: 1s }
      8080: { http: { code: 200 } }
    traffic:
      - { to: 198.51.100.100, every: 1s }
      - { to: 198.51.100.100:80 }
`);
    expect(r.errors).toEqual([
      'lvs.yaml:16: hosts.rs9.services.80: unknown service "htttp" (one of: tcp, http, https, smtp, dns, udp)',
      'lvs.yaml:18: hosts.rs9.services.25/udp: smtp runs over TCP: write 25',
      'lvs.yaml:19: hosts.rs9.services.abc: a service is keyed by its port: 80, 53/udp (got "abc")',
      'lvs.yaml:20: hosts.rs9.services.22.slow: a bare TCP listener sends nothing to slow down',
      'lvs.yaml:21: hosts.rs9.services.8080.http.code: unknown key (expected one of: status, body)',
      'lvs.yaml:23: hosts.rs9.traffic.0.to: expected VIP:PORT or [IPv6]:PORT, got "198.51.100.100"',
      'lvs.yaml:24: hosts.rs9.traffic.1: give one of every: DUR or rate: N (connections per second)',
    ]);
  });
});

describe('the server fault', () => {
  const hosts = [{ name: 'rs1', services: [{ kind: 'http' as const, proto: 'tcp' as const, port: 80 }, { kind: 'dns' as const, proto: 'udp' as const, port: 53 }, { kind: 'tcp' as const, proto: 'tcp' as const, port: 3306 }] }];

  it('one grammar: host, host:port[/udp], host:icmp, and each action', () => {
    expect(parseServerFault('rs1:80 refuse', hosts)).toEqual({ host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    expect(parseServerFault('rs1:53 status 2', hosts)).toEqual({ host: 'rs1', service: 'udp:53', action: { do: 'status', code: 2 } });
    expect(parseServerFault('rs1:53/udp slow 1.5s', hosts)).toEqual({ host: 'rs1', service: 'udp:53', action: { do: 'slow', ms: 1500 } });
    expect(parseServerFault('rs1:80 body "under maintenance\\n"', hosts)).toEqual({ host: 'rs1', service: 'tcp:80', action: { do: 'body', text: 'under maintenance\n' } });
    expect(parseServerFault('rs1:80 body closed for now', hosts)).toEqual({ host: 'rs1', service: 'tcp:80', action: { do: 'body', text: 'closed for now' } });
    expect(parseServerFault('rs1:icmp drop', hosts)).toEqual({ host: 'rs1', service: 'icmp', action: { do: 'drop' } });
    expect(parseServerFault('rs1 drop', hosts)).toEqual({ host: 'rs1', action: { do: 'drop' } });
    expect(parseServerFault('rs1:80 up', hosts)).toEqual({ host: 'rs1', service: 'tcp:80', action: { do: 'up' } });
  });

  it('errors name the word and its column', () => {
    const e = (t: string) => parseServerFault(t, hosts);
    expect(e('rs2:80 refuse')).toEqual({ error: 'unknown host "rs2" (hosts: rs1)', column: 0 });
    expect(e('rs1:8080 refuse')).toEqual({ error: 'rs1 runs no service on "8080" (80, 53/udp, 3306, icmp)', column: 4 });
    expect(e('rs1:80 refused')).toEqual({ error: 'unknown action "refused" (did you mean refuse?); actions: up, refuse, drop, slow DUR, status N, body TEXT', column: 7 });
    expect(e('rs1:80 halt')).toEqual({ error: 'unknown action "halt"; actions: up, refuse, drop, slow DUR, status N, body TEXT', column: 7 });
    expect(e('rs1:80 slow soon')).toEqual({ error: 'bad duration "soon" (e.g. 3s, 250ms)', column: 12 });
    expect(e('rs1:80 status')).toEqual({ error: 'status needs a number, e.g. "status 500"', column: 13 });
    expect(e('rs1:3306 status 500')).toEqual({ error: '"status" does not apply: a tcp service has no status (status is for http, https, smtp and dns)', column: 9 });
    expect(e('rs1:icmp refuse')).toEqual({ error: '"refuse" does not apply: an ICMP echo responder can be up, drop or slow, not refuse', column: 9 });
    expect(e('rs1:80/sctp drop')).toEqual({ error: 'bad service "80/sctp" (write PORT, PORT/udp or icmp)', column: 4 });
    expect(e('rs1:80 drop now')).toEqual({ error: 'drop takes nothing after it, got "now"', column: 12 });
  });

  it('in a scenario file the error carries the line and a caret under the word', () => {
    const r = load(REAL_SERVERS, '  - at: 5s\n    server: rs1:80 refused\n');
    expect(r.errors).toEqual(['lvs.yaml:27: timeline.0.server: unknown action "refused" (did you mean refuse?); actions: up, refuse, drop, slow DUR, status N, body TEXT\n    rs1:80 refused\n           ^']);
  });

  it('--fault: the same text; a body may say "for"; the duration still comes off the end', () => {
    expect(parseFaultText('10s server rs1:80 refuse for 5s')).toEqual({ at: '10s', for: '5s', server: 'rs1:80 refuse' });
    expect(parseFaultText('10s server rs1:80 body "closed for now"')).toEqual({ at: '10s', server: 'rs1:80 body "closed for now"' });
    expect(parseFaultText('20s pause lb1 for 4s')).toEqual({ at: '20s', for: '4s', pause: 'lb1' });
  });

  it('prints back as it was written (timeline, shrinking)', () => {
    const f = { kind: 'server' as const, host: 'rs1', service: 'udp:53', action: { do: 'slow' as const, ms: 2500 } };
    expect(describeFault(f)).toBe('server rs1:53/udp slow 2.5s');
    expect(entryToData({ atMs: 10_000, forMs: 5000, fault: f })).toEqual({ at: '10s', for: '5s', server: 'rs1:53/udp slow 2.5s' });
  });

  it('aspects compose and `for` removes exactly its layer', () => {
    const scn = loadToyScenario(`name: t\nduration: 40s\n${toyHosts()}${REAL_SERVERS}timeline:
  - { at: 1s, server: "rs1:80 slow 3s" }
  - { at: 2s, for: 10s, server: "rs1:80 status 500" }
  - { at: 3s, for: 2s, server: "rs1 drop" }
  - { at: 20s, server: "rs1:80 up" }
`);
    const r = runScenario(scn, { createRuntime: createToyRuntime, models: toyModels, untilMs: 1 });
    const w = r.world;
    const svc = () => w.hosts.get('rs1')!.services.get('tcp', 80)!.behaviour();
    const icmp = () => w.hosts.get('rs1')!.services.icmp.mode;
    w.schedule(scn.timeline);
    w.runUntil(3500);
    expect(svc()).toEqual({ mode: 'drop', slowMs: 3000, status: 500, body: '' });
    expect(icmp()).toBe('drop');
    w.runUntil(6000);
    expect(svc()).toEqual({ mode: 'up', slowMs: 3000, status: 500, body: '' });
    // icmp: false in the scenario: the echo responder's normal is silence.
    expect(icmp()).toBe('drop');
    w.runUntil(13_000);
    expect(svc()).toEqual({ mode: 'up', slowMs: 3000, status: 200, body: '' });
    w.runUntil(21_000);
    expect(svc()).toEqual({ mode: 'up', slowMs: 0, status: 200, body: '' });
  });

  it('chaos can draw it, against real servers only', () => {
    const scn = loadToyScenario(`name: t\nduration: 60s\n${toyHosts()}${REAL_SERVERS}chaos: { faults: 20, kinds: [server], from: 5s, to: 40s, maxDuration: 5s }\n`);
    const tl = chaosTimeline(scn.chaos!, new Prng(5).fork('chaos'), { world: scn.world, scriptsOf: () => [], instancesOf: () => [] });
    expect(tl.length).toBe(20);
    expect(new Set(tl.map((e) => (e.fault.kind === 'server' ? e.fault.host : '?')))).toEqual(new Set(['rs1']));
    expect(tl.every((e) => e.forMs !== undefined && e.atMs + e.forMs <= 40_000)).toBe(true);
    expect(chaosTimeline(scn.chaos!, new Prng(5).fork('chaos'), { world: scn.world, scriptsOf: () => [], instancesOf: () => [] })).toEqual(tl);
  });
});

describe('expectations and summary for connections', () => {
  it('connections (window) and pool (point) are read and judged; the summary counts who served', () => {
    const r = load(
      `${REAL_SERVERS}  c2:\n    nics: { eth0: { segment: lan, address: 198.51.100.201/24 } }\n    traffic: [{ to: 198.51.100.100:80, every: 1s, from: 6s, until: 10s }]\n`,
      '',
      '  - { from: 0s, to: 10s, expect: { connections: 10, atLeast: 4, client: c2 } }\n  - { from: 0s, to: 10s, expect: { connections: 0, ok: true } }\n  - { at: 9s, expect: { host: a, pool: 198.51.100.100:80, servers: [] } }\n',
    );
    expect(r.errors).toEqual([]);
    const res = runScenario(r.scenario!, { createRuntime: createToyRuntime, models: toyModels });
    // The toy routers hold the VIP but have no LVS: every connection is refused by the master itself.
    expect(res.expectations.map((x) => `${x.ok ? '✓' : '✗'} ${x.text}${x.detail ? ` — ${x.detail}` : ''}`)).toEqual([
      `✗ at 9s: a sends tcp:198.51.100.100:80 to nobody — a has no service tcp:198.51.100.100:80`,
      '✓ 0ms..10s: 4..10 connections from c2',
      '✓ 0ms..10s: ≤ 0 connections served',
    ]);
    expect(connectionSummary(res.history)).toEqual(['c2 → 198.51.100.100:80: 4 connections: none served; 4 failed (refused 4)']);
  });
});
