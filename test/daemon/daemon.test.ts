/**
 * The daemon as a process: the real daemon shell (flags, pid files, supervisor, signals,
 * logging, dumps) with children that run the test double runtime (fixtures/fake-runtime.ts).
 * Every wait is bounded; every daemon is killed in afterEach if a test left it running.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TWO_INSTANCES, WITH_VIRTUAL_SERVER, alive, readJournal, readPid, sleep, startDaemon, tempDir, until, type DaemonRun } from './fixtures/harness.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(conf: string, extraEnv: Record<string, string> = {}) {
  const t = tempDir('kts-g-d-');
  const dir = t.dir;
  const paths = {
    dir,
    conf: join(dir, 'keepalived.conf'),
    pid: join(dir, 'keepalived.pid'),
    vrrpPid: join(dir, 'vrrp.pid'),
    checkerPid: join(dir, 'checkers.pid'),
    journal: join(dir, 'journal.jsonl'),
  };
  writeFileSync(paths.conf, conf);
  const env = { KTS_FAKE_JOURNAL: paths.journal, TMPDIR: dir, KTS_HELLO_MS: '300', KTS_BACKOFF_MS: '300', ...extraEnv };
  const args = ['-f', paths.conf, '-p', paths.pid, '-r', paths.vrrpPid, '-c', paths.checkerPid];
  const runs: DaemonRun[] = [];
  const start = (flags: string[] = ['-n', '-l', '-D']): DaemonRun => {
    const r = startDaemon([...flags, ...args], env);
    runs.push(r);
    return r;
  };
  cleanups.push(() => {
    for (const r of runs) r.kill('SIGKILL');
    for (const p of [paths.pid, paths.vrrpPid, paths.checkerPid]) {
      const pid = readPid(p);
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    t.remove();
  });
  const calls = (role: string) => readJournal(paths.journal).filter((e) => e.role === role);
  return { ...paths, env, args, start, calls };
}

/** Start a daemon and wait until both its runtimes are up. */
async function running(s: ReturnType<typeof setup>, roles: string[] = ['vrrp', 'checker'], flags?: string[]) {
  const d = s.start(flags);
  for (const role of roles) await until(() => s.calls(role).some((e) => e.call === 'start'), `${role} runtime start; output:\n${d.output()}`, 20_000);
  return d;
}

