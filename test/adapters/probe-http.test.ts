/**
 * HTTP_GET's client (adapters/probe/http-fetch.ts through the prober) against scripted servers
 * on 127.0.0.1 that write exact bytes: what keepalived gets wrong (no reason phrase, keep-alive,
 * chunked) and what must fail (not HTTP, nothing, a truncated header). Also genhash's command
 * line and its digest. Plain sockets (no bind_if/fwmark/netns): no root needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { genhash, parseGenhashArgs, type GenhashOptions } from '../../adapters/node/commands/genhash.js';
import { createProber } from '../../adapters/probe/prober.js';
import { checker, probeOnce, url } from '../helpers/probe-lab.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Path → what the server does with the connection after reading the request. */
const scripts: Record<string, (c: net.Socket) => void> = {
  '/no-reason': (c) => c.end('HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok'),
  '/keep-alive': (c) => c.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nalive'),
  '/chunked': (c) => {
    c.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    setTimeout(() => c.end('6\r\n world\r\n0\r\n\r\n'), 30);
  },
  '/close-delimited': (c) => {
    c.write('HTTP/1.0 200 OK\r\n\r\nuntil ');
    setTimeout(() => c.end('the end'), 30);
  },
  '/not-http': (c) => c.end('SSH-2.0-OpenSSH_9.2\r\n'),
  '/nothing': (c) => c.end(),
  '/half-header': (c) => c.end('HTTP/1.1 200 OK\r\nContent-'),
  '/truncated': (c) => c.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort'),
  '/continue': (c) => c.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'),
  '/lf-only': (c) => c.end('HTTP/1.0 200 OK\nContent-Length: 3\n\nabc'),
};

