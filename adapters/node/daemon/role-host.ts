/**
 * Hosts the runtime of one subsystem (VRRP or checker): builds the ports and the runtime through
 * an injected factory (the daemon logger becomes ports.logger), applies reloads, writes
 * the signal dumps, and stops gracefully. The child process (child.ts) and --single-process mode
 * (parent.ts) both use it, so both behave the same.
 */
import { actorFeed, combineInspectors } from '../../../actors/actor-feed.js';
import type { Logger, Ports } from '../../../actors/ports.js';
import type { CreateRuntime, Runtime, RuntimeEvent } from '../../../actors/runtime-types.js';
import type { KeepalivedConfig } from '../../../config/index.js';
import type { ChildWatchOptions, RuntimeWatch, WatchSink } from '../web/runtime-watch.js';
import { writeDump, dumpPaths } from './dump-files.js';
import { formatCheckerData, formatCheckerJson } from './dump-check.js';
import { formatJson, formatStats, formatVrrpData, type DumpContext, type InstanceDump } from './dumps.js';
import type { ChildRole, DumpKind } from './ipc.js';
import { modelForRole } from './roles.js';
import { childStatus, type CheckerResultCount, type ChildStatus, type StatusInstance } from './status.js';
import type { LbTableView } from '../../../actors/lvs/lb-port.js';
import { RuntimeTrace, TraceFile } from './trace.js';
import { STATS_EVENTS, VrrpStatsTracker } from './vrrp-stats.js';
import { SettledCollector, type SettledCollectorDeps } from './settled-collector.js';
import { memoryReducingGc } from '../memory-reducing-gc.js';
import { getHeapStatistics } from 'node:v8';

/** The event types a role's host takes from its runtime when it writes no trace: the ones it
 *  counts (bench/vrrp-send.bench.ts listens the same way). */
export const HOST_EVENTS: ReadonlyArray<RuntimeEvent['type']> = [...STATS_EVENTS, 'lvs.checker'];

/**
 * The VRRP runtime rehearses a takeover (Runtime.rehearse, actors/vrrp/takeover-rehearsal.ts)
 * FIRST_REHEARSAL_MS after it starts, REHEARSALS_AT_FIRST times, then once every
 * REHEARSAL_EVERY_MS. The first round starts on the event loop's first turn after the runtime's
 * start, because a backup can lose its master one Master_Down_Interval after it starts: a VRRPv3
 * pair at 0.05 s adverts settles within a few hundred milliseconds, and with the round at 1 s all
 * 12 VRRPv3 takeovers traced in the failover bench came 1.0 to 1.5 s into the child's life, before
 * any rehearsal, taking 1.5 to 5.0 ms (median 3.4) from the expiry to the GARP, against 1.1 to
 * 3.5 ms (median 2.2) after a round (docs/benchmarks.md, "The first rehearsals at start").
 * Repeating it lets V8 move the path's code past its interpreter's first runs (from the
 * Master_Down_Timer's expiry to the first advert command: 1.6 to 2.3 ms the first time, 1.05 to
 * 1.5 ms after one earlier takeover in the process, 0.9 to 1.0 ms after 40 rehearsals). The later
 * ones keep its bytecode, which V8 drops from a function that has not run for 5 major
 * collections. Costs measured with node 20 (docs/benchmarks.md, "The takeover, rehearsed"): about
 * 11 ms of CPU for the first rehearsal, 8 to 10 ms for the next one or two, then under 1.5 ms; 30
 * to 45 ms for the first round, then about 1 ms a minute, 1,000 instances or one.
 *
 * A rehearsal holds the event loop, and a backup's takeover waits for it: the round once ran in
 * one loop, and VRRPv3 takeovers due in it came 32 to 47 ms late (benchmarks.md, "A takeover behind
 * the rehearsals"). So each rehearsal is an event-loop turn of its own, and none starts while a
 * Master_Down_Timer that has run past half its interval is due within REHEARSAL_CLEAR_MS
 * (Clock.preciseDueWithin): it tries again REHEARSAL_CLEAR_MS after that timer's due time, when
 * the takeover has sent its GARPs (about 4 ms after the expiry) or the timer has been restarted.
 */
export const FIRST_REHEARSAL_MS = 0;
export const REHEARSALS_AT_FIRST = 20;
export const REHEARSAL_EVERY_MS = 60_000;
/** Longer than a cold rehearsal takes (up to 11 ms) and a takeover needs for its GARPs (about 4 ms), with room for a busy machine. */
export const REHEARSAL_CLEAR_MS = 50;

const committedHeap = (): number => getHeapStatistics().total_heap_size;

function closePorts(ports: Ports): void {
  const closable = ports as Ports & { close?: () => void };
  try {
    closable.close?.();
  } catch {
    // already closed
  }
}

