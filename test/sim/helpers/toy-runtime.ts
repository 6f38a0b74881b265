/**
 * A deliberately small VRRPv2-over-IPv4 runtime for exercising the simulator without the real
 * composition root: real encoded adverts and GARPs through the ports, RFC 3768 timers, the
 * keepalived "answer a lower-priority advert" rule. Knobs let tests plant bugs on purpose.
 */
import type { Ports, VrrpRxPacket, VrrpSocket } from '../../../actors/ports.js';
import type { InstanceStatus, Runtime, RuntimeEvent, VrrpStateName } from '../../../actors/runtime-types.js';
import { compareAddressBytes, parseIpv4 } from '../../../protocol/addr.js';
import { buildGratuitousArpFrame } from '../../../protocol/arp.js';
import { internetChecksum } from '../../../protocol/checksum.js';
import { decodeVrrp, encodeVrrpIpv4Packet } from '../../../protocol/vrrp/index.js';
import type { KeepalivedConfig } from '../../../config/model.js';
import type { ModelAdapter } from '../../../sim/model.js';

export interface ToyInstance {
  name: string;
  vrid: number;
  ifname: string;
  priority: number;
  advertCs?: number;
  vips: string[];
  nopreempt?: boolean;
  syncGroup?: string;
}

export interface ToyModel {
  instances: ToyInstance[];
  /** Planted bugs: take over after one interval instead of three; never remove VIPs; send adverts a kernel discards. */
  bugs?: { earlyTakeover?: boolean; keepVips?: boolean; badIpChecksum?: boolean; fragment?: boolean };
}

export const toyModels: ModelAdapter = {
  facts: (model) => ({
    startupDelayMs: 0,
    trackSettleMs: 0,
    scripts: [],
    instances: (model as ToyModel).instances.map((i) => ({
      name: i.name,
      vrid: i.vrid,
      family: 4 as const,
      ifname: i.ifname,
      version: 2 as const,
      priority: i.priority,
      advertIntervalCs: i.advertCs ?? 100,
      nopreempt: i.nopreempt ?? false,
      preemptDelayMs: 0,
      downTimerAdverts: 3,
      vips: i.vips,
      mcastDstIp: '224.0.0.18',
      unicast: false,
      ...(i.syncGroup ? { syncGroup: i.syncGroup } : {}),
    })),
  }),
  withPriority: (model, name, priority) => ({
    ...(model as ToyModel),
    instances: (model as ToyModel).instances.map((i) => (i.name === name ? { ...i, priority } : i)),
  }),
  scriptCommand: () => undefined,
};

class ToyInstanceRunner {
  state: VrrpStateName = 'INIT';
  private timer: unknown;
  private socket: VrrpSocket | undefined;
  private src = '';
  private ipId = 0;
  masterAddress = '';
  vipsInstalled: string[] = [];

  constructor(
    public cfg: ToyInstance,
    private readonly ports: Ports,
    private readonly emit: (e: RuntimeEvent) => void,
    private readonly bugs: ToyModel['bugs'],
  ) {}

  private get intervalMs(): number {
    return (this.cfg.advertCs ?? 100) * 10;
  }

  private downMs(): number {
    if (this.bugs?.earlyTakeover) return this.intervalMs / 2;
    const skew = ((256 - this.cfg.priority) * 1000) / 256;
    return 3 * this.intervalMs + skew;
  }

  start(): void {
    const nic = this.ports.net.interfaces().find((i) => i.name === this.cfg.ifname);
    this.src = nic?.addresses.find((a) => !a.includes(':'))?.split('/')[0] ?? '0.0.0.0';
    const s = this.ports.vrrp.open({ family: 4, ifname: this.cfg.ifname, groups: ['224.0.0.18'], protocols: [112] }, (p) => this.onPacket(p), () => {});
    if ('error' in s) return;
    this.socket = s;
    this.go('BACKUP', 'start');
    this.arm(this.downMs(), () => this.becomeMaster());
  }

  private arm(ms: number, fn: () => void): void {
    this.ports.clock.clearTimeout(this.timer);
    this.timer = this.ports.clock.setTimeout(fn, ms);
  }

  private go(to: VrrpStateName, reason: string): void {
    const from = this.state;
    this.state = to;
    this.emit({ type: 'instance.state', at: this.ports.clock.now(), instance: this.cfg.name, from, to, priority: this.cfg.priority, reason });
  }

  private send(priority: number): void {
    const data = encodeVrrpIpv4Packet(
      { version: 2, family: 4, vrid: this.cfg.vrid, priority, advertIntervalCs: this.cfg.advertCs ?? 100, addresses: this.cfg.vips },
      { src: this.src, dst: '224.0.0.18', ipId: (this.ipId = (this.ipId + 1) & 0xffff) },
    );
    if (this.bugs?.fragment) {
      data[6] = 0x20; // More Fragments (checksum fixed below)
      data[10] = data[11] = 0;
      const sum = internetChecksum(data.subarray(0, 20));
      data[10] = sum >> 8;
      data[11] = sum & 0xff;
    }
    if (this.bugs?.badIpChecksum) data[10] = data[10]! ^ 0xff;
    this.socket?.send(data, '224.0.0.18');
  }

