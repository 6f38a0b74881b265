/**
 * The simulator's prober against simulated real servers, on the simulated clock: every checker
 * kind passes and fails the way the daemon's prober reports it (categories, keepalived's
 * phrases), one deadline per attempt, and the network (partitions, link down, power, loss)
 * affects probes as it affects frames.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checker, director, fault, lvsWorld, probeOnce, request, RS1, RS2 } from './helpers/lvs-world.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const url = (path: string, o: Record<string, unknown> = {}) => ({ path, statusCodes: [], regexNoMatch: false, ...o });

describe('sim prober: TCP_CHECK', () => {
  it('passes against a listener after one round trip', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const r = probeOnce(w, ports, request(checker('TCP_CHECK'), RS1, 80));
    expect(r.outcome).toEqual({ ok: true });
    expect(r.calls).toBe(1);
    expect(r.afterMs).toBeGreaterThan(0);
    expect(r.afterMs).toBeLessThan(1);
  });

  it('a refusing port is "refused" at once, with the errno text', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    const r = probeOnce(w, ports, request(checker('TCP_CHECK'), RS1, 80));
    expect(r.outcome).toEqual({ ok: false, failure: 'refused', message: 'failed', detail: 'Connection refused (ECONNREFUSED)' });
    expect(r.afterMs).toBeLessThan(1);
  });

  it('a port with no listener is refused too; a dropping one times out exactly at the one deadline', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    expect(probeOnce(w, ports, request(checker('TCP_CHECK'), RS1, 8080)).outcome).toMatchObject({ failure: 'refused' });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'drop' } });
    const r = probeOnce(w, ports, request(checker('TCP_CHECK', { connectTimeoutMs: 2500 }), RS1, 80));
    expect(r.outcome).toEqual({ ok: false, failure: 'timeout', message: 'timeout', detail: 'no connection within 2500 ms' });
    expect(r.afterMs).toBe(2500);
  });

  it('a lost SYN is retransmitted after 1 s, as TCP does', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    fault(w, { kind: 'block', segment: 'lan', from: 'ds1', to: 'rs1' }, 500);
    const r = probeOnce(w, ports, request(checker('TCP_CHECK'), RS1, 80));
    expect(r.outcome).toEqual({ ok: true });
    expect(r.afterMs).toBeGreaterThan(1000);
    expect(r.afterMs).toBeLessThan(1001);
  });

  it('no route: unreachable at once; an on-link address nobody holds: EHOSTUNREACH after 3 s, or the deadline first', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const off = probeOnce(w, ports, request(checker('TCP_CHECK'), '203.0.113.23', 80));
    expect(off.outcome).toEqual({ ok: false, failure: 'unreachable', message: 'failed', detail: 'Network is unreachable (ENETUNREACH)' });
    expect(off.afterMs).toBe(0);
    const arp = probeOnce(w, ports, request(checker('TCP_CHECK', { connectTimeoutMs: 5000 }), '198.51.100.99', 80));
    expect(arp.outcome).toEqual({ ok: false, failure: 'unreachable', message: 'failed', detail: 'No route to host (EHOSTUNREACH)' });
    expect(arp.afterMs).toBe(3000);
    const short = probeOnce(w, ports, request(checker('TCP_CHECK', { connectTimeoutMs: 2000 }), '198.51.100.99', 80));
    expect(short.outcome).toMatchObject({ failure: 'timeout' });
  });

  it('bind_if and bindto that cannot be applied are local errors (never counted), as the daemon reports them', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    expect(probeOnce(w, ports, request(checker('TCP_CHECK', { bindIf: 'eth9' }), RS1, 80)).outcome).toEqual({ ok: false, failure: 'local-error', message: 'bind_if eth9: No such device' });
    expect(probeOnce(w, ports, request(checker('TCP_CHECK', { bindto: '198.51.100.77' }), RS1, 80)).outcome).toEqual({
      ok: false,
      failure: 'local-error',
      message: 'bindto 198.51.100.77: Cannot assign requested address',
    });
    expect(probeOnce(w, ports, request(checker('TCP_CHECK', { bindto: '198.51.100.11', bindIf: 'eth0' }), RS1, 80)).outcome).toEqual({ ok: true });
    // UDP_CHECK counts a bind failure against the server, as keepalived does.
    expect(probeOnce(w, ports, request(checker('UDP_CHECK', { bindIf: 'eth9' }), RS1, 5000)).outcome).toMatchObject({ failure: 'connect-error', message: 'failed' });
  });
});

describe('sim prober: the network', () => {
  it('a partition turns probes into timeouts, and so do link down, power loss and 100 % loss', () => {
    const cases: Array<[string, Parameters<typeof fault>[1]]> = [
      ['partition', { kind: 'partition', segment: 'lan', groups: [['ds1'], ['rs1']] }],
      ['real server link down', { kind: 'link', host: 'rs1', nic: 'eth0', up: false }],
      ['director link down', { kind: 'link', host: 'ds1', nic: 'eth0', up: false }],
      ['real server power loss', { kind: 'crash', host: 'rs1' }],
      ['loss', { kind: 'net', segment: 'lan', profile: { lossPct: 100 } }],
      ['one-way block of the answers', { kind: 'block', segment: 'lan', from: 'rs1', to: 'ds1' }],
    ];
    const reasons: Record<string, string> = {
      partition: 'partition',
      'real server link down': 'link-down',
      'director link down': 'link-down',
      'real server power loss': 'host-down',
      loss: 'loss',
      'one-way block of the answers': 'partition',
    };
    for (const [name, f] of cases) {
      const w = lvsWorld({ tracing: true });
      const drops: string[] = [];
      w.recorder.listen((e) => e.type === 'drop' && e.what.startsWith('probe') && drops.push(e.reason));
      const { ports } = director(w);
      expect(probeOnce(w, ports, request(checker('TCP_CHECK'), RS1, 80)).outcome, `before: ${name}`).toEqual({ ok: true });
      fault(w, f);
      for (const kind of ['TCP_CHECK', 'PING_CHECK'] as const) {
        const r = probeOnce(w, ports, request(checker(kind, { connectTimeoutMs: 2000 }), RS1, 80));
        expect(r.outcome, `${name}: ${kind}`).toMatchObject({ ok: false, failure: 'timeout' });
        expect(r.afterMs, `${name}: ${kind}`).toBe(2000);
      }
      // The probe packets' fates are in the trace, like dropped frames, with the same reasons.
      expect(drops, name).toContain(reasons[name]);
    }
  });

  it('probes after a heal pass again; other hosts are unaffected by the cut', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    fault(w, { kind: 'partition', segment: 'lan', groups: [['ds1', 'rs2'], ['rs1']] }, 10_000);
    expect(probeOnce(w, ports, request(checker('TCP_CHECK'), RS1, 80)).outcome).toMatchObject({ failure: 'timeout' });
    expect(probeOnce(w, ports, request(checker('TCP_CHECK'), RS2, 80)).outcome).toEqual({ ok: true });
    w.runUntil(11_000);
    expect(probeOnce(w, ports, request(checker('TCP_CHECK'), RS1, 80)).outcome).toEqual({ ok: true });
  });

  it('a paused real server answers when it runs again (before the deadline: a pass)', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    fault(w, { kind: 'pause', host: 'rs1' }, 1500);
    const r = probeOnce(w, ports, request(checker('PING_CHECK'), RS1, 0));
    expect(r.outcome).toEqual({ ok: true });
    expect(r.afterMs).toBeGreaterThanOrEqual(1500);
  });

  it('a probe whose process died never answers; a cancelled one neither', () => {
    const w = lvsWorld();
    const { proc, ports } = director(w);
    const seen: unknown[] = [];
    ports.prober.probe(request(checker('TCP_CHECK'), RS1, 80), (o) => seen.push(o));
    proc.exit();
    const h = ports.prober.probe(request(checker('TCP_CHECK'), RS1, 80), (o) => seen.push(o));
    h.cancel();
    w.runUntil(10_000);
    expect(seen).toEqual([]);
  });

  it('never answers inside probe(): even an immediate failure comes later', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    let sync = true;
    let called = false;
    ports.prober.probe(request(checker('TCP_CHECK'), '203.0.113.23', 80), () => {
      called = true;
      expect(sync).toBe(false);
    });
    sync = false;
    w.runUntil(1);
    expect(called).toBe(true);
  });
});

describe('sim prober: HTTP_GET and SSL_GET', () => {
  const http = (urls: unknown[], o = {}) => checker('HTTP_GET', { urls: urls as never, ...o });

  it('status, then digest, then regex, in keepalived\'s words', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    expect(probeOnce(w, ports, request(http([url('/')]), RS1, 80)).outcome).toEqual({ ok: true, urls: [{ path: '/', passed: 'HTTP status code' }] });
    expect(probeOnce(w, ports, request(http([url('/', { digest: md5('ok\n') })]), RS1, 80)).outcome).toEqual({ ok: true, urls: [{ path: '/', passed: 'MD5 digest' }] });
    expect(probeOnce(w, ports, request(http([url('/', { regex: '^ok' })]), RS1, 80)).outcome).toEqual({ ok: true, urls: [{ path: '/', passed: 'Regex match' }] });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'status', code: 503 } });
    expect(probeOnce(w, ports, request(http([url('/health')]), RS1, 80)).outcome).toEqual({
      ok: false,
      failure: 'bad-status',
      message: 'HTTP status code error to',
      detail: 'status 503 for /health, expected 200-299',
      url: '/health',
    });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'up' } });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'body', text: 'maintenance' } });
    expect(probeOnce(w, ports, request(http([url('/', { digest: md5('ok\n') })]), RS1, 80)).outcome).toMatchObject({ failure: 'bad-digest', message: 'MD5 digest error to', url: '/' });
    expect(probeOnce(w, ports, request(http([url('/', { regex: '^ok' })]), RS1, 80)).outcome).toMatchObject({ failure: 'bad-regex', message: 'Regex match failed' });
  });

  it('several urls: all must pass; the first failing one is named', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const r = probeOnce(w, ports, request(http([url('/a'), url('/b', { statusCodes: [[300, 399]] })]), RS1, 80));
    expect(r.outcome).toMatchObject({ ok: false, failure: 'bad-status', url: '/b' });
    expect(probeOnce(w, ports, request(http([]), RS1, 80)).outcome).toEqual({ ok: true, detail: 'no url to check' });
  });

  it('slow answers: in time they pass, too slow they fail at the one deadline with the phase\'s message', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'slow', ms: 800 } });
    const ok = probeOnce(w, ports, request(http([url('/')], { connectTimeoutMs: 1000 }), RS1, 80));
    expect(ok.outcome).toMatchObject({ ok: true });
    expect(ok.afterMs).toBeGreaterThan(800);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'slow', ms: 3000 } });
    const late = probeOnce(w, ports, request(http([url('/x')], { connectTimeoutMs: 1000 }), RS1, 80));
    expect(late.outcome).toEqual({ ok: false, failure: 'timeout', message: 'Timeout WEB read', detail: 'no complete answer for /x within 1000 ms (0 bytes received)', url: '/x' });
    expect(late.afterMs).toBe(1000);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'drop' } });
    expect(probeOnce(w, ports, request(http([url('/')], { connectTimeoutMs: 1000 }), RS1, 80)).outcome).toMatchObject({ message: 'Timeout connecting' });
  });

  it('refused is "Error connecting"; a bare listener never answers ("Timeout WEB read")', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:80', action: { do: 'refuse' } });
    expect(probeOnce(w, ports, request(http([url('/')]), RS1, 80)).outcome).toEqual({ ok: false, failure: 'refused', message: 'Error connecting', detail: '/: Connection refused (ECONNREFUSED)', url: '/' });
    expect(probeOnce(w, ports, request(http([url('/')], { connectTimeoutMs: 1000 }), RS1, 3306)).outcome).toMatchObject({ failure: 'timeout', message: 'Timeout WEB read' });
  });

  it('SSL_GET speaks to HTTPS; against plain HTTP the handshake fails, and HTTP_GET against HTTPS gets no HTTP', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const ssl = checker('SSL_GET', { urls: [url('/', { digest: md5('secure\n') })] as never });
    expect(probeOnce(w, ports, request(ssl, RS1, 443)).outcome).toEqual({ ok: true, urls: [{ path: '/', passed: 'MD5 digest' }] });
    expect(probeOnce(w, ports, request(ssl, RS1, 80)).outcome).toMatchObject({ failure: 'tls-error', message: 'SSL handshake/communication error connecting to' });
    expect(probeOnce(w, ports, request(http([url('/')]), RS1, 443)).outcome).toMatchObject({ failure: 'bad-reply', message: 'Read, no data received from ' });
  });
});

describe('sim prober: SMTP, DNS, UDP, PING, MISC', () => {
  it('SMTP_CHECK: greeting, HELO, QUIT; a bad greeting, a dropped port and a slow greeting', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const smtp = checker('SMTP_CHECK', { connectTimeoutMs: 2000 });
    const ok = probeOnce(w, ports, request(smtp, RS1, 25));
    expect(ok.outcome).toEqual({ ok: true });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:25', action: { do: 'status', code: 554 } });
    expect(probeOnce(w, ports, request(smtp, RS1, 25)).outcome).toEqual({ ok: false, failure: 'bad-reply', message: 'Bad greeting banner from server', detail: '554 rs1 Service not available' });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:25', action: { do: 'up' } });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:25', action: { do: 'slow', ms: 5000 } });
    expect(probeOnce(w, ports, request(smtp, RS1, 25)).outcome).toEqual({ ok: false, failure: 'timeout', message: 'Read timeout from server', detail: 'no complete greeting within 2000 ms' });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:25', action: { do: 'drop' } });
    expect(probeOnce(w, ports, request(smtp, RS1, 25)).outcome).toMatchObject({ failure: 'timeout', message: 'Connection timeout to server' });
    fault(w, { kind: 'server', host: 'rs1', service: 'tcp:25', action: { do: 'refuse' } });
    expect(probeOnce(w, ports, request(smtp, RS1, 25)).outcome).toMatchObject({ failure: 'refused', message: 'Error connecting to server' });
  });

  it('DNS_CHECK: a real query the server decodes; RCODE, port unreachable, and a UDP echo that is no DNS server', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const dns = checker('DNS_CHECK', { connectTimeoutMs: 2000, dns: { type: 'A', name: 'www.example.com' } });
    expect(probeOnce(w, ports, request(dns, RS1, 53)).outcome).toEqual({ ok: true });
    fault(w, { kind: 'server', host: 'rs1', service: 'udp:53', action: { do: 'status', code: 2 } });
    expect(probeOnce(w, ports, request(dns, RS1, 53)).outcome).toEqual({ ok: false, failure: 'bad-reply', message: 'read error occurred. (rcode = 2)', detail: 'RCODE 2' });
    fault(w, { kind: 'server', host: 'rs1', service: 'udp:53', action: { do: 'refuse' } });
    expect(probeOnce(w, ports, request(dns, RS1, 53)).outcome).toEqual({
      ok: false,
      failure: 'refused',
      message: 'failed to read socket; errno 111 (Connection refused)',
      detail: 'Connection refused (ECONNREFUSED)',
    });
    expect(probeOnce(w, ports, request(dns, RS1, 5000)).outcome).toEqual({ ok: false, failure: 'timeout', message: 'read timeout from socket', detail: 'no answer within 2000 ms (ignored: receive query message?)' });
  });

  it('UDP_CHECK: echo passes; without require_reply silence passes, with it silence fails; a mismatch; port unreachable', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const plain = checker('UDP_CHECK', { connectTimeoutMs: 1000 });
    const strict = checker('UDP_CHECK', { connectTimeoutMs: 1000, udp: { payload: '70696e67', requireReply: '70XX6e67' } });
    expect(probeOnce(w, ports, request(plain, RS1, 5000)).outcome).toEqual({ ok: true, detail: 'reply of 32 bytes' });
    expect(probeOnce(w, ports, request(strict, RS1, 5000)).outcome).toEqual({ ok: true, detail: 'reply of 4 bytes' });
    fault(w, { kind: 'server', host: 'rs1', service: 'udp:5000', action: { do: 'body', text: 'busy' } });
    expect(probeOnce(w, ports, request(strict, RS1, 5000)).outcome).toMatchObject({ failure: 'bad-reply', message: 'reply data mismatch' });
    fault(w, { kind: 'server', host: 'rs1', service: 'udp:5000', action: { do: 'drop' } });
    expect(probeOnce(w, ports, request(plain, RS1, 5000)).outcome).toEqual({ ok: true, detail: 'no ICMP error before the deadline' });
    expect(probeOnce(w, ports, request(strict, RS1, 5000)).outcome).toEqual({ ok: false, failure: 'timeout', message: 'failed', detail: 'no reply within 1000 ms' });
    expect(probeOnce(w, ports, request(plain, RS1, 5001)).outcome).toEqual({ ok: false, failure: 'refused', message: 'failed', detail: 'Connection refused (ECONNREFUSED)' });
  });

  it('PING_CHECK: echo replies, slowed or dropped', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    const ping = checker('PING_CHECK', { connectTimeoutMs: 1000 });
    expect(probeOnce(w, ports, request(ping, RS1, 0)).outcome).toEqual({ ok: true });
    fault(w, { kind: 'server', host: 'rs1', service: 'icmp', action: { do: 'drop' } });
    expect(probeOnce(w, ports, request(ping, RS1, 0)).outcome).toEqual({ ok: false, failure: 'timeout', message: 'timeout', detail: 'no echo reply within 1000 ms' });
    const noEcho = lvsWorld({ rs1: { icmp: false } });
    expect(probeOnce(noEcho, director(noEcho).ports, request(ping, RS1, 0)).outcome).toMatchObject({ failure: 'timeout' });
  });

  it('MISC_CHECK runs the director\'s scripted program: exit status, misc_dynamic weight, misc_timeout', () => {
    const w = lvsWorld();
    const { host, ports } = director(w);
    const misc = (dynamic = false) => checker('MISC_CHECK', { misc: { command: { argv: ['/usr/local/bin/chk_web'], source: { file: 't', line: 1 } }, dynamic, timeoutMs: 1000 } });
    host.scripts.set('/usr/local/bin/chk_web', { exit: 0, durationMs: 5 });
    expect(probeOnce(w, ports, request(misc(), RS1, 80, 1000)).outcome).toEqual({ ok: true });
    host.scripts.set('/usr/local/bin/chk_web', { exit: 1 });
    expect(probeOnce(w, ports, request(misc(), RS1, 80, 1000)).outcome).toEqual({ ok: false, failure: 'exit-status', message: 'exited with status 1', exitStatus: 1 });
    host.scripts.set('/usr/local/bin/chk_web', { exit: 52 });
    expect(probeOnce(w, ports, request(misc(true), RS1, 80, 1000)).outcome).toEqual({ ok: true, weight: 50, detail: 'exited with status 52' });
    host.scripts.set('/usr/local/bin/chk_web', { exit: 0, durationMs: 4000 });
    const slow = probeOnce(w, ports, request(misc(), RS1, 80, 1000));
    expect(slow.outcome).toEqual({ ok: false, failure: 'timeout', message: 'timed out', detail: 'still running after 1000 ms' });
    expect(slow.afterMs).toBe(1000);
  });

  it('FILE_CHECK and BFD_CHECK are not probed (local errors, as in the daemon)', () => {
    const w = lvsWorld();
    const { ports } = director(w);
    expect(probeOnce(w, ports, request(checker('FILE_CHECK'), RS1, 80)).outcome).toMatchObject({ failure: 'local-error' });
    expect(probeOnce(w, ports, request(checker('BFD_CHECK'), RS1, 80)).outcome).toMatchObject({ failure: 'local-error' });
  });
});

describe('sim prober: determinism', () => {
  function lossyRun(seed: number): string {
    const w = lvsWorld({ seed, tracing: true, segment: { lossPct: 30, jitterMs: 2 } });
    const { ports } = director(w);
    const lines: string[] = [];
    w.recorder.listen((e) => lines.push(JSON.stringify(e)));
    for (let i = 0; i < 40; i++) {
      const r = probeOnce(w, ports, request(checker('HTTP_GET', { urls: [url('/')] as never, connectTimeoutMs: 1500 }), i % 2 ? RS1 : RS2, 80), 2000);
      lines.push(`${i} ${JSON.stringify(r)}`);
    }
    return lines.join('\n');
  }

  it('same seed, same bytes (probe outcomes, times and the trace); another seed, another run', () => {
    const a = lossyRun(7);
    expect(lossyRun(7)).toBe(a);
    expect(lossyRun(8)).not.toBe(a);
    // With 30 % loss per packet some attempts fail and TCP retransmissions save others.
    expect(a).toMatch(/"ok":false/);
    expect(a).toMatch(/"ok":true/);
  });
});
