/**
 * The LVS half of the simulated world: the transport that carries probes and client connections,
 * the client traffic generators, and the LVS ports a director's daemon gets.
 *
 * For the composition root (the wiring of the LVS subsystem): a daemon process on a simulated
 * host gets its prober, its load-balancer table and its warmup randomness from
 * `World.lvsPorts(host, proc)` (which calls `portsFor` here), and hands what its LVS statecharts
 * emit to `World.onLvsEvent(host, event)`.
 */
import type { LbDestination, LbTablePort } from '../../actors/lvs/lb-port.js';
import type { Prober } from '../../actors/lvs/prober-port.js';
import type { ScriptPolicy } from '../../actors/io-env.js';
import type { SimClock } from '../clock.js';
import type { SimEvent } from '../events.js';
import type { DaemonProcess, Host } from '../host/host.js';
import type { PortObserver } from '../ports/observer.js';
import { SimScriptRunner } from '../ports/programs.js';
import type { Prng } from '../prng.js';
import { createSimProber } from './prober.js';
import { SimLbTable, type KernelService } from './table.js';
import { ClientTraffic, type ConnRecord, type TrafficSpec } from './traffic.js';
import { Transport } from './transport.js';

/** What a director's daemon process gets for its LVS subsystem. */
export interface SimLvsPorts {
  prober: Prober;
  lb: LbTablePort;
  /** random()/RAND_MAX for a checker's warmup (keepalived draws one per checker at start), from the seed. */
  warmupDraw(): number;
}

export interface LvsWorld {
  readonly clock: SimClock;
  readonly recorder: { tracing: boolean };
  emit(e: SimEvent, keep?: boolean): void;
  /** Invariant hooks (the monitor's LVS part), when checks run. */
  onScheduled?(director: Host, ks: KernelService, dest: LbDestination, via: 'scheduler' | 'persistence'): void;
}

export class LvsSim {
  readonly transport: Transport;
  readonly traffic: ClientTraffic;
  private readonly dnsIds: Prng;
  private readonly warmups = new Map<string, Prng>();
  /** Daemon processes that took their LVS ports: only their LVS is judged by the invariants. */
  private readonly running = new WeakSet<DaemonProcess>();

  constructor(
    private readonly w: LvsWorld,
    private readonly prng: Prng,
  ) {
    this.transport = new Transport(w.clock, prng.fork('lvs-net'), (segment, from, to, reason, what) => {
      if (w.recorder.tracing) w.emit({ t: w.clock.nowMicros(), type: 'drop', segment, from, to, reason, what });
    });
    this.dnsIds = prng.fork('lvs-dns');
    this.traffic = new ClientTraffic(this.transport, {
      nowUs: () => w.clock.nowMicros(),
      onScheduled: (director, ks, dest, via) => w.onScheduled?.(director, ks, dest, via),
      onConnection: (c: ConnRecord) => {
        const { startUs, client, ...rest } = c;
        w.emit({ t: w.clock.nowMicros(), type: 'conn', host: client, ...rest, start: startUs });
      },
    });
  }

  /** The prober, table and warmup draws of one daemon process on `host`. */
  portsFor(host: Host, proc: DaemonProcess, observer: PortObserver, opts: { scriptPolicy?: () => ScriptPolicy } = {}): SimLvsPorts {
    this.running.add(proc);
    let warmup = this.warmups.get(host.name);
    if (!warmup) this.warmups.set(host.name, (warmup = this.prng.fork(`lvs-warmup/${host.name}`)));
    const w = this.w;
    const draws = warmup;
    return {
      prober: createSimProber({
        host,
        life: proc.life,
        transport: this.transport,
        scripts: new SimScriptRunner(host, proc, observer),
        ...(opts.scriptPolicy ? { scriptPolicy: opts.scriptPolicy } : {}),
        rng: this.dnsIds,
        nowUs: () => w.clock.nowMicros(),
        onProbe: (r) => {
          if (!w.recorder.tracing) return;
          const o = r.outcome;
          w.emit({
            t: w.clock.nowMicros(),
            type: 'probe',
            host: host.name,
            kind: r.kind,
            target: r.target,
            ok: o.ok,
            ...(o.ok ? {} : { failure: o.failure, message: o.message, ...(o.detail !== undefined ? { detail: o.detail } : {}) }),
            start: r.startedUs,
          });
        },
      }),
      lb: new SimLbTable(host.lb, host.cpu, proc.life),
      warmupDraw: () => draws.next(),
    };
  }

  /** Whether the daemon now running on `host` runs an LVS subsystem (it asked for its ports). */
  runs(host: Host): boolean {
    return host.proc !== undefined && this.running.has(host.proc);
  }

  /** Arm a client's connections: one every `everyMs` from `fromMs` until `untilMs`. */
  startTraffic(client: Host, spec: TrafficSpec): void {
    const tick = (atMs: number): void => {
      if (spec.untilMs !== undefined && atMs >= spec.untilMs) return;
      this.w.clock.at(atMs, () => {
        if (client.powered && !client.cpu.paused) this.traffic.open(client, spec);
        tick(atMs + spec.everyMs);
      });
    };
    tick(spec.fromMs);
  }
}
