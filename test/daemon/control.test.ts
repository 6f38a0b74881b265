/**
 * The control socket and the commands that use it (`keepalived-ts status|reload|stop`), against
 * the real daemon shell whose children run the test double runtime (fixtures/fake-runtime.ts).
 * Also the metrics endpoint's HTTP behaviour and the --trace journal of the parent and children.
 * Every wait is bounded; every daemon is killed in afterEach if a test left it running.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../adapters/node/daemon/status.js';
import { TWO_INSTANCES, alive, readPid, sleep, startDaemon, tempDir, until, type DaemonRun } from './fixtures/harness.js';
import { runCli } from '../helpers/cli-process.js';

const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(extra: string[] = []) {
  const t = tempDir('kts-g-ctl-');
  const dir = t.dir;
  const paths = { conf: join(dir, 'keepalived.conf'), pid: join(dir, 'keepalived.pid'), sock: join(dir, 'keepalived.sock'), journal: join(dir, 'journal.jsonl') };
  writeFileSync(paths.conf, TWO_INSTANCES);
  const env = { KTS_FAKE_JOURNAL: paths.journal, TMPDIR: dir, KTS_HELLO_MS: '300', KTS_BACKOFF_MS: '300' };
  const d: DaemonRun = startDaemon(['-n', '-l', '-f', paths.conf, '-p', paths.pid, '-r', join(dir, 'vrrp.pid'), '-c', join(dir, 'checkers.pid'), ...extra], env);
  cleanups.push(() => {
    d.kill('SIGKILL');
    for (const p of ['vrrp.pid', 'checkers.pid']) {
      const pid = readPid(join(dir, p));
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    t.remove();
  });
  return { dir, ...paths, d };
}

const cli = runCli;

/** Send raw lines on one connection and collect `n` answer lines (bounded). */
function exchange(path: string, text: string, n: number, timeoutMs = 5000): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    let buf = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ lines: buf.split('\n').filter(Boolean), closed });
    };
    const timer = setTimeout(done, timeoutMs);
    s.on('connect', () => s.write(text));
    s.on('data', (b) => {
      buf += String(b);
      if (buf.split('\n').filter(Boolean).length >= n) done();
    });
    s.on('close', () => {
      closed = true;
      done();
    });
    s.on('error', () => undefined);
  });
}

/** Poll the socket (bounded) until both fake instances are MASTER. */
async function ready(s: ReturnType<typeof setup>): Promise<DaemonStatus> {
  let st: DaemonStatus | undefined;
  const done = () => st?.instances.length === 2 && st.instances.every((x) => x.state === 'MASTER');
  for (let i = 0; i < 100 && !done(); i++) {
    if (existsSync(s.sock)) {
      const r = await exchange(s.sock, '{"cmd":"status"}\n', 1, 2000);
      st = r.lines[0] ? (JSON.parse(r.lines[0]) as { result: DaemonStatus }).result : undefined;
    }
    if (!done()) await sleep(200);
  }
  expect(st?.instances.map((i) => i.state), s.d.output()).toEqual(['MASTER', 'MASTER']);
  return st!;
}

