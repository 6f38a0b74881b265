/**
 * The simulated kernel load-balancer table (one per host, like IPVS: it outlives the daemon that
 * programs it and vanishes with a power loss) and the LbTablePort the daemon's LVS subsystem
 * drives on a simulated host (backend 'sim').
 *
 * The port behaves like the IPVS backend (adapters/linux/lb-ipvs.ts): it keeps the table its
 * commands imply and makes the kernel's copy of each service it manages exactly that (a service
 * or destination already there is not an error, `setDest` on a missing destination adds it,
 * destinations in our services we did not ask for go); services it never managed are left alone.
 * Every change that reaches the kernel table is reported once (`lb` trace events, the timeline).
 */
import type { LbCommand, LbDestination, LbError, LbGlobals, LbMethod, LbService, LbTablePort, LbTableView } from '../../actors/lvs/lb-port.js';
import type { ProcessLife } from '../host/host-clock.js';
import type { HostCpu } from '../host/host-clock.js';
import { destKey, destinationsChanged, MODELLED_SCHEDULERS, newSchedulerState, type SchedulerState } from './scheduler.js';

/** `tcp:198.51.100.28:80`, `udp:[2001:db8::28]:53`, `fwm:7` (`fwm:7/6` for an IPv6 fwmark service). */
export function lbServiceKey(s: Pick<LbService, 'family' | 'protocol' | 'address' | 'port' | 'fwmark'>): string {
  if (s.fwmark !== undefined) return `fwm:${s.fwmark}${s.family === 6 ? '/6' : ''}`;
  const a = s.address ?? '?';
  return `${s.protocol ?? 'tcp'}:${a.includes(':') ? `[${a}]` : a}:${s.port ?? 0}`;
}

export { destKey };

export interface KernelService {
  key: string;
  service: LbService;
  /** List order: a new destination goes to the head, as IPVS does. */
  dests: LbDestination[];
  state: SchedulerState;
  /** Active connections per destination (lc, wlc, sed, nq, thresholds). */
  active: Map<string, number>;
  /** Persistence templates: masked client → destination key and expiry (µs). */
  templates: Map<string, { dest: string; untilUs: number }>;
}

export type TableChange =
  | { op: 'add-service' | 'del-service' | 'set-service'; service: string; scheduler?: string }
  | { op: 'add-dest' | 'set-dest' | 'del-dest'; service: string; dest: string; weight: number }
  | { op: 'flush'; reason: string };

function sameDestParams(a: LbDestination, b: LbDestination): boolean {
  return a.weight === b.weight && a.method === b.method && a.upperThreshold === b.upperThreshold && a.lowerThreshold === b.lowerThreshold && JSON.stringify(a.tunnel) === JSON.stringify(b.tunnel);
}

function sameServiceParams(a: LbService, b: LbService): boolean {
  return a.scheduler === b.scheduler && a.persistenceTimeoutS === b.persistenceTimeoutS && a.netmask === b.netmask && a.pe === b.pe && a.flags.join() === b.flags.join();
}

export class KernelLbTable {
  readonly services = new Map<string, KernelService>();
  /** Told about every change (the world turns them into trace events and invariant checks). */
  listener: ((c: TableChange) => void) | undefined;

  /** The destination for `address:port` in a service, if present. */
  dest(serviceKey: string, key: string): LbDestination | undefined {
    return this.services.get(serviceKey)?.dests.find((d) => destKey(d) === key);
  }

  /** Make the kernel's copy of `service` exactly `dests` (undefined: delete the service). */
  sync(key: string, service: LbService | undefined, dests: readonly LbDestination[]): void {
    const old = this.services.get(key);
    if (!service) {
      if (!old) return;
      this.services.delete(key);
      this.listener?.({ op: 'del-service', service: key });
      return;
    }
    let ks = old;
    if (!ks) {
      ks = { key, service, dests: [], state: newSchedulerState(), active: new Map(), templates: new Map() };
      this.services.set(key, ks);
      this.listener?.({ op: 'add-service', service: key, scheduler: service.scheduler });
    } else if (!sameServiceParams(ks.service, service)) {
      ks.service = service;
      ks.state = newSchedulerState();
      this.listener?.({ op: 'set-service', service: key, scheduler: service.scheduler });
    }
    const want = new Map(dests.map((d) => [destKey(d), d]));
    let changed = false;
    for (const d of [...ks.dests]) {
      const k = destKey(d);
      if (want.has(k)) continue;
      ks.dests.splice(ks.dests.indexOf(d), 1);
      for (const [client, t] of ks.templates) if (t.dest === k) ks.templates.delete(client);
      changed = true;
      this.listener?.({ op: 'del-dest', service: key, dest: k, weight: d.weight });
    }
    for (const d of dests) {
      const k = destKey(d);
      const i = ks.dests.findIndex((x) => destKey(x) === k);
      if (i < 0) {
        ks.dests.unshift({ ...d });
        changed = true;
        this.listener?.({ op: 'add-dest', service: key, dest: k, weight: d.weight });
      } else if (!sameDestParams(ks.dests[i]!, d)) {
        ks.dests[i] = { ...d };
        changed = true;
        this.listener?.({ op: 'set-dest', service: key, dest: k, weight: d.weight });
      }
    }
    if (changed) destinationsChanged({ service: ks.service, dests: ks.dests, active: ks.active, state: ks.state });
  }

