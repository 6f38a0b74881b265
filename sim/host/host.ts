/**
 * A simulated machine: NICs on segments, a CPU that can pause, power, a neighbour (ARP/ND)
 * cache, files, scripted programs, and at most one running daemon process.
 *
 * The host is "the kernel": it keeps addresses and link state across daemon restarts, loses them
 * on power loss, and hands VRRP packets to the daemon's sockets.
 */
import type { LinkEvent, MailMessage, RouteSpec, RuleSpec, VrrpRxPacket } from '../../actors/ports.js';
import type { Runtime } from '../../actors/runtime-types.js';
import type { SimClock } from '../clock.js';
import { IPPROTO_AH, IPPROTO_VRRP, vrrpRx, type Frame } from '../net/frame.js';
import { learnNeighbour } from '../net/neighbour.js';
import type { Nic, NicOwner } from '../net/nic.js';
import { HostClock, HostCpu, type ProcessLife } from './host-clock.js';
import { DEFAULT_REACTION_MS, DEFAULT_STARTUP_MS, type HostLatency } from './latency.js';
import type { InstanceTrack } from '../check/track.js';
import type { ModelFacts } from '../model.js';
import type { ScriptTable } from './script-table.js';
import { HostServices } from '../lvs/services.js';
import { KernelLbTable } from '../lvs/table.js';

export interface SimVrrpSocket {
  nic: Nic;
  family: 4 | 6;
  groups: Set<string>;
  protocols: Set<number>;
  onPacket: (p: VrrpRxPacket) => void;
  closed: boolean;
}

export type DaemonState = 'running' | 'stopping' | 'exited';

/** One run of the daemon on a host, from start to exit/crash. */
export class DaemonProcess {
  readonly life: ProcessLife = { alive: true };
  readonly clock: HostClock;
  readonly sockets: SimVrrpSocket[] = [];
  readonly linkWatchers = new Set<(e: LinkEvent) => void>();
  readonly fileWatchers = new Map<string, Set<() => void>>();
  /** track_process watchers: re-count after every change of the process table. */
  readonly processWatchers = new Set<() => void>();
  runtime: Runtime | undefined;
  state: DaemonState = 'running';
  /** A start was requested while this process was stopping. */
  startWhenStopped = false;

  constructor(
    cpu: HostCpu,
    wallOriginMs: number,
    readonly startedAtUs: number,
  ) {
    this.clock = new HostClock(cpu, this.life, wallOriginMs);
  }

  exit(): void {
    this.life.alive = false;
    this.state = 'exited';
    this.linkWatchers.clear();
    this.fileWatchers.clear();
    this.processWatchers.clear();
    for (const s of this.sockets) s.closed = true;
    this.sockets.length = 0;
  }
}

export interface HostEvents {
  /** The neighbour cache of `host` changed: `address` now maps to `mac`. */
  onNeighbour(host: Host, address: string, mac: string): void;
  /** A VRRP (or AH) packet reached the host's CPU on `nic`. */
  onVrrpIn(host: Host, nic: Nic, frame: Frame): void;
  /** The host's kernel discarded a VRRP packet before any socket (frame.kernelDrop says why). */
  onKernelDrop(host: Host, nic: Nic, frame: Frame): void;
}

export class Host implements NicOwner {
  readonly cpu: HostCpu;
  readonly nics: Nic[] = [];
  powered = true;
  /** IP → MAC, learned from ARP and neighbour advertisements. */
  readonly neighbours = new Map<string, string>();
  readonly files = new Map<string, string>();
  /** Running processes: command line → count (track_process). */
  readonly processes = new Map<string, number>();
  readonly mailbox: MailMessage[] = [];
  readonly routes: RouteSpec[] = [];
  readonly rules: RuleSpec[] = [];
  proc: DaemonProcess | undefined;
  /** The compiled config the daemon runs (undefined for observers) and what it says. */
  model: unknown;
  facts: ModelFacts | undefined;
  /** Instances by name, and by wireKey(nic, family, vrid) for packets. */
  readonly tracks = new Map<string, InstanceTrack>();
  readonly tracksByWire = new Map<number, InstanceTrack>();
  /** Real-server side: services, ICMP echo, loopback VIPs (set from the scenario). */
  services = new HostServices();
  /** The kernel's load-balancer table (IPVS): survives the daemon, not a power loss. */
  readonly lb = new KernelLbTable();
  /** Liveness of the running kernel: work it scheduled (a delayed answer) dies with a power loss. */
  kernelLife: ProcessLife = { alive: true };
  /** The daemon's start-up time and its reaction time to SIGTERM and link changes (sim/host/latency.ts). */
  latency: HostLatency = { startupMs: DEFAULT_STARTUP_MS, reactionMs: DEFAULT_REACTION_MS };

