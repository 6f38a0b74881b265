/**
 * LVS as a subsystem of the root (actors/subsystem.ts): keepalived's checker process. Its actors
 * are one virtual server per virtual_server, one real server per real_server and one checker per
 * checker block (machines/check/), spawned flat in that order so start-up runs as keepalived's
 * (every init_service_vs, then every "Activating healthchecker …"), plus its own notifier.
 *
 * Its I/O: the Prober port (every check attempt, through the checkers' `probe` actor), the
 * load-balancer table port (the virtual servers' commands, TableIo), the Files port (FILE_CHECK,
 * CheckFiles), address events (ha_suspend) and the notifier's ports. A node without a prober runs
 * no checker and says so once; without a table the servers are checked but not programmed (said
 * once). A virtual server the table's backend cannot carry is logged once and not run; the others
 * and VRRP carry on.
 */
import type { AnyActorRef } from 'xstate';
import type { KeepalivedConfig } from '../../config/model.js';
import type { CheckerContext } from '../../machines/check/checker.machine.js';
import type { RealServerContext } from '../../machines/check/real-server.machine.js';
import { realServerMachine } from '../../machines/check/real-server.machine.js';
import type { CheckerStart } from '../../machines/check/types.js';
import { clampWeight } from '../../machines/check/types.js';
import { liveWeight, type VsContext } from '../../machines/check/virtual-server.logic.js';
import { virtualServerMachine } from '../../machines/check/virtual-server.machine.js';
import type { ChildSpec } from '../../machines/daemon.machine.js';
import type { JobDraft } from '../../machines/notify/notifier.machine.js';
import type { IoEnv } from '../io-env.js';
import { notifierLogic } from '../notify-io.js';
import type { LinkEvent } from '../ports.js';
import type { LvsRealServerStatus, SubsystemStatus, VirtualServerStatus } from '../runtime-types.js';
import type { RuntimeSink } from '../sink.js';
import type { ChildKind, Step, Subsystem, SubsystemHost } from '../subsystem.js';
import { checkerLogic, type LvsProbeEnv } from './checker-io.js';
import { CheckFiles } from './file-io.js';
import { checkerInput, checkerStartOf, realServerInput, startCounters, virtualServerInput, vsRealServer, type CheckerFacts } from './inputs.js';
import { LVS_NOTIFIER_ID } from './names.js';
import { lvsActorWatcher, watchLvsNotifier, type LvsObserverContext } from './observers.js';
import { buildLvsPlan, type CheckerPlan, type LvsPlan, type RsPlan, type VsPlan } from './plan.js';
import { reloadSteps } from './reload.js';
import { contextOf } from './snapshot.js';
import { TableIo } from './table-io.js';

export function lvsSubsystem(host: SubsystemHost): Subsystem<LvsPlan> {
  return new LvsSubsystem(host);
}
lvsSubsystem.subsystemName = 'lvs';
lvsSubsystem.label = 'LVS';

/** The children of one virtual server being spawned, with the start states they agree on. */
export interface Launch {
  vs: VsPlan;
  servers: Array<{ rs: RsPlan; checkers: Array<{ plan: CheckerPlan; facts: CheckerFacts; start: CheckerStart }> }>;
}

export class LvsSubsystem implements Subsystem<LvsPlan> {
  readonly children: Readonly<Record<string, ChildKind>>;
  readonly sink: RuntimeSink;
  readonly table: TableIo;
  readonly files: CheckFiles;
  /** The configuration running now (notifier settings, script policy). */
  current: LvsPlan | undefined;
  /** Virtual servers running, by key; and those the backend refused, with why. */
  readonly running = new Set<string>();
  readonly refused = new Map<string, string>();
  private readonly probeEnv: LvsProbeEnv | undefined;
  private readonly notifierEnv: IoEnv;
  private unwatchAddresses: (() => void) | undefined;
  /** The backend's start duties ran (they run once, before the first virtual server). */
  tableStarted = false;
  private saidNoProber = false;
  private saidNoTable = false;

  constructor(readonly host: SubsystemHost) {
    const { ports } = host;
    this.sink = host.sink;
    this.table = new TableIo(ports, this.sink);
    this.files = new CheckFiles(ports, this.sink, (id, value) => this.child(id)?.send({ type: 'file.value', value }));
    const policy = () => this.current?.scriptPolicy;
    this.probeEnv = ports.prober ? { prober: ports.prober, clock: ports.clock, scriptPolicy: policy } : undefined;
    this.notifierEnv = { ports, scriptPolicy: policy };
    const obs: LvsObserverContext = {
      sink: this.sink,
      table: this.table,
      settings: () => this.current && { notifier: this.current.notifier, routerId: this.current.routerId },
      notify: (jobs) => this.notify(jobs),
    };
    const watching = lvsActorWatcher(obs);
    this.children = {
      'lvs.notifier': { logic: notifierLogic, observe: (ref) => watchLvsNotifier(ref, obs) },
      'lvs.virtualServer': { logic: virtualServerMachine, observe: watching },
      'lvs.realServer': { logic: realServerMachine, observe: watching },
      'lvs.checker': { logic: checkerLogic, observe: watching },
    };
  }

