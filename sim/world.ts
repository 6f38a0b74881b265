/**
 * The simulated world: segments, hosts, and on each daemon host the SAME composition root the
 * daemon uses (`createRuntime(ports, model, { name })`) fed with simulated ports. One SimClock
 * drives everything; one seeded PRNG (forked per concern) is the only randomness.
 */
import type { InspectionEvent } from 'xstate';
import type { LogLevel, MailMessage, ScriptResult, ScriptSpec } from '../actors/ports.js';
import { formatMac } from '../protocol/addr.js';
import type { KeepalivedConfig } from '../config/model.js';
import type { CreateRuntime, InstanceStatus, RuntimeEvent } from '../actors/runtime-types.js';
import { DEFAULT_CHECKS, InvariantMonitor, type CheckOptions, type MonitoredWorld } from './check/invariant-monitor.js';
import { InstanceTrack, wireKey } from './check/track.js';
import { SimClock } from './clock.js';
import type { SimEvent } from './events.js';
import { FaultApplier, type FaultTarget } from './world-faults.js';
import { describeFault, type Fault, type TimelineEntry } from './faults.js';
import { DaemonProcess, Host, type HostEvents } from './host/host.js';
import { ScriptTable, type ScriptBehaviour } from './host/script-table.js';
import type { ModelAdapter } from './model.js';
import { ETHERTYPE_ARP, IPPROTO_AH, IPPROTO_ICMPV6, IPPROTO_VRRP, peekVrrp, type Frame } from './net/frame.js';
import { learnNeighbour } from './net/neighbour.js';
import { Nic } from './net/nic.js';
import { DEFAULT_PROFILE, Segment, type DropReason, type LinkProfile, type SegmentEnv } from './net/segment.js';
import { simPorts, type PortObserver } from './ports/index.js';
import { Prng } from './prng.js';
import type { Recorder } from './recorder.js';
import type { LbDestination } from '../actors/lvs/lb-port.js';
import type { ScriptPolicy } from '../actors/io-env.js';
import type { LvsEmitted } from '../machines/check/types.js';
import { LvsSim, type SimLvsPorts } from './lvs/lvs-sim.js';
import { HostServices, type ServiceSpec } from './lvs/services.js';
import type { KernelService, TableChange } from './lvs/table.js';
import type { TrafficSpec } from './lvs/traffic.js';

export const WALL_ORIGIN_MS = Date.UTC(2026, 0, 1);

export interface NicSpec {
  name: string;
  segment?: string;
  /** CIDR addresses ("198.51.100.11/24"). */
  addresses: string[];
  mac?: string;
}

export interface HostSpec {
  name: string;
  nics: NicSpec[];
  /** Compiled config; absent for observer hosts (clients, routers). */
  model?: unknown;
  scripts?: Record<string, Partial<ScriptBehaviour>>;
  files?: Record<string, string>;
  /** Running programs (track_process): command line → count. */
  processes?: Record<string, number>;
  /** When the daemon starts (ms); null = not at all until a "start" fault. Default 0. */
  startAtMs?: number | null;
  /** Process start → runtime start, and SIGTERM / link change → the daemon acts (sim/host/latency.ts). */
  startupMs?: number;
  reactionMs?: number;
  driftPpm?: number;
  /** Real-server side (sim/lvs/): services it runs, whether it answers ping, VIPs on its loopback. */
  services?: ServiceSpec[];
  icmp?: boolean;
  loopback?: string[];
  /** Client side: connections it opens to virtual services. */
  traffic?: TrafficSpec[];
}

export interface AdvertDropCount {
  host: string;
  /** '' for a packet no instance could be picked for (it did not decode). */
  instance: string;
  reason: string;
  n: number;
  firstUs: number;
  lastUs: number;
}

export interface WorldSpec {
  segments: Array<{ name: string; profile?: Partial<LinkProfile> }>;
  hosts: HostSpec[];
}

