/**
 * How each fault changes the world, and the fault that undoes it (used for `for:` durations).
 *
 * Faults overlap (chaos draws them independently), so they compose:
 *  - on/off faults count: a host crashed twice powers on when both crashes have ended; the
 *    same for stops, pauses, link-downs and (in Segment) partitions and one-way blocks;
 *  - settings (loss, delay…, drift, script results, files, priorities, the aspects of a
 *    simulated service: mode, slowness, status, body) are layered: a fault
 *    with `for` pushes a layer that is removed at its end; the newest active layer wins, else
 *    the baseline (what the scenario set, or a fault without `for`).
 * Unknown hosts, NICs and segments are ignored here: the loader rejects them before a run.
 */
import type { SimEvent } from './events.js';
import type { Fault } from './faults.js';
import type { Host } from './host/host.js';
import type { Nic } from './net/nic.js';
import { canonicalIp } from '../protocol/addr.js';
import { DEFAULT_SCRIPT_MS, type ScriptBehaviour } from './host/script-table.js';
import type { ModelAdapter } from './model.js';
import { actionProblem, actionSettings, type ServiceState } from './lvs/services.js';
import type { LinkProfile, Segment } from './net/segment.js';

export interface FaultTarget {
  readonly hosts: Map<string, Host>;
  readonly segments: Map<string, Segment>;
  readonly opts: { models: ModelAdapter; compile?: (text: string, host: string) => unknown };
  startDaemon(host: Host): void;
  stopDaemon(host: Host): void;
  endDaemon(host: Host, what: 'stopped' | 'killed' | 'crashed' | 'exception'): void;
  reloadDaemon(host: Host, model: unknown): void;
  emit(e: SimEvent): void;
  onAddressChange(host: Host, nic: Nic, address: string, added: boolean): void;
  readonly clock: { nowMicros(): number };
}

interface Setting {
  baseline: unknown;
  layers: Array<{ id: number; value: unknown }>;
  write: (v: unknown) => void;
}

export class FaultApplier {
  private readonly counts = new Map<string, number>();
  private readonly settings = new Map<string, Setting>();
  private nextLayer = 1;

  constructor(private readonly w: FaultTarget) {}

  /** Apply `f` now; `layered` = it has a duration. Returns the fault that undoes it. */
  apply(f: Fault, layered: boolean): Fault | undefined {
    if (f.kind === 'end') {
      for (const id of f.layers) this.endLayer(id);
      return undefined;
    }
    if ('host' in f) {
      const host = this.w.hosts.get(f.host);
      return host ? this.hostFault(host, f, layered) : undefined;
    }
    const seg = this.w.segments.get(f.segment);
    return seg ? this.segmentFault(seg, f, layered) : undefined;
  }

  private bump(key: string, by: 1 | -1): number {
    const n = Math.max(0, (this.counts.get(key) ?? 0) + by);
    this.counts.set(key, n);
    return n;
  }

  /** Set a value now; as a layer (returns its id) or as the new baseline. */
  private set(key: string, read: () => unknown, write: (v: unknown) => void, value: unknown, layered: boolean): number[] {
    let s = this.settings.get(key);
    if (!s) this.settings.set(key, (s = { baseline: read(), layers: [], write }));
    s.write = write;
    if (!layered) {
      s.baseline = value;
      if (s.layers.length === 0) write(value);
      return [];
    }
    const id = this.nextLayer++;
    s.layers.push({ id, value });
    write(value);
    return [id];
  }

  private endLayer(id: number): void {
    for (const s of this.settings.values()) {
      const i = s.layers.findIndex((l) => l.id === id);
      if (i < 0) continue;
      s.layers.splice(i, 1);
      s.write(s.layers.length > 0 ? s.layers[s.layers.length - 1]!.value : s.baseline);
      return;
    }
  }

  private crash(host: Host): void {
    const w = this.w;
    w.endDaemon(host, 'crashed');
    const gone: Array<[string, string]> = [];
    for (const n of host.nics) for (const a of n.addresses) if (a.dynamic) gone.push([n.name, a.address]);
    host.powerOff();
    for (const [nic, address] of gone) w.emit({ t: w.clock.nowMicros(), type: 'vip', host: host.name, nic, address, op: 'remove' });
  }