  plan(model: KeepalivedConfig): { plan: LvsPlan; problems: string[] } {
    const { ports, options } = this.host;
    return buildLvsPlan(model, { hostname: ports.hostname, ...(options.notifyScriptTimeoutMs ? { notifyScriptTimeoutMs: options.notifyScriptTimeoutMs } : {}) });
  }

  sweep(_plan: LvsPlan): Step[] {
    return [];
  }

  start(plan: LvsPlan): Step[] {
    const steps: Step[] = [{ run: () => (this.current = plan) }];
    if (plan.virtualServers.length === 0) return steps;
    if (!this.canRun(plan)) return steps;
    let launches: Launch[] = [];
    steps.push(
      { spawn: () => [this.notifierChild(plan)] },
      { wait: (done) => this.tableStartup(plan, done) },
      { wait: (done) => this.files.load(this.filePaths(plan.virtualServers), done) },
      {
        run: () => {
          launches = this.launches(plan, this.admit(plan.virtualServers));
        },
      },
      ...this.spawnSteps(plan, () => launches),
      { run: () => this.follow(plan) },
    );
    return steps;
  }

  reload(running: LvsPlan, next: LvsPlan): Step[] {
    return reloadSteps(this, running, next);
  }

  /** Checkers stop (no verdict during the teardown); every virtual server clears its table; the backend's stop duties. */
  release(plan: LvsPlan): Step[] {
    const vss = plan.virtualServers.filter((v) => this.running.has(v.key));
    if (vss.length === 0 && !this.tableStarted) return [];
    const flush = plan.globals.lvsFlushOnStop;
    return [
      { stop: vss.flatMap((v) => v.realServers.flatMap((r) => r.checkers.map((c) => c.systemId))) },
      {
        run: () => {
          for (const v of vss) this.child(v.systemId)?.send({ type: 'vs.shutdown', stopping: true, ...(flush ? { flush } : {}) });
          this.running.clear();
        },
      },
      { wait: (done) => this.table.whenIdle(done) },
      { wait: (done) => this.tableShutdown(plan, done) },
    ];
  }

  /** The omega notifies finish. */
  drain(_plan: LvsPlan): Step[] {
    return [{ wait: (done) => this.whenNotifierIdle(done) }];
  }

  close(_timedOut: boolean): void {
    this.unwatchAddresses?.();
    this.unwatchAddresses = undefined;
    this.files.close();
    this.table.cancelQueued();
  }

  status(plan: LvsPlan): SubsystemStatus {
    return { virtualServers: this.virtualServers(plan) };
  }

  virtualServers(plan: LvsPlan): VirtualServerStatus[] {
    const backend = this.host.ports.lbTable?.backend ?? 'none';
    return plan.virtualServers.map((v) => {
      const c = contextOf<VsContext>(this.child(v.systemId));
      const refused = this.refused.get(v.key);
      const realServers: LvsRealServerStatus[] = v.realServers.map((r) => {
        const rc = contextOf<RealServerContext>(this.child(r.systemId));
        const vd = c?.servers.find((s) => s.systemId === r.systemId);
        const effective = rc ? clampWeight(rc.weight + rc.state.reduce((s, x) => s + x.contribution, 0)) : r.weight;
        return {
          name: r.name,
          address: r.dest.address,
          port: r.dest.port,
          method: r.dest.method,
          weight: r.weight,
          effectiveWeight: effective,
          alive: rc?.alive ?? false,
          set: vd?.set ?? false,
          inhibitOnFailure: r.inhibitOnFailure,
          failedCheckers: rc?.failedCheckers ?? 0,
          checkers: r.checkers.map((ch) => {
            const cc = contextOf<CheckerContext>(this.child(ch.systemId));
            const cfg = ch.config;
            return {
              kind: cfg.kind,
              target: `[${ch.target.address}]:${ch.target.port}`,
              enabled: cc?.enabled ?? false,
              up: cc?.counters.up ?? false,
              hasRun: cc?.counters.hasRun ?? false,
              retry: cfg.retry,
              retryIt: cc?.counters.retryIt ?? 0,
              contribution: cc?.counters.contribution ?? 0,
              alpha: cfg.alpha,
              logAllFailures: cfg.logAllFailures || this.current?.logAllFailures === true,
              delayLoopMs: cfg.delayLoopMs,
              warmupMs: cfg.warmupMs ?? cfg.delayLoopMs,
              delayBeforeRetryMs: cfg.delayBeforeRetryMs,
              connectTimeoutMs: cfg.kind === 'MISC_CHECK' ? (cfg.misc?.timeoutMs ?? v.delayLoopMs) : cfg.connectTimeoutMs,
            };
          }),
        };
      });
      return {
        name: v.name,
        source: v.source,
        services: v.services,
        backend,
        ...(refused ? { refused } : {}),
        quorum: v.quorum,
        hysteresis: v.hysteresis,
        quorumUp: c?.quorumUp ?? false,
        liveWeight: c ? liveWeight(c) : 0,
        omega: v.omega,
        haSuspend: v.haSuspend,
        checkersEnabled: c?.checkersEnabled ?? false,
        ...(v.sorryServer ? { sorryServer: { name: v.sorryServer.name, alive: c?.sorry?.alive ?? false, set: c?.sorry?.set ?? false, inhibit: v.sorryServer.inhibit } } : {}),
        realServers,
      };
    });
  }

