/**
 * vrrp_track_process on Linux: the matching rules (keepalived 2.2.7's, checked against
 * /usr/sbin/keepalived: see adapters/linux/proc-match.ts) and the /proc poller with real child
 * processes. Children are `sleep` started through symlinks with names unique to this run, so their
 * process names (comm) and argv[0] are distinctive and other tests' processes never count.
 * No root needed, except where said.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProcessMatchSpec } from '../../actors/ports.js';
import { compileProcessMatch, parseProcStat } from '../../adapters/linux/proc-match.js';
import { createLinuxProcessMonitor, type LinuxProcessMonitor } from '../../adapters/linux/process-monitor.js';
import { createNodePorts } from '../../adapters/node/ports.js';
import { waitFor } from '../helpers/netns.js';

const POLL_MS = 50;
const WAIT_MS = 5000;

const dir = mkdtempSync(join(tmpdir(), 'kts-pm-'));
const tag = randomBytes(3).toString('hex');
const sleepBin = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
const shBin = execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim();
/** A symlink to `target` whose name becomes the process name of what is started through it. */
function link(name: string, target = sleepBin): string {
  const path = join(dir, name);
  symlinkSync(target, path);
  return path;
}
const shortName = `kpm${tag}`; // 9 bytes
const shortPath = link(shortName);
const longName = `kpm${tag}-longname`; // 18 bytes: the kernel keeps 15
const longPath = link(longName);

const children = new Set<ChildProcess>();
function start(path: string, args: string[], opts: { argv0?: string; stdin?: boolean } = {}): ChildProcess {
  const child = spawn(path, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'ignore', 'ignore'], ...(opts.argv0 ? { argv0: opts.argv0 } : {}) });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const monitors: LinuxProcessMonitor[] = [];
function monitor(opts: Parameters<typeof createLinuxProcessMonitor>[0] = {}): LinuxProcessMonitor {
  const m = createLinuxProcessMonitor({ pollIntervalMs: POLL_MS, ...opts });
  monitors.push(m);
  return m;
}

afterAll(async () => {
  for (const m of monitors) m.close();
  await Promise.all([...children].map(stop));
  rmSync(dir, { recursive: true, force: true });
});

const spec = (process: string, more: Partial<ProcessMatchSpec> = {}): ProcessMatchSpec => ({ process, params: [], paramMatch: 'exact', fullCommand: false, ...more });

interface Watched {
  counts: number[];
  unwatch: () => void;
}
function watch(m: LinuxProcessMonitor, match: ProcessMatchSpec): Watched {
  const counts: number[] = [];
  const unwatch = m.watch(match, (n) => counts.push(n));
  return { counts, unwatch };
}
/** Waits until the last reported count is `n`. */
async function until(w: Watched, n: number, what: string): Promise<void> {
  await waitFor(() => w.counts.at(-1) === n, { timeoutMs: WAIT_MS, what: `${what}: count ${n} (reported so far: ${w.counts.join(',') || 'nothing'})` });
}
/** Lets `scans` more scans happen. */
async function scansPass(m: LinuxProcessMonitor, scans: number): Promise<void> {
  const target = m.scans + scans;
  await waitFor(() => m.scans >= target, { timeoutMs: WAIT_MS, what: `${scans} scans` });
}
const cmd = (...argv: string[]): Buffer => Buffer.from(argv.map((a) => `${a}\0`).join(''), 'utf8');