  private hostFault(host: Host, f: Fault & { host: string }, layered: boolean): Fault | undefined {
    const w = this.w;
    const name = host.name;
    const end = (layers: number[]): Fault | undefined => (layers.length > 0 ? { kind: 'end', of: f, layers } : undefined);
    switch (f.kind) {
      case 'crash':
        this.bump(`power:${name}`, 1);
        if (host.powered) this.crash(host);
        return { kind: 'restart', host: name };
      case 'restart':
        if (this.bump(`power:${name}`, -1) > 0) return undefined;
        if (!host.powered) {
          host.powerOn();
          w.emit({ t: w.clock.nowMicros(), type: 'daemon', host: name, what: 'power-on' });
        }
        this.counts.set(`stop:${name}`, 0);
        w.startDaemon(host);
        return { kind: 'crash', host: name };
      // Signals are handled by the host's CPU: a paused VM acts on them when it runs again.
      case 'kill':
        this.bump(`stop:${name}`, 1);
        host.cpu.exec(() => w.endDaemon(host, 'killed'));
        return { kind: 'start', host: name };
      case 'stop':
        this.bump(`stop:${name}`, 1);
        host.cpu.exec(() => w.stopDaemon(host));
        return { kind: 'start', host: name };
      case 'start':
        if (this.bump(`stop:${name}`, -1) === 0) host.cpu.exec(() => w.startDaemon(host));
        return { kind: 'stop', host: name };
      case 'pause':
        this.bump(`pause:${name}`, 1);
        host.cpu.pause();
        return { kind: 'resume', host: name };
      case 'resume':
        if (this.bump(`pause:${name}`, -1) === 0) host.cpu.resume();
        return { kind: 'pause', host: name };
      case 'deladdr': {
        // No undo: the daemon (a MASTER) puts its VIP back, or nobody does.
        const nic = host.nic(f.nic);
        const address = canonicalIp(f.address);
        const i = nic && address ? nic.addresses.findIndex((a) => a.address === address) : -1;
        if (!nic || i < 0) return undefined;
        const [gone] = nic.addresses.splice(i, 1);
        w.onAddressChange(host, nic, gone!.address, false);
        host.notifyLink({ type: 'address.removed', ifname: nic.name, address: `${gone!.address}/${gone!.prefixLength}` });
        return undefined;
      }
      case 'link': {
        const nic = host.nic(f.nic);
        if (!nic) return undefined;
        const down = this.bump(`link:${name}/${nic.name}`, f.up ? -1 : 1);
        const carrier = down === 0;
        if (carrier !== nic.carrier) {
          nic.carrier = carrier;
          host.notifyLink({ type: carrier ? 'link.up' : 'link.down', ifname: nic.name, index: nic.index });
        }
        return { ...f, up: !f.up };
      }
      case 'drift':
        return end(this.set(`drift:${name}`, () => Math.round((host.cpu.driftRate() - 1) * 1e6), (v) => host.cpu.setDriftPpm(v as number), f.ppm, layered));
      case 'script': {
        const read = () => host.scripts.get(f.command) ?? { exit: 0, durationMs: DEFAULT_SCRIPT_MS };
        const value: Partial<ScriptBehaviour> = { exit: f.exit, ...(f.durationMs !== undefined ? { durationMs: f.durationMs } : {}) };
        return end(this.set(`script:${name}:${f.command}`, read, (v) => host.scripts.set(f.command, v as Partial<ScriptBehaviour>), value, layered));
      }
      case 'file': {
        const write = (v: unknown) => {
          if (v === null || v === undefined) host.files.delete(f.path);
          else host.files.set(f.path, v as string);
          host.notifyFile(f.path);
        };
        return end(this.set(`file:${name}:${f.path}`, () => host.files.get(f.path) ?? null, write, f.content, layered));
      }
      case 'process': {
        const write = (v: unknown) => {
          if (typeof v === 'number' && v > 0) host.processes.set(f.command, v);
          else host.processes.delete(f.command);
          host.notifyProcesses();
        };
        return end(this.set(`process:${name}:${f.command}`, () => host.processes.get(f.command) ?? 0, write, f.count, layered));
      }
      case 'priority': {
        if (host.model === undefined) return undefined;
        const read = () => host.facts?.instances.find((i) => i.name === f.instance)?.priority;
        const write = (v: unknown) => {
          if (typeof v !== 'number' || host.model === undefined) return;
          const model = w.opts.models.withPriority(host.model, f.instance, v);
          host.cpu.exec(() => w.reloadDaemon(host, model));
        };
        return end(this.set(`priority:${name}:${f.instance}`, read, write, f.priority, layered));
      }
      case 'server': {
        // Each aspect (mode, slow, status, body) of each service is its own layered setting.
        const targets = f.service !== undefined ? [host.services.target(f.service)].filter((t): t is ServiceState => t !== undefined) : host.services.all().filter((t) => actionProblem(t.kind, f.action) === undefined);
        const layers: number[] = [];
        for (const t of targets) {
          for (const [field, value] of actionSettings(t, f.action)) {
            const write = (v: unknown) => ((t as unknown as Record<string, unknown>)[field] = v);
            layers.push(...this.set(`server:${name}:${t.key}:${field}`, () => t[field], write, value, layered));
          }
        }
        return end(layers);
      }
      case 'reload': {
        if (host.model === undefined) return undefined;
        const model = f.config !== undefined && w.opts.compile ? w.opts.compile(f.config, name) : host.model;
        host.cpu.exec(() => w.reloadDaemon(host, model));
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private segmentFault(seg: Segment, f: Fault, layered: boolean): Fault | undefined {
    switch (f.kind) {
      case 'partition':
        seg.partition(f.groups);
        return { kind: 'heal', segment: seg.name, groups: f.groups };
      case 'block':
        seg.block(f.from, f.to);
        return { ...f, kind: 'unblock' };
      case 'unblock':
        seg.unblock(f.from, f.to);
        return { ...f, kind: 'block' };
      case 'heal':
        seg.heal(f.groups);
        return undefined;
      case 'net': {
        const layers: number[] = [];
        for (const k of Object.keys(f.profile) as Array<keyof LinkProfile>) {
          const value = f.profile[k];
          if (value === undefined) continue;
          layers.push(...this.set(`net:${seg.name}:${k}`, () => seg.profile[k], (v) => (seg.profile[k] = v as number), value, layered));
        }
        return layers.length > 0 ? { kind: 'end', of: f, layers } : undefined;
      }
      default:
        return undefined;
    }
  }
}