/** How a host gets its ports and runtime. Production: createNodePorts + createRuntime (wiring.ts). */
export interface RuntimeFactory {
  /** The model is the one the runtime starts with (the checker child picks its table backend from it). */
  createPorts(role: ChildRole, logger: Logger, opts: { netns?: string; model?: KeepalivedConfig }): Ports | Promise<Ports>;
  createRuntime: CreateRuntime;
}

export interface RoleHostOptions {
  name: string;
  dumpDir: string;
  umask: number;
  stopTimeoutMs: number;
  netns?: string;
  /** `--web` / `--inspect`: where this runtime's records, diagrams and inspection events go. */
  watch?: { options: ChildWatchOptions; sink: WatchSink };
  /** --trace FILE: append the runtime's events (trace.ts). */
  trace?: string;
  /** The heap's committed size and the memory-reducing collection (tests give their own). */
  memory?: Pick<SettledCollectorDeps, 'heapBytes' | 'collect'>;
}

/** One instance's `drop.<reason>` counters, by reason. */
export function dropsOf(instance: string, counters: Record<string, number>): Record<string, number> {
  const prefix = `${instance}:drop.`;
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(counters)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = n;
  return out;
}

export class RoleHost {
  private runtime: Runtime | undefined;
  private ports: Ports | undefined;
  private model: KeepalivedConfig | undefined;
  private unsubscribe: (() => void) | undefined;
  private watch: RuntimeWatch | undefined;
  private unwatch: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private starting = false;
  private readonly stats = new VrrpStatsTracker();
  private readonly lastTransitionMs = new Map<string, number>();
  /** instance → `from|to|reason` → count, from the runtime's instance.state events. */
  private readonly transitionCounts = new Map<string, Map<string, number>>();
  /** `vs|rs|kind|up` → count, from the runtime's lvs.checker events. */
  private readonly checkerCounts = new Map<string, number>();
  private startedMs = 0;
  private traceFile: TraceFile | undefined;
  private trace: RuntimeTrace | undefined;
  private rehearsal: NodeJS.Timeout | undefined;
  private rehearsalsLeft = 0;
  /** Start-up's, a reload's and a state-change wave's garbage given back once quiet (settled-collector.ts). */
  private readonly collector = new SettledCollector({
    heapBytes: () => (this.opts.memory?.heapBytes ?? committedHeap)(),
    // A collection ages every function's bytecode by up to seven major collections at once: one
    // rehearsal after it keeps the takeover's path warm (FIRST_REHEARSAL_MS).
    collect: () => (this.opts.memory?.collect ?? memoryReducingGc)().finally(() => this.rehearseAfterCollection()),
    takeoverDueWithin: (ms) => this.ports?.clock.preciseDueWithin?.(ms),
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, ms).unref();
      return { cancel: () => clearTimeout(t) };
    },
  });

  constructor(
    readonly role: ChildRole,
    private readonly factory: RuntimeFactory,
    private readonly log: Logger,
    private readonly opts: RoleHostOptions,
  ) {}

  get started(): boolean {
    return this.runtime !== undefined;
  }

  /**
   * Build the ports, then build and start the runtime (which first sweeps the VIPs a dead
   * predecessor left behind, actors/vrrp/sweep.ts). Rejects when the factory cannot build ports
   * or runtime.
   */
  async start(model: KeepalivedConfig): Promise<void> {
    if (this.starting || this.stopping) return;
    this.starting = true;
    // Watching is optional: a watch that cannot be set up is logged, the runtime runs anyway. Its
    // module (diagrams, xstate/graph) is loaded only for --web / --inspect.
    const w = this.opts.watch;
    const watch = w
      ? await import('../web/runtime-watch.js').then(({ runtimeWatch }) => runtimeWatch(this.opts.name, `${this.opts.name}/${this.role}/${process.pid}`, w.options, w.sink)).catch((e: unknown) => {
          this.log.log('error', `cannot watch the ${this.role} runtime: ${(e as Error).message}`);
          return undefined;
        })
      : undefined;
    if (this.stopping) return watch?.stop();
    this.watch = watch;
    this.model = model;
    const ports = await this.factory.createPorts(this.role, this.log, { ...(this.opts.netns !== undefined ? { netns: this.opts.netns } : {}), model });
    this.ports = ports;
    if (this.stopping) {
      closePorts(ports);
      return;
    }
    if (this.opts.trace) {
      this.traceFile = new TraceFile(this.opts.trace, this.log);
      this.trace = new RuntimeTrace(this.traceFile, this.opts.name);
    }
    // The journal also has each statechart's state changes (`actor` lines), as the simulator's trace.
    const traceFile = this.traceFile;
    const host = this.opts.name;
    const inspect = combineInspectors(watch?.inspect, traceFile ? actorFeed((c) => traceFile.write({ type: 'actor', host, ...c })) : undefined);
    let runtime: Runtime;
    try {
      runtime = this.factory.createRuntime(ports, modelForRole(this.model, this.role), {
        name: this.opts.name,
        stopTimeoutMs: this.opts.stopTimeoutMs,
        // keepalived's two processes: the VRRP child runs VRRP only, the checker child LVS only.
        subsystems: this.role === 'vrrp' ? ['vrrp'] : ['lvs'],
        ...(inspect ? { inspect } : {}),
      });
    } catch (e) {
      this.ports = undefined;
      closePorts(ports);
      this.watch?.stop();
      this.watch = undefined;
      this.traceFile?.close();
      this.traceFile = undefined;
      this.trace = undefined;
      throw e;
    }
    this.runtime = runtime;
    // Without a trace the host takes only the events it counts, so the runtime builds no event
    // per advert sent, log line or GARP (docs/runtime.md, "Events").
    this.unsubscribe = runtime.on((e) => this.onEvent(e), this.trace ? undefined : HOST_EVENTS);
    this.unwatch = watch?.attach(runtime);
    this.startedMs = Date.now();
    runtime.start();
    if (this.role === 'vrrp') this.scheduleRehearsal(FIRST_REHEARSAL_MS);
    this.collector.busy();
  }

  /**
   * The one timer of the rehearsals (see FIRST_REHEARSAL_MS): `left` more in this round, one per
   * timer callback, each held back while a takeover is due (REHEARSAL_CLEAR_MS). A rehearsal that
   * fails is a bug: logged, and it ends the round.
   */
  private scheduleRehearsal(ms: number, left = REHEARSALS_AT_FIRST): void {
    clearTimeout(this.rehearsal);
    this.rehearsalsLeft = left;
    this.rehearsal = setTimeout(() => {
      const runtime = this.runtime;
      if (this.stopping || !runtime?.rehearse) return;
      const takeoverIn = this.ports?.clock.preciseDueWithin?.(REHEARSAL_CLEAR_MS);
      if (takeoverIn !== undefined) return this.scheduleRehearsal(takeoverIn + REHEARSAL_CLEAR_MS, left);
      const failed = runtime.rehearse().filter((r) => r.reached !== 'MASTER');
      for (const r of failed) this.log.log('warning', `takeover rehearsal of ${r.instance || 'the VRRP instances'} reached ${r.reached}, not MASTER`);
      if (failed.length === 0 && left > 1) this.scheduleRehearsal(0, left - 1);
      else this.scheduleRehearsal(REHEARSAL_EVERY_MS, 1);
    }, ms).unref();
  }

  /** One rehearsal now, the round's others (if any) after it as before. */
  private rehearseAfterCollection(): void {
    if (this.role !== 'vrrp' || this.stopping || !this.runtime) return;
    this.scheduleRehearsal(0, this.rehearsalsLeft);
  }

  reload(model: KeepalivedConfig): void {
    if (this.stopping) {
      this.log.log('info', 'Reload ignored: stopping');
      return;
    }
    this.model = model;
    this.runtime?.reload(modelForRole(model, this.role));
    this.collector.busy();
  }

  /** Graceful stop: resolves on 'runtime.stopped' or after stopTimeoutMs. Idempotent. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    clearTimeout(this.rehearsal);
    this.collector.close();
    const runtime = this.runtime;
    if (!runtime) {
      if (this.ports) closePorts(this.ports);
      this.watch?.stop();
      return (this.stopping = Promise.resolve());
    }
    this.stopping = new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (timer) clearTimeout(timer);
        off();
        resolve();
      };
      const off = runtime.on((e) => {
        if (e.type === 'runtime.stopped') finish();
      }, ['runtime.stopped']);
      timer = setTimeout(() => {
        this.log.log('warning', `runtime did not report stopped within ${this.opts.stopTimeoutMs} ms`);
        finish();
      }, this.opts.stopTimeoutMs);
      try {
        runtime.stop();
      } catch (e) {
        this.log.log('error', `runtime.stop failed: ${(e as Error).message}`);
        finish();
      }
    }).finally(() => {
      this.unsubscribe?.();
      this.unwatch?.();
      this.watch?.stop();
      this.traceFile?.close();
      // Sockets, netlink and running scripts are released once the runtime is done with them.
      if (this.ports) closePorts(this.ports);
    });
    return this.stopping;
  }

  dump(kind: DumpKind): void {
    const model = this.model;
    if (!model || !this.runtime) return;
    const paths = dumpPaths(this.opts.dumpDir, model);
    const ctx: DumpContext = { model: modelForRole(model, this.role), hostName: this.opts.name, umask: this.opts.umask };
    const pid = process.pid;
    if (this.role === 'checker') {
      const servers = this.runtime.virtualServers?.() ?? [];
      if (kind === 'data') {
        this.log.log('info', `Printing checker data for process(${pid}) on signal`);
        this.write(paths.checkerData, formatCheckerData(ctx, servers));
      } else if (kind === 'json') {
        this.log.log('info', `Printing checker data as json for process(${pid}) on signal`);
        this.write(paths.checkerJson, formatCheckerJson(servers));
      }
      return;
    }
    const instances = this.instanceDumps(ctx.model);
    if (kind === 'data') {
      this.log.log('info', `Printing VRRP data for process(${pid}) on signal`);
      this.write(paths.vrrpData, formatVrrpData(ctx, instances, this.ports?.net.interfaces() ?? []));
    } else if (kind === 'stats' || kind === 'stats_clear') {
      this.log.log('info', `Printing ${kind === 'stats_clear' ? 'and clearing ' : ''}VRRP stats for process(${pid}) on signal`);
      this.write(paths.stats, formatStats(instances.map((d) => ({ name: d.config.name, stats: d.stats }))));
      if (kind === 'stats_clear') this.stats.clear(instances.map((d) => d.config.name), this.runtime.counters());
    } else {
      this.log.log('info', `Printing VRRP as json for process(${pid}) on signal`);
      this.write(paths.json, formatJson(ctx, instances));
    }
  }

  /**
   * What `keepalived-ts status`, `keepalived-ts lvs` and the metrics show of this runtime
   * (undefined before it started). The checker child adds its load-balancer table, as its
   * backend holds it (asked with a bound: a table that does not answer in time is left out).
   */
  async status(tableTimeoutMs = 1000): Promise<ChildStatus | undefined> {
    const runtime = this.runtime;
    if (!runtime) return undefined;
    const lbTable = this.role === 'checker' ? await this.tableView(tableTimeoutMs) : undefined;
    if (this.runtime !== runtime) return undefined;
    const counters = runtime.counters();
    return childStatus({
      role: this.role,
      pid: process.pid,
      startedMs: this.startedMs,
      report: runtime.report(),
      counters,
      stats: (name) => this.stats.stats(name, counters),
      transitions: (name) => this.transitionsOf(name),
      ...(lbTable ? { lbTable } : {}),
      checkerResults: this.checkerResults(),
    });
  }

  private tableView(timeoutMs: number): Promise<LbTableView | undefined> {
    const table = this.ports?.lbTable;
    if (!table) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      try {
        table.view((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      } catch (e) {
        clearTimeout(timer);
        this.log.log('error', `reading the load-balancer table failed: ${(e as Error).message}`);
        resolve(undefined);
      }
    });
  }

  private checkerResults(): CheckerResultCount[] {
    return [...this.checkerCounts].map(([key, count]) => {
      const [vs = '', rs = '', checker = '', up = ''] = key.split('|');
      return { vs, rs, checker, result: up === '1' ? 'up' : 'down', count };
    });
  }

  private transitionsOf(instance: string): StatusInstance['transitions'] {
    return [...(this.transitionCounts.get(instance) ?? new Map<string, number>())].map(([key, count]) => {
      const [from = '', to = '', reason = ''] = key.split('|');
      return { from, to, reason, count };
    });
  }

  private write(path: string, text: string): void {
    const err = writeDump(path, text);
    if (err) this.log.log('error', `Can't open ${path} (${err})`);
  }

  private instanceDumps(model: KeepalivedConfig): InstanceDump[] {
    const runtime = this.runtime!;
    const statuses = runtime.status();
    const counters = runtime.counters();
    return model.vrrpInstances.map((config) => ({
      config,
      status: statuses.find((s) => s.name === config.name),
      lastTransitionMs: this.lastTransitionMs.get(config.name),
      stats: this.stats.stats(config.name, counters),
      drops: dropsOf(config.name, counters),
    }));
  }

  private onEvent(e: RuntimeEvent): void {
    this.stats.observe(e);
    this.trace?.observe(e);
    if (e.type === 'instance.state') {
      this.collector.busy();
      this.lastTransitionMs.set(e.instance, Date.now());
      let own = this.transitionCounts.get(e.instance);
      if (!own) this.transitionCounts.set(e.instance, (own = new Map()));
      const key = `${e.from}|${e.to}|${e.reason}`;
      own.set(key, (own.get(key) ?? 0) + 1);
    }
    if (e.type === 'lvs.checker') {
      const key = `${e.vs}|${e.rs}|${e.kind}|${e.up ? 1 : 0}`;
      this.checkerCounts.set(key, (this.checkerCounts.get(key) ?? 0) + 1);
    }
    // 'log' events are not re-logged: the runtime already wrote them through ports.logger.
  }
}
