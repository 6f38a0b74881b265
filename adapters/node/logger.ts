/**
 * Logger transports: console (keepalived -l) and syslog through the /dev/log datagram socket
 * (keepalived's default), or both. The message text, including any "Keepalived_vrrp: " style
 * wording, is the caller's; the syslog header carries `ident[pid]` like syslog(3) does.
 */
import { existsSync } from 'node:fs';
import type { LogLevel, Logger } from '../../actors/ports.js';
import { AF_UNIX, SOCK_DGRAM } from '../linux/constants.js';
import { errorText, netio } from '../linux/native.js';
import { sockaddrUn } from '../linux/sockaddr.js';

/** syslog(3) severities. */
export const SEVERITY: Record<LogLevel, number> = { error: 3, warning: 4, notice: 5, info: 6, detail: 6, debug: 7 };

/** Facility numbers by name: daemon (keepalived's default) and local0..local7 (keepalived -S 0..7). */
export const FACILITY: Record<string, number> = { daemon: 3, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23 };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3164 timestamp as syslog(3) writes it: "Nov  2 01:02:03" in local time. */
export function syslogTimestamp(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** One datagram as syslog(3) formats it: "<PRI>TIMESTAMP ident[pid]: message". */
export function formatSyslogLine(opts: { facility: number; level: LogLevel; ident: string; pid: number; message: string; at: Date }): string {
  return `<${opts.facility * 8 + SEVERITY[opts.level]}>${syslogTimestamp(opts.at)} ${opts.ident}[${opts.pid}]: ${opts.message}`;
}

export interface ConsoleLoggerOptions {
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
  /** Lowest level written (default: debug, i.e. everything). */
  minLevel?: LogLevel;
}

export function createConsoleLogger(opts: ConsoleLoggerOptions = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const min = SEVERITY[opts.minLevel ?? 'debug'];
  return {
    log(level, message) {
      if (SEVERITY[level] <= min) write(`${message}\n`);
    },
  };
}

export interface SyslogLoggerOptions {
  /** e.g. "Keepalived_vrrp" */
  ident: string;
  /** Facility name (default "daemon"). */
  facility?: string;
  /** Socket path (default /dev/log). */
  path?: string;
  pid?: number;
}

export interface SyslogLogger extends Logger {
  /** False when the socket could not be opened (no syslog daemon): every line is dropped. */
  readonly available: boolean;
  /** Lines that could not be delivered (syslog gone, queue full). */
  dropped(): number;
  /** The last delivery error ('' when none). */
  lastError(): string;
  close(): void;
}

/** Syslog over the local datagram socket. Never throws and never blocks: undeliverable lines
 *  are counted and dropped. */
export function createSyslogLogger(opts: SyslogLoggerOptions): SyslogLogger {
  const path = opts.path ?? '/dev/log';
  const facility = FACILITY[opts.facility ?? 'daemon'];
  if (facility === undefined) throw new Error(`unknown syslog facility ${opts.facility}`);
  const pid = opts.pid ?? process.pid;
  const address = sockaddrUn(path);
  let fd = -1;
  let dropped = 0;
  let lastError = '';
  if (existsSync(path)) {
    try {
      fd = netio().socket(AF_UNIX, SOCK_DGRAM, 0);
    } catch (e) {
      lastError = errorText(e);
    }
  }
  return {
    available: fd >= 0,
    log(level, message) {
      if (fd < 0) {
        dropped++;
        return;
      }
      const line = formatSyslogLine({ facility, level, ident: opts.ident, pid, message, at: new Date() });
      try {
        netio().sendmsg(fd, Buffer.from(line), address, null);
      } catch (e) {
        dropped++;
        lastError = errorText(e);
      }
    },
    dropped: () => dropped,
    lastError: () => lastError,
    close() {
      if (fd >= 0) netio().close(fd);
      fd = -1;
    },
  };
}
