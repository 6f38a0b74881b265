/**
 * Where the daemon's log lines go: syslog/journald (default), the console (-l), a file (-g).
 * Implements the Logger port, so the same object serves the runtime and the daemon shell.
 *
 * Node has no AF_UNIX datagram sockets, so syslog lines go through one long-lived util-linux
 * `logger --prio-prefix` process per daemon process: each line `<PRI>message` becomes one
 * syslog record tagged `Keepalived_vrrp[PID]` (the pid of the daemon process, not of logger).
 * journald reads the same socket (/dev/log), so the lines land in the journal too. When the
 * socket does not exist, syslog output is skipped silently, as syslog(3) does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import type { Logger, LogLevel } from '../../../actors/ports.js';
import type { SyslogFacility } from './flags.js';
import { consoleLine, logFileFor, syslogPriority, SYSLOG_IDENT, type ProcessRole } from './log-format.js';

export interface DaemonLogOptions {
  role: ProcessRole;
  /** -l: also write to stderr. */
  console: boolean;
  /** -D: also log debug-level lines. */
  detail: boolean;
  /** false with -G. */
  syslog: boolean;
  facility: SyslogFacility;
  /** -g FILE (the parent's name; children derive theirs). */
  file?: string;
  /** Default /dev/log. */
  syslogSocket?: string;
}

export interface DaemonLogger extends Logger {
  /** Flush and release the syslog helper and the log file. */
  close(): void;
}

export const DEFAULT_SYSLOG_SOCKET = '/dev/log';

function startSyslogHelper(opts: DaemonLogOptions): ChildProcess | undefined {
  const socket = opts.syslogSocket ?? DEFAULT_SYSLOG_SOCKET;
  if (!existsSync(socket)) return undefined;
  const args = ['--prio-prefix', `--id=${process.pid}`, '-t', SYSLOG_IDENT[opts.role], '-u', socket, '--socket-errors=off'];
  let child: ChildProcess;
  try {
    // Its own process group: a Ctrl-C meant for the daemon must not kill the log helper first.
    child = spawn('logger', args, { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    return undefined;
  }
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

export function createDaemonLogger(opts: DaemonLogOptions): DaemonLogger {
  let syslog = opts.syslog ? startSyslogHelper(opts) : undefined;
  let fd: number | undefined;
  if (opts.file) {
    try {
      fd = openSync(logFileFor(opts.file, opts.role), 'a');
    } catch (e) {
      process.stderr.write(`Unable to open log file ${opts.file}: ${(e as Error).message}\n`);
    }
  }
  return {
    log(level: LogLevel, message: string): void {
      if (level === 'debug' && !opts.detail) return;
      // One record per line: a multi-line message becomes several records, like keepalived's dumps.
      for (const text of message.split('\n')) {
        if (syslog?.stdin?.writable) syslog.stdin.write(`<${syslogPriority(opts.facility, level)}>${text}\n`);
        if (opts.console || fd !== undefined) {
          const line = consoleLine(new Date(), text) + '\n';
          if (opts.console) process.stderr.write(line);
          if (fd !== undefined) {
            try {
              writeSync(fd, line);
            } catch {
              // A full disk must not take the daemon down; the other sinks still get the line.
            }
          }
        }
      }
    },
    close(): void {
      syslog?.stdin?.end();
      syslog = undefined;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