export interface WorldOptions {
  seed: number;
  createRuntime: CreateRuntime;
  models: ModelAdapter;
  recorder: Recorder;
  /** Every frame put on any wire (pcap). */
  capture?: (tUs: number, segment: string, bytes: Uint8Array) => void;
  checks?: Partial<CheckOptions> | false;
  /** Compiles a config text for a "reload" fault with a new config. */
  compile?: (text: string, host: string) => unknown;
  /** How long a graceful stop may take before it counts as hung (ms). */
  stopTimeoutMs?: number;
  /** An inspection observer for the actor system of each daemon started on `host` (RuntimeOptions.inspect). */
  inspect?: (host: string) => ((e: InspectionEvent) => void) | undefined;
}

export class World implements MonitoredWorld, PortObserver, HostEvents, FaultTarget {
  readonly clock = new SimClock(WALL_ORIGIN_MS);
  readonly prng: Prng;
  readonly segments = new Map<string, Segment>();
  readonly hosts = new Map<string, Host>();
  readonly monitor: InvariantMonitor | undefined;
  /** Called with every log line a daemon writes (scenario log expectations). */
  readonly logTaps: Array<(host: string, message: string) => void> = [];
  private readonly hostList: Host[] = [];
  private readonly macs = new Map<string, string>();
  private readonly faults = new FaultApplier(this);
  /** Adverts the runtimes dropped, per host/instance/reason. */
  readonly advertDrops = new Map<string, AdvertDropCount>();
  /** Probes, client connections and the LVS ports of directors (sim/lvs/). */
  readonly lvs: LvsSim;

  constructor(
    spec: WorldSpec,
    readonly opts: WorldOptions,
  ) {
    this.prng = new Prng(opts.seed);
    const env = this.segmentEnv(this.prng.fork('net'));
    for (const s of spec.segments) this.segments.set(s.name, new Segment(s.name, { ...DEFAULT_PROFILE, ...s.profile }, env));
    this.lvs = new LvsSim(this, this.prng);
    spec.hosts.forEach((h, i) => this.addHost(h, i + 1));
    this.monitor = opts.checks === false ? undefined : new InvariantMonitor(this, { ...DEFAULT_CHECKS, ...opts.checks });
    for (const h of spec.hosts) {
      const host = this.hosts.get(h.name)!;
      if (h.model !== undefined && h.startAtMs !== null) this.clock.at(h.startAtMs ?? 0, () => this.startDaemon(host));
      for (const t of h.traffic ?? []) this.lvs.startTraffic(host, t);
    }
  }

  get recorder(): Recorder {
    return this.opts.recorder;
  }

  private addHost(spec: HostSpec, ordinal: number): void {
    const scripts = new ScriptTable();
    for (const [cmd, b] of Object.entries(spec.scripts ?? {})) scripts.set(cmd, b);
    const host = new Host(spec.name, this.clock, scripts, this, spec.model === undefined);
    host.cpu.onError = (err) => this.onException(host, err);
    host.model = spec.model;
    host.facts = spec.model === undefined ? undefined : this.opts.models.facts(spec.model);
    for (const [path, content] of Object.entries(spec.files ?? {})) host.files.set(path, content);
    for (const [cmd, count] of Object.entries(spec.processes ?? {})) if (count > 0) host.processes.set(cmd, count);
    host.services = new HostServices(spec.services ?? [], spec.icmp ?? true, spec.loopback ?? []);
    host.lb.listener = (c) => this.onTableChange(host, c);
    if (spec.driftPpm) host.cpu.setDriftPpm(spec.driftPpm);
    if (spec.startupMs !== undefined) host.latency.startupMs = spec.startupMs;
    if (spec.reactionMs !== undefined) host.latency.reactionMs = spec.reactionMs;
    spec.nics.forEach((n, j) => {
      const mac = n.mac ?? `02:00:00:00:${ordinal.toString(16).padStart(2, '0')}:${(j + 1).toString(16).padStart(2, '0')}`;
      const primary = n.addresses.map((cidr) => {
        const [address, len] = cidr.split('/');
        const family = address!.includes(':') ? 6 : 4;
        return { address: address!, prefixLength: Number(len ?? (family === 4 ? 32 : 128)), family: family as 4 | 6 };
      });
      const nic = new Nic(host, n.name, j + 2, mac, primary);
      host.nics.push(nic);
      this.macs.set(mac, `${spec.name}/${n.name}`);
      if (n.segment) this.segments.get(n.segment)?.attach(nic);
    });
    this.hosts.set(spec.name, host);
    this.hostList.push(host);
  }