  // ---- what start and reload share -------------------------------------------------------

  child(systemId: string): AnyActorRef | undefined {
    return this.host.child(systemId);
  }

  /** Whether checkers can run at all here (a prober), said once when not; a missing table said once too. */
  canRun(plan: LvsPlan): boolean {
    const n = plan.virtualServers.length;
    const vs = `${n} virtual server${n === 1 ? '' : 's'}`;
    if (!this.probeEnv) {
      if (!this.saidNoProber) this.sink.log('warning', `LVS: no health-check prober here - ${vs} not checked and not programmed (VRRP is not affected)`);
      this.saidNoProber = true;
      return false;
    }
    if (!this.host.ports.lbTable && !this.saidNoTable) {
      this.sink.log('warning', `LVS: no load-balancer backend here - ${vs} are health-checked but not programmed (VRRP is not affected)`);
      this.saidNoTable = true;
    }
    return true;
  }

  notifierChild(plan: LvsPlan): ChildSpec {
    return { src: 'lvs.notifier', systemId: LVS_NOTIFIER_ID, input: { ...plan.notifier, env: this.notifierEnv } };
  }

  /** The virtual servers the backend can carry; the others are logged (once each) and left out. */
  admit(vss: VsPlan[]): VsPlan[] {
    const table = this.host.ports.lbTable;
    return vss.filter((v) => {
      const why = table ? v.services.map((s) => table.refuses(s, v.methods)).find((x) => x !== undefined) : undefined;
      if (!why) {
        this.refused.delete(v.key);
        return true;
      }
      if (this.refused.get(v.key) !== why) {
        const by = table!.backend === 'none' ? 'no load-balancer backend can program it' : `the ${table!.backend} backend cannot program it`;
        this.sink.log('error', `VS ${v.name} (${v.source.file}:${v.source.line}) not started: ${by}: ${why}; VRRP and the other virtual servers run`);
      }
      this.refused.set(v.key, why);
      this.sink.count('lvs_refused');
      return false;
    });
  }

  /** Start states for new virtual servers (the checkers' facts, and what their servers start as). */
  launches(plan: LvsPlan, vss: VsPlan[], facts?: (vs: VsPlan, rs: RsPlan, c: CheckerPlan) => Partial<CheckerFacts>): Launch[] {
    return vss.map((vs) => ({
      vs,
      servers: vs.realServers.map((rs) => ({
        rs,
        checkers: rs.checkers.map((c) => {
          const f: CheckerFacts = {
            enabled: !vs.haSuspend || this.addressCount(vs) > 0,
            warmupDraw: this.draw(),
            ...(c.file?.path !== undefined ? { fileValue: this.files.value(c.file.path) } : {}),
            ...facts?.(vs, rs, c),
          };
          return { plan: c, facts: f, start: checkerStartOf(c, startCounters(c, f)) };
        }),
      })),
    }));
  }

  /**
   * Spawn steps for launches: virtual servers, then real servers, then checkers (keepalived's
   * order); real servers and checkers in batches, so 10,000 of them never block the process.
   */
  spawnSteps(plan: LvsPlan, launches: () => Launch[]): Step[] {
    return [
      {
        spawn: () =>
          launches().map((l) => {
            this.running.add(l.vs.key);
            const servers = l.servers.map((s) => vsRealServer(s.rs, s.checkers.map((c) => c.start)));
            return { src: 'lvs.virtualServer', systemId: l.vs.systemId, input: virtualServerInput(plan, l.vs, servers, this.addressCount(l.vs)) };
          }),
      },
      { spawn: () => launches().flatMap((l) => l.servers.map((s) => this.realServerChild(plan, l.vs, s.rs, s.checkers.map((c) => c.start)))), inBatches: true },
      { spawn: () => launches().flatMap((l) => l.servers.flatMap((s) => s.checkers.map((c) => this.checkerChild(plan, l.vs, s.rs, c.plan, c.facts)))), inBatches: true },
    ];
  }