  private becomeMaster(): void {
    this.go('MASTER', 'down timer');
    this.send(this.cfg.priority);
    for (const vip of this.cfg.vips) {
      this.ports.net.addAddress({ address: vip, prefixLength: 24, family: 4, ifname: this.cfg.ifname }, () => {});
      this.vipsInstalled.push(vip);
    }
    this.garp();
    this.arm(this.intervalMs, () => this.advertTick());
  }

  private garp(): void {
    for (const vip of this.cfg.vips) this.ports.vrrp.sendFrame(this.cfg.ifname, buildGratuitousArpFrame(macOf(this.ports, this.cfg.ifname), parseIpv4(vip)!));
  }

  private advertTick(): void {
    this.send(this.cfg.priority);
    this.arm(this.intervalMs, () => this.advertTick());
  }

  private leaveMaster(to: VrrpStateName, reason: string): void {
    if (!this.bugs?.keepVips) for (const vip of this.vipsInstalled) this.ports.net.removeAddress({ address: vip, prefixLength: 24, family: 4, ifname: this.cfg.ifname }, () => {});
    if (!this.bugs?.keepVips) this.vipsInstalled = [];
    this.go(to, reason);
  }

  private onPacket(p: VrrpRxPacket): void {
    const d = decodeVrrp({ family: 4, data: p.data });
    if (!d.ok || d.value.vrid !== this.cfg.vrid || d.value.src.text === this.src) return;
    const prio = d.value.priority;
    if (this.state === 'BACKUP') {
      if (prio === 0) this.arm(((256 - this.cfg.priority) * 1000) / 256, () => this.becomeMaster());
      else if (this.cfg.nopreempt || prio >= this.cfg.priority) {
        this.masterAddress = d.value.src.text;
        this.arm(this.downMs(), () => this.becomeMaster());
      }
    } else if (this.state === 'MASTER') {
      const theirs = d.value.src.bytes;
      const mine = parseIpv4(this.src)!;
      if (prio > this.cfg.priority || (prio === this.cfg.priority && compareAddressBytes(theirs, mine) > 0)) {
        this.masterAddress = d.value.src.text;
        this.leaveMaster('BACKUP', 'higher priority advert');
        this.arm(this.downMs(), () => this.becomeMaster());
      } else if (prio > 0) {
        // keepalived K-8: answer a lower-priority master at once and re-announce the VIPs.
        this.send(this.cfg.priority);
        this.garp();
      }
    }
  }

  stop(): void {
    this.ports.clock.clearTimeout(this.timer);
    if (this.state === 'MASTER') {
      this.send(0);
      this.leaveMaster('STOP', 'shutdown');
    } else this.go('STOP', 'shutdown');
    this.socket?.close();
  }

  status(): InstanceStatus {
    return {
      name: this.cfg.name,
      vrid: this.cfg.vrid,
      family: 4,
      ifname: this.cfg.ifname,
      state: this.state,
      basePriority: this.cfg.priority,
      effectivePriority: this.cfg.priority,
      vipsInstalled: [...this.vipsInstalled],
      masterAddress: this.masterAddress,
      masterAdverIntervalCs: this.cfg.advertCs ?? 100,
    };
  }
}

function macOf(ports: Ports, ifname: string): Uint8Array {
  const mac = ports.net.interfaces().find((i) => i.name === ifname)?.mac ?? '00:00:00:00:00:00';
  return Uint8Array.from(mac.split(':').map((x) => parseInt(x, 16)));
}

/** Read a compiled keepalived.conf as a toy model (VRRP basics only: no scripts, no sync groups). */
export function toyFromKeepalived(model: unknown): ToyModel {
  if (!model || typeof model !== 'object' || !('vrrpInstances' in model)) return model as ToyModel;
  const m = model as KeepalivedConfig;
  return {
    instances: m.vrrpInstances.map((i) => ({
      name: i.name,
      vrid: i.vrid,
      ifname: i.interface ?? 'eth0',
      priority: i.priority,
      advertCs: i.advertIntervalCs,
      vips: i.vips.map((v) => v.address),
      nopreempt: i.nopreempt,
    })),
  };
}

export function createToyRuntime(ports: Ports, model: unknown, _opts: { name: string }): Runtime {
  const listeners = new Set<(e: RuntimeEvent) => void>();
  const emit = (e: RuntimeEvent) => listeners.forEach((l) => l(e));
  const m = toyFromKeepalived(model);
  const runners = m.instances.map((i) => new ToyInstanceRunner(i, ports, emit, m.bugs));
  return {
    start: () => runners.forEach((r) => r.start()),
    stop: () => {
      runners.forEach((r) => r.stop());
      ports.clock.setTimeout(() => emit({ type: 'runtime.stopped', at: ports.clock.now() }), 1);
    },
    reload: (next) => {
      for (const r of runners) {
        const cfg = toyFromKeepalived(next).instances.find((i) => i.name === r.cfg.name);
        if (cfg) r.cfg = cfg;
      }
    },
    status: () => runners.map((r) => r.status()),
    report: () => ({ clockNow: ports.clock.now(), wallNow: ports.clock.wallNow(), instances: runners.map((r) => r.status()), syncGroups: [], trackers: [], notifyQueue: 0, virtualServers: [] }),
    counters: () => ({}),
    on: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