  allHosts(): readonly Host[] {
    return this.hostList;
  }

  macOwner(mac: string): string | undefined {
    return this.macs.get(mac);
  }

  status(host: Host): InstanceStatus[] | undefined {
    return host.proc?.runtime?.status();
  }

  emit(e: SimEvent, keep?: boolean): void {
    this.opts.recorder.emit(e, keep);
  }

  violation(id: string, message: string, host?: string, instance?: string): void {
    this.emit({ t: this.clock.nowMicros(), type: 'violation', id, message, ...(host ? { host } : {}), ...(instance ? { instance } : {}) });
  }

  /** Schedule timeline entries (faults at their instants, undone after `forMs`). */
  schedule(entries: readonly TimelineEntry[]): void {
    for (const e of entries) {
      this.clock.at(e.atMs, () => {
        const inverse = this.apply(e.fault, e.forMs !== undefined);
        if (e.forMs !== undefined && inverse) this.clock.at(e.atMs + e.forMs, () => this.apply(inverse));
      });
    }
  }

  /** Apply one fault now (`layered`: it will be undone); returns the fault that undoes it. */
  apply(fault: Fault, layered = false): Fault | undefined {
    this.emit({ t: this.clock.nowMicros(), type: 'fault', fault, text: describeFault(fault) });
    this.monitor?.markPerturbation();
    const inverse = this.faults.apply(fault, layered);
    this.monitor?.onPerturbation();
    return inverse;
  }

  runUntil(ms: number): void {
    this.clock.runUntil(ms);
  }

  // ---- daemon lifecycle -------------------------------------------------------------------

  startDaemon(host: Host): void {
    if (host.proc?.state === 'stopping') {
      // systemd-style: a start while the old process is still stopping happens once it has exited.
      host.proc.startWhenStopped = true;
      return;
    }
    if (!host.powered || host.proc || host.model === undefined) return;
    const proc = new DaemonProcess(host.cpu, WALL_ORIGIN_MS, this.clock.nowMicros());
    host.proc = proc;
    this.monitor?.markPerturbation();
    this.rebuildTracks(host);
    for (const t of host.tracks.values()) t.setState('INIT', this.clock.nowMicros());
    this.emit({ t: this.clock.nowMicros(), type: 'daemon', host: host.name, what: 'start' });
    // The process reads its config, forks and opens its sockets before the runtime starts.
    if (host.latency.startupMs > 0) {
      this.monitor?.onPerturbation();
      host.cpu.schedule(() => this.bootRuntime(host, proc, true), host.latency.startupMs, proc.life);
    } else {
      this.bootRuntime(host, proc, false);
      this.monitor?.onPerturbation();
    }
  }

  private bootRuntime(host: Host, proc: DaemonProcess, deferred: boolean): void {
    if (host.proc !== proc || proc.state !== 'running') return;
    if (deferred) this.monitor?.markPerturbation();
    try {
      const model = host.model as KeepalivedConfig;
      // A director (virtual_server blocks) gets the LVS ports: the prober, the table and the seeded warmup draws.
      const lvs = (model.virtualServers?.length ?? 0) > 0 ? this.lvsPorts(host, proc) : undefined;
      const ports = { ...simPorts(host, proc, this), ...(lvs ? { prober: lvs.prober, lbTable: lvs.lb, random: () => lvs.warmupDraw() } : {}) };
      const watch = this.opts.inspect?.(host.name);
      // A dead process's actors are silent, as its timers are (see DaemonProcess).
      const inspect = watch && ((e: InspectionEvent) => void (host.proc === proc && watch(e)));
      const rt = this.opts.createRuntime(ports, model, { name: host.name, ...(inspect ? { inspect } : {}) });
      proc.runtime = rt;
      rt.on((e) => this.onRuntimeEvent(host, proc, e));
      rt.start();
    } catch (err) {
      this.onException(host, err);
    }
    if (deferred) this.monitor?.onPerturbation();
  }

