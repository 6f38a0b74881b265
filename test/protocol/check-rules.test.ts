/**
 * The pure rules of the health checks (protocol/check): keepalived's HTTP request and Host
 * header, virtualhost precedence and SNI, status ranges and the url verdict order, UDP hex
 * strings with X wildcards and reply matching, SMTP multi-line replies, ICMP echo, DNS queries.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { decode } from 'dns-packet';
import { internetChecksum } from '../../protocol/checksum.js';
import { dnsQuery, judgeDnsReply } from '../../protocol/check/dns-query.js';
import { echoRequest, parseIcmpAnswer } from '../../protocol/check/icmp-echo.js';
import { judgeHttpAnswer, statusAllowed } from '../../protocol/check/http-judge.js';
import { hostHeader, httpRequest, httpVersion, sniName, urlVirtualhost } from '../../protocol/check/http-request.js';
import { SmtpReplyReader } from '../../protocol/check/smtp-reply.js';
import { fillPayload, parseHexPattern, replyMismatch } from '../../protocol/check/udp-check.js';
import { compileText } from '../../config/index.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('HTTP_GET request', () => {
  it('writes keepalived 2.2.7 request for each http_protocol', () => {
    expect(httpRequest('/health', httpVersion(undefined), '198.51.100.2:80')).toBe('GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 198.51.100.2:80\r\n\r\n');
    expect(httpRequest('/', httpVersion('1.0C'), 'h')).toBe('GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: h\r\n\r\n');
    expect(httpRequest('/', httpVersion('1.0c'), 'h')).toContain('Connection: close');
    expect(httpRequest('/', httpVersion('1.1'), 'h')).toBe('GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: h\r\n\r\n');
  });

  it('Host: url > checker > real server > virtual server, else the address with its port (IPv6 bracketed)', () => {
    const inherited = { realServer: 'rs', virtualServer: 'vs' };
    expect(urlVirtualhost({ virtualhost: 'u' }, { virtualhost: 'c' }, inherited)).toBe('u');
    expect(urlVirtualhost({}, { virtualhost: 'c' }, inherited)).toBe('c');
    expect(urlVirtualhost({}, {}, inherited)).toBe('rs');
    expect(urlVirtualhost({}, {}, { virtualServer: 'vs' })).toBe('vs');
    expect(urlVirtualhost({}, {})).toBeUndefined();
    expect(hostHeader('www.example.com', { family: 4, address: '198.51.100.2', port: 8080 })).toBe('www.example.com');
    expect(hostHeader(undefined, { family: 4, address: '198.51.100.2', port: 8080 })).toBe('198.51.100.2:8080');
    expect(hostHeader(undefined, { family: 6, address: '2001:db8::2', port: 443 })).toBe('[2001:db8::2]:443');
  });

  it('SNI is the virtualhost without its port, never an IP literal', () => {
    expect(sniName('www.example.com')).toBe('www.example.com');
    expect(sniName('www.example.com:8443')).toBe('www.example.com');
    expect(sniName('198.51.100.2')).toBeUndefined();
    expect(sniName('[2001:db8::2]:443')).toBeUndefined();
    expect(sniName(undefined)).toBeUndefined();
  });
});

describe('HTTP_GET verdict', () => {
  const answer = { status: 200, digest: md5('hello'), text: 'hello world' };
  it('status ranges, default 200-299', () => {
    expect(statusAllowed(200, [])).toBe(true);
    expect(statusAllowed(299, [])).toBe(true);
    expect(statusAllowed(301, [])).toBe(false);
    expect(statusAllowed(301, [[300, 399], [404, 404]])).toBe(true);
    expect(statusAllowed(404, [[300, 399], [404, 404]])).toBe(true);
    expect(statusAllowed(405, [[300, 399], [404, 404]])).toBe(false);
  });

  it('checks status, then digest, then regex, and names the last check passed', () => {
    const u = { path: '/', statusCodes: [[200, 299]] as Array<[number, number]>, regexNoMatch: false };
    expect(judgeHttpAnswer(u, answer)).toEqual({ ok: true, passed: 'HTTP status code' });
    expect(judgeHttpAnswer({ ...u, digest: md5('hello') }, answer)).toEqual({ ok: true, passed: 'MD5 digest' });
    expect(judgeHttpAnswer({ ...u, digest: md5('hello').toUpperCase(), regex: 'wor.d' }, answer)).toEqual({ ok: true, passed: 'Regex match' });
    expect(judgeHttpAnswer({ ...u, digest: md5('x'), regex: 'nope' }, { ...answer, status: 500 })).toMatchObject({ ok: false, failure: 'bad-status', message: 'HTTP status code error to' });
    expect(judgeHttpAnswer({ ...u, digest: md5('x'), regex: 'nope' }, answer)).toMatchObject({ ok: false, failure: 'bad-digest', message: 'MD5 digest error to' });
    expect(judgeHttpAnswer({ ...u, regex: 'nope' }, answer)).toMatchObject({ ok: false, failure: 'bad-regex', message: 'Regex match failed' });
    expect(judgeHttpAnswer({ ...u, regex: 'hello', regexNoMatch: true }, answer)).toMatchObject({ ok: false, failure: 'bad-regex' });
    expect(judgeHttpAnswer({ ...u, regex: 'nope', regexNoMatch: true }, answer)).toEqual({ ok: true, passed: 'Regex match' });
    expect(judgeHttpAnswer({ ...u, regex: '(' }, answer)).toMatchObject({ ok: false, failure: 'bad-regex', detail: '/: invalid regex /(/' });
  });
});

describe('UDP_CHECK hex strings and replies', () => {
  it('reads hex like keepalived: spaces skipped, a lone digit is a byte, X only in require_reply', () => {
    expect(parseHexPattern('0a0b 0c', false)).toEqual({ data: Uint8Array.of(0x0a, 0x0b, 0x0c) });
    expect(parseHexPattern('1 2\tff', false)).toEqual({ data: Uint8Array.of(1, 2, 0xff) });
    expect(parseHexPattern('abc', false)).toEqual({ data: Uint8Array.of(0xab, 0x0c) });
    expect(parseHexPattern('0X', false)).toBeUndefined();
    expect(parseHexPattern('0X x1', true)).toEqual({ data: Uint8Array.of(0x00, 0x01), mask: Uint8Array.of(0x0f, 0xf0) });
    expect(parseHexPattern('zz', true)).toBeUndefined();
    expect(parseHexPattern('   ', true)).toBeUndefined();
  });

  it('the default payload is 32 bytes of "keepalived check - "', () => {
    expect(Buffer.from(fillPayload(32)).toString()).toBe('keepalived check - keepalived ch');
  });

  it('compares the first min(reply, pattern) bytes with X wildcards, and the length limits', () => {
    const rule = { pattern: parseHexPattern('01 0X a5', true)!, minLength: 0, maxLength: 255 };
    expect(replyMismatch(Uint8Array.of(1, 7, 0xa5, 9, 9), rule)).toBeUndefined();
    expect(replyMismatch(Uint8Array.of(1, 0x17, 0xa5), rule)).toBe('byte 1 is 17, expected 0X');
    expect(replyMismatch(Uint8Array.of(1), rule)).toBeUndefined();
    expect(replyMismatch(new Uint8Array(256), rule)).toMatch(/longer than max_reply_length 255/);
    expect(replyMismatch(Uint8Array.of(1, 2), { ...rule, minLength: 3 })).toMatch(/shorter than min_reply_length 3/);
  });
});

describe('SMTP replies', () => {
  it('single and multi-line replies, split anywhere', () => {
    const r = new SmtpReplyReader();
    expect(r.push('220 ready\r\n')).toEqual([{ code: 220, lines: ['220 ready'] }]);
    expect(r.push('220-mail.example ESMTP\r\n220-')).toEqual([]);
    expect(r.push('second\r\n220 last\r\n250')).toEqual([{ code: 220, lines: ['220-mail.example ESMTP', '220-second', '220 last'] }]);
    expect(r.push('\r\n')).toEqual([{ code: 250, lines: ['250'] }]);
    expect(r.error).toBeUndefined();
  });
  it('not SMTP, or a code changing inside a reply, is an error', () => {
    const a = new SmtpReplyReader();
    a.push('HTTP/1.0 400 Bad\r\n');
    expect(a.error).toMatch(/not an SMTP reply/);
    const b = new SmtpReplyReader();
    b.push('220-a\r\n250 b\r\n');
    expect(b.error).toMatch(/reply code changed/);
  });
});

describe('ICMP echo', () => {
  it('IPv4 request carries a valid checksum; IPv6 leaves it to the kernel', () => {
    const v4 = echoRequest(4, 0x1234, 7);
    expect(v4.length).toBe(136);
    expect([v4[0], v4[4], v4[5], v4[6], v4[7]]).toEqual([8, 0x12, 0x34, 0, 7]);
    expect(internetChecksum(v4)).toBe(0);
    expect(Buffer.from(v4.subarray(8, 27)).toString()).toBe('keepalived check - ');
    expect(echoRequest(6, 1, 2)[0]).toBe(128);
  });
  it('recognises replies and errors quoting our request', () => {
    const reply = Uint8Array.from([0, 0, 0, 0, 0x12, 0x34, 0, 7]);
    expect(parseIcmpAnswer(4, reply)).toEqual({ kind: 'reply', id: 0x1234, seq: 7 });
    const quotedIp = new Uint8Array(20);
    quotedIp[0] = 0x45;
    quotedIp[9] = 1;
    const unreachable = Uint8Array.from([3, 1, 0, 0, 0, 0, 0, 0, ...quotedIp, ...echoRequest(4, 0x1234, 7).subarray(0, 8)]);
    expect(parseIcmpAnswer(4, unreachable)).toEqual({ kind: 'error', type: 3, code: 1, id: 0x1234, seq: 7 });
    const v6hdr = new Uint8Array(40);
    v6hdr[6] = 58;
    const v6err = Uint8Array.from([1, 3, 0, 0, 0, 0, 0, 0, ...v6hdr, ...echoRequest(6, 5, 9).subarray(0, 8)]);
    expect(parseIcmpAnswer(6, v6err)).toEqual({ kind: 'error', type: 1, code: 3, id: 5, seq: 9 });
    expect(parseIcmpAnswer(6, Uint8Array.from([135, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
  });
});

describe('DNS_CHECK', () => {
  it('asks like keepalived: one question, class IN, RD, SOA of the root by default', () => {
    const q = decode(Buffer.from(dnsQuery(0xbeef)));
    expect(q).toMatchObject({ id: 0xbeef, type: 'query', flag_rd: true, questions: [{ type: 'SOA', class: 'IN', name: '.' }] });
    expect(Buffer.from(dnsQuery(0x1234)).toString('hex')).toBe('1234010000010000000000000000060001');
    expect(decode(Buffer.from(dnsQuery(1, 'aaaa', 'www.example.com.'))).questions).toEqual([{ type: 'AAAA', class: 'IN', name: 'www.example.com' }]);
  });
  it('passes our ID with QR and RCODE 0; ignores other IDs and queries; fails other RCODEs', () => {
    const reply = (id: number, flags: number) => Uint8Array.of(id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, 0, 0, 0, 0, 0);
    expect(judgeDnsReply(0x1234, reply(0x1234, 0x8180))).toEqual({ kind: 'ok' });
    expect(judgeDnsReply(0x1234, reply(0x1234, 0x8182))).toEqual({ kind: 'error', rcode: 2 });
    expect(judgeDnsReply(0x1234, reply(0x4321, 0x8180))).toMatchObject({ kind: 'ignore', why: 'ID does not match. (4321 != 1234)' });
    expect(judgeDnsReply(0x1234, reply(0x1234, 0x0100))).toMatchObject({ kind: 'ignore', why: 'receive query message?' });
    expect(judgeDnsReply(0x1234, Uint8Array.of(0x12))).toMatchObject({ kind: 'ignore' });
  });
});

describe('checker config the probes read', () => {
  const conf = (body: string, top = '') => compileText(`${top}\nvirtual_server 198.51.100.10 80 {\n  protocol TCP\n  real_server 198.51.100.2 80 {\n${body}\n  }\n}\n`);
  const errors = (r: ReturnType<typeof compileText>) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  const first = (r: ReturnType<typeof compileText>) => r.model.virtualServers[0]!.realServers[0]!.checkers[0]!;

  it('the SSL block', () => {
    const r = conf('HTTP_GET { url { path / } }', 'SSL {\n password s3cret\n ca /etc/ca.pem\n certificate /etc/c.pem\n key /etc/k.pem\n}');
    expect(r.model.ssl).toMatchObject({ password: 's3cret', ca: '/etc/ca.pem', certificate: '/etc/c.pem', key: '/etc/k.pem' });
    expect(errors(conf('', 'SSL {\n key a\n key b\n}'))).toEqual(['SSL key already specified - replacing']);
  });

  it('http_protocol, DNS type and name, UDP hex strings are checked like keepalived', () => {
    expect(errors(conf('HTTP_GET {\n http_protocol 2.0\n url { path / }\n}'))).toEqual(['Invalid http_protocol version 2.0']);
    expect(first(conf('HTTP_GET {\n http_protocol 1.0c\n url { path / }\n}')).httpProtocol).toBe('1.0c');
    expect(errors(conf('DNS_CHECK {\n type WKS\n}'))).toEqual(['Unknown DNS check type WKS - ignoring']);
    expect(first(conf('DNS_CHECK {\n type aaaa\n name www.example.com\n}')).dns).toEqual({ type: 'AAAA', name: 'www.example.com' });
    expect(errors(conf('DNS_CHECK {\n name a..b\n}'))).toEqual(["DNS_CHECK name 'a..b' has empty label - ignoring"]);
    expect(first(conf('UDP_CHECK {\n payload 01 02 0a\n require_reply 01 XX\n}')).udp).toEqual({ payload: '01 02 0a', requireReply: '01 XX' });
    expect(errors(conf('UDP_CHECK {\n payload 0X\n}'))).toEqual(['Invalid hex string for UDP_CHECK payload']);
    expect(errors(conf('UDP_CHECK {\n require_reply zz\n}'))).toEqual(['Invalid hex string for UDP_CHECK reply']);
  });

  it('MISC_CHECK user and group, before or after misc_path', () => {
    const after = first(conf('MISC_CHECK {\n misc_path "/bin/true"\n user nobody nogroup\n}')).misc!.command!;
    const before = first(conf('MISC_CHECK {\n user nobody nogroup\n misc_path "/bin/true"\n}')).misc!.command!;
    expect(after).toMatchObject({ argv: ['/bin/true'], user: 'nobody', group: 'nogroup' });
    expect(before).toMatchObject({ argv: ['/bin/true'], user: 'nobody', group: 'nogroup' });
  });
});