describe('compileProcessMatch (keepalived 2.2.7 rules)', () => {
  it('matches the whole process name; longer than 15 bytes never matches, as in keepalived', () => {
    expect(compileProcessMatch(spec('haproxy')).matchComm(Buffer.from('haproxy'))).toBe(true);
    expect(compileProcessMatch(spec('haproxy')).matchComm(Buffer.from('haproxy2'))).toBe(false);
    expect(compileProcessMatch(spec('hap')).matchComm(Buffer.from('haproxy'))).toBe(false);
    expect(compileProcessMatch(spec('averylongdaemon')).matchComm(Buffer.from('averylongdaemon'))).toBe(true);
    expect(compileProcessMatch(spec('averylongdaemonx')).matchComm(Buffer.from('averylongdaemon'))).toBe(false);
    expect(compileProcessMatch(spec('haproxy')).onCmdline).toBe(false);
  });

  it('a bare param_match (noParams) matches only a process started with no parameters', () => {
    const c = compileProcessMatch(spec('/usr/sbin/haproxy', { fullCommand: true, noParams: true }));
    expect(c.onCmdline).toBe(true);
    expect(c.matchCmdline(cmd('/usr/sbin/haproxy'))).toBe(true);
    expect(c.matchCmdline(cmd('/usr/sbin/haproxy', '-f', 'x.cfg'))).toBe(false);
    expect(compileProcessMatch(spec('/usr/sbin/haproxy', { fullCommand: true })).matchCmdline(cmd('/usr/sbin/haproxy', '-f', 'x.cfg'))).toBe(true);
  });

  it('parameters, param_match or full_command switch to argv[0] of the command line', () => {
    for (const m of [spec('haproxy', { fullCommand: true }), spec('haproxy', { params: ['-f'] }), spec('haproxy', { paramMatch: 'partial' })]) {
      const c = compileProcessMatch(m);
      expect(c.onCmdline).toBe(true);
      expect(c.matchComm(Buffer.from('haproxy'))).toBe(false);
    }
    const full = compileProcessMatch(spec('/usr/sbin/haproxy', { fullCommand: true }));
    expect(full.matchCmdline(cmd('/usr/sbin/haproxy', '-f', 'x.cfg'))).toBe(true);
    expect(full.matchCmdline(cmd('/usr/sbin/haproxy'))).toBe(true);
    expect(full.matchCmdline(cmd('haproxy', '-f'))).toBe(false);
    expect(full.matchCmdline(cmd('/usr/sbin/haproxy2'))).toBe(false);
    expect(full.matchCmdline(Buffer.alloc(0))).toBe(false);
    // A process that rewrote its argv into one string with no NUL (setproctitle).
    expect(compileProcessMatch(spec('nginx: master process', { fullCommand: true })).matchCmdline(Buffer.from('nginx: master process'))).toBe(true);
  });

  it('param_match exact, partial and initial compare parameters byte for byte', () => {
    const m = (paramMatch: ProcessMatchSpec['paramMatch'], params: string[]) => compileProcessMatch(spec('/bin/x', { params, paramMatch }));
    const p = cmd('/bin/x', '-f', 'a.cfg', '-d');
    expect(m('exact', ['-f', 'a.cfg', '-d']).matchCmdline(p)).toBe(true);
    expect(m('exact', ['-f', 'a.cfg']).matchCmdline(p)).toBe(false);
    expect(m('exact', ['-f', 'a.cfg', '-d', '-x']).matchCmdline(p)).toBe(false);
    expect(m('partial', ['-f', 'a.cfg']).matchCmdline(p)).toBe(true);
    expect(m('partial', ['-f', 'a.cf']).matchCmdline(p)).toBe(false);
    expect(m('partial', ['-f', 'a.cfg', '-d', '-x']).matchCmdline(p)).toBe(false);
    expect(m('initial', ['-f', 'a.cf']).matchCmdline(p)).toBe(true);
    expect(m('initial', ['-f', 'a.cfg', '-']).matchCmdline(p)).toBe(true);
    expect(m('initial', ['-f', 'b']).matchCmdline(p)).toBe(false);
    expect(m('initial', ['-']).matchCmdline(cmd('/bin/x'))).toBe(false);
    // initial/partial without parameters: any parameters.
    expect(m('partial', []).matchCmdline(p)).toBe(true);
    expect(m('initial', []).matchCmdline(cmd('/bin/x'))).toBe(true);
    // A parameter holding a space is one parameter.
    expect(m('exact', ['a b']).matchCmdline(cmd('/bin/x', 'a b'))).toBe(true);
    expect(m('exact', ['a', 'b']).matchCmdline(cmd('/bin/x', 'a b'))).toBe(false);
  });

  it('needs no more of the command line than argv[0], the parameters and one byte', () => {
    const c = compileProcessMatch(spec('/bin/x', { params: ['ab'] }));
    expect(c.cmdlineBytesNeeded).toBe(7 + 3 + 1);
    const long = cmd('/bin/x', 'ab', 'more');
    expect(c.matchCmdline(long.subarray(0, c.cmdlineBytesNeeded))).toBe(false);
    expect(compileProcessMatch(spec('/bin/x', { params: ['ab'], paramMatch: 'partial' })).matchCmdline(long.subarray(0, c.cmdlineBytesNeeded))).toBe(true);
  });

  it('parses /proc/PID/stat, including names with spaces and parentheses', () => {
    // Fields 4..52 as in proc(5), with starttime (22) 777, startcode (26) 4096, startstack (28) 8192.
    const fields = Array.from({ length: 49 }, (_, i) => ({ 22: '777', 26: '4096', 28: '8192' })[i + 4] ?? '0');
    const s = parseProcStat(Buffer.from(`42 (a) (b c) S ${fields.join(' ')}\n`));
    expect(s?.comm.toString()).toBe('a) (b c');
    expect(s?.state).toBe('S');
    expect(s?.identity()).toBe('777 4096 8192 a) (b c');
    expect(parseProcStat(Buffer.from('43 (z) Z 1'))?.state).toBe('Z');
    expect(parseProcStat(Buffer.from('garbage'))).toBeUndefined();
    expect(parseProcStat(Buffer.from('44 (x'))).toBeUndefined();
    expect(parseProcStat(Buffer.from('45 (x) '))).toBeUndefined();
    expect(parseProcStat(Buffer.from('46 (x) SS 1'))).toBeUndefined();
    expect(parseProcStat(Buffer.alloc(0))).toBeUndefined();
    const self = parseProcStat(readFileSync('/proc/self/stat'));
    expect(self?.comm.toString()).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
  });
});

