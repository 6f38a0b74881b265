/**
 * The prober (adapters/probe) against real servers, one network namespace for the checker
 * (198.51.100.1, .3, 2001:db8::1) and one for the servers (198.51.100.2, 2001:db8::2), joined
 * by a veth pair. Every checker kind: success, then the server goes down (stopped: refused or
 * ICMP unreachable; its packets dropped by nftables: timeout at the one deadline), then it comes
 * back. Plus what keepalived applies around a probe: Host header and virtualhost precedence,
 * http_protocol, SNI, client certificate, bindto/bind_port, bind_if, fwmark, and a server that
 * dribbles its answer (one deadline per attempt, not per read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Prober } from '../../actors/lvs/prober-port.js';
import type { ProbeTarget } from '../../actors/lvs/prober-port.js';
import { createNodeScriptRunner } from '../../adapters/node/scripts.js';
import { createProber } from '../../adapters/probe/prober.js';
import { isRoot, mustRun, NetnsLab, rootTitle, type LabProcess } from '../helpers/netns.js';
import { checker, probeLab, probeOnce, requests, S4, S6, startServer, url } from '../helpers/probe-lab.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const t4 = (port: number): ProbeTarget => ({ family: 4, address: S4, port });
const t6 = (port: number): ProbeTarget => ({ family: 6, address: S6, port });

describe.skipIf(!isRoot)(rootTitle('probes against real servers in namespaces'), () => {
  const lab = new NetnsLab('kts-pr-');
  const dir = mkdtempSync(join(tmpdir(), 'kts-probe-'));
  const runner = createNodeScriptRunner({ killGraceMs: 300 });
  let c = '';
  let s = '';
  let prober: Prober;
  const servers = new Map<string, LabProcess>();

  const nft = async (ns: string, script: string) => {
    const r = await lab.exec(ns, ['nft', '-f', '-'], { input: script });
    if (r.code !== 0) throw new Error(`nft failed: ${r.stderr}`);
  };
  /** Drops what the rule matches on its way into the server namespace, until `restore()`. */
  const drop = (rule: string) => nft(s, `add rule inet probe in ${rule} drop\n`);
  const restore = () => nft(s, 'flush chain inet probe in\n');
  const up = async (name: string, kind: string, port: number, args: string[] = []) => {
    servers.set(name, await startServer(lab, s, kind, port, args));
  };
  const down = async (name: string) => {
    await servers.get(name)?.stop();
    servers.delete(name);
  };

  beforeAll(async () => {
    ({ c, s } = await probeLab(lab));
    // Neighbour resolution gives up after one probe: "host unreachable" comes in about a second.
    await lab.exec(c, ['sysctl', '-qw', 'net.ipv4.neigh.vc.mcast_solicit=1', 'net.ipv6.neigh.vc.mcast_solicit=1']);
    await nft(s, 'add table inet probe\nadd chain inet probe in { type filter hook input priority 0; policy accept; }\n');
    await nft(c, 'add table inet marks\nadd chain inet marks out { type filter hook output priority 0; policy accept; }\nadd rule inet marks out meta mark 42 counter\n');
    // Server and client certificates (the client key is encrypted: SSL { password }).
    const ssl = (args: string[]) => mustRun(['openssl', ...args], { timeoutMs: 30_000 });
    await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.pem'), '-days', '2', '-subj', '/CN=www.example.com']);
    await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-passout', 'pass:s3cret', '-keyout', join(dir, 'client.key'), '-out', join(dir, 'client.pem'), '-days', '2', '-subj', '/CN=probe-client']);
    // One at a time: the machine is shared, and each start loads tsx.
    await up('http', 'http', 80);
    await up('https', 'https', 443, ['--cert', join(dir, 'server.pem'), '--key', join(dir, 'server.key')]);
    await up('dribble', 'dribble', 8080);
    await up('smtp', 'smtp', 2525);
    await up('smtp-multiline', 'smtp-multiline', 2526);
    await up('dns', 'dns', 53);
    await up('dns-refused', 'dns', 5353, ['--rcode', '5']);
    await up('udp', 'udp-echo', 7);
    prober = createProber({ scripts: runner, netns: c });
  }, 300_000);

  afterAll(async () => {
    runner.killAll();
    for (const p of servers.values()) await p.stop();
    await lab.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  it('TCP_CHECK: connects over IPv4 and IPv6; refused when the server stops; timeout when packets are dropped; back again', async () => {
    expect((await probeOnce(prober, checker('TCP_CHECK'), t4(80))).outcome).toEqual({ ok: true });
    expect((await probeOnce(prober, checker('TCP_CHECK'), t6(80))).outcome).toEqual({ ok: true });
    await down('http');
    const refused = await probeOnce(prober, checker('TCP_CHECK'), t4(80));
    expect(refused.outcome).toMatchObject({ ok: false, failure: 'refused', message: 'failed', detail: 'Connection refused (ECONNREFUSED)' });
    expect(refused.ms).toBeLessThan(900);
    await up('http', 'http', 80);
    await drop('tcp dport 80');
    const lost = await probeOnce(prober, checker('TCP_CHECK'), t4(80), 1000);
    expect(lost.outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'timeout' });
    expect(lost.ms).toBeGreaterThanOrEqual(990);
    expect(lost.ms).toBeLessThan(2000);
    await restore();
    expect((await probeOnce(prober, checker('TCP_CHECK'), t4(80))).outcome).toEqual({ ok: true });
  }, 90_000);

  it('HTTP_GET: keepalived request line and Host header, every url each attempt, digest and status; down and back', async () => {
    const http = servers.get('http')!;
    const mark = http.output().length;
    const c1 = checker('HTTP_GET', { urls: [url('/', { digest: md5('hello /') }), url('/missing', { statusCodes: [[404, 404]] }), url('/page', { regex: 'hello /p.ge' })] });
    const ok = await probeOnce(prober, c1, t4(80));
    expect(ok.outcome).toEqual({ ok: true, urls: [{ path: '/', passed: 'MD5 digest' }, { path: '/missing', passed: 'HTTP status code' }, { path: '/page', passed: 'Regex match' }] });
    const seen = requests(http, mark);
    expect(seen).toHaveLength(3);
    expect(seen.find((l) => l.includes(' / '))).toMatch(/^request GET \/ HTTP\/1\.0 host=198\.51\.100\.2:80 ua=KeepAliveClient connection=- from=::ffff:198\.51\.100\.1:/);

    const bad = await probeOnce(prober, checker('HTTP_GET', { urls: [url('/', { digest: md5('something else') })] }), t4(80));
    expect(bad.outcome).toMatchObject({ ok: false, failure: 'bad-digest', message: 'MD5 digest error to', url: '/' });
    const status = await probeOnce(prober, checker('HTTP_GET', { urls: [url('/'), url('/missing')] }), t4(80));
    expect(status.outcome).toMatchObject({ ok: false, failure: 'bad-status', message: 'HTTP status code error to', url: '/missing', detail: 'status 404 for /missing, expected 200-299' });

    await down('http');
    expect((await probeOnce(prober, c1, t4(80))).outcome).toMatchObject({ ok: false, failure: 'refused', message: 'Error connecting' });
    await up('http', 'http', 80);
    await drop('tcp dport 80');
    const lost = await probeOnce(prober, c1, t4(80), 1000);
    expect(lost.outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'Timeout connecting' });
    expect(lost.ms).toBeLessThan(2000);
    await restore();
    expect((await probeOnce(prober, c1, t4(80))).outcome).toMatchObject({ ok: true });
  }, 90_000);

  it('HTTP_GET: virtualhost precedence url > checker > real server > virtual server; IPv6 Host; http_protocol 1.0C and 1.1; chunked digest', async () => {
    const http = servers.get('http')!;
    const host = async (c: ReturnType<typeof checker>, extra: Parameters<typeof probeOnce>[4] = {}, target = t4(80)) => {
      const mark = http.output().length;
      expect((await probeOnce(prober, c, target, 1000, extra)).outcome).toMatchObject({ ok: true });
      return requests(http, mark)[0]!;
    };
    const vhosts = { virtualhosts: { realServer: 'rs.example', virtualServer: 'vs.example' } };
    expect(await host(checker('HTTP_GET', { urls: [url('/', { virtualhost: 'url.example' })], virtualhost: 'chk.example' }), vhosts)).toContain('host=url.example ');
    expect(await host(checker('HTTP_GET', { urls: [url('/')], virtualhost: 'chk.example' }), vhosts)).toContain('host=chk.example ');
    expect(await host(checker('HTTP_GET', { urls: [url('/')] }), vhosts)).toContain('host=rs.example ');
    expect(await host(checker('HTTP_GET', { urls: [url('/')] }), { virtualhosts: { virtualServer: 'vs.example' } })).toContain('host=vs.example ');
    expect(await host(checker('HTTP_GET', { urls: [url('/')] }), {}, t6(80))).toContain('host=[2001:db8::2]:80 ');
    expect(await host(checker('HTTP_GET', { urls: [url('/')], httpProtocol: '1.0C' }))).toMatch(/HTTP\/1\.0 .* connection=close /);
    expect(await host(checker('HTTP_GET', { urls: [url('/')], httpProtocol: '1.1' }))).toMatch(/HTTP\/1\.1 .* connection=close /);
    // Chunked only with HTTP/1.1; the digest covers the de-chunked body.
    const chunked = checker('HTTP_GET', { urls: [url('/chunked', { digest: md5('hello chunked') })], httpProtocol: '1.1' });
    expect((await probeOnce(prober, chunked, t4(80))).outcome).toMatchObject({ ok: true, urls: [{ path: '/chunked', passed: 'MD5 digest' }] });
    expect((await probeOnce(prober, { ...chunked, httpProtocol: '1.0' }, t4(80))).outcome).toMatchObject({ ok: true });
  }, 90_000);

  it('HTTP_GET: a server dribbling its answer fails at the one deadline, not at a per-read timeout', async () => {
    const r = await probeOnce(prober, checker('HTTP_GET', { urls: [url('/')] }), t4(8080), 1000);
    expect(r.outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'Timeout HTTP read', url: '/' });
    // 100 ms between bytes would keep a per-read timeout of 1 s alive forever.
    expect(r.ms).toBeGreaterThanOrEqual(990);
    expect(r.ms).toBeLessThan(2000);
    expect(r.outcome.ok ? '' : r.outcome.detail).toMatch(/bytes received/);
  }, 90_000);

  it('SSL_GET: SNI from the virtualhost with enable_sni, client certificate from the SSL block; down and back', async () => {
    const https = servers.get('https')!;
    const ssl = { source: { file: 'test.conf', line: 1 }, certificate: join(dir, 'client.pem'), key: join(dir, 'client.key'), password: 's3cret' };
    const c1 = checker('SSL_GET', { urls: [url('/secure', { digest: md5('hello /secure') })], enableSni: true, virtualhost: 'www.example.com' });
    let mark = https.output().length;
    expect((await probeOnce(prober, c1, t4(443), 2000, { ssl })).outcome).toMatchObject({ ok: true, urls: [{ path: '/secure', passed: 'MD5 digest' }] });
    expect(requests(https, mark)[0]).toMatch(/host=www\.example\.com .*sni=www\.example\.com client=probe-client/);
    mark = https.output().length;
    expect((await probeOnce(prober, { ...c1, enableSni: false }, t6(443), 2000)).outcome).toMatchObject({ ok: true });
    expect(requests(https, mark)[0]).toMatch(/sni=- client=-/);
    const wrongPassword = await probeOnce(prober, c1, t4(443), 2000, { ssl: { ...ssl, password: 'nope' } });
    expect(wrongPassword.outcome).toMatchObject({ ok: false, failure: 'local-error' });
    const plain = await probeOnce(prober, checker('SSL_GET', { urls: [url('/')] }), t4(80), 2000);
    expect(plain.outcome).toMatchObject({ ok: false, failure: 'tls-error', message: 'SSL handshake/communication error connecting to' });

    await down('https');
    expect((await probeOnce(prober, c1, t4(443), 2000, { ssl })).outcome).toMatchObject({ ok: false, failure: 'refused' });
    await up('https', 'https', 443, ['--cert', join(dir, 'server.pem'), '--key', join(dir, 'server.key')]);
    await drop('tcp dport 443');
    expect((await probeOnce(prober, c1, t4(443), 1000, { ssl })).outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'Timeout connecting' });
    await restore();
    expect((await probeOnce(prober, c1, t4(443), 2000, { ssl })).outcome).toMatchObject({ ok: true });
  }, 90_000);

  it('SMTP_CHECK: greeting, HELO, QUIT on the real server port; a multi-line greeting passes; down and back', async () => {
    const smtp = checker('SMTP_CHECK', { heloName: 'checker.example' });
    expect((await probeOnce(prober, smtp, t4(2525), 2000)).outcome).toEqual({ ok: true });
    const multi = servers.get('smtp-multiline')!;
    const mark = multi.output().length;
    expect((await probeOnce(prober, smtp, t6(2526), 2000)).outcome).toEqual({ ok: true });
    expect(requests(multi, mark)).toContain('request smtp-line HELO checker.example');
    const notSmtp = await probeOnce(prober, smtp, t4(80), 2000);
    expect(notSmtp.outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'Read timeout from server' });

    await down('smtp');
    expect((await probeOnce(prober, smtp, t4(2525))).outcome).toMatchObject({ ok: false, failure: 'refused', message: 'Error connecting to server' });
    await up('smtp', 'smtp', 2525);
    await drop('tcp dport 2525');
    expect((await probeOnce(prober, smtp, t4(2525), 1000)).outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'Connection timeout to server' });
    await restore();
    expect((await probeOnce(prober, smtp, t4(2525), 2000)).outcome).toEqual({ ok: true });
  }, 90_000);

  it('DNS_CHECK: SOA for the root by default, RD set; RCODE ≠ 0 fails; down (ICMP port unreachable) and back', async () => {
    const dns = servers.get('dns')!;
    let mark = dns.output().length;
    expect((await probeOnce(prober, checker('DNS_CHECK'), t4(53))).outcome).toEqual({ ok: true });
    expect(requests(dns, mark)[0]).toMatch(/^request dns id=\d+ type=SOA name=\. rd=1 from=::ffff:198\.51\.100\.1$/);
    mark = dns.output().length;
    expect((await probeOnce(prober, checker('DNS_CHECK', { dns: { type: 'AAAA', name: 'www.example.com' } }), t6(53))).outcome).toEqual({ ok: true });
    expect(requests(dns, mark)[0]).toMatch(/type=AAAA name=www\.example\.com rd=1 from=2001:db8::1$/);
    expect((await probeOnce(prober, checker('DNS_CHECK'), t4(5353))).outcome).toMatchObject({ ok: false, failure: 'bad-reply', message: 'read error occurred. (rcode = 5)' });

    await down('dns');
    expect((await probeOnce(prober, checker('DNS_CHECK'), t4(53))).outcome).toMatchObject({ ok: false, failure: 'refused', message: 'failed to read socket; errno 111 (Connection refused)' });
    await up('dns', 'dns', 53);
    await drop('udp dport 53');
    const lost = await probeOnce(prober, checker('DNS_CHECK'), t4(53), 1000);
    expect(lost.outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'read timeout from socket' });
    expect(lost.ms).toBeLessThan(2000);
    await restore();
    expect((await probeOnce(prober, checker('DNS_CHECK'), t4(53))).outcome).toEqual({ ok: true });
  }, 90_000);

  it('UDP_CHECK: payload and require_reply with X wildcards; ICMP port and host unreachable fail; silence passes only without require_reply', async () => {
    const echo = checker('UDP_CHECK', { udp: { payload: '01 02 0a0b0c', requireReply: '01 0X 0a' } });
    expect((await probeOnce(prober, echo, t4(7))).outcome).toMatchObject({ ok: true, detail: 'reply of 5 bytes' });
    expect((await probeOnce(prober, checker('UDP_CHECK', { udp: { requireReply: '6b 65 79' } }), t6(7))).outcome).toMatchObject({ ok: false, failure: 'bad-reply', message: 'reply data mismatch' });
    expect((await probeOnce(prober, checker('UDP_CHECK', { udp: { requireReply: '', minReplyLength: 40 } }), t4(7))).outcome).toMatchObject({ ok: false, failure: 'bad-reply' });

    await down('udp');
    expect((await probeOnce(prober, echo, t4(7))).outcome).toMatchObject({ ok: false, failure: 'refused', message: 'failed' });
    expect((await probeOnce(prober, checker('UDP_CHECK'), t6(7))).outcome).toMatchObject({ ok: false, failure: 'refused' });
    await up('udp', 'udp-echo', 7);
    await drop('udp dport 7');
    const silent = await probeOnce(prober, checker('UDP_CHECK'), t4(7), 1000);
    expect(silent.outcome).toMatchObject({ ok: true });
    expect(silent.ms).toBeGreaterThanOrEqual(990);
    expect((await probeOnce(prober, echo, t4(7), 1000)).outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'failed' });
    await restore();
    expect((await probeOnce(prober, echo, t4(7))).outcome).toMatchObject({ ok: true });
    // Nobody at .9: neighbour resolution fails and IP_RECVERR reports it (keepalived issue #2477).
    const nobody = await probeOnce(prober, checker('UDP_CHECK'), { family: 4, address: '198.51.100.9', port: 7 }, 4000);
    expect(nobody.outcome).toMatchObject({ ok: false, failure: 'unreachable' });
    expect(nobody.ms).toBeLessThan(3900);
  }, 90_000);

  it('PING_CHECK: echo over IPv4 and IPv6 with a raw socket, then with the ping socket once ping_group_range allows; dropped → timeout; no host → unreachable', async () => {
    const ping = checker('PING_CHECK');
    expect((await probeOnce(prober, ping, t4(0))).outcome).toEqual({ ok: true });
    expect((await probeOnce(prober, ping, t6(0))).outcome).toEqual({ ok: true });
    await lab.exec(c, ['sysctl', '-qw', 'net.ipv4.ping_group_range=0 2147483647']);
    expect((await probeOnce(prober, ping, t4(0))).outcome).toEqual({ ok: true });
    expect((await probeOnce(prober, ping, t6(0))).outcome).toEqual({ ok: true });
    await drop('icmp type echo-request');
    await drop('icmpv6 type echo-request');
    expect((await probeOnce(prober, ping, t4(0), 1000)).outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'timeout' });
    expect((await probeOnce(prober, ping, t6(0), 1000)).outcome).toMatchObject({ ok: false, failure: 'timeout' });
    await restore();
    expect((await probeOnce(prober, ping, t4(0))).outcome).toEqual({ ok: true });
    const nobody = await probeOnce(prober, ping, { family: 4, address: '198.51.100.9', port: 0 }, 4000);
    expect(nobody.outcome).toMatchObject({ ok: false, failure: 'unreachable' });
    await lab.exec(c, ['sysctl', '-qw', 'net.ipv4.ping_group_range=1 0']);
    const raw = await probeOnce(prober, ping, { family: 4, address: '198.51.100.9', port: 0 }, 4000);
    expect(raw.outcome).toMatchObject({ ok: false, failure: 'unreachable', message: 'failed' });
  }, 90_000);

  it('bindto/bind_port choose the source; bind_if binds the device; fwmark marks the packets; local trouble is a local-error', async () => {
    const http = servers.get('http')!;
    const mark = http.output().length;
    const from3 = checker('HTTP_GET', { urls: [url('/')], bindto: '198.51.100.3', bindPort: 40123 });
    expect((await probeOnce(prober, from3, t4(80))).outcome).toMatchObject({ ok: true });
    expect(requests(http, mark)[0]).toContain('from=::ffff:198.51.100.3:40123');
    expect((await probeOnce(prober, checker('TCP_CHECK', { bindIf: 'vc' }), t4(80))).outcome).toEqual({ ok: true });
    expect((await probeOnce(prober, checker('TCP_CHECK', { bindIf: 'dx' }), t4(80))).outcome).toMatchObject({ ok: false });
    expect((await probeOnce(prober, checker('UDP_CHECK', { bindIf: 'vc', udp: { requireReply: '' } }), t4(7))).outcome).toMatchObject({ ok: true });
    expect((await probeOnce(prober, checker('TCP_CHECK', { bindIf: 'nosuch0' }), t4(80))).outcome).toMatchObject({ ok: false, failure: 'local-error', message: 'bind_if nosuch0: setsockopt: No such device' });
    expect((await probeOnce(prober, checker('TCP_CHECK', { bindto: '203.0.113.99' }), t4(80))).outcome).toMatchObject({ ok: false, failure: 'local-error' });
    expect((await probeOnce(prober, checker('TCP_CHECK', { bindto: '2001:db8::1' }), t4(80))).outcome).toMatchObject({ ok: false, failure: 'local-error', message: 'bindto 2001:db8::1 is not an IPv4 address like the server\'s' });

    const counter = async () => {
      const r = await lab.exec(c, ['nft', '-j', 'list', 'chain', 'inet', 'marks', 'out']);
      const rules = (JSON.parse(r.stdout) as { nftables: Array<{ rule?: { expr: Array<{ counter?: { packets: number } }> } }> }).nftables;
      return rules.flatMap((x) => x.rule?.expr ?? []).find((e) => e.counter)?.counter?.packets ?? -1;
    };
    const before = await counter();
    expect((await probeOnce(prober, checker('TCP_CHECK', { fwmark: 42 }), t4(80))).outcome).toEqual({ ok: true });
    expect((await probeOnce(prober, checker('DNS_CHECK', { fwmark: 42 }), t4(53))).outcome).toEqual({ ok: true });
    expect((await probeOnce(prober, checker('PING_CHECK', { fwmark: 42 }), t4(0))).outcome).toEqual({ ok: true });
    expect(await counter()).toBeGreaterThanOrEqual(before + 4);
    const unmarked = await counter();
    expect((await probeOnce(prober, checker('TCP_CHECK'), t4(80))).outcome).toEqual({ ok: true });
    expect(await counter()).toBe(unmarked);
  }, 90_000);

  it('MISC_CHECK: exit 0 up, 1 down, misc_dynamic weight = status − 2, killed at misc_timeout, refused when unsafe, run as its user', async () => {
    chmodSync(dir, 0o755);
    const state = join(dir, 'state');
    const script = join(dir, 'check.sh');
    writeFileSync(script, `#!/bin/sh\nid -u > ${dir}/uid.$(cat ${state})\ncase $(cat ${state}) in ok) exit 0;; dyn) exit 12;; hang) exec sleep 30;; *) exit 1;; esac\n`);
    chmodSync(script, 0o755);
    const misc = (extra: Partial<NonNullable<ReturnType<typeof checker>['misc']>> = {}) => checker('MISC_CHECK', { misc: { command: { argv: [script], source: { file: 't', line: 1 } }, dynamic: false, ...extra } });
    const set = (v: string) => writeFileSync(state, v);
    set('ok');
    expect((await probeOnce(prober, misc(), t4(0), 2000)).outcome).toEqual({ ok: true });
    set('fail');
    expect((await probeOnce(prober, misc(), t4(0), 2000)).outcome).toMatchObject({ ok: false, failure: 'exit-status', message: 'exited with status 1', exitStatus: 1 });
    set('dyn');
    expect((await probeOnce(prober, misc({ dynamic: true }), t4(0), 2000)).outcome).toMatchObject({ ok: true, weight: 10 });
    expect((await probeOnce(prober, misc(), t4(0), 2000)).outcome).toMatchObject({ ok: false, message: 'exited with status 12' });
    set('hang');
    const hang = await probeOnce(prober, misc(), t4(0), 800);
    expect(hang.outcome).toMatchObject({ ok: false, failure: 'timeout', message: 'timed out' });
    expect(hang.ms).toBeLessThan(1800);
    set('ok');
    expect((await probeOnce(prober, misc(), t4(0), 2000)).outcome).toEqual({ ok: true });

    const secure = createProber({ scripts: runner, netns: c, scriptPolicy: () => ({ secure: true, user: 'nobody' }) });
    chmodSync(script, 0o777);
    expect((await probeOnce(secure, misc(), t4(0), 2000)).outcome).toMatchObject({ ok: false, failure: 'exit-status', message: 'failed to run', detail: `Unsafe permissions found for script '${script}' - disabling.` });
    chmodSync(script, 0o755);
    chmodSync(dir, 0o777);
    set('nobody');
    const asNobody = checker('MISC_CHECK', { misc: { command: { argv: [script], user: 'nobody', source: { file: 't', line: 1 } }, dynamic: false } });
    expect((await probeOnce(prober, asNobody, t4(0), 2000)).outcome).toMatchObject({ ok: false, message: 'exited with status 1' });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'uid.nobody'), 'utf8').trim()).toBe('65534');
    chmodSync(dir, 0o755);
  }, 90_000);

  it('cancel: a cancelled probe never reports, and its socket is gone', async () => {
    const got: unknown[] = [];
    const h = prober.probe({ checker: checker('HTTP_GET', { urls: [url('/')] }), target: t4(8080), timeoutMs: 500 }, (o) => got.push(o));
    await new Promise((r) => setTimeout(r, 200));
    h.cancel();
    await new Promise((r) => setTimeout(r, 600));
    expect(got).toEqual([]);
  }, 90_000);
});