describe('HTTP_GET client on loopback', () => {
  let server: net.Server;
  let port = 0;
  const requests: string[] = [];
  const prober = createProber({ scripts: { run: () => ({ cancel() {} }) } });
  const target = () => ({ family: 4 as const, address: '127.0.0.1', port });
  const get = (path: string, extra: Parameters<typeof url>[1] = {}, timeoutMs = 1000) => probeOnce(prober, checker('HTTP_GET', { urls: [url(path, extra)] }), target(), timeoutMs);

  beforeAll(async () => {
    server = net.createServer((c) => {
      let buf = '';
      c.on('data', (d) => {
        buf += d.toString('latin1');
        if (!buf.includes('\r\n\r\n')) return;
        requests.push(buf);
        const path = buf.split(' ')[1] ?? '/';
        (scripts[path] ?? ((s: net.Socket) => s.end('HTTP/1.0 404 Not Found\r\n\r\n')))(c);
      });
      c.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends exactly keepalived 2.2.7 request', async () => {
    requests.length = 0;
    await get('/no-reason');
    expect(requests).toEqual([`GET /no-reason HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:${port}\r\n\r\n`]);
  });

  it('accepts a status line without a reason phrase (keepalived reads status 0 there)', async () => {
    expect((await get('/no-reason', { digest: md5('ok') })).outcome).toEqual({ ok: true, urls: [{ path: '/no-reason', passed: 'MD5 digest' }] });
  });

  it('is done at Content-Length even if the server keeps the connection open (keepalived waits for EOF)', async () => {
    const r = await get('/keep-alive', { digest: md5('alive') });
    expect(r.outcome).toMatchObject({ ok: true });
    expect(r.ms).toBeLessThan(900);
  });

  it('de-chunks before hashing; reads a close-delimited body to EOF; tolerates bare LF', async () => {
    expect((await get('/chunked', { digest: md5('hello world') })).outcome).toMatchObject({ ok: true });
    expect((await get('/close-delimited', { digest: md5('until the end'), regex: 'until.*end' })).outcome).toMatchObject({ ok: true, urls: [{ passed: 'Regex match' }] });
    expect((await get('/lf-only', { digest: md5('abc') })).outcome).toMatchObject({ ok: true });
  });

  it('skips an interim 1xx answer', async () => {
    expect((await get('/continue', { statusCodes: [[204, 204]] })).outcome).toMatchObject({ ok: true });
    expect((await get('/continue', { statusCodes: [[100, 100]] })).outcome).toMatchObject({ ok: false, failure: 'bad-status', detail: 'status 204 for /continue, expected 100' });
  });

  it('fails what is not an HTTP answer, in keepalived words', async () => {
    expect((await get('/not-http')).outcome).toMatchObject({ ok: false, failure: 'bad-reply', message: 'Read, no data received from ' });
    expect((await get('/nothing')).outcome).toMatchObject({ ok: false, failure: 'bad-reply', message: 'Read, no data received from ', detail: '/nothing: connection closed without an answer' });
    expect((await get('/half-header')).outcome).toMatchObject({ ok: false, failure: 'bad-reply', detail: '/half-header: connection closed inside the header block' });
  });

  it('judges a body cut short of Content-Length on what arrived, as keepalived does', async () => {
    expect((await get('/truncated')).outcome).toMatchObject({ ok: true });
    expect((await get('/truncated', { digest: md5('short') })).outcome).toMatchObject({ ok: true });
  });

  it('a checker without url passes without a request; refused is Error connecting', async () => {
    requests.length = 0;
    expect((await probeOnce(prober, checker('HTTP_GET'), target())).outcome).toEqual({ ok: true, detail: 'no url to check' });
    expect(requests).toEqual([]);
    const closed = await probeOnce(prober, checker('HTTP_GET', { urls: [url('/')] }), { family: 4, address: '127.0.0.1', port: 1 });
    expect(closed.outcome).toMatchObject({ ok: false, failure: 'refused', message: 'Error connecting', url: '/' });
  });

  it('leaves no file descriptor behind: answers, refusals, timeouts, cancels, UDP and DNS', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    await get('/keep-alive');
    const before = fds();
    const dead = { family: 4 as const, address: '127.0.0.1', port: 1 };
    for (let i = 0; i < 20; i++) {
      await Promise.all([
        get('/chunked'),
        get('/keep-alive'),
        get('/not-http'),
        probeOnce(prober, checker('HTTP_GET', { urls: [url('/')] }), dead),
        probeOnce(prober, checker('TCP_CHECK', { fwmark: 1 }), target()),
        probeOnce(prober, checker('UDP_CHECK'), dead),
        probeOnce(prober, checker('DNS_CHECK'), dead),
        get('/close-delimited', {}, 10), // the deadline ends it mid-answer
      ]);
      prober.probe({ checker: checker('HTTP_GET', { urls: [url('/chunked')] }), target: target(), timeoutMs: 1000 }, () => undefined).cancel();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(fds()).toBeLessThanOrEqual(before);
  });

  it('genhash: the digest the checker compares, or a failure', async () => {
    const opts = parseGenhashArgs(['-s', '127.0.0.1', '-p', String(port), '-u', '/chunked', '-P', '1.1']) as GenhashOptions;
    const r = await new Promise<Parameters<Parameters<typeof genhash>[1]>[0]>((resolve) => genhash(opts, resolve));
    expect(r).toMatchObject({ ok: true, answer: { status: 200, digest: md5('hello world'), chunked: true } });
    const bad = await new Promise<Parameters<Parameters<typeof genhash>[1]>[0]>((resolve) => genhash({ ...opts, url: '/not-http' }, resolve));
    expect(bad).toMatchObject({ ok: false, message: 'Read, no data received from ' });
  });
});

describe('genhash command line', () => {
  it('takes keepalived genhash options, short, long and glued', () => {
    expect(parseGenhashArgs(['-s', '198.51.100.2', '-p', '443', '-u', '/x', '-SI', '-V', 'www.example.com', '-t', '3', '-m', '7', '-P', '1.0c', '-v'])).toEqual({
      server: '198.51.100.2', family: 4, port: 443, url: '/x', ssl: true, sni: true, virtualhost: 'www.example.com', protocol: '1.0c', timeoutMs: 3000, fwmark: 7, verbose: true,
    });
    expect(parseGenhashArgs(['--server=2001:db8::0002', '--port', '80', '--url=/'])).toMatchObject({ server: '2001:db8::2', family: 6, port: 80, timeoutMs: 5000, ssl: false });
    expect(parseGenhashArgs(['-s198.51.100.2', '-p80', '-u/'])).toMatchObject({ server: '198.51.100.2', port: 80, url: '/' });
    expect(parseGenhashArgs(['-h'])).toBe('help');
  });
  it('says what is wrong in keepalived words', () => {
    expect(parseGenhashArgs(['-s', 'www.example.com', '-p', '80', '-u', '/'])).toEqual({ error: 'server should be an IP, not www.example.com' });
    expect(parseGenhashArgs(['-s', '198.51.100.2', '-p', '0', '-u', '/'])).toEqual({ error: "invalid port number '0'" });
    expect(parseGenhashArgs(['-s', '198.51.100.2', '-p', '80', '-u', '/', '-P', '2'])).toEqual({ error: "invalid HTTP protocol version '2'" });
    expect(parseGenhashArgs(['-s', '198.51.100.2', '-p', '80', '-u', '/', '-t', 'x'])).toEqual({ error: "invalid timeout 'x'" });
    expect(parseGenhashArgs(['-s', '198.51.100.2', '-x'])).toEqual({ error: 'Unknown option -x' });
    expect(parseGenhashArgs(['--sever', '198.51.100.2'])).toEqual({ error: 'Unknown option --sever' });
    expect(parseGenhashArgs(['-s', '198.51.100.2', '-p'])).toEqual({ error: 'Missing parameter for option -p' });
    expect(parseGenhashArgs(['-s', '198.51.100.2', '-p', '80'])).toEqual({ error: 'server (-s), port (-p) and url (-u) are required' });
    expect(parseGenhashArgs(['-s', '198.51.100.2', 'extra'])).toEqual({ error: 'Unexpected argument(s): extra' });
  });
});