describe('LinuxProcessMonitor with real processes', () => {
  it('reports 0 at once, then the count going up and down as matching processes start and die', async () => {
    const m = monitor();
    const w = watch(m, spec(shortName));
    await until(w, 0, 'first report');
    const a = start(shortPath, ['30']);
    await until(w, 1, 'one started');
    const b = start(shortPath, ['30', '0.5']);
    await until(w, 2, 'two started');
    await stop(a);
    await until(w, 1, 'one killed');
    await stop(b);
    await until(w, 0, 'both killed');
    expect(w.counts).toEqual([0, 1, 2, 1, 0]);
    w.unwatch();
  });

  it('a process name over 15 bytes matches only by its first 15 bytes (the kernel truncates comm)', async () => {
    const m = monitor();
    const full = watch(m, spec(longName));
    const first15 = watch(m, spec(longName.slice(0, 15)));
    const first16 = watch(m, spec(longName.slice(0, 16)));
    const child = start(longPath, ['30']);
    await until(first15, 1, '15-byte name');
    await scansPass(m, 2);
    expect(full.counts).toEqual([0]);
    expect(first16.counts).toEqual([0]);
    await stop(child);
    await until(first15, 0, 'killed');
  });

  it('full_command compares argv[0], not the process name', async () => {
    const m = monitor();
    const byPath = watch(m, spec(shortPath, { fullCommand: true }));
    const byName = watch(m, spec(shortName, { fullCommand: true }));
    const byArgv0 = watch(m, spec(`/opt/kpm${tag}/haproxy`, { fullCommand: true }));
    const byComm = watch(m, spec(shortName));
    const plain = start(shortPath, ['30', '0.1']);
    const renamed = start(shortPath, ['30', '0.2'], { argv0: `/opt/kpm${tag}/haproxy` });
    await until(byPath, 1, 'argv[0] = the path');
    await until(byArgv0, 1, 'argv[0] set by the parent');
    await until(byComm, 2, 'both have the process name');
    expect(byName.counts).toEqual([0]);
    await Promise.all([stop(plain), stop(renamed)]);
    await until(byPath, 0, 'killed');
    await until(byArgv0, 0, 'killed');
  });

  it('param_match exact, partial and initial against real command lines', async () => {
    const m = monitor();
    const cases: Array<[string, ProcessMatchSpec, number]> = [
      ['exact 30 0.001', spec(shortPath, { params: ['30', '0.001'] }), 1],
      ['exact 30 0.001 0.002', spec(shortPath, { params: ['30', '0.001', '0.002'] }), 1],
      ['exact 30', spec(shortPath, { params: ['30'] }), 0],
      ['partial 30 0.001', spec(shortPath, { params: ['30', '0.001'], paramMatch: 'partial' }), 3],
      ['partial 30 0.001 0.002', spec(shortPath, { params: ['30', '0.001', '0.002'], paramMatch: 'partial' }), 1],
      ['partial 30 0.00', spec(shortPath, { params: ['30', '0.00'], paramMatch: 'partial' }), 0],
      ['initial 30 0.001 0.002', spec(shortPath, { params: ['30', '0.001', '0.002'], paramMatch: 'initial' }), 2],
      ['initial 30 0.00', spec(shortPath, { params: ['30', '0.00'], paramMatch: 'initial' }), 3],
      ['partial, no parameters', spec(shortPath, { paramMatch: 'partial' }), 3],
      ['parameters with the bare name (argv[0] is the path)', spec(shortName, { params: ['30', '0.001'] }), 0],
    ];
    const watched = cases.map(([, s]) => watch(m, s));
    start(shortPath, ['30', '0.001', '0.002']);
    start(shortPath, ['30', '0.001', '0.0025']);
    start(shortPath, ['30', '0.001']);
    // Wait until the widest match sees all three, then let two more scans settle the rest.
    await until(watched[3]!, 3, 'partial 30 0.001');
    await scansPass(m, 2);
    const got = Object.fromEntries(cases.map(([name], i) => [name, watched[i]!.counts.at(-1)]));
    expect(got).toEqual(Object.fromEntries(cases.map(([name, , n]) => [name, n])));
    await Promise.all([...children].map(stop));
    await until(watched[3]!, 0, 'all killed');
  });

  it('unwatch stops callbacks, and polling stops with the last watch', async () => {
    const m = monitor();
    const a = watch(m, spec(shortName));
    const b = watch(m, spec(shortName));
    await until(a, 0, 'first report');
    await until(b, 0, 'first report');
    a.unwatch();
    a.unwatch(); // idempotent
    const child = start(shortPath, ['30']);
    await until(b, 1, 'still watched');
    expect(a.counts).toEqual([0]);
    b.unwatch();
    const scans = m.scans;
    await stop(child);
    await new Promise((r) => setTimeout(r, POLL_MS * 5));
    expect(m.scans).toBe(scans);
    expect(b.counts).toEqual([0, 1]);
  });

  it('a callback that unwatches another watch stops it hearing anything in the same scan', async () => {
    const m = monitor();
    const heard: string[] = [];
    let unwatchSecond = (): void => undefined;
    const unwatchFirst = m.watch(spec(shortName), (n) => {
      heard.push(`first ${n}`);
      unwatchSecond();
    });
    unwatchSecond = m.watch(spec(shortName), (n) => heard.push(`second ${n}`));
    await waitFor(() => heard.length > 0, { timeoutMs: WAIT_MS, what: 'first report' });
    await scansPass(m, 2);
    expect(heard).toEqual(['first 0']);
    unwatchFirst();
  });

  it('zombies do not count', async () => {
    const zName = `kpmz${tag}`;
    const zPath = link(zName);
    const m = monitor();
    const w = watch(m, spec(zName));
    // sh starts the child, then becomes `sleep`, which never reaps it: the child stays a zombie.
    start(shBin, ['-c', `"${zPath}" 0 & exec "${sleepBin}" 30`]);
    await waitFor(
      () =>
        readdirSync('/proc').some((pid) => {
          try {
            const s = parseProcStat(readFileSync(`/proc/${pid}/stat`));
            return s?.state === 'Z' && s.comm.toString() === zName;
          } catch {
            return false;
          }
        }),
      { timeoutMs: WAIT_MS, what: `a zombie named ${zName}` },
    );
    await scansPass(m, 3);
    // The child may be seen alive for a moment before it exits; the zombie must not count.
    expect(w.counts.at(-1)).toBe(0);
  });

  it('a process that exec()s itself with other parameters is re-read (same PID, same name)', async (ctx) => {
    if (readFileSync('/proc/sys/kernel/randomize_va_space', 'utf8').trim() === '0') ctx.skip();
    const xName = `kpmx${tag}`;
    const xPath = link(xName, shBin);
    const m = monitor();
    const before = watch(m, spec(xPath, { params: ['-c', 'sleep 0.6; exec "$0" -c "read x" second', xPath] }));
    const after = watch(m, spec(xPath, { params: ['-c', 'read x', 'second'] }));
    const byName = watch(m, spec(xName));
    const child = start(xPath, ['-c', 'sleep 0.6; exec "$0" -c "read x" second', xPath], { stdin: true });
    await until(before, 1, 'before exec');
    expect(after.counts.at(-1)).toBe(0);
    await until(after, 1, 'after exec');
    await until(before, 0, 'after exec');
    // By name it is the same process all along: once seen, it never drops out.
    expect(byName.counts.slice(byName.counts.indexOf(1))).toEqual([1]);
    await stop(child);
    await until(after, 0, 'killed');
  });

  it('many short-lived processes: no exception, and the count settles back to 0', async () => {
    const m = monitor({ pollIntervalMs: 10 });
    const byName = watch(m, spec(shortName));
    const byArgs = watch(m, spec(shortPath, { params: ['0.05'], paramMatch: 'initial' }));
    const deadline = Date.now() + 1500;
    let started = 0;
    while (Date.now() < deadline && started < 60) {
      const burst = Array.from({ length: 4 }, (_, i) => start(shortPath, [`0.0${(started + i) % 9}`]));
      started += burst.length;
      await Promise.all(burst.map((c) => new Promise((r) => c.once('exit', r))));
    }
    await scansPass(m, 3);
    expect(byName.counts.at(-1)).toBe(0);
    expect(byArgs.counts.at(-1)).toBe(0);
    expect(byName.counts.length).toBeGreaterThan(1); // it saw some of them
  });

  it('createNodePorts provides it as ports.processes, and close() stops it', async () => {
    const ports = createNodePorts({ processPollIntervalMs: POLL_MS });
    const counts: number[] = [];
    try {
      ports.processes.watch(spec(shortName), (n) => counts.push(n));
      await waitFor(() => counts.length > 0, { timeoutMs: WAIT_MS, what: 'first report' });
    } finally {
      ports.close();
    }
    const child = start(shortPath, ['30']);
    await new Promise((r) => setTimeout(r, POLL_MS * 5));
    expect(counts).toEqual([0]);
    await stop(child);
  });
});

