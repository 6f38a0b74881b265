/**
 * The web view's server (adapters/node/web/server.ts) and `sim --web`: what it serves, that it
 * listens on loopback unless told otherwise, that it answers only loopback names there, that the
 * live stream pushes new records, and that a client that never reads is dropped.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../adapters/node/commands/sim.js';
import { isLoopback, parseListenAddress, urlOf } from '../../adapters/node/listen-address.js';
import { startWebServer, type WebServer } from '../../adapters/node/web/server.js';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import { machineDiagram } from '../../sim/view/diagram.js';
import { fixedFeed, RecordLog } from '../../sim/view/feed.js';
import type { TraceRecord } from '../../sim/view/records.js';
import { EXAMPLES_DIR } from '../sim/helpers/examples.js';

const records: TraceRecord[] = [
  { t: 0, type: 'daemon', host: 'lb1', what: 'start' },
  { t: 0, type: 'actor', host: 'lb1', actor: 'vrrp/VI_1', machine: 'vrrpInstance', state: ['backup.countdown'], event: 'vrrp.startup' },
  { t: 3.4, type: 'actor', host: 'lb1', actor: 'vrrp/VI_1', machine: 'vrrpInstance', state: ['master.advertising'], event: 'vrrp.masterDown' },
];

/** A raw GET (so the path and Host header are exactly ours). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: WebServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('[ADDR:]PORT', () => {
  it('is loopback unless an address is given', () => {
    expect(parseListenAddress('8080', '--web')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('0.0.0.0:80', '--web')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListenAddress('[::1]:8080', '--web')).toEqual({ host: '::1', port: 8080 });
    expect(parseListenAddress('localhost:1', '--web')).toEqual({ host: 'localhost', port: 1 });
    expect(parseListenAddress('80800', '--web')).toEqual({ error: '--web: port 80800 is out of range (0-65535)' });
    expect(parseListenAddress('web', '--web')).toMatchObject({ error: expect.stringContaining("--web wants [ADDR:]PORT (for example 8080, 127.0.0.1:8080 or [::1]:8080), got 'web'") });
    expect(parseListenAddress('::1:8080', '--web')).toHaveProperty('error');
    expect(isLoopback('127.0.0.2')).toBe(true);
    expect(isLoopback('198.51.100.1')).toBe(false);
    expect(urlOf('http', { host: '::1', port: 80 })).toBe('http://[::1]:80/');
  });
});

describe('web server', async () => {
  const listen = parseListenAddress('0', '--web') as { host: string; port: number };
  const web = await startWebServer({ listen, feed: fixedFeed(records, [machineDiagram(instanceMachine)]), meta: { mode: 'sim', title: 'test run', first: 0, end: 10 } });
  servers.push(web);
  const port = web.address.port;

  it('listens on 127.0.0.1 when no address is given', () => {
    expect(web.address.host).toBe('127.0.0.1');
    expect(web.url).toBe(`http://127.0.0.1:${port}/`);
  });

  it('serves the page, its script and mermaid from node_modules', async () => {
    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/app.js">');
    expect((await get(port, '/app.js')).type).toMatch(/^text\/javascript/);
    expect((await get(port, '/app.css')).status).toBe(200);
    expect((await get(port, '/vendor/mermaid/mermaid.esm.min.mjs')).status).toBe(200);
    expect((await get(port, '/vendor/layout-elk/mermaid-layout-elk.esm.min.mjs')).status).toBe(200);
  });

  it('serves nothing outside its folders, and only GET', async () => {
    expect((await get(port, '/vendor/mermaid/..%2Fpackage.json')).status).toBe(404);
    expect((await get(port, '/vendor/mermaid/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await get(port, '/vendor/other/x.js')).status).toBe(404);
    expect((await get(port, '/%E0%A4%A')).status).toBe(400);
    expect((await get(port, '/api/view', {}, 'POST')).status).toBe(405);
  });

  it('answers only loopback names while bound to loopback (no DNS rebinding)', async () => {
    expect((await get(port, '/api/meta', { host: 'attacker.example' })).status).toBe(403);
    expect((await get(port, '/api/meta', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('gives the view at t, with every actor ever seen', async () => {
    const meta = JSON.parse((await get(port, '/api/meta')).body);
    expect(meta).toEqual({ mode: 'sim', title: 'test run', first: 0, end: 10 });
    const at1 = JSON.parse((await get(port, '/api/view?t=1')).body);
    expect(at1.actors[0]).toMatchObject({ host: 'lb1', actor: 'vrrp/VI_1', active: ['backup', 'backup.countdown'] });
    expect(at1.known).toEqual([{ host: 'lb1', actor: 'vrrp/VI_1', machine: 'vrrpInstance' }]);
    const latest = JSON.parse((await get(port, '/api/view')).body);
    expect(latest.t).toBe(3.4);
    expect(latest.actors[0].state).toEqual(['master.advertising']);
    const diagrams = JSON.parse((await get(port, '/api/diagrams')).body);
    expect(diagrams[0].id).toBe('vrrpInstance');
    expect((await get(port, '/api/trace')).body.trim().split('\n')).toHaveLength(3);
  });
});

/** Read server-sent events from `path` until `until` says stop (or the timeout). */
function sse(port: number, path: string, until: (events: Array<{ event: string; data: string }>) => boolean, timeoutMs = 5000): Promise<Array<{ event: string; data: string }>> {
  return new Promise((resolve, reject) => {
    const got: Array<{ event: string; data: string }> = [];
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          if (!block.startsWith(':')) got.push({ event, data });
          if (until(got)) {
            clearTimeout(timer);
            req.destroy();
            resolve(got);
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no matching events within ${timeoutMs} ms (got ${got.map((e) => e.event).join(', ')})`));
    }, timeoutMs);
    req.on('error', () => undefined);
    req.end();
  });
}

describe('live stream', async () => {
  const log = new RecordLog();
  for (const r of records) log.push(r);
  const web = await startWebServer({ listen: { host: '127.0.0.1', port: 0 }, feed: log, meta: { mode: 'daemon', title: 'lb1' }, pushIntervalMs: 20 });
  servers.push(web);
  const port = web.address.port;

  it('sends the latest view at once, then again when records arrive, and says when a machine appears', async () => {
    const pending = sse(port, '/api/stream', (evs) => evs.some((e) => e.event === 'view' && e.data.includes('"fault"')));
    setTimeout(() => {
      log.addDiagram(machineDiagram(instanceMachine));
      log.push({ t: 9, type: 'actor', host: 'lb1', actor: 'vrrp/VI_1', machine: 'vrrpInstance', state: ['fault'], event: 'track.fault' });
    }, 100);
    const evs = await pending;
    expect(evs[0]!.event).toBe('diagrams');
    expect(JSON.parse(evs[1]!.data).actors[0].state).toEqual(['master.advertising']);
    expect(evs.filter((e) => e.event === 'diagrams').map((e) => e.data)).toEqual(['0', '1']);
    expect(JSON.parse(evs[evs.length - 1]!.data).actors[0].state).toEqual(['fault']);
  });

  it('drops a client that never reads, and keeps serving the others', async () => {
    const slow = connect(port, '127.0.0.1');
    slow.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    slow.pause();
    await vi.waitFor(() => expect(web.streams()).toBe(1));
    // Large records make each pushed view large: the kernel's socket buffers fill, then ours.
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 400 && web.streams() > 0; i++) {
      log.push({ t: 10 + i, type: 'log', host: 'lb1', level: 'info', message: `${i} ${big}` });
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(web.streams()).toBe(0);
    expect(slow.destroyed).toBe(false);
    const t0 = Date.now();
    expect((await get(port, '/api/meta')).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    slow.destroy();
  }, 30_000);
});

describe('sim --web', () => {
  it('serves the finished run until told to stop, on loopback', async () => {
    const err: string[] = [];
    let checked = false;
    const code = await run(['default.yaml', '--web', '0', '--quiet'], {
      stdout: () => undefined,
      stderr: (s) => err.push(s),
      isTTY: false,
      cwd: EXAMPLES_DIR,
      serveUntil: async (lines) => {
        const url = /web view: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(lines.join('\n'));
        expect(url).not.toBeNull();
        const port = Number(url![2]);
        const v20 = JSON.parse((await get(port, '/api/view?t=20')).body);
        expect(v20.actors.find((a: { host: string; machine: string }) => a.host === 'lb2' && a.machine === 'vrrpInstance').state).toEqual(['master.advertising']);
        expect(v20.hosts.find((h: { host: string }) => h.host === 'lb1').daemon).toBe('down');
        const meta = JSON.parse((await get(port, '/api/meta')).body);
        expect(meta).toMatchObject({ mode: 'sim', first: 0, end: 100 });
        expect(JSON.parse((await get(port, '/api/diagrams')).body).map((d: { id: string }) => d.id).sort()).toEqual(['daemon', 'notifier', 'tracker', 'tracking', 'vrrpInstance']);
        checked = true;
      },
    });
    expect(checked).toBe(true);
    expect(code).toBe(0);
  });

  it('refuses a bad address, and --seeds', async () => {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (s: string) => err.push(s), isTTY: false, cwd: EXAMPLES_DIR };
    expect(await run(['default.yaml', '--web', 'nowhere'], io)).toBe(2);
    expect(err.join('\n')).toContain("--web wants [ADDR:]PORT (for example 8080, 127.0.0.1:8080 or [::1]:8080), got 'nowhere'");
    expect(await run(['default.yaml', '--seeds', '1..2', '--web', '0'], io)).toBe(2);
    expect(err.join('\n')).toContain('--web shows one run: give --seed N, not --seeds');
    expect(await run(['default.yaml', '--web'], io)).toBe(2);
    expect(err.join('\n')).toContain('--web needs a value');
  });
});