  constructor(
    readonly name: string,
    sim: SimClock,
    readonly scripts: ScriptTable,
    private readonly events: HostEvents,
    /** True for hosts that run no daemon (clients, routers): only their caches matter. */
    readonly observer: boolean,
  ) {
    this.cpu = new HostCpu(sim);
  }

  nic(name: string): Nic | undefined {
    for (const n of this.nics) if (n.name === name) return n;
    return undefined;
  }

  receiveFrame(nic: Nic, frame: Frame): void {
    if (this.cpu.paused) this.cpu.exec(() => this.dispatch(nic, frame));
    else this.cpu.guard(this, nic, frame);
  }

  dispatch(nic: Nic, frame: Frame): void {
    if (frame.proto === IPPROTO_VRRP || frame.proto === IPPROTO_AH) {
      if (frame.kernelDrop) return this.events.onKernelDrop(this, nic, frame);
      this.events.onVrrpIn(this, nic, frame);
      this.toSockets(nic, frame);
      return;
    }
    const fact = learnNeighbour(frame);
    if (fact && this.neighbours.get(fact.address) !== fact.mac) {
      this.neighbours.set(fact.address, fact.mac);
      this.events.onNeighbour(this, fact.address, fact.mac);
    }
  }

  private toSockets(nic: Nic, frame: Frame): void {
    const sockets = this.proc?.sockets;
    if (!sockets || sockets.length === 0) return;
    const multicast = frame.group;
    if (!multicast && !nic.hasAddress(frame.dst)) return;
    let packet: VrrpRxPacket | undefined;
    for (const s of sockets) {
      if (s.closed || s.nic !== nic || s.family !== frame.family || !s.protocols.has(frame.proto)) continue;
      if (multicast && !s.groups.has(frame.dst)) continue;
      if (!packet) {
        // Not `{ ...vrrpRx(frame), ifname }`: a key added after a spread is V8's slow path (~1 µs a frame).
        packet = vrrpRx(frame) as VrrpRxPacket;
        packet.ifname = nic.name;
      }
      s.onPacket(packet);
    }
  }

  /** Power loss: the daemon dies without a word, the kernel forgets added addresses and caches. */
  powerOff(): void {
    this.proc?.exit();
    this.proc = undefined;
    this.powered = false;
    this.cpu.reset();
    for (const n of this.nics) n.clearDynamic();
    this.neighbours.clear();
    this.routes.length = 0;
    this.rules.length = 0;
    this.kernelLife.alive = false;
    this.lb.clear('power loss');
  }

  /** Tell the daemon's link watchers (asynchronously, on this host's CPU, after its reaction time). */
  notifyLink(e: LinkEvent): void {
    const proc = this.proc;
    if (!proc) return;
    for (const w of proc.linkWatchers) this.cpu.schedule(() => w(e), this.latency.reactionMs, proc.life);
  }

  /** The process table changed: track_process watchers re-count (asynchronously). */
  notifyProcesses(): void {
    const proc = this.proc;
    if (!proc) return;
    for (const w of proc.processWatchers) this.cpu.schedule(w, 0, proc.life);
  }

  /** A file changed: its watchers hear about it asynchronously. */
  notifyFile(path: string): void {
    const proc = this.proc;
    const set = proc?.fileWatchers.get(path);
    if (!proc || !set) return;
    for (const w of set) this.cpu.schedule(w, 0, proc.life);
  }

  powerOn(): void {
    this.powered = true;
    this.kernelLife = { alive: true };
  }
}
