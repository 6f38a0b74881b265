/**
 * Faults are data: a timeline of entries, each applied at an instant and optionally undone
 * after `forMs`. Because they are plain values, a failing run can be shrunk by deleting entries
 * and re-running (see shrink.ts), and printed back as scenario YAML.
 */
import type { ServerAction, ServiceKey } from './lvs/services.js';
import type { LinkProfile } from './net/segment.js';
import { serverFaultText } from './scenario/server-fault.js';

export type Fault =
  /** Power loss: no priority-0 advert, VIPs vanish with the kernel state. */
  | { kind: 'crash'; host: string }
  /** Power on and start the daemon. */
  | { kind: 'restart'; host: string }
  /** SIGKILL: the daemon dies silently, its VIPs stay in the kernel. */
  | { kind: 'kill'; host: string }
  /** SIGTERM: graceful stop, priority-0 adverts, VIPs removed. */
  | { kind: 'stop'; host: string }
  /** Start the daemon (after stop/kill, or a host configured not to start). */
  | { kind: 'start'; host: string }
  | { kind: 'link'; host: string; nic: string; up: boolean }
  /** An operator's `ip addr del`: the address leaves the NIC and the daemon hears RTM_DELADDR. */
  | { kind: 'deladdr'; host: string; nic: string; address: string }
  | { kind: 'partition'; segment: string; groups: string[][] }
  /** One-way loss of everything from `from` to `to` (asymmetric partition). */
  | { kind: 'block'; segment: string; from: string; to: string }
  | { kind: 'unblock'; segment: string; from: string; to: string }
  /** Heal every cut of the segment, or only the partition into `groups`. */
  | { kind: 'heal'; segment: string; groups?: string[][] }
  /** Change the segment's link profile (loss, delay, jitter, duplication, reordering). */
  | { kind: 'net'; segment: string; profile: Partial<LinkProfile> }
  /** The host's CPU stops (a descheduled VM); nothing on it runs until `resume`. */
  | { kind: 'pause'; host: string }
  | { kind: 'resume'; host: string }
  | { kind: 'drift'; host: string; ppm: number }
  /** From now on, runs of `command` exit with `exit` (null = killed) after `durationMs`. */
  | { kind: 'script'; host: string; command: string; exit: number | null; durationMs?: number }
  /** Write (or delete, with null) a file, waking its watchers (track_file). */
  | { kind: 'file'; host: string; path: string; content: string | null }
  /** Set how many copies of a program run (track_process); 0 = it died. */
  | { kind: 'process'; host: string; command: string; count: number }
  /** Reload the daemon with one instance's base priority changed. */
  | { kind: 'priority'; host: string; instance: string; priority: number }
  /** A simulated real server's service (or all of them, and its echo responder) changes behaviour. */
  | { kind: 'server'; host: string; service?: ServiceKey; action: ServerAction }
  /** Reload the daemon (SIGHUP) with its current or a new config. */
  | { kind: 'reload'; host: string; config?: string }
  /** (Internal) the end of a setting fault applied with `for`: its layers are removed. */
  | { kind: 'end'; of: Fault; layers: number[] };

export type FaultKind = Fault['kind'];

/** Faults whose only parameter is the host. */
export const HOST_ONLY_KINDS = ['crash', 'restart', 'kill', 'stop', 'start', 'pause', 'resume'] as const;
export type HostOnlyKind = (typeof HOST_ONLY_KINDS)[number];

export function isHostOnlyKind(kind: string): kind is HostOnlyKind {
  return (HOST_ONLY_KINDS as readonly string[]).includes(kind);
}

export interface TimelineEntry {
  atMs: number;
  fault: Fault;
  /** Undo the fault this long after applying it. */
  forMs?: number;
  /** Where it came from: the scenario file or the seed's chaos generator. */
  origin?: 'scenario' | 'chaos';
}

function ms(n: number): string {
  return n >= 1000 ? `${+(n / 1000).toFixed(3)}s` : `${+n.toFixed(3)}ms`;
}

/** One line a person can read: "partition lan [a] | [b]". */
export function describeFault(f: Fault): string {
  if (isHostOnlyKind(f.kind) && 'host' in f) return `${f.kind} ${f.host}`;
  switch (f.kind) {
    case 'link':
      return `link ${f.host}/${f.nic} ${f.up ? 'up' : 'down'}`;
    case 'deladdr':
      return `deladdr ${f.host}/${f.nic} ${f.address}`;
    case 'partition':
      return `partition ${f.segment} ${f.groups.map((g) => `[${g.join(',')}]`).join(' | ')}`;
    case 'block':
    case 'unblock':
      return `${f.kind} ${f.segment} ${f.from} -> ${f.to}`;
    case 'heal':
      return `heal ${f.segment}${f.groups ? ` ${f.groups.map((g) => `[${g.join(',')}]`).join(' | ')}` : ''}`;
    case 'end':
      return `end of: ${describeFault(f.of)}`;
    case 'net': {
      const p = f.profile;
      const parts = Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'number' && k.endsWith('Ms') ? ms(v) : v}`);
      return `net ${f.segment} ${parts.join(' ')}`;
    }
    case 'drift':
      return `drift ${f.host} ${f.ppm}ppm`;
    case 'script':
      return `script ${f.host} ${f.command} -> ${f.exit === null ? 'killed' : `exit ${f.exit}`}${f.durationMs !== undefined ? ` after ${ms(f.durationMs)}` : ''}`;
    case 'file':
      return `file ${f.host}:${f.path} ${f.content === null ? 'deleted' : JSON.stringify(f.content)}`;
    case 'priority':
      return `priority ${f.host}/${f.instance} = ${f.priority}`;
    case 'process':
      return `process ${f.host}: ${f.count} × ${f.command}`;
    case 'reload':
      return `reload ${f.host}${f.config !== undefined ? ' (new config)' : ''}`;
    case 'server':
      return `server ${serverFaultText(f.host, f.service, f.action)}`;
    default:
      return f.kind;
  }
}

/** Hosts a fault touches (for the SVG markers and the timeline). */
export function faultHosts(f: Fault): string[] {
  if (f.kind === 'end') return faultHosts(f.of);
  if ('host' in f) return [f.host];
  if (f.kind === 'partition') return f.groups.flat();
  if (f.kind === 'block' || f.kind === 'unblock') return [f.from, f.to];
  return [];
}

/** The entry back as scenario YAML-ready data (the shape the loader reads). */
export function entryToData(e: TimelineEntry): Record<string, unknown> {
  if (e.fault.kind === 'end') return entryToData({ ...e, fault: e.fault.of });
  if (e.fault.kind === 'server') {
    const out: Record<string, unknown> = { at: ms(e.atMs) };
    if (e.forMs !== undefined) out.for = ms(e.forMs);
    out.server = serverFaultText(e.fault.host, e.fault.service, e.fault.action);
    return out;
  }
  const { kind, ...rest } = e.fault;
  const out: Record<string, unknown> = { at: ms(e.atMs) };
  if (e.forMs !== undefined) out.for = ms(e.forMs);
  out[kind] = Object.keys(rest).length === 1 && 'host' in rest ? rest.host : rest;
  return out;
}