  /** Everything goes (power loss, lvs_flush). */
  clear(reason: string): void {
    if (this.services.size === 0) return;
    this.services.clear();
    this.listener?.({ op: 'flush', reason });
  }

  view(): LbTableView {
    return { backend: 'sim', services: [...this.services.values()].map((s) => ({ service: s.service, destinations: s.dests.map((d) => ({ ...d })) })) };
  }
}

const MODELLED = new Set<string>(MODELLED_SCHEDULERS);

/**
 * The LbTablePort of one daemon process on a simulated host. Results come back on the host's CPU
 * (never inside the call), and not at all once the process is gone.
 */
export class SimLbTable implements LbTablePort {
  readonly backend = 'sim';
  /** The table our commands imply, per service key. */
  private readonly desired = new Map<string, { service: LbService; dests: Map<string, LbDestination> }>();

  constructor(
    private readonly kernel: KernelLbTable,
    private readonly cpu: HostCpu,
    private readonly life: ProcessLife,
  ) {}

  refuses(service: LbService, _methods: LbMethod[]): string | undefined {
    if (!MODELLED.has(service.scheduler)) return `the simulator does not model the "${service.scheduler}" scheduler (it models ${MODELLED_SCHEDULERS.join(', ')})`;
    return undefined;
  }

  apply(commands: LbCommand[], done: (errors: LbError[]) => void): void {
    const errors: LbError[] = [];
    const touched = new Set<string>();
    for (const c of commands) {
      const key = lbServiceKey(c.service);
      const problem = this.one(c, key);
      if (problem) errors.push({ command: c, message: problem });
      else touched.add(key);
    }
    for (const key of touched) {
      const d = this.desired.get(key);
      this.kernel.sync(key, d?.service, d ? [...d.dests.values()] : []);
    }
    this.later(() => done(errors));
  }

  private one(c: LbCommand, key: string): string | undefined {
    if (c.cmd === 'addService') {
      const d = this.desired.get(key);
      if (d) d.service = c.service;
      else this.desired.set(key, { service: c.service, dests: new Map() });
      return undefined;
    }
    if (c.cmd === 'delService') {
      this.desired.delete(key);
      return undefined;
    }
    const d = this.desired.get(key);
    if (!d) return `no such service ${key} (add the service first)`;
    const dest = c.dest;
    const fam = dest.family;
    if (fam !== c.service.family && dest.method !== 'TUN') return `an IPv${fam} destination in an IPv${c.service.family} service needs lvs_method TUN`;
    if (c.cmd === 'delDest') d.dests.delete(destKey(dest));
    else d.dests.set(destKey(dest), { ...dest });
    return undefined;
  }

  view(done: (view: LbTableView) => void): void {
    const v = this.kernel.view();
    this.later(() => done(v));
  }

  startup(globals: LbGlobals, done: (errors: string[]) => void): void {
    if (globals.lvsFlush) this.kernel.clear('lvs_flush');
    this.later(() => done([]));
  }

  shutdown(globals: LbGlobals, done: (errors: string[]) => void): void {
    if (globals.lvsFlushOnStop === 'full') this.kernel.clear('lvs_flush_on_stop');
    this.later(() => done([]));
  }

  flush(done: (error: string | undefined) => void): void {
    this.desired.clear();
    this.kernel.clear('flush');
    this.later(() => done(undefined));
  }

  close(): void {}

  private later(fn: () => void): void {
    this.cpu.schedule(fn, 0, this.life);
  }
}