describe('daemon process', () => {
  it('starts with -n: keepalived start-up lines on the console, pid files, one child per configured section', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s);
    const parent = readPid(s.pid)!;
    expect(parent).toBe(d.child.pid);
    const vrrp = readPid(s.vrrpPid)!;
    const checker = readPid(s.checkerPid)!;
    expect(new Set([parent, vrrp, checker]).size).toBe(3);
    expect(s.calls('vrrp').find((e) => e.call === 'start')).toMatchObject({ pid: vrrp, instances: ['VI_1', 'VI_2'], virtualServers: 0 });
    expect(s.calls('checker').find((e) => e.call === 'start')).toMatchObject({ pid: checker, instances: [], virtualServers: 1 });
    // The VRRP child runs with one malloc arena (child-node-flags.ts childEnv), the checker with the parent's environment.
    const arenas = (pid: number): string | undefined =>
      readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('MALLOC_ARENA_MAX='));
    expect(arenas(vrrp)).toBe(process.env.MALLOC_ARENA_MAX === undefined ? 'MALLOC_ARENA_MAX=1' : `MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}`);
    expect(arenas(checker)).toBe(arenas(parent));
    // Both lines: the children write them as they happen, VI_2's may come in a later chunk.
    await d.waitFor(/\(VI_1\) Entering MASTER STATE/, 'VI_1 master');
    await d.waitFor(/\(VI_2\) Entering MASTER STATE/, 'VI_2 master');
    const out = d.output();
    // "Sun Nov 22 01:23:57 2026: Starting Keepalived…" — keepalived's console format.
    expect(out).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: Starting Keepalived-ts v\d+\.\d+\.\d+/m);
    expect(out).toMatch(/: Command line: '.*fake-daemon\.ts' '-n' '-l' '-D' '-f'/);
    expect(out).toMatch(new RegExp(`: Starting VRRP child process, pid=${vrrp}\\n`));
    expect(out).toMatch(new RegExp(`: Starting Healthcheck child process, pid=${checker}\\n`));
    expect(out).toMatch(/: \(VI_2\) Entering MASTER STATE\n/);
    // LVS runs: no "not acted on" warning any more.
    expect(out).not.toMatch(/not acted on/);
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
  });

  it('-P only runs VRRP, and a config without virtual servers starts no checker', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s, ['vrrp'], ['-n', '-P']);
    await sleep(800);
    expect(s.calls('checker')).toEqual([]);
    expect(existsSync(s.checkerPid)).toBe(false);
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
    const s2 = setup(TWO_INSTANCES);
    const d2 = await running(s2, ['vrrp'], ['-n']);
    await sleep(800);
    expect(s2.calls('checker')).toEqual([]);
    d2.kill('SIGTERM');
    expect((await d2.exited()).code).toBe(0);
  });

  it('refuses to start a second daemon on the same pid files ("daemon is already running", exit 0 like keepalived)', async () => {
    const s = setup(TWO_INSTANCES);
    const d = await running(s, ['vrrp']);
    const second = s.start(['-n', '-l']);
    expect((await second.exited()).code).toBe(0);
    expect(second.output()).toMatch(/: daemon is already running\n/);
    expect(readPid(s.pid)).toBe(d.child.pid);
    expect(s.calls('vrrp').filter((e) => e.call === 'start')).toHaveLength(1);
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
  });

  it('removes stale pid files left by a killed daemon and starts', async () => {
    const s = setup(TWO_INSTANCES);
    writeFileSync(s.pid, '4194304\n');
    writeFileSync(s.vrrpPid, '4194303\n');
    const d = await running(s, ['vrrp'], ['-n', '-l']);
    expect(d.output()).toContain(`Remove a zombie pid file ${s.pid}`);
    expect(d.output()).toContain(`Remove a zombie pid file ${s.vrrpPid}`);
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
  });

  it('SIGTERM: every runtime is stopped (priority 0, VIPs removed), pid files removed, exit 0', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s);
    await d.waitFor(/\(VI_2\) Entering MASTER STATE/, 'master');
    d.kill('SIGTERM');
    expect(await d.exited()).toEqual({ code: 0, signal: null });
    expect(s.calls('vrrp').map((e) => e.call)).toEqual(['createPorts', 'start', 'stop']);
    expect(s.calls('checker').map((e) => e.call)).toEqual(['createPorts', 'start', 'stop']);
    const out = d.output();
    expect(out).toMatch(/: Stopping\n/);
    expect(out).toMatch(/: \(VI_1\) sent 0 priority\n/);
    expect(out).toMatch(/: \(VI_1\) removing VIPs\.\n/);
    expect(out).toMatch(/: Stopped Keepalived-ts v/);
    for (const p of [s.pid, s.vrrpPid, s.checkerPid]) expect(existsSync(p), p).toBe(false);
  });

  it('SIGINT stops like SIGTERM; a second TERM while stopping is only logged', async () => {
    const s = setup(TWO_INSTANCES, { KTS_FAKE_STOP_DELAY_MS: '600' });
    const d = await running(s, ['vrrp']);
    d.kill('SIGINT');
    await d.waitFor(/: Stopping\n/, 'stopping');
    d.kill('SIGTERM');
    d.kill('SIGTERM');
    expect(await d.exited()).toEqual({ code: 0, signal: null });
    expect(d.output()).toMatch(/SIGTERM: stop already in progress/);
    expect(s.calls('vrrp').filter((e) => e.call === 'stop')).toHaveLength(1);
  });

  it('SIGHUP with a broken config keeps the running one and says why (file:line); a good one is applied', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s);
    const vrrp = readPid(s.vrrpPid);
    writeFileSync(s.conf, TWO_INSTANCES.replace('virtual_router_id 52', 'virtual_router_id 300'));
    d.kill('SIGHUP');
    await d.waitFor(/Reload aborted/, 'the refusal');
    const out = d.output();
    expect(out).toContain(`${s.conf}:`);
    expect(out).toMatch(/keepalived\.conf:\d+:\d+: error: virtual_router_id: number '300' outside range/);
    expect(out).toMatch(/Reload aborted: .* keeping the running configuration/);
    await sleep(500);
    expect(alive(d.child.pid)).toBe(true);
    expect(readPid(s.vrrpPid)).toBe(vrrp);
    expect(s.calls('vrrp').map((e) => e.call)).toEqual(['createPorts', 'start']);
    // A valid config: VI_2 goes away and so does the virtual server (the checker child stops).
    writeFileSync(s.conf, TWO_INSTANCES.replace(/vrrp_instance VI_2[\s\S]*$/, ''));
    d.kill('SIGHUP');
    await until(() => s.calls('vrrp').some((e) => e.call === 'reload'), 'the reload');
    expect(s.calls('vrrp').find((e) => e.call === 'reload')).toMatchObject({ pid: vrrp, instances: ['VI_1'] });
    await until(() => s.calls('checker').some((e) => e.call === 'stop'), 'the checker to stop');
    expect(readPid(s.vrrpPid)).toBe(vrrp);
    await d.waitFor(/Reload complete/, 'the child to confirm');
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
  });

  it('signals at odd times: HUP and TERM right at start-up, TERM during a reload — no crash, exit 0', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = s.start(['-n', '-l']);
    await until(() => existsSync(s.pid), 'the pid file');
    d.kill('SIGHUP');
    d.kill('SIGHUP');
    d.kill('SIGTERM');
    expect(await d.exited()).toEqual({ code: 0, signal: null });
    // Every runtime that was started was also stopped.
    for (const role of ['vrrp', 'checker']) {
      const calls = s.calls(role).map((e) => e.call);
      expect(calls.filter((c) => c === 'start').length, role).toBe(calls.filter((c) => c === 'stop').length);
    }
    const s2 = setup(WITH_VIRTUAL_SERVER);
    const d2 = await running(s2);
    d2.kill('SIGHUP');
    d2.kill('SIGTERM');
    expect(await d2.exited()).toEqual({ code: 0, signal: null });
    expect(s2.calls('vrrp').at(-1)?.call).toBe('stop');
    expect(d2.output()).not.toMatch(/internal error|TypeError|ReferenceError/);
  });

  it('a checker crash never touches the VRRP child; the checker is respawned', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s);
    const vrrp = readPid(s.vrrpPid)!;
    const checker = readPid(s.checkerPid)!;
    process.kill(checker, 'SIGKILL');
    await until(() => {
      const p = readPid(s.checkerPid);
      return p !== undefined && p !== checker;
    }, 'a new checker', 10_000);
    await until(() => s.calls('checker').filter((e) => e.call === 'start').length === 2, 'the new checker runtime');
    expect(d.output()).toMatch(new RegExp(`Healthcheck child process\\(${checker}\\) died: Respawning`));
    expect(readPid(s.vrrpPid)).toBe(vrrp);
    expect(alive(vrrp)).toBe(true);
    expect(s.calls('vrrp').map((e) => e.call)).toEqual(['createPorts', 'start']);
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
  });

  it('if the parent is killed (-9), the children stop their runtimes gracefully and exit', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s);
    const vrrp = readPid(s.vrrpPid)!;
    const checker = readPid(s.checkerPid)!;
    d.kill('SIGKILL');
    await until(() => !alive(vrrp) && !alive(checker), 'the children to exit', 10_000);
    expect(s.calls('vrrp').map((e) => e.call)).toEqual(['createPorts', 'start', 'stop']);
    expect(s.calls('checker').map((e) => e.call)).toEqual(['createPorts', 'start', 'stop']);
  });

  it('USR1, USR2 and the JSON signal write keepalived\'s dumps into $TMPDIR', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s);
    await d.waitFor(/\(VI_2\) Entering MASTER STATE/, 'master');
    d.kill('SIGUSR1');
    await until(() => existsSync(join(s.dir, 'keepalived.data')) && existsSync(join(s.dir, 'keepalived_check.data')), 'data dumps');
    expect(readFileSync(join(s.dir, 'keepalived_parent.data'), 'utf8')).toMatch(/^------< Global definitions >------\n Network namespace = \(default\)\n Router ID = kts_test\n/);
    const data = readFileSync(join(s.dir, 'keepalived.data'), 'utf8');
    expect(data).toContain('------< VRRP Topology >------\n VRRP Instance = VI_1\n   VRRP Version = 2\n   State = MASTER\n');
    expect(data).toContain('     198.51.100.101/24 dev veth0 scope global set\n');
    expect(readFileSync(join(s.dir, 'keepalived_check.data'), 'utf8')).toContain(' VS VIP = 198.51.100.60, VPORT = 80\n');
    d.kill('SIGUSR2');
    await until(() => existsSync(join(s.dir, 'keepalived.stats')), 'stats dump');
    const stats = readFileSync(join(s.dir, 'keepalived.stats'), 'utf8');
    expect(stats).toMatch(/^VRRP Instance: VI_1\n  Advertisements:\n    Received: 7\n    Sent: 3\n  Became master: 1\n/);
    d.kill(36);
    await until(() => existsSync(join(s.dir, 'keepalived.json')), 'json dump');
    const json = JSON.parse(readFileSync(join(s.dir, 'keepalived.json'), 'utf8')) as Array<{ data: { iname: string; state: number }; stats: { advert_sent: number } }>;
    expect(json.map((j) => [j.data.iname, j.data.state, j.stats.advert_sent])).toEqual([
      ['VI_1', 2, 3],
      ['VI_2', 2, 3],
    ]);
    // STATS_CLEAR (signal 63): printed, then counted from zero.
    d.kill(63);
    await d.waitFor(/Printing and clearing VRRP stats/, 'stats clear');
    d.kill('SIGUSR2');
    await until(() => /Sent: 0\n/.test(readFileSync(join(s.dir, 'keepalived.stats'), 'utf8')), 'cleared stats');
    expect(d.output()).toMatch(new RegExp(`Printing parent data for process\\(${d.child.pid}\\) on signal`));
    expect(d.output()).toMatch(/Printing VRRP data for process\(\d+\) on signal/);
    expect(d.output()).toMatch(/Printing VRRP as json for process\(\d+\) on signal/);
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
  });

  it('--single-process runs both runtimes inside the parent', async () => {
    const s = setup(WITH_VIRTUAL_SERVER);
    const d = await running(s, ['vrrp', 'checker'], ['-n', '--single-process']);
    expect(s.calls('vrrp').find((e) => e.call === 'start')?.pid).toBe(d.child.pid);
    expect(s.calls('checker').find((e) => e.call === 'start')?.pid).toBe(d.child.pid);
    expect(existsSync(s.vrrpPid)).toBe(false);
    d.kill('SIGTERM');
    expect((await d.exited()).code).toBe(0);
    expect(s.calls('vrrp').at(-1)?.call).toBe('stop');
  });

  it('without -n it detaches: the launcher exits 0 once the daemon is up, in its own session', async () => {
    const s = setup(TWO_INSTANCES);
    const launcher = s.start(['-l']);
    expect((await launcher.exited(20_000)).code).toBe(0);
    const pid = readPid(s.pid)!;
    expect(pid).toBeDefined();
    expect(pid).not.toBe(launcher.child.pid);
    expect(alive(pid)).toBe(true);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[3])).toBe(pid); // session id: setsid() like keepalived's daemon()
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('keepalived-ts');
    await until(() => s.calls('vrrp').some((e) => e.call === 'start'), 'the runtime');
    process.kill(pid, 'SIGTERM');
    await until(() => !alive(pid), 'the daemon to stop', 15_000);
    expect(existsSync(s.pid)).toBe(false);
    expect(s.calls('vrrp').at(-1)?.call).toBe('stop');
  });

  it('-v, -h, --signum and bad flags answer like keepalived (a bad flag: exit 2)', async () => {
    const s = setup(TWO_INSTANCES);
    const v = s.start(['-v']);
    expect((await v.exited()).code).toBe(0);
    expect(v.output()).toMatch(/^Keepalived-ts v\d+\.\d+\.\d+ \(command line and configuration of Keepalived v2\.2\.7\)/);
    const h = s.start(['--help']);
    expect((await h.exited()).code).toBe(0);
    expect(h.output()).toMatch(/-f, --use-file=FILE/);
    const n = s.start(['--signum=JSON']);
    expect((await n.exited()).code).toBe(0);
    expect(n.output().trim()).toBe('36');
    const bad = s.start(['--bogus']);
    expect((await bad.exited()).code).toBe(2); // keepalived exits 1: we exit 2 for every usage error (docs/daemon.md)
    expect(bad.output()).toContain('Unknown option --bogus');
    expect(existsSync(s.pid)).toBe(false);
  });
});
