/**
 * Host-side adapters: script runner (exit codes, timeout kills the process group, TERM-proof
 * scripts get SIGKILL, script_user, cancel), script security checks with keepalived's messages,
 * notify FIFO writes that never block, track_file reads and watches, syslog/console transports,
 * and the clock. Parts that need root (uid switch, ownership checks) skip with a reason otherwise.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScriptResult, ScriptSpec } from '../../actors/ports.js';
import { AF_UNIX, SOCK_DGRAM } from '../../adapters/linux/constants.js';
import { netio } from '../../adapters/linux/native.js';
import { checkScriptSecurity, type ScriptSecurityReport } from '../../adapters/linux/script-security.js';
import { sockaddrUn } from '../../adapters/linux/sockaddr.js';
import { createNodeClock } from '../../adapters/node/clock.js';
import { createNodeFiles, ensureFifo } from '../../adapters/node/files.js';
import { createConsoleLogger, createSyslogLogger, formatSyslogLine } from '../../adapters/node/logger.js';
import { createNodeScriptRunner } from '../../adapters/node/scripts.js';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-d-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runner = createNodeScriptRunner({ killGraceMs: 300 });
const runScript = (spec: ScriptSpec): Promise<ScriptResult> => new Promise((resolve) => runner.run(spec, resolve));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ScriptRunner', () => {
  afterAll(() => runner.killAll());

  it('reports exit codes and passes the environment', async () => {
    expect(await runScript({ argv: ['/bin/sh', '-c', 'exit 0'], timeoutMs: 5000 })).toEqual({ exitCode: 0, timedOut: false });
    expect(await runScript({ argv: ['/bin/sh', '-c', '[ "$KTS_STATE" = MASTER ] && exit 3'], timeoutMs: 5000, env: { KTS_STATE: 'MASTER' } })).toEqual({ exitCode: 3, timedOut: false });
  });

  it('never delivers the result inside the call, and the call does not wait for the script', async () => {
    let sync = true;
    let result: ScriptResult | undefined;
    const t0 = performance.now();
    runner.run({ argv: ['/bin/sleep', '0.3'], timeoutMs: 5000 }, (r) => {
      expect(sync).toBe(false);
      result = r;
    });
    sync = false;
    expect(performance.now() - t0).toBeLessThan(100);
    const r = await waitFor(() => result, { timeoutMs: 5000, what: 'sleep to finish' });
    expect(r.exitCode).toBe(0);
  });

  it('on timeout kills the whole process group (a background child too)', async () => {
    const pidFile = join(dir, 'bg.pid');
    const t0 = performance.now();
    const r = await runScript({ argv: ['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; sleep 30`], timeoutMs: 300 });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(performance.now() - t0).toBeLessThan(3000);
    const bg = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !alive(bg), { timeoutMs: 3000, what: `background sleep ${bg} to be killed` });
  });

  it('a script that ignores SIGTERM gets SIGKILL after the grace delay', async () => {
    const r = await runScript({ argv: ['/bin/sh', '-c', 'trap "" TERM; sleep 30 & wait; sleep 30'], timeoutMs: 200 });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
  });

  it('reports a missing program as an error result', async () => {
    const r = await runScript({ argv: ['/nonexistent/check.sh'], timeoutMs: 1000 });
    expect(r.error).toMatch(/ENOENT/);
    expect(r.exitCode).toBeNull();
  });

  it('cancel() kills the script and suppresses the callback', async () => {
    let called = false;
    const h = runner.run({ argv: ['/bin/sleep', '30'], timeoutMs: 60_000 }, () => {
      called = true;
    });
    await waitFor(() => runner.running() === 1, { timeoutMs: 3000, what: 'script to start' });
    h.cancel();
    await waitFor(() => runner.running() === 0, { timeoutMs: 3000, what: 'script to die' });
    expect(called).toBe(false);
  });

  it.skipIf(!isRoot)(rootTitle('script_user switches uid/gid (nobody)'), async () => {
    const out = join(dir, 'id.out');
    chmodSync(dir, 0o777);
    const r = await runScript({ argv: ['/bin/sh', '-c', `id -u > ${out}; id -g >> ${out}`], timeoutMs: 5000, user: 'nobody', group: 'nogroup' });
    chmodSync(dir, 0o700);
    expect(r).toEqual({ exitCode: 0, timedOut: false });
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 2)).toEqual(['65534', '65534']);
    expect((await runScript({ argv: ['/bin/true'], timeoutMs: 1000, user: 'no-such-user-kts' })).error).toMatch(/unknown script user 'no-such-user-kts'/);
  });
});

describe.skipIf(!isRoot)(rootTitle('enable_script_security checks'), () => {
  const check = (path: string, scriptSecurity = true, uid = 0): Promise<ScriptSecurityReport> =>
    new Promise((resolve) => checkScriptSecurity(path, { scriptSecurity, uid, gid: uid }, resolve));
  const script = (name: string, mode: number): string => {
    const p = join(dir, name);
    writeFileSync(p, '#!/bin/sh\nexit 0\n');
    chmodSync(p, mode);
    return p;
  };

  it('accepts a root-owned 0755 script in root-owned directories', async () => {
    const r = await check(script('ok.sh', 0o755));
    expect(r).toMatchObject({ insecure: false, inhibit: false, executable: true, messages: [] });
  });

  it('refuses group-writable (non-root group), world-writable and non-root-owned scripts', async () => {
    const g = script('group.sh', 0o775);
    chownSync(g, 0, 100);
    const gr = await check(g);
    expect(gr).toMatchObject({ insecure: true, inhibit: true });
    expect(gr.messages).toEqual([`Unsafe permissions found for script '${g}' - disabling.`]);
    expect((await check(script('world.sh', 0o757))).inhibit).toBe(true);
    const o = script('owner.sh', 0o755);
    chownSync(o, 65534, 0);
    expect((await check(o)).insecure).toBe(true);
    // Without enable_script_security it is logged but not inhibited.
    const loose = await check(g, false);
    expect(loose).toMatchObject({ insecure: true, inhibit: false });
    expect(loose.messages).toEqual([`Unsafe permissions found for script '${g}'.`]);
  });

  it('refuses a script in a world-writable directory without the sticky bit', async () => {
    const sub = join(dir, 'open');
    mkdirSync(sub);
    chmodSync(sub, 0o777);
    const p = join(sub, 'x.sh');
    writeFileSync(p, '#!/bin/sh\n');
    chmodSync(p, 0o755);
    expect((await check(p)).insecure).toBe(true);
    chmodSync(sub, 0o1777); // sticky: like /tmp, acceptable
    expect((await check(p)).insecure).toBe(false);
  });

  it('reports missing and non-executable scripts', async () => {
    const missing = await check(join(dir, 'missing.sh'));
    expect(missing).toMatchObject({ notFound: true, inhibit: true });
    expect(missing.messages[0]).toBe(`check_script_secure could not find script '${join(dir, 'missing.sh')}' - disabling`);
    const nx = await check(script('nx.sh', 0o644), true, 65534);
    expect(nx).toMatchObject({ executable: false, inhibit: true });
    expect(nx.messages[0]).toMatch(/is not executable for uid:gid 65534:65534 - disabling\.$/);
  });
});

describe('Files', () => {
  const files = createNodeFiles();
  afterAll(() => files.close());
  const writeLine = (path: string, line: string): Promise<string | undefined> => new Promise((resolve) => files.writeLine(path, line, resolve));

  it('notify FIFO: no reader → counted drop without blocking; with a reader → lines in order; reader gone → reopened', async () => {
    const fifo = join(dir, 'notify.fifo');
    expect(ensureFifo(fifo)).toBeUndefined();
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(ensureFifo(fifo)).toBeUndefined(); // already there: fine
    expect(ensureFifo(join(dir, 'no-such-dir', 'f'))).toMatch(/^Unable to create notify fifo .*ENOENT|No such file/);
    const t0 = performance.now();
    expect(await writeLine(fifo, 'INSTANCE "VI_1" MASTER 100')).toMatch(/FIFO has no reader \(1 line dropped\)/);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(files.dropped(fifo)).toBe(1);

    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    // The reader opens asynchronously: retry the first line until it is accepted (bounded).
    await waitFor(async () => (await writeLine(fifo, 'INSTANCE "VI_1" BACKUP 100')) === undefined, { timeoutMs: 3000, what: 'FIFO reader' });
    await Promise.all([writeLine(fifo, 'line 2'), writeLine(fifo, 'line 3'), writeLine(fifo, 'line 4')]);
    await waitFor(() => got.includes('line 4'), { timeoutMs: 3000, what: 'lines at the reader' });
    expect(got).toBe('INSTANCE "VI_1" BACKUP 100\nline 2\nline 3\nline 4\n');
    reader.kill('SIGKILL');
    await new Promise((r) => reader.once('exit', r));
    expect(await writeLine(fifo, 'lost')).toMatch(/reader went away|no reader/);
    const reader2 = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let got2 = '';
    reader2.stdout.on('data', (d: Buffer) => (got2 += d.toString()));
    await waitFor(async () => (await writeLine(fifo, 'again')) === undefined, { timeoutMs: 3000, what: 'second FIFO reader' });
    await waitFor(() => got2.includes('again'), { timeoutMs: 3000, what: 'line at the second reader' });
    reader2.kill('SIGKILL');
  });

  it('appends to a regular file, reads files, reports a missing file as undefined', async () => {
    const p = join(dir, 'log.txt');
    writeFileSync(p, '');
    expect(await writeLine(p, 'one')).toBeUndefined();
    expect(await writeLine(p, 'two\n')).toBeUndefined();
    expect(await new Promise((r) => files.read(p, (c) => r(c)))).toBe('one\ntwo\n');
    expect(await new Promise((r) => files.read(join(dir, 'none'), (c, e) => r([c, e])))).toEqual([undefined, undefined]);
    expect(await writeLine(join(dir, 'no-such-dir', 'x'), 'x')).toMatch(/ENOENT/);
  });

  it('watch() fires when the file is created, changed or replaced, and stops on unwatch', async () => {
    const p = join(dir, 'track_file');
    let changes = 0;
    const stop = files.watch(p, () => changes++);
    writeFileSync(p, '0\n');
    await waitFor(() => changes > 0, { timeoutMs: 3000, what: 'watch on create' });
    const before = changes;
    writeFileSync(join(dir, 'tmp'), '5\n');
    execFileSync('mv', [join(dir, 'tmp'), p]);
    await waitFor(() => changes > before, { timeoutMs: 3000, what: 'watch on replace' });
    stop();
    const after = changes;
    writeFileSync(p, '7\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toBe(after);
    expect(existsSync(p)).toBe(true);
  });
});

describe('Logger transports', () => {
  it('formats syslog lines like syslog(3)', () => {
    const line = formatSyslogLine({ facility: 3, level: 'notice', ident: 'Keepalived_vrrp', pid: 42, message: '(VI_1) Entering MASTER STATE', at: new Date(2025, 10, 2, 1, 2, 3) });
    expect(line).toBe('<29>Nov  2 01:02:03 Keepalived_vrrp[42]: (VI_1) Entering MASTER STATE');
  });

  it('sends datagrams to a syslog socket, and counts drops when there is none', async () => {
    const io = netio();
    const path = join(dir, 'log.sock');
    const fd = io.socket(AF_UNIX, SOCK_DGRAM, 0);
    try {
      io.bind(fd, sockaddrUn(path));
      const log = createSyslogLogger({ ident: 'Keepalived_vrrp', facility: 'local1', path, pid: 7 });
      expect(log.available).toBe(true);
      log.log('warning', 'VRRP_Script(chk) failed');
      const buf = Buffer.alloc(1024);
      const got = await waitFor(() => io.recvmsg(fd, buf, Buffer.alloc(0), Buffer.alloc(0)) ?? undefined, { timeoutMs: 2000, what: 'syslog datagram' });
      expect(buf.subarray(0, got[0]).toString()).toMatch(/^<140>\w{3} [ \d]\d \d\d:\d\d:\d\d Keepalived_vrrp\[7\]: VRRP_Script\(chk\) failed$/);
      log.close();
    } finally {
      io.close(fd);
    }
    const none = createSyslogLogger({ ident: 'x', path: join(dir, 'no.sock') });
    none.log('info', 'dropped');
    expect(none.available).toBe(false);
    expect(none.dropped()).toBe(1);
  });

  it('console logger writes one line per message and honours the minimum level', () => {
    const lines: string[] = [];
    const log = createConsoleLogger({ write: (l) => lines.push(l), minLevel: 'info' });
    log.log('info', 'a');
    log.log('debug', 'b');
    log.log('error', 'c');
    expect(lines).toEqual(['a\n', 'c\n']);
  });
});

describe('Clock', () => {
  it('is monotonic and runs and cancels timers', async () => {
    const clock = createNodeClock();
    const t0 = clock.now();
    let fired = 0;
    const cancelled = clock.setTimeout(() => (fired += 10), 20);
    clock.setTimeout(() => (fired += 1), 30);
    clock.clearTimeout(cancelled);
    await waitFor(() => fired > 0, { timeoutMs: 2000, what: 'timer' });
    expect(fired).toBe(1);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(29);
    expect(Math.abs(clock.wallNow() - Date.now())).toBeLessThan(1000);
  });
});