  stopDaemon(host: Host): void {
    const proc = host.proc;
    if (!proc || proc.state !== 'running') return;
    proc.state = 'stopping';
    this.emit({ t: this.clock.nowMicros(), type: 'daemon', host: host.name, what: 'stopping' });
    this.monitor?.onStopRequested(host, this.opts.stopTimeoutMs ?? 10_000);
    // Still starting: nothing to release, the process just exits.
    if (!proc.runtime) return this.endDaemon(host, 'stopped');
    const stop = (): void => {
      try {
        proc.runtime?.stop();
      } catch (err) {
        this.onException(host, err);
      }
    };
    if (host.latency.reactionMs > 0) host.cpu.schedule(stop, host.latency.reactionMs, proc.life);
    else stop();
  }

  /** The process is gone (exit after stop, SIGKILL, exception, power loss). */
  endDaemon(host: Host, what: 'stopped' | 'killed' | 'crashed' | 'exception', detail?: string): void {
    const proc = host.proc;
    if (!proc) return;
    proc.exit();
    host.proc = undefined;
    // A process that died without stopping leaves its instances nowhere: show them as INIT.
    for (const t of host.tracks.values()) if (t.state !== 'INIT' && t.state !== 'STOP' && t.state !== 'DELETED') this.trackState(t, 'INIT', 0, what);
    this.emit({ t: this.clock.nowMicros(), type: 'daemon', host: host.name, what, ...(detail ? { detail } : {}) });
    if (what === 'stopped') this.monitor?.onStopped(host);
    this.monitor?.regroup();
    if (proc.startWhenStopped) this.startDaemon(host);
  }

  reloadDaemon(host: Host, model: unknown): void {
    host.model = model;
    host.facts = this.opts.models.facts(model);
    this.rebuildTracks(host);
    try {
      host.proc?.runtime?.reload(model as KeepalivedConfig);
    } catch (err) {
      this.onException(host, err);
    }
  }

  private onException(host: Host, err: unknown): void {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.violation('X1', `runtime on ${host.name} threw: ${message.split('\n').slice(0, 4).join(' | ')}`, host.name);
    this.endDaemon(host, 'exception', message.split('\n')[0]);
  }

  private rebuildTracks(host: Host): void {
    const old = new Map(host.tracks);
    host.tracks.clear();
    host.tracksByWire.clear();
    for (const f of host.facts?.instances ?? []) {
      const prev = old.get(f.name);
      const nic = host.nic(f.ifname);
      const t = prev && prev.nic === nic ? prev : new InstanceTrack(host, f, nic);
      t.facts = f;
      t.expect = nic ? this.opts.models.expectations?.(host.model, f.name, nic.primaryAddress(f.family) ?? '') : undefined;
      t.lastValidMessage = undefined;
      t.lastRx = undefined;
      host.tracks.set(f.name, t);
      if (nic && !host.tracksByWire.has(wireKey(nic.index, f.family, f.vrid))) host.tracksByWire.set(wireKey(nic.index, f.family, f.vrid), t);
    }
  }

  private trackState(t: InstanceTrack, to: InstanceTrack['state'], priority: number, reason: string): void {
    const from = t.state;
    t.setState(to, this.clock.nowMicros());
    this.emit({ t: this.clock.nowMicros(), type: 'state', host: t.host.name, instance: t.facts.name, from, to, priority, reason });
    this.monitor?.onState(t, from, to);
  }