describe('LinuxProcessMonitor on odd /proc contents (races, garbage)', () => {
  const root = join(dir, 'proc');
  const stat = (pid: number, comm: string, state = 'S'): string => `${pid} (${comm}) ${state} 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${pid}00 0 0 0 0 0 0 0 0\n`;
  function entry(pid: number | string, files: Record<string, string | null>): void {
    mkdirSync(join(root, String(pid)), { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      if (text === null) mkdirSync(join(root, String(pid), name), { recursive: true });
      else writeFileSync(join(root, String(pid), name), text);
    }
  }

  it('skips vanished, unreadable and malformed entries; counts what is valid; never throws', async () => {
    entry('self', { stat: stat(1, 'me') });
    entry(10, { stat: stat(10, 'fake'), cmdline: '/x/fake\0-a\0' });
    entry(11, { stat: 'garbage without parentheses' });
    entry(12, {}); // vanished between readdir and open
    entry(13, { stat: stat(13, 'fake', 'Z'), cmdline: '' });
    entry(14, { stat: stat(14, 'fake'), cmdline: null }); // read fails (EISDIR)
    entry('notapid', { stat: stat(15, 'fake') });
    const m = monitor({ procRoot: root });
    const byName = watch(m, spec('fake'));
    const byCmd = watch(m, spec('/x/fake', { params: ['-a'] }));
    await until(byName, 2, 'pids 10 and 14');
    await until(byCmd, 1, 'pid 10');
    rmSync(join(root, '10'), { recursive: true });
    await until(byName, 1, 'pid 10 gone');
    await until(byCmd, 0, 'pid 10 gone');
    // /proc unreadable: no report, no throw, polling goes on; counts resume when it is back.
    rmSync(root, { recursive: true });
    await scansPass(m, 3);
    expect(byName.counts).toEqual([2, 1]);
    entry('self', { stat: stat(1, 'me') });
    entry(20, { stat: stat(20, 'fake') });
    entry(21, { stat: stat(21, 'fake') });
    await until(byName, 2, 'back');
  });

  it('watch() on a directory that is not procfs throws a clear error', () => {
    const m = monitor({ procRoot: join(dir, 'nothing-here') });
    expect(() => m.watch(spec('x'), () => undefined)).toThrow(/not a mounted procfs/);
    expect(existsSync(join(dir, 'nothing-here'))).toBe(false);
  });
});
