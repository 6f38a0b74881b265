/**
 * `--inspect`: the actor system's events reach a local WebSocket endpoint in Stately's inspector
 * protocol (@statelyai/inspect), each host's ids labelled, contexts without glue or secrets; our
 * relay passes them to a receiver and serves the page that embeds Stately's inspector.
 */
import { request } from 'node:http';
import { createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { run } from '../../adapters/node/commands/sim.js';
import { startInspectRelay, type InspectRelay } from '../../adapters/node/web/inspect-relay.js';
import { connectStately, parseInspectTarget, relabel, scrub, type StatelyConnection } from '../../adapters/node/web/stately.js';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import { EXAMPLES_DIR, loadExample } from '../sim/helpers/examples.js';

const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A bare WebSocket endpoint on loopback that keeps every message. */
async function endpoint(): Promise<{ url: string; messages: StatelyInspectionEvent[]; raw: string[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const messages: StatelyInspectionEvent[] = [];
  const raw: string[] = [];
  wss.on('connection', (ws) => ws.on('message', (d) => (raw.push(d.toString()), messages.push(JSON.parse(d.toString())))));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const port = (wss.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}/`, messages, raw };
}

function get(port: number, path: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Run a scenario with one Stately connection per daemon start, labelled by host. */
function runInspected(name: string, url: string): StatelyConnection[] {
  const conns: StatelyConnection[] = [];
  runScenario(loadExample(name), {
    createRuntime: createDaemonRuntime,
    inspect: (host) => {
      const c = connectStately(url, `${host}#${conns.length}`);
      conns.push(c);
      return c.inspect;
    },
  });
  cleanup.push(() => conns.forEach((c) => c.stop()));
  return conns;
}

const snapshotValue = (m: StatelyInspectionEvent) => (m.type === '@xstate.snapshot' ? (m.snapshot as { value?: unknown }).value : undefined);

describe('--inspect target', () => {
  it('defaults to a relay on 127.0.0.1:8080; takes [ADDR:]PORT or a ws:// URL', () => {
    expect(parseInspectTarget(true)).toEqual({ relay: { host: '127.0.0.1', port: 8080 } });
    expect(parseInspectTarget('9000')).toEqual({ relay: { host: '127.0.0.1', port: 9000 } });
    expect(parseInspectTarget('ws://127.0.0.1:8080')).toEqual({ url: 'ws://127.0.0.1:8080/' });
    expect(parseInspectTarget('stately')).toMatchObject({ error: expect.stringContaining("--inspect wants [ADDR:]PORT") });
  });

  it('labels ids once (deferred events pass the serializer twice) and masks secrets', () => {
    const e = { type: '@xstate.actor', name: 'vrrp/VI_1', sessionId: 'x:1', rootId: 'x:0', parentId: 'x:0' } as unknown as StatelyInspectionEvent;
    const once = relabel(e, 'lb1');
    expect(once).toMatchObject({ name: 'lb1 vrrp/VI_1', sessionId: 'lb1:x:1', rootId: 'lb1:x:0', parentId: 'lb1:x:0' });
    expect(relabel(once, 'lb1')).toEqual(once);
    expect(scrub({ env: { sock: 1 }, auth: { authPass: 'secret1', type: 'PASS' }, smtp_password: 'p', f: () => 1, n: [1, 2] })).toEqual({ auth: { authPass: '***', type: 'PASS' }, smtp_password: '***', n: [1, 2] });
  });
});

describe('Stately inspector protocol', () => {
  it("every host's actors, events and snapshots reach a local WebSocket endpoint, without the runtime's glue", async () => {
    const ep = await endpoint();
    runInspected('seed-001-dual-master.yaml', ep.url);
    await vi.waitFor(
      () => {
        const masters = ep.messages.filter((m) => m.type === '@xstate.snapshot' && snapshotValue(m) !== undefined && JSON.stringify(snapshotValue(m)).includes('master'));
        expect(masters.map((m) => m.sessionId.split(':')[0]).sort()).toEqual(expect.arrayContaining(['lb1#0', 'lb2#1']));
      },
      { timeout: 20_000, interval: 100 },
    );
    const actors = ep.messages.filter((m) => m.type === '@xstate.actor') as Array<Extract<StatelyInspectionEvent, { type: '@xstate.actor' }>>;
    const names = actors.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['lb1#0 daemon', 'lb1#0 vrrp/ha-internal-1', 'lb1#0 vrrp/ha-internal-2', 'lb2#1 vrrp/ha-internal-1', 'lb1#0 notifier', 'lb1#0 tracking/ha-internal-1']));
    // Each actor carries its machine's definition, so Stately can draw it.
    const vi1 = actors.find((a) => a.name === 'lb1#0 vrrp/ha-internal-1')!;
    expect(JSON.parse(vi1.definition!).id).toBe('vrrpInstance');
    expect(vi1.parentId?.startsWith('lb1#0:')).toBe(true);
    expect(ep.messages.some((m) => m.type === '@xstate.event' && (m.event as { type: string }).type === 'net.advert')).toBe(true);
    // Contexts and inputs come without the runtime's glue (ports, sockets, plans with auth keys).
    expect(ep.raw.some((r) => r.includes('"env"'))).toBe(false);
  }, 30_000);

  it('our relay hands every inspector message to a receiver and serves the page that embeds the inspector', async () => {
    const relay: InspectRelay = await startInspectRelay({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => relay.close());
    const received: StatelyInspectionEvent[] = [];
    const receiver = createWebSocketReceiver({ server: relay.wsUrl });
    receiver.subscribe((e) => void received.push(e));
    // The receiver is connected before the run (the relay also replays to late ones).
    await new Promise((r) => setTimeout(r, 300));
    runInspected('default.yaml', relay.wsUrl);
    await vi.waitFor(() => expect(received.some((m) => m.type === '@xstate.actor' && m.name.endsWith(' vrrp/VI_1'))).toBe(true), { timeout: 20_000, interval: 100 });
    expect(relay.count()).toBeGreaterThan(10);
    const page = await get(relay.address.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('src="https://stately.ai/inspect"');
    expect((await get(relay.address.port, '/', 'evil.example')).status).toBe(403);
  }, 30_000);

  it('sim --inspect=ws://… sends the run there, then waits', async () => {
    const ep = await endpoint();
    const err: string[] = [];
    const code = await run(['default.yaml', `--inspect=${ep.url}`, '--quiet'], {
      stdout: () => undefined,
      stderr: (s) => err.push(s),
      isTTY: false,
      cwd: EXAMPLES_DIR,
      serveUntil: () => vi.waitFor(() => expect(ep.messages.some((m) => m.type === '@xstate.actor' && m.name === 'lb1.2 vrrp/VI_1')).toBe(true), { timeout: 20_000, interval: 100 }),
    });
    expect(code).toBe(0);
    expect(err.join('\n')).toContain(`Stately inspector: events sent to ${ep.url}`);
    // lb1 starts twice in this scenario (power loss at 15 s, back at 25 s): two labels.
    const labels = new Set(ep.messages.map((m) => m.sessionId.split(':')[0]));
    expect([...labels].sort()).toEqual(['lb1', 'lb1.2', 'lb2']);
  }, 30_000);
});