  private onRuntimeEvent(host: Host, proc: DaemonProcess, e: RuntimeEvent): void {
    if (host.proc !== proc) return;
    const t = this.clock.nowMicros();
    switch (e.type) {
      case 'instance.state': {
        const track = host.tracks.get(e.instance);
        if (track) {
          track.effectivePriority = e.priority;
          this.trackState(track, e.to, e.priority, e.reason);
        }
        return;
      }
      case 'instance.priority': {
        const track = host.tracks.get(e.instance);
        if (track) track.effectivePriority = e.priority;
        this.emit({ t, type: 'priority', host: host.name, instance: e.instance, priority: e.priority });
        return;
      }
      case 'group.state':
        return this.emit({ t, type: 'group', host: host.name, group: e.group, to: e.to });
      case 'notify':
        return this.emit({ t, type: 'notify', host: host.name, argv: e.argv });
      case 'runtime.stopped':
        return this.endDaemon(host, 'stopped');
      case 'advert.dropped':
        return this.advertDropped(host, e.instance, e.reason);
      case 'actor.failed':
        // The runtime survived it (the phase moved on, the instance went to FAULT), but it is a bug all the same.
        return this.violation('X1', `actor ${e.actor} on ${host.name} failed: ${e.error.split('\n')[0]}`, host.name);
      case 'log':
        // Already recorded once, by the Logger port (onLog), which also sees lines logged outside the sink.
        return;
      case 'lvs.checker':
      case 'lvs.server':
      case 'lvs.quorum': {
        const { at: _at, ...lvs } = e;
        return this.onLvsEvent(host, lvs as LvsEmitted);
      }
      default:
        if (this.recorder.tracing) {
          const { type, at: _at, ...rest } = e;
          this.emit({ t, type: 'runtime', host: host.name, event: type, detail: JSON.stringify(rest) });
        }
    }
  }

  /** Every drop reaches the listeners (trace, timeline); the history keeps the first of each kind. */
  private advertDropped(host: Host, instance: string, reason: string): void {
    const key = `${host.name}|${instance}|${reason}`;
    const n = (this.advertDrops.get(key)?.n ?? 0) + 1;
    const t = this.clock.nowMicros();
    this.advertDrops.set(key, { host: host.name, instance, reason, n, firstUs: n === 1 ? t : this.advertDrops.get(key)!.firstUs, lastUs: t });
    this.emit({ t, type: 'advert-drop', host: host.name, instance, reason, n }, n === 1);
  }

  // ---- LVS (sim/lvs/) -------------------------------------------------------------------------

  /**
   * The LVS ports of a daemon process on `host`: the prober (probes over the simulated network
   * to the simulated real servers), the load-balancer table port (backend 'sim', the host's kernel
   * table) and the warmup draws, all deterministic. For the composition root's simulator wiring.
   */
  lvsPorts(host: Host, proc: DaemonProcess, opts: { scriptPolicy?: () => ScriptPolicy } = {}): SimLvsPorts {
    return this.lvs.portsFor(host, proc, this, opts);
  }

  /**
   * What a director's LVS statecharts emit, for the trace, the timeline and the invariants:
   * checker verdicts, real-server and quorum changes. Log lines go through the Logger port,
   * table commands through the table port, notifies and mail through their ports, so the other
   * kinds are ignored here.
   */
  onLvsEvent(host: Host, e: LvsEmitted): void {
    const t = this.clock.nowMicros();
    let ev: Extract<SimEvent, { type: 'lvs-checker' | 'lvs-rs' | 'lvs-quorum' }>;
    switch (e.type) {
      case 'lvs.checker':
        ev = { t, type: 'lvs-checker', host: host.name, vs: e.vs, rs: e.rs, kind: e.kind, up: e.up, ...(e.detail !== undefined ? { detail: e.detail } : {}) };
        break;
      case 'lvs.server':
        ev = { t, type: 'lvs-rs', host: host.name, vs: e.vs, rs: e.rs, alive: e.alive, weight: e.weight };
        break;
      case 'lvs.quorum':
        ev = { t, type: 'lvs-quorum', host: host.name, vs: e.vs, up: e.up, sum: e.sum, threshold: e.threshold };
        break;
      default:
        return;
    }
    this.emit(ev);
    this.monitor?.lvs.onLvsEvent(host, ev);
  }

  lvsRuns(host: Host): boolean {
    return this.lvs.runs(host);
  }

  /** C5's hook: a director's table picked a destination for a new connection. */
  onScheduled(director: Host, ks: KernelService, dest: LbDestination, via: 'scheduler' | 'persistence'): void {
    this.monitor?.lvs.onScheduled(director, ks, dest, via);
  }

  private onTableChange(host: Host, c: TableChange): void {
    this.emit({ t: this.clock.nowMicros(), type: 'lb', host: host.name, ...c });
    this.monitor?.lvs.evaluate();
  }

