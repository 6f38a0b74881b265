/**
 * How each fault changes the world, and the fault that undoes it (used for `for:` durations).
 * Unknown hosts, NICs and segments are ignored here: the scenario loader rejects them with a
 * clear message before a run starts.
 */
import type { Fault } from './faults.js';
import type { Host } from './host/host.js';
import { DEFAULT_SCRIPT_MS } from './host/script-table.js';
import type { ModelAdapter } from './model.js';
import type { LinkProfile, Segment } from './net/segment.js';

export interface FaultTarget {
  readonly hosts: Map<string, Host>;
  readonly segments: Map<string, Segment>;
  readonly opts: { models: ModelAdapter; compile?: (text: string, host: string) => unknown };
  startDaemon(host: Host): void;
  stopDaemon(host: Host): void;
  endDaemon(host: Host, what: 'stopped' | 'killed' | 'crashed' | 'exception'): void;
  reloadDaemon(host: Host, model: unknown): void;
  emit(e: import('./events.js').SimEvent): void;
  readonly clock: { nowMicros(): number };
}

function crash(w: FaultTarget, host: Host): void {
  w.endDaemon(host, 'crashed');
  const gone: Array<[string, string]> = [];
  for (const n of host.nics) for (const a of n.addresses) if (a.dynamic) gone.push([n.name, a.address]);
  host.powerOff();
  for (const [nic, address] of gone) w.emit({ t: w.clock.nowMicros(), type: 'vip', host: host.name, nic, address, op: 'remove' });
}

function hostFault(w: FaultTarget, host: Host, f: Fault): Fault | undefined {
  switch (f.kind) {
    case 'crash':
      crash(w, host);
      return { kind: 'restart', host: host.name };
    case 'restart':
      if (!host.powered) {
        host.powerOn();
        w.emit({ t: w.clock.nowMicros(), type: 'daemon', host: host.name, what: 'power-on' });
      }
      w.startDaemon(host);
      return { kind: 'crash', host: host.name };
    // Signals are handled by the host's CPU: a paused VM acts on them when it runs again.
    case 'kill':
      host.cpu.exec(() => w.endDaemon(host, 'killed'));
      return { kind: 'start', host: host.name };
    case 'stop':
      host.cpu.exec(() => w.stopDaemon(host));
      return { kind: 'start', host: host.name };
    case 'start':
      host.cpu.exec(() => w.startDaemon(host));
      return { kind: 'stop', host: host.name };
    case 'pause':
      host.cpu.pause();
      return { kind: 'resume', host: host.name };
    case 'resume':
      host.cpu.resume();
      return { kind: 'pause', host: host.name };
    case 'drift': {
      const before = Math.round((host.cpu.driftRate() - 1) * 1e6);
      host.cpu.setDriftPpm(f.ppm);
      return { kind: 'drift', host: host.name, ppm: before };
    }
    case 'link': {
      const nic = host.nic(f.nic);
      if (!nic) return undefined;
      nic.carrier = f.up;
      host.notifyLink({ type: f.up ? 'link.up' : 'link.down', ifname: nic.name, index: nic.index });
      return { ...f, up: !f.up };
    }
    case 'script': {
      const prev = host.scripts.get(f.command);
      host.scripts.set(f.command, { exit: f.exit, ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}) });
      return { kind: 'script', host: host.name, command: f.command, exit: prev?.exit ?? 0, durationMs: prev?.durationMs ?? DEFAULT_SCRIPT_MS };
    }
    case 'file': {
      const prev = host.files.get(f.path);
      if (f.content === null) host.files.delete(f.path);
      else host.files.set(f.path, f.content);
      host.notifyFile(f.path);
      return { ...f, content: prev ?? null };
    }
    case 'priority': {
      if (host.model === undefined) return undefined;
      const prev = host.facts?.instances.find((i) => i.name === f.instance)?.priority;
      const model = w.opts.models.withPriority(host.model, f.instance, f.priority);
      host.cpu.exec(() => w.reloadDaemon(host, model));
      return prev === undefined ? undefined : { ...f, priority: prev };
    }
    case 'reload': {
      if (host.model === undefined) return undefined;
      const model = f.config !== undefined && w.opts.compile ? w.opts.compile(f.config, host.name) : host.model;
      host.cpu.exec(() => w.reloadDaemon(host, model));
      return undefined;
    }
    default:
      return undefined;
  }
}

function segmentFault(seg: Segment, f: Fault): Fault | undefined {
  switch (f.kind) {
    case 'partition':
      seg.partition(f.groups);
      return { kind: 'heal', segment: seg.name };
    case 'block':
      seg.block(f.from, f.to);
      return { ...f, kind: 'unblock' };
    case 'unblock':
      seg.unblock(f.from, f.to);
      return { ...f, kind: 'block' };
    case 'heal':
      seg.heal();
      return undefined;
    case 'net': {
      const before: Partial<LinkProfile> = {};
      for (const k of Object.keys(f.profile) as Array<keyof LinkProfile>) before[k] = seg.profile[k];
      Object.assign(seg.profile, f.profile);
      return { kind: 'net', segment: seg.name, profile: before };
    }
    default:
      return undefined;
  }
}

export function applyFault(w: FaultTarget, f: Fault): Fault | undefined {
  if ('host' in f) {
    const host = w.hosts.get(f.host);
    return host ? hostFault(w, host, f) : undefined;
  }
  const seg = w.segments.get(f.segment);
  return seg ? segmentFault(seg, f) : undefined;
}
