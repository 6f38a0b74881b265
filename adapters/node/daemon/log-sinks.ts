/**
 * Where the daemon's log lines go: syslog/journald (default), the console (-l), a file (-g).
 * Implements the Logger port, so the same object serves the runtime and the daemon shell.
 *
 * syslog: one datagram per line to /dev/log (journald listens there too), formatted as
 * syslog(3) does: "<PRI>Nov 22 01:24:00 Keepalived_vrrp[1234]: (VI_1) Entering MASTER STATE".
 * Node has no AF_UNIX datagram sockets, so the socket comes from the project's netio addon.
 * When the socket does not exist the lines are dropped silently, as syslog(3) does; a line that
 * cannot be sent never blocks or throws.
 *
 * A line is written at the end of the task that logged it (a microtask), in the order logged,
 * stamped with the time log() was called, not the time it is written: a takeover's advert, VIPs
 * and gratuitous ARPs leave before its "Entering MASTER STATE" line costs anything. Writing that
 * line there took 0.14-0.25 ms of CPU and, with the wake-ups of stderr's reader and of journald,
 * up to 1.9 ms of wall time between the first advert and the VIP (docs/benchmarks.md, "Log lines
 * after the takeover, and no scavenge in it"). keepalived's lines and their order are unchanged;
 * close() and process exit write what is still waiting.
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import type { Logger, LogLevel } from '../../../actors/ports.js';
import { AF_UNIX, SOCK_DGRAM } from '../../linux/constants.js';
import { netio } from '../../linux/native.js';
import { sockaddrUn } from '../../linux/sockaddr.js';
import type { SyslogFacility } from './flags.js';
import { consoleLine, logFileFor, syslogDatagram, type ProcessRole } from './log-format.js';

export interface DaemonLogOptions {
  role: ProcessRole;
  /** -l: also write to stderr. */
  console: boolean;
  /** -D: also log the `detail` and `debug` lines. */
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
  /** Write what is waiting, and release the syslog helper and the log file. */
  close(): void;
}

/** A line logged and not yet written, with the time it was logged at (its timestamp). */
interface PendingLine {
  level: LogLevel;
  text: string;
  at: Date;
}

export const DEFAULT_SYSLOG_SOCKET = '/dev/log';

interface SyslogSocket {
  send(line: string): void;
  close(): void;
}

function openSyslog(path: string): SyslogSocket | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const io = netio();
    const fd = io.socket(AF_UNIX, SOCK_DGRAM, 0);
    const address = sockaddrUn(path);
    return {
      send(line) {
        try {
          io.sendmsg(fd, Buffer.from(line), address, null);
        } catch {
          // syslog restarting or its queue full: drop the line, never block the daemon
        }
      },
      close: () => io.close(fd),
    };
  } catch (e) {
    process.stderr.write(`keepalived-ts: syslog unavailable: ${(e as Error).message}\n`);
    return undefined;
  }
}

export function createDaemonLogger(opts: DaemonLogOptions): DaemonLogger {
  let syslog = opts.syslog ? openSyslog(opts.syslogSocket ?? DEFAULT_SYSLOG_SOCKET) : undefined;
  let fd: number | undefined;
  if (opts.file) {
    try {
      fd = openSync(logFileFor(opts.file, opts.role), 'a');
    } catch (e) {
      process.stderr.write(`Unable to open log file ${opts.file}: ${(e as Error).message}\n`);
    }
  }
  const enabled = (level: LogLevel): boolean => opts.detail || (level !== 'debug' && level !== 'detail');
  // Lines wait here for the end of the current task (see the header).
  let pending: PendingLine[] = [];
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    let text = '';
    for (const l of lines) {
      syslog?.send(syslogDatagram(opts.facility, l.level, opts.role, process.pid, l.text, l.at));
      if (opts.console || fd !== undefined) text += consoleLine(l.at, l.text) + '\n';
    }
    if (text === '') return;
    if (opts.console) process.stderr.write(text);
    if (fd !== undefined) {
      try {
        writeSync(fd, text);
      } catch {
        // A full disk must not take the daemon down; the other sinks still get the lines.
      }
    }
  };
  // process.exit() runs no more microtasks: what is still waiting is written on the way out.
  process.on('exit', flush);
  return {
    enabled,
    log(level: LogLevel, message: string): void {
      if (!enabled(level)) return;
      const at = new Date();
      // One record per line: a multi-line message becomes several records, like keepalived's dumps.
      for (const text of message.split('\n')) pending.push({ level, text, at });
      if (!flushQueued) {
        flushQueued = true;
        queueMicrotask(flush);
      }
    },
    close(): void {
      flush();
      process.off('exit', flush);
      syslog?.close();
      syslog = undefined;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