  // ---- observers (ports, hosts, wire) -------------------------------------------------------

  onAddressChange(host: Host, nic: Nic, address: string, added: boolean): void {
    this.emit({ t: this.clock.nowMicros(), type: 'vip', host: host.name, nic: nic.name, address, op: added ? 'add' : 'remove' });
    this.monitor?.onAddressChange(host);
  }

  onScript(host: Host, spec: ScriptSpec, r: ScriptResult): void {
    if (this.recorder.tracing) this.emit({ t: this.clock.nowMicros(), type: 'script', host: host.name, argv: spec.argv, exit: r.exitCode, timedOut: r.timedOut });
  }

  onMail(host: Host, m: MailMessage): void {
    this.emit({ t: this.clock.nowMicros(), type: 'mail', host: host.name, subject: m.subject });
  }

  onLog(host: Host, level: LogLevel, message: string): void {
    for (const tap of this.logTaps) tap(host.name, message);
    if (this.recorder.tracing) this.emit({ t: this.clock.nowMicros(), type: 'log', host: host.name, level, message });
  }

  onFileLine(_host: Host, _path: string, _line: string): void {}

  onSendError(host: Host, ifname: string, error: string): void {
    if (this.recorder.tracing) this.emit({ t: this.clock.nowMicros(), type: 'send-error', host: host.name, nic: ifname, error });
  }

  onNeighbour(host: Host, address: string, mac: string): void {
    if (host.observer) this.emit({ t: this.clock.nowMicros(), type: 'neighbour', host: host.name, address, mac, owner: this.macs.get(mac) ?? 'unknown' });
  }

  onVrrpIn(host: Host, nic: Nic, frame: Frame): void {
    this.monitor?.onVrrpIn(host, nic, frame);
  }

  onKernelDrop(host: Host, nic: Nic, frame: Frame): void {
    if (this.recorder.tracing) this.emit({ t: this.clock.nowMicros(), type: 'drop', segment: nic.segment?.name ?? '?', from: this.macOwner(formatMac(frame.bytes.subarray(6, 12)))?.split('/')[0] ?? '?', to: host.name, reason: `kernel ${frame.kernelDrop}`, what: 'vrrp' });
  }

  private segmentEnv(prng: Prng): SegmentEnv {
    return {
      clock: this.clock,
      prng,
      onTransmit: (seg, from, frame) => this.onWire(seg, from, frame),
      onDrop: (seg, from, to, frame, reason) => this.onDrop(seg, from, to, frame, reason),
    };
  }

  private onWire(seg: Segment, from: Nic, frame: Frame): void {
    const t = this.clock.nowMicros();
    this.opts.capture?.(t, seg.name, frame.bytes);
    const host = from.owner as Host;
    if (frame.proto === IPPROTO_VRRP || frame.proto === IPPROTO_AH) {
      this.monitor?.onVrrpOut(host, from, frame);
      if (this.recorder.tracing) {
        const v = peekVrrp(frame);
        this.emit({ t, type: 'advert', segment: seg.name, host: host.name, nic: from.name, vrid: v?.vrid ?? -1, priority: v?.priority ?? -1, version: v?.version ?? -1, dst: frame.dst });
      }
      return;
    }
    if (frame.ethertype === ETHERTYPE_ARP || frame.proto === IPPROTO_ICMPV6) {
      const fact = learnNeighbour(frame);
      if (fact) this.emit({ t, type: 'garp', host: host.name, nic: from.name, address: fact.address, mac: fact.mac, kind: frame.family === 6 ? 'na' : 'arp' });
    }
  }

  private onDrop(seg: Segment, from: Nic, to: Nic | undefined, frame: Frame, reason: DropReason): void {
    if (!this.recorder.tracing) return;
    const what = frame.proto === IPPROTO_VRRP ? 'vrrp' : frame.ethertype === ETHERTYPE_ARP ? 'arp' : `0x${frame.ethertype.toString(16)}`;
    this.emit({ t: this.clock.nowMicros(), type: 'drop', segment: seg.name, from: from.owner.name, to: to?.owner.name ?? '?', reason, what });
  }
}
