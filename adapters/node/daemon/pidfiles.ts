/**
 * Pid files in keepalived's places and format ("PID\n"), with keepalived's "already running" check.
 *
 * Defaults are the paths Debian's keepalived 2.2.7 binary uses: /run/keepalived.pid,
 * /run/vrrp.pid, /run/checkers.pid (keepalived(8) says keepalived_vrrp.pid; the binary wins).
 *
 * The running check improves on keepalived's: a pid file whose process is alive but is not a
 * keepalived (after a reboot the pid may belong to anything) is treated as stale, judged by
 * /proc/PID/comm starting with "keepalived" (ours sets its process title to keepalived-ts).
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PidPaths {
  parent: string;
  vrrp: string;
  checker: string;
}

export const DEFAULT_PID_PATHS: Readonly<PidPaths> = {
  parent: '/run/keepalived.pid',
  vrrp: '/run/vrrp.pid',
  checker: '/run/checkers.pid',
};

export function pidPathsFrom(flags: { pidFile?: string; vrrpPidFile?: string; checkersPidFile?: string }): PidPaths {
  return {
    parent: flags.pidFile ?? DEFAULT_PID_PATHS.parent,
    vrrp: flags.vrrpPidFile ?? DEFAULT_PID_PATHS.vrrp,
    checker: flags.checkersPidFile ?? DEFAULT_PID_PATHS.checker,
  };
}

/** The pid in a pid file, or undefined when the file is missing or does not hold a pid. */
export function readPidFile(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^\s*(\d+)\s*$/.exec(text);
  const pid = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** True when a process with this pid exists (signal 0; EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when /proc says the process is some keepalived; true as well when /proc cannot tell. */
function looksLikeKeepalived(pid: number): boolean {
  let comm: string;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return true;
  }
  return comm.startsWith('keepalived');
}

export type PidFileState =
  | { state: 'absent' }
  | { state: 'running'; pid: number }
  /** The file names a dead (or foreign) process: keepalived removes it ("Remove a zombie pid file"). */
  | { state: 'stale'; pid: number | undefined };

export function pidFileState(path: string): PidFileState {
  const pid = readPidFile(path);
  if (pid === undefined) {
    try {
      readFileSync(path);
    } catch {
      return { state: 'absent' };
    }
    return { state: 'stale', pid: undefined };
  }
  if (pid !== process.pid && processAlive(pid) && looksLikeKeepalived(pid)) return { state: 'running', pid };
  return { state: 'stale', pid };
}

/**
 * keepalived's start-up check over every pid file of this daemon. Stale files are removed and
 * reported through `log`; the first live one makes the answer "running".
 */
export function daemonAlreadyRunning(paths: readonly string[], log: (message: string) => void): number | undefined {
  for (const path of paths) {
    const s = pidFileState(path);
    if (s.state === 'running') return s.pid;
    if (s.state === 'stale') {
      log(`Remove a zombie pid file ${path}`);
      removeFile(path);
    }
  }
  return undefined;
}

export function writePidFile(path: string, pid: number): string | undefined {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${pid}\n`);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Remove a pid file only if it still holds `pid` (never delete another daemon's file). */
export function removePidFile(path: string, pid: number): void {
  if (readPidFile(path) === pid) removeFile(path);
}
