/**
 * The daemon's `--inspect`: the parent hosts the Stately relay, each child connects its actor
 * system to it, labelled ROUTER_ID/ROLE/PID, and a receiver on the relay sees the VRRP instance
 * reach master. The daemon's parent runs in this process's namespace with `-s NS` (its sockets
 * in the lab's namespace), so the relay is on this namespace's loopback, port chosen by the
 * kernel. Root only; the namespaces are created and removed here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { isRoot, NetnsLab, rootRequiredReason } from '../helpers/netns.js';
import { tempDir } from '../daemon/fixtures/harness.js';

const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;

describe.skipIf(!isRoot)(`daemon --inspect${isRoot ? '' : ` (skipped: ${rootRequiredReason})`}`, () => {
  const lab = new NetnsLab('kts-q-');
  const tmp = tempDir('kts-q-');
  let daemon: ChildProcess | undefined;
  const stops: Array<() => void> = [];
  afterAll(async () => {
    for (const s of stops) s();
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    await lab.cleanup();
    tmp.remove();
  });

  it('hosts the relay; each child sends its actors there, labelled by router_id, role and pid', async () => {
    const sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    const a = await lab.namespace('a');
    await lab.attach(sw, 'br0', { ns: a, ifname: 'lqa', addresses: ['198.51.100.1/24'] });
    const conf = join(tmp.dir, 'a.conf');
    writeFileSync(
      conf,
      `global_defs {\n  router_id lb_q\n}\nvrrp_instance VI_1 {\n  state BACKUP\n  interface lqa\n  virtual_router_id 61\n  priority 100\n  advert_int 1\n  auth_type PASS\n  auth_pass s3cret\n  virtual_ipaddress {\n    198.51.100.100/24\n  }\n}\n`,
    );
    const pid = (n: string) => join(tmp.dir, `${n}.pid`);
    daemon = spawn(process.execPath, ['--import', 'tsx', CLI, '-n', '-l', '-D', '-s', a, '-f', conf, '-p', pid('p'), '-r', pid('v'), '-c', pid('c'), '--inspect=127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp.dir },
    });
    let out = '';
    daemon.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    daemon.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const port = await vi.waitFor(
      () => {
        const m = /Stately inspector: open http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (!m) throw new Error(`no relay yet; output:\n${out}`);
        return Number(m[1]);
      },
      { timeout: 60_000, interval: 200 },
    );
    const received: StatelyInspectionEvent[] = [];
    // A plain WebSocket client of the relay (what Stately's page gets through the relay's page).
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    stops.push(() => ws.terminate());
    ws.on('message', (d) => void received.push(JSON.parse(d.toString()) as StatelyInspectionEvent));

    // The relay replays what came before this receiver connected; VI_1 ends in master (alone).
    await vi.waitFor(
      () => {
        const snaps = received.filter((m) => m.type === '@xstate.snapshot' && JSON.stringify((m.snapshot as { value?: unknown }).value ?? '').includes('master'));
        expect(snaps.length).toBeGreaterThan(0);
      },
      { timeout: 90_000, interval: 200 },
    );
    const vrrpPid = Number(readFileSync(pid('v'), 'utf8').trim());
    const actor = received.find((m) => m.type === '@xstate.actor' && m.name.endsWith(' vrrp/VI_1'));
    expect(actor, 'an @xstate.actor for vrrp/VI_1').toBeDefined();
    expect(actor!.sessionId.startsWith(`lb_q/vrrp/${vrrpPid}:`), actor!.sessionId).toBe(true);
    // The password never leaves the daemon.
    expect(JSON.stringify(received)).not.toContain('s3cret');

    daemon.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (daemon!.exitCode !== null ? r(daemon!.exitCode) : daemon!.once('exit', r)));
    expect(code, out).toBe(0);
  }, 180_000);
});