describe('control socket', () => {
  it('listens beside the pid file, root-only; status answers as JSON, as a table and with --json', async () => {
    const s = setup();
    const st = await ready(s);
    expect(statSync(s.sock).mode & 0o777).toBe(0o600);
    expect(st.daemon).toMatchObject({ pid: s.d.child.pid, name: 'kts_test', configFile: s.conf, reloads: 0 });
    expect(st.processes.map((p) => [p.role, p.answering, p.restarts])).toEqual([['vrrp', true, 0]]);
    expect(st.instances[0]).toMatchObject({ name: 'VI_1', vrid: 51, interface: 'veth0', priority: { base: 100, effective: 100 }, vips: ['198.51.100.100/24'] });
    expect(st.instances[0]!.lastTransition).toMatchObject({ from: 'BACKUP', to: 'MASTER', reason: 'fake' });
    expect(st.instances[0]!.transitions).toEqual([
      { from: 'INIT', to: 'BACKUP', reason: 'fake', count: 1 },
      { from: 'BACKUP', to: 'MASTER', reason: 'fake', count: 1 },
    ]);
    // keepalived's statistics come with it (the fake runtime counts 7 received, 3 sent).
    expect(st.instances[0]!.stats).toMatchObject({ advertRcvd: 7, advertSent: 3, becomeMaster: 1 });

    const table = await cli(['status', '-p', s.pid]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^keepalived-ts \S+ {2}kts_test {2}pid \d+/);
    expect(table.stdout).toMatch(/^INSTANCE +STATE +BASE +EFF +MASTER +VIPS +IN STATE +LAST TRANSITION +GROUP$/m);
    expect(table.stdout).toMatch(/^VI_1 +MASTER +100 +100 +- +198\.51\.100\.100\/24 +\d+s +BACKUP->MASTER fake at \d\d:\d\d:\d\d +-$/m);
    expect(table.stdout).toMatch(/^VI_2 +MASTER +150 +150 +- +198\.51\.100\.101\/24,198\.51\.100\.102\/24 /m);
    const json = await cli(['status', '--json', '--control', s.sock]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as DaemonStatus).instances.map((i) => i.name)).toEqual(['VI_1', 'VI_2']);

    // --watch refreshes until interrupted.
    const w = spawn(process.execPath, ['--import', 'tsx', CLI, 'status', '--watch', '0.5', '--json', '-p', s.pid], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    w.stdout.on('data', (b) => (out += String(b)));
    await until(() => out.split('\n').filter(Boolean).length >= 2, 'two --watch refreshes', 15_000).finally(() => w.kill('SIGKILL'));
    for (const line of out.split('\n').filter(Boolean).slice(0, 2)) expect((JSON.parse(line) as DaemonStatus).daemon.pid).toBe(s.d.child.pid);
  }, 60_000);

  it('bad requests get clear errors on a connection that stays usable; a long line is refused and closed', async () => {
    const s = setup();
    await ready(s);
    const r = await exchange(s.sock, 'hello\n[1]\n{"cmd":"stauts","id":7}\n{"cmd":"ping","extra":1}\n{"id":{}}\n{"cmd":"ping","id":"x"}\n', 6);
    const answers = r.lines.map((l) => JSON.parse(l) as { ok: boolean; code?: string; error?: string; id?: unknown; result?: { pid: number } });
    expect(answers.map((a) => a.code ?? 'ok')).toEqual(['bad-json', 'bad-request', 'unknown-command', 'bad-request', 'bad-request', 'ok']);
    expect(answers[0]!.error).toMatch(/^a request is one JSON object per line, like \{"cmd":"status"\}: /);
    expect(answers[2]).toMatchObject({ id: 7, error: "unknown command 'stauts' (did you mean status?): one of status, lvs, reload, stop, ping" });
    expect(answers[3]!.error).toBe('unexpected field "extra": a request has "cmd" and an optional "id"');
    expect(answers[5]).toMatchObject({ id: 'x', ok: true, result: { pid: s.d.child.pid } });
    expect(r.closed).toBe(false);

    const long = await exchange(s.sock, 'x'.repeat(70_000), 2);
    expect(JSON.parse(long.lines[0]!)).toMatchObject({ ok: false, code: 'too-long' });
    expect(long.closed).toBe(true);
    const after = await exchange(s.sock, '{"cmd":"ping"}\n', 1);
    expect(JSON.parse(after.lines[0]!)).toMatchObject({ ok: true });
  }, 60_000);

  it('a client that sends requests and never reads is cut off; the daemon answers others meanwhile', async () => {
    const s = setup();
    await ready(s);
    const hog: Socket = createConnection(s.sock);
    let closedAt = 0;
    hog.on('close', () => (closedAt = Date.now()));
    hog.on('error', () => undefined);
    hog.pause(); // never read
    const t0 = Date.now();
    await new Promise<void>((r) => hog.on('connect', r));
    hog.write('{"cmd":"status"}\n'.repeat(20_000));
    // Others are served at once while the hog's answers pile up.
    for (let i = 0; i < 3; i++) {
      const r = await exchange(s.sock, '{"cmd":"status"}\n', 1, 3000);
      expect((JSON.parse(r.lines[0]!) as { ok: boolean }).ok).toBe(true);
    }
    await until(() => closedAt > 0, 'the daemon to close the connection of the client that does not read', 20_000);
    expect(closedAt - t0).toBeLessThan(15_000);
    hog.destroy();
    const r = await exchange(s.sock, '{"cmd":"status"}\n', 1);
    expect((JSON.parse(r.lines[0]!) as { result: DaemonStatus }).result.processes[0]!.answering).toBe(true);
    expect(s.d.output()).not.toMatch(/did not answer hellos/);
  }, 60_000);

  it('reload shows the errors of a broken config and keeps it; a good one reloads; stop waits until the daemon is gone', async () => {
    const s = setup();
    await ready(s);
    writeFileSync(s.conf, `${TWO_INSTANCES}\nvrrp_instance VI_3 {\n  interface veth0\n  virtual_router_id 300\n}\n`);
    const bad = await cli(['reload', '-p', s.pid]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/keepalived\.conf:\d+:\d+: error: .*virtual_router_id/);
    expect(bad.stderr).toContain('keepalived-ts: reload aborted: the running configuration is kept');
    writeFileSync(s.conf, TWO_INSTANCES);
    const good = await cli(['reload', '-p', s.pid]);
    expect(good).toMatchObject({ code: 0, stdout: 'reloaded\n' });
    const st = await exchange(s.sock, '{"cmd":"status"}\n', 1);
    expect((JSON.parse(st.lines[0]!) as { result: DaemonStatus }).result.daemon.reloads).toBe(1);

    const stop = await cli(['stop', '-p', s.pid]);
    expect(stop).toMatchObject({ code: 0, stdout: 'stopped\n' });
    expect(alive(s.d.child.pid!)).toBe(false);
    expect(existsSync(s.sock)).toBe(false);
    expect(s.d.output()).toMatch(/Stopped Keepalived-ts/);
  }, 60_000);

  it('without a control socket, reload and stop fall back to the signals by pid file; status says what is missing', async () => {
    const s = setup(['--control', join(tempDir('kts-g-ctl2-').dir, 'elsewhere.sock')]);
    await until(() => /Starting VRRP child process/.test(s.d.output()), 'start-up', 20_000);
    await sleep(500);
    const status = await cli(['status', '-p', s.pid]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`keepalived-ts: cannot connect to ${s.sock}: no such socket`);
    const reload = await cli(['reload', '-p', s.pid]);
    expect(reload.code).toBe(0);
    expect(reload.stderr).toMatch(new RegExp(`sent SIGHUP to pid ${s.d.child.pid} \\(${s.pid.replace(/[.]/g, '\\.')}\\)`));
    await s.d.waitFor(/Reloading \.\.\./, 'the reload');
    const stop = await cli(['stop', '-p', s.pid]);
    expect(stop).toMatchObject({ code: 0, stdout: 'stopped\n' });
    expect(stop.stderr).toContain(`sent SIGTERM to pid ${s.d.child.pid}`);
    // usage errors
    expect((await cli(['status', '--control', 'a', '-p', 'b'])).code).toBe(2);
    const typo = await cli(['status', '--jsn']);
    expect(typo).toMatchObject({ code: 2 });
    expect(typo.stderr).toContain('keepalived-ts: status: unknown option --jsn');
  }, 60_000);

  it('--trace: the parent and the child append the simulator\'s JSON lines; --metrics serves /metrics only', async () => {
    const trace = join(tempDir('kts-g-tr-').dir, 'trace.jsonl');
    const port = 20000 + (process.pid % 20000);
    const s = setup(['--trace', trace, '--metrics', String(port)]);
    await ready(s);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^keepalived_vrrp_state\{iname="VI_1",intf="veth0",vrid="51"\} 2$/m);
    expect(text).toMatch(/^keepalived_vrrp_transitions_total\{iname="VI_1",intf="veth0",vrid="51",from="BACKUP",to="MASTER",reason="fake"\} 1$/m);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect(s.d.output()).toContain(`Serving Prometheus metrics on http://127.0.0.1:${port}/metrics`);
    s.d.kill('SIGTERM');
    await s.d.exited();
    const lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(lines[0]!)[0]).toBe('t');
    expect(lines[0]).toMatchObject({ type: 'daemon', host: 'kts_test', what: 'start' });
    expect(lines).toContainEqual(expect.objectContaining({ type: 'state', host: 'kts_test', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'fake' }));
    expect(lines).toContainEqual(expect.objectContaining({ type: 'log', host: 'kts_test', level: 'info', message: '(VI_1) Entering MASTER STATE' }));
    expect(lines.at(-1)).toMatchObject({ type: 'daemon', what: 'stopped' });
    const ts = lines.map((l) => l.t as number);
    expect(ts.every((t) => t > 1.7e9 && t < 4e9)).toBe(true);
  }, 60_000);
});