  realServerChild(plan: LvsPlan, vs: VsPlan, rs: RsPlan, starts: CheckerStart[]): ChildSpec {
    return { src: 'lvs.realServer', systemId: rs.systemId, input: realServerInput(plan, vs, rs, starts) };
  }

  checkerChild(plan: LvsPlan, vs: VsPlan, rs: RsPlan, c: CheckerPlan, f: CheckerFacts): ChildSpec {
    return { src: 'lvs.checker', systemId: c.systemId, input: checkerInput(plan, vs, rs, c, f, this.probeEnv) };
  }

  /** One warmup draw in 0..1 from the ports' random source (0 without one). */
  draw(): number {
    const r = this.host.ports.random;
    return r ? Math.min(1, Math.max(0, r())) : 0;
  }

  /** How many local interface addresses are one of the virtual server's (ha_suspend). */
  addressCount(vs: VsPlan): number {
    if (vs.addresses.length === 0) return 0;
    const want = new Set(vs.addresses);
    let n = 0;
    for (const i of this.host.ports.net.interfaces()) for (const a of i.addresses) if (want.has(a.split('/')[0]!)) n++;
    return n;
  }

  filePaths(vss: VsPlan[]): string[] {
    return vss.flatMap((v) => v.realServers.flatMap((r) => r.checkers.flatMap((c) => (c.file?.path !== undefined ? [c.file.path] : []))));
  }

  /** Watch track files and addresses for the virtual servers running now. */
  follow(plan: LvsPlan): void {
    const subs = new Map<string, string[]>();
    for (const v of plan.virtualServers) {
      if (!this.running.has(v.key)) continue;
      for (const r of v.realServers) for (const c of r.checkers) if (c.file?.path !== undefined) subs.set(c.file.path, [...(subs.get(c.file.path) ?? []), c.systemId]);
    }
    this.files.follow(subs);
    const suspending = plan.virtualServers.some((v) => v.haSuspend && this.running.has(v.key));
    if (suspending && !this.unwatchAddresses) this.unwatchAddresses = this.host.ports.net.watch((e) => this.onLink(e));
    else if (!suspending && this.unwatchAddresses) {
      this.unwatchAddresses();
      this.unwatchAddresses = undefined;
    }
  }

  notify(jobs: JobDraft[]): void {
    if (jobs.length > 0) this.child(LVS_NOTIFIER_ID)?.send({ type: 'notify.jobs', jobs });
  }

  /** The backend's start duties (lvs_timeouts, lvs_flush, a checker-run lvs_sync_daemon). */
  tableStartup(plan: LvsPlan, done: () => void): void {
    const table = this.host.ports.lbTable;
    if (!table) return done();
    this.tableStarted = true;
    if (table.backend === 'ipvs') this.sink.log('info', 'Initializing ipvs');
    if (table.startup) {
      table.startup(plan.globals, (errors) => {
        for (const _ of errors) this.sink.count('lb_errors');
        done();
      });
    } else if (plan.globals.lvsFlush) {
      table.flush((error) => {
        if (error) this.sink.log('error', `${table.backend}: lvs_flush failed: ${error}`);
        done();
      });
    } else done();
  }

  /** The backend's stop duties (lvs_flush_on_stop, the sync daemon, the timeouts read at start). */
  tableShutdown(plan: LvsPlan, done: () => void): void {
    const table = this.host.ports.lbTable;
    if (!table || !this.tableStarted) return done();
    this.tableStarted = false;
    if (table.shutdown) {
      table.shutdown(plan.globals, (errors) => {
        for (const _ of errors) this.sink.count('lb_errors');
        done();
      });
    } else if (plan.globals.lvsFlushOnStop === 'full') {
      table.flush((error) => {
        if (error) this.sink.log('error', `${table.backend}: lvs_flush_on_stop failed: ${error}`);
        done();
      });
    } else done();
  }

  private onLink(e: LinkEvent): void {
    if (e.type !== 'address.added' && e.type !== 'address.removed') return;
    const address = e.address.split('/')[0]!;
    for (const v of this.current?.virtualServers ?? []) {
      if (!v.haSuspend || !this.running.has(v.key) || !v.addresses.includes(address)) continue;
      this.child(v.systemId)?.send({ type: 'vs.address', added: e.type === 'address.added' });
    }
  }

  private whenNotifierIdle(fn: () => void): void {
    const n = this.child(LVS_NOTIFIER_ID);
    const snap = n?.getSnapshot() as { value?: unknown; context?: { queue: unknown[] } } | undefined;
    if (!n || (snap?.value === 'idle' && (snap.context?.queue.length ?? 0) === 0)) return fn();
    const sub = n.on('notify.idle', () => {
      sub.unsubscribe();
      fn();
    });
  }
}
