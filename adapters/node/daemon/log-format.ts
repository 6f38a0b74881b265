/**
 * keepalived's log line shapes. Pure functions; the sinks live in log-sinks.ts.
 *
 *  - syslog / journald: ident `Keepalived` (parent), `Keepalived_vrrp`, `Keepalived_healthcheckers`,
 *    with the pid: `Keepalived_vrrp[1234]: (VI_1) Entering MASTER STATE`.
 *  - console (-l) and log file (-g): `Sun Nov 22 01:24:00 2026: (VI_1) Entering MASTER STATE`
 *    (C's "%a %b %e %T %Y" in local time, as keepalived prints it).
 *  - -g FILE: the children write to FILE with `_vrrp` / `_healthcheckers` inserted before the
 *    last '.' of the file name (keepalived(8)).
 */
import type { LogLevel } from '../../../actors/ports.js';
import type { SyslogFacility } from './flags.js';

export type ProcessRole = 'parent' | 'vrrp' | 'checker';

export const SYSLOG_IDENT: Readonly<Record<ProcessRole, string>> = {
  parent: 'Keepalived',
  vrrp: 'Keepalived_vrrp',
  checker: 'Keepalived_healthcheckers',
};

const FILE_SUFFIX: Readonly<Record<ProcessRole, string>> = {
  parent: '',
  vrrp: '_vrrp',
  checker: '_healthcheckers',
};

/** syslog(3) facility codes. */
const FACILITY_CODE: Readonly<Record<SyslogFacility, number>> = {
  user: 1,
  daemon: 3,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

const SEVERITY_CODE: Readonly<Record<LogLevel, number>> = {
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  detail: 6,
  debug: 7,
};

/** The `<PRI>` value of a syslog message: facility × 8 + severity. */
export function syslogPriority(facility: SyslogFacility, level: LogLevel): number {
  return FACILITY_CODE[facility] * 8 + SEVERITY_CODE[level];
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** C's `%a %b %e %T %Y` in local time: "Sun Nov 22 01:24:00 2026", "Mon Nov  2 …" for single-digit days. */
export function ctimeStamp(d: Date): string {
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`
  );
}

/** A console / log file line (without the newline). */
export function consoleLine(d: Date, message: string): string {
  return `${ctimeStamp(d)}: ${message}`;
}

/** RFC 3164 timestamp as syslog(3) writes it: "Nov  2 01:02:03" (local time). */
export function syslogStamp(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** One syslog datagram as syslog(3) sends it: "<30>Nov 22 01:24:00 Keepalived_vrrp[1234]: message". */
export function syslogDatagram(facility: SyslogFacility, level: LogLevel, role: ProcessRole, pid: number, message: string, d: Date): string {
  return `<${syslogPriority(facility, level)}>${syslogStamp(d)} ${syslogTag(role, pid)}: ${message}`;
}

/** The tag syslog shows before the message: `Keepalived_vrrp[1234]`. */
export function syslogTag(role: ProcessRole, pid: number): string {
  return `${SYSLOG_IDENT[role]}[${pid}]`;
}

/** The log file a process writes with `-g FILE`. */
export function logFileFor(file: string, role: ProcessRole): string {
  const suffix = FILE_SUFFIX[role];
  if (!suffix) return file;
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  return dot > slash + 1 ? file.slice(0, dot) + suffix + file.slice(dot) : file + suffix;
}

/** keepalived quotes its command line in the startup log: `'/usr/sbin/keepalived' '-n' '-l'`. */
export function quotedCommandLine(argv: readonly string[]): string {
  return argv.map((a) => `'${a}'`).join(' ');
}
