import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PID_PATHS,
  daemonAlreadyRunning,
  pidFileState,
  pidPathsFrom,
  readPidFile,
  removePidFile,
  writePidFile,
} from '../../adapters/node/daemon/pidfiles.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-g-pid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A live process whose /proc/PID/comm starts with "keepalived" (like ours after process.title). */
function fakeKeepalived(): Promise<{ pid: number; kill: () => void }> {
  const child = spawn(process.execPath, ['-e', 'process.title = "keepalived-ts"; setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
  return new Promise((resolve) => {
    const deadline = Date.now() + 5000;
    const poll = (): void => {
      let comm = '';
      try {
        comm = readFileSync(`/proc/${child.pid}/comm`, 'utf8');
      } catch {
        // not there yet
      }
      if (comm.startsWith('keepalived') || Date.now() > deadline) resolve({ pid: child.pid!, kill: () => child.kill('SIGKILL') });
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe('pid files', () => {
  it('uses the paths of the keepalived 2.2.7 binary by default, and -p/-r/-c override them', () => {
    expect(DEFAULT_PID_PATHS).toEqual({ parent: '/run/keepalived.pid', vrrp: '/run/vrrp.pid', checker: '/run/checkers.pid' });
    expect(pidPathsFrom({ pidFile: '/x/k.pid', checkersPidFile: '/x/c.pid' })).toEqual({ parent: '/x/k.pid', vrrp: '/run/vrrp.pid', checker: '/x/c.pid' });
  });

  it('writes "PID\\n" like keepalived, creating the directory', () => {
    const p = join(dir, 'sub', 'keepalived.pid');
    expect(writePidFile(p, 4321)).toBeUndefined();
    expect(readFileSync(p, 'utf8')).toBe('4321\n');
    expect(readPidFile(p)).toBe(4321);
  });

  it('reads only well-formed pid files', () => {
    const p = join(dir, 'bad.pid');
    for (const text of ['', 'abc\n', '12 13\n', '-5\n', '0\n']) {
      writeFileSync(p, text);
      expect(readPidFile(p), JSON.stringify(text)).toBeUndefined();
    }
    expect(readPidFile(join(dir, 'missing.pid'))).toBeUndefined();
  });

  it('classifies absent, stale (dead pid, garbage, foreign process) and running', async () => {
    const p = join(dir, 'state.pid');
    expect(pidFileState(p)).toEqual({ state: 'absent' });
    writeFileSync(p, 'garbage\n');
    expect(pidFileState(p)).toEqual({ state: 'stale', pid: undefined });
    // A pid that is certainly not running: the largest possible pid is never handed out here.
    writeFileSync(p, '4194304\n');
    expect(pidFileState(p)).toEqual({ state: 'stale', pid: 4194304 });
    // pid 1 is alive but is not a keepalived: stale (keepalived itself would refuse to start).
    writeFileSync(p, '1\n');
    expect(pidFileState(p).state).toBe('stale');
    const k = await fakeKeepalived();
    try {
      writeFileSync(p, `${k.pid}\n`);
      expect(pidFileState(p)).toEqual({ state: 'running', pid: k.pid });
    } finally {
      k.kill();
    }
    // Our own pid is never "another daemon".
    writeFileSync(p, `${process.pid}\n`);
    expect(pidFileState(p).state).toBe('stale');
  });

  it('daemonAlreadyRunning removes zombie pid files with keepalived\'s message and finds a live one', async () => {
    const a = join(dir, 'a.pid');
    const b = join(dir, 'b.pid');
    const c = join(dir, 'c.pid');
    writeFileSync(a, '4194304\n');
    const logged: string[] = [];
    expect(daemonAlreadyRunning([a, b], (m) => logged.push(m))).toBeUndefined();
    expect(logged).toEqual([`Remove a zombie pid file ${a}`]);
    expect(existsSync(a)).toBe(false);
    const k = await fakeKeepalived();
    try {
      writeFileSync(c, `${k.pid}\n`);
      expect(daemonAlreadyRunning([a, b, c], () => undefined)).toBe(k.pid);
      expect(existsSync(c)).toBe(true);
    } finally {
      k.kill();
    }
  });

  it('removes a pid file only when it still holds our pid', () => {
    const p = join(dir, 'own.pid');
    writeFileSync(p, '777\n');
    removePidFile(p, 778);
    expect(existsSync(p)).toBe(true);
    removePidFile(p, 777);
    expect(existsSync(p)).toBe(false);
    removePidFile(p, 777); // already gone: no throw
  });
});
