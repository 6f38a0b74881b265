/**
 * The keepalived parent process: pid file and "already running" check, configuration, one
 * supervised child per configured subsystem (or in-process hosts with --single-process), and
 * the signals:
 *
 *   HUP        validate the new configuration; a bad one keeps the running one (logged with
 *              file:line); a good one goes to each child's runtime.reload(); children whose
 *              section appeared or disappeared are started or stopped.
 *   TERM, INT  graceful stop: every child runs runtime.stop() (priority-0 adverts, VIPs and
 *              routes removed), pid files removed, exit 0. A second TERM while stopping is
 *              only logged.
 *   USR1       /tmp/keepalived_parent.data, then forwarded to the children (their dumps).
 *   USR2, STATS_CLEAR, JSON  forwarded to the VRRP child.
 *
 * Also the parent's own endpoints: the control socket (control/server.ts: status, reload, stop;
 * default beside the pid file), Prometheus metrics when asked for (metrics-server.ts), and its
 * part of the --trace journal (the children's start, death and stop). Status is gathered from
 * the children over IPC at each request, one gathering at a time, each child bounded by a timeout.
 *
 * Signals that arrive before start-up has finished are queued and handled in order right after.
 */
import { release, version as osVersion } from 'node:os';
import type { GlobalDefs } from '../../../config/index.js';
import { listenText, parseListen, type ListenAddress } from '../../../config/listen.js';
import { controlPathFor } from '../control/paths.js';
import { listenControl, type ControlServer } from '../control/server.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { formatDiagnostic, loadConfig, defaultConfigId } from './config-load.js';
import { debouncedCollector, reduceMemory } from './heap-compact.js';
import { defaultDumpDir, dumpPaths, writeDump } from './dump-files.js';
import { formatParentData, formatVrrpData } from './dumps.js';
import type { DaemonFlags } from './flags.js';
import { holdConfig, unpackModel, type HeldConfig } from './held-config.js';
import type { ChildRole, ChildStartOptions, DumpKind } from './ipc.js';
import { quotedCommandLine } from './log-format.js';
import { createDaemonLogger, type DaemonLogOptions } from './log-sinks.js';
import { daemonAlreadyRunning, pidPathsFrom, removePidFile, writePidFile } from './pidfiles.js';
import type { MetricsServer } from './metrics-server.js';
import type { RoleHost, RuntimeFactory } from './role-host.js';
import { rolesFor } from './roles.js';
import { installSignalHandlers, type SignalFunction } from './signals.js';
import { lvsView } from '../control/lvs-format.js';
import { daemonStatus, type ChildStatus, type DaemonStatus, type ParentFacts } from './status.js';
import { ChildSupervisor } from './supervisor.js';
import type { DaemonWatch } from '../web/daemon-watch.js';
import { watchOptionsFrom } from './watch-flags.js';
import { TraceFile } from './trace.js';

export interface DaemonTiming {
  helloIntervalMs: number;
  helloMissLimit: number;
  startupTimeoutMs: number;
  backoff: BackoffPolicy;
  /** How long the parent waits for a child to stop before SIGKILL. */
  childStopTimeoutMs: number;
  /** How long a runtime may take to report 'runtime.stopped'. */
  runtimeStopTimeoutMs: number;
  /** How long a status request waits for each child's answer. */
  statusTimeoutMs: number;
  /** The parent's one garbage collection this long after start-up, a reload or a child's start. */
  compactDelayMs: number;
}

export const DEFAULT_TIMING: Readonly<DaemonTiming> = {
  helloIntervalMs: 5000,
  helloMissLimit: 2,
  startupTimeoutMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  childStopTimeoutMs: 10_000,
  runtimeStopTimeoutMs: 5000,
  statusTimeoutMs: 2000,
  compactDelayMs: 1000,
};

export interface ParentDeps {
  version: string;
  /** Module each child process runs (child-main.ts in production). */
  childEntry: string;
  /** Node options per child role (child-node-flags.ts, then the tsx loader and so on), already made cwd-independent. */
  childExecArgv: Record<ChildRole, string[]>;
  /** A child's environment at each fork (child-node-flags.ts childEnv); absent or undefined: the parent's. */
  childEnv?: (role: ChildRole) => NodeJS.ProcessEnv | undefined;
  /** For --single-process: loaded lazily so the parent process never opens sockets otherwise. */
  loadFactory: () => Promise<RuntimeFactory>;
  timing?: Partial<DaemonTiming>;
  syslogSocket?: string;
  /** Called once the pid file is written and the children are launched (daemonize's readiness). */
  onReady?: () => void;
  /** Every log line of the parent, also (the detached daemon copies them to its launcher until ready). */
  onLog?: (level: string, message: string) => void;
}

/** Start-up's configuration: compiled, its diagnostics logged, then held; undefined if it cannot run. */
function loadFirstConfig(flags: DaemonFlags, log: { log(level: string, message: string): void }): HeldConfig | undefined {
  const first = loadConfig(flags.configFile, flags.configId);
  for (const d of first.diagnostics) log.log(d.severity === 'info' ? 'info' : d.severity, formatDiagnostic(d));
  if (first.fatal) {
    log.log('error', `Configuration ${flags.configFile} cannot be run - exiting`);
    return undefined;
  }
  return holdConfig(first.model);
}

type Unit = { role: ChildRole; kind: 'child'; sup: ChildSupervisor } | { role: ChildRole; kind: 'host'; host: RoleHost };

const DUMP_OF: Partial<Record<SignalFunction, DumpKind>> = {
  DATA: 'data',
  STATS: 'stats',
  STATS_CLEAR: 'stats_clear',
  JSON: 'json',
};

export async function runParent(flags: DaemonFlags, argv: readonly string[], deps: ParentDeps, warnings: readonly string[] = []): Promise<number> {
  const timing: DaemonTiming = { ...DEFAULT_TIMING, ...deps.timing };
  const logOptions: DaemonLogOptions = {
    role: 'parent',
    console: flags.logConsole,
    detail: flags.logDetail,
    syslog: !flags.noSyslog,
    facility: flags.logFacility,
    file: flags.logFile,
    syslogSocket: deps.syslogSocket,
  };
  const startedMs = Date.now();
  const sinks = createDaemonLogger(logOptions);
  const onLog = deps.onLog;
  const log: typeof sinks = onLog
    ? { ...sinks, log: (level, message) => (onLog(level, message), sinks.log(level, message)), close: () => sinks.close() }
    : sinks;
  process.title = 'keepalived-ts';

  // Signals first: anything arriving during start-up is queued, never lost and never fatal.
  const queued: Array<[SignalFunction, string]> = [];
  let handle: (fn: SignalFunction, signal: string) => void = (fn, signal) => void queued.push([fn, signal]);
  const signals = installSignalHandlers((fn, signal) => handle(fn, signal));

  log.log('info', `Starting Keepalived-ts v${deps.version} (keepalived 2.2.7 compatible)`);
  log.log('info', `Running on Linux ${release()} ${osVersion()}`);
  log.log('info', `Command line: ${quotedCommandLine([process.argv[1] ?? 'keepalived-ts', ...argv])}`);
  for (const w of warnings) log.log('warning', w);
  for (const fn of signals.unavailable) log.log('warning', `Signal function ${fn} is not available in this Node.js build`);

  const finish = (code: number): number => {
    signals.uninstall();
    log.close();
    return code;
  };

  const pids = pidPathsFrom(flags);
  const running = daemonAlreadyRunning([pids.parent, pids.vrrp, pids.checker], (m) => log.log('info', m));
  if (running !== undefined) {
    log.log('info', 'daemon is already running');
    return finish(0);
  }

  log.log('info', `Configuration file ${flags.configFile}`);
  // The running configuration as the parent keeps it (held-config.ts): the compiled model is
  // not kept as objects beyond this statement.
  const firstConfig = loadFirstConfig(flags, log);
  if (!firstConfig) return finish(1);
  let config: HeldConfig = firstConfig;
  const name = config.globalDefs.routerId ?? defaultConfigId();
  const dumpDir = defaultDumpDir();
  // keepalived: -s overrides net_namespace, and the namespace cannot change on reload.
  const configNetns = config.globalDefs.other['net_namespace']?.[0];
  const netns = flags.namespace ?? configNetns;
  if (flags.namespace && configNetns && flags.namespace !== configNetns) {
    log.log('info', `Overriding config net_namespace '${configNetns}' with command line namespace '${flags.namespace}'`);
  }

  // --web / --inspect: the web server and the relay listen before any child starts.
  const watchOptions = watchOptionsFrom(flags);
  // Loaded only when asked for (ws, the web server): a plain daemon's parent stays small.
  const watch: DaemonWatch | undefined = watchOptions ? new (await import('../web/daemon-watch.js')).DaemonWatch({ name, ...watchOptions }) : undefined;
  try {
    for (const line of (await watch?.start()) ?? []) log.log('info', line);
  } catch (e) {
    log.log('error', `cannot serve --web/--inspect: ${(e as Error).message}`);
    return finish(1);
  }

  const pidErr = writePidFile(pids.parent, process.pid);
  if (pidErr) {
    log.log('error', `Unable to write pid file ${pids.parent}: ${pidErr}`);
    return finish(1);
  }

  if (flags.dumpConf) {
    for (const line of formatVrrpData({ model: unpackModel(config.bytes), hostName: name, umask: flags.umask }, [], []).split('\n')) if (line) log.log('info', line);
  }

  const trace = flags.trace ? new TraceFile(flags.trace, log) : undefined;
  trace?.write({ type: 'daemon', host: name, what: 'start', detail: `keepalived-ts v${deps.version} pid ${process.pid}` });

  const startOptions = (): ChildStartOptions => ({
    name,
    log: logOptions,
    dumpDir,
    stopTimeoutMs: timing.runtimeStopTimeoutMs,
    ...(netns !== undefined ? { netns } : {}),
    ...(watch ? { watch: watch.childOptions() } : {}),
    ...(flags.trace ? { trace: flags.trace } : {}),
  });

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const units = new Map<ChildRole, Unit>();
  let stopping = false;
  let factory: RuntimeFactory | undefined;
  /** --single-process only: the runtimes run here (role-host.js and what it pulls in are not loaded otherwise). */
  let RoleHostClass: typeof RoleHost | undefined;
  let reloads = 0;
  /** Start-up's and each reload's garbage, collected once the children have their model (heap-compact.ts). */
  const compaction = debouncedCollector(timing.compactDelayMs, reduceMemory);
  let control: ControlServer | undefined;
  let metrics: MetricsServer | undefined;
  /** Where metrics are served: --metrics, else global_defs keepalived_ts_metrics. */
  const metricsFlag = flags.metrics !== undefined ? parseListen(flags.metrics) : undefined;
  const metricsWanted = (g: GlobalDefs): ListenAddress | undefined => (metricsFlag && !('error' in metricsFlag) ? metricsFlag : g.metricsListen);

  const stopUnit = (u: Unit): Promise<void> => (u.kind === 'child' ? u.sup.stop() : u.host.stop());

  const stopAll = (why: string, code: number): void => {
    if (stopping) {
      log.log('info', `${why}: stop already in progress`);
      return;
    }
    stopping = true;
    compaction.cancel();
    control?.close();
    metrics?.close();
    trace?.write({ type: 'daemon', host: name, what: 'stopping', detail: why });
    // Each runtime logs its own "Stopping"; the parent says it only when it has none.
    if (units.size === 0) log.log('info', 'Stopping');
    else log.log('debug', `Stopping (${why})`);
    void Promise.all([...units.values()].map(stopUnit)).then(async () => {
      await watch?.close();
      removePidFile(pids.parent, process.pid);
      log.log('info', `Stopped Keepalived-ts v${deps.version}`);
      trace?.write({ type: 'daemon', host: name, what: 'stopped' });
      trace?.close();
      resolveDone(code);
    });
  };

  const startUnit = (role: ChildRole): void => {
    if (stopping || units.has(role)) return;
    if (flags.singleProcess) {
      const host = new RoleHostClass!(role, factory!, log, {
        name,
        dumpDir,
        umask: flags.umask,
        stopTimeoutMs: timing.runtimeStopTimeoutMs,
        ...(netns !== undefined ? { netns } : {}),
        ...(flags.trace ? { trace: flags.trace } : {}),
        ...(watch ? { watch: watch.hostWatch(role) } : {}),
      });
      units.set(role, { role, kind: 'host', host });
      host.start(unpackModel(config.bytes)).catch((e: unknown) => {
        log.log('error', `cannot start the ${role} runtime: ${(e as Error).message}`);
        stopAll('fatal', 1);
      });
      return;
    }
    const watchHooks = watch?.supervisorHooks(role);
    const sup = new ChildSupervisor({
      role,
      entry: deps.childEntry,
      execArgv: deps.childExecArgv[role],
      env: () => deps.childEnv?.(role),
      // The bytes themselves: a respawn sends the running configuration without re-encoding it.
      startMessage: () => ({ type: 'start', model: config.bytes, options: startOptions() }),
      log,
      pidFile: role === 'vrrp' ? pids.vrrp : pids.checker,
      respawn: !flags.dontRespawn,
      helloIntervalMs: timing.helloIntervalMs,
      helloMissLimit: timing.helloMissLimit,
      startupTimeoutMs: timing.startupTimeoutMs,
      backoff: timing.backoff,
      stopTimeoutMs: timing.childStopTimeoutMs,
      onFatal: (reason) => stopAll(reason, 1),
      ...watchHooks,
      onChildMessage: (m) => {
        // The child has the configuration (and so the parent no longer needs its garbage).
        if (m.type === 'ready' || m.type === 'reloaded') compaction.soon();
        watchHooks?.onChildMessage(m);
      },
      onExit: (pid, code, signal) =>
        trace?.write({ type: 'daemon', host: name, what: signal ? 'killed' : 'crashed', detail: `${role} child pid ${pid} ${signal ? `killed by ${signal}` : `exited with status ${code}`}` }),
    });
    units.set(role, { role, kind: 'child', sup });
    sup.start();
  };

  const reconcile = (): void => {
    const wanted = new Set(rolesFor(config.sections, flags));
    for (const [role, u] of units) {
      if (!wanted.has(role)) {
        units.delete(role);
        log.log('info', `${role === 'vrrp' ? 'VRRP' : 'Checker'} configuration removed - stopping that subsystem`);
        void stopUnit(u);
      }
    }
    for (const role of wanted) startUnit(role);
  };

  /** SIGHUP, or `reload` on the control socket (which shows the errors to its client). */
  const reload = (): { reloaded: boolean; errors: string[] } => {
    if (stopping) return { reloaded: false, errors: ['the daemon is stopping'] };
    log.log('info', 'Reloading ...');
    const next = loadConfig(flags.configFile, flags.configId);
    if (next.fatal || next.errors.length > 0) {
      const errors = next.errors.map(formatDiagnostic);
      for (const e of errors) log.log('error', e);
      const aborted = `Reload aborted: ${flags.configFile} has ${next.errors.length || 1} error(s); keeping the running configuration`;
      log.log('error', aborted);
      return { reloaded: false, errors: errors.length > 0 ? errors : [aborted] };
    }
    for (const d of next.diagnostics) log.log(d.severity === 'info' ? 'info' : d.severity, formatDiagnostic(d));
    config = holdConfig(next.model);
    log.log('info', `Configuration file ${flags.configFile}`);
    for (const u of units.values()) {
      if (u.kind === 'child') u.sup.send({ type: 'reload', model: config.bytes });
      else u.host.reload(unpackModel(config.bytes));
    }
    reconcile();
    compaction.soon();
    reloads++;
    const before = metrics?.listen;
    const after = metricsWanted(config.globalDefs);
    if (before?.host !== after?.host || before?.port !== after?.port) void serveMetrics(after);
    return { reloaded: true, errors: [] };
  };

  let gathering: Promise<DaemonStatus> | undefined;
  /** Everyone's status; concurrent callers share one gathering, each child answers or times out. */
  const gatherStatus = (): Promise<DaemonStatus> =>
    (gathering ??= (async () => {
      const order: Record<string, number> = { vrrp: 0, checker: 1 };
      const list = [...units.values()].sort((a, b) => order[a.role]! - order[b.role]!);
      const processes: ParentFacts['processes'] = await Promise.all(
        list.map(async (u) => {
          if (u.kind === 'host') {
            let status: ChildStatus | undefined;
            try {
              status = await u.host.status();
            } catch (e) {
              log.log('error', `status failed: ${(e as Error).message}`);
            }
            return { role: u.role, pid: process.pid, restarts: 0, startedMs, ...(status ? { status } : {}) };
          }
          const status = await u.sup.status(timing.statusTimeoutMs);
          const started = u.sup.startedAtMs;
          return { role: u.role, ...(u.sup.pid !== undefined && u.sup.running ? { pid: u.sup.pid } : {}), restarts: u.sup.restarts, ...(started !== undefined ? { startedMs: started } : {}), ...(status ? { status } : {}) };
        }),
      );
      return daemonStatus({ version: deps.version, pid: process.pid, name, configFile: flags.configFile, startedMs, nowMs: Date.now(), reloads, processes });
    })().finally(() => (gathering = undefined)));

  const serveMetrics = async (where: ListenAddress | undefined): Promise<void> => {
    metrics?.close();
    metrics = undefined;
    if (!where || stopping) return;
    const { startMetricsServer } = await import('./metrics-server.js'); // prom-client: only when metrics are served
    const m = await startMetricsServer(where, gatherStatus, log);
    if ('error' in m) log.log('error', m.error);
    else if (stopping) m.close();
    else {
      metrics = m;
      log.log('info', `Serving Prometheus metrics on http://${listenText(where)}/metrics`);
    }
  };

  const dump = (kind: DumpKind): void => {
    if (stopping) return;
    if (kind === 'data') {
      log.log('info', `Printing parent data for process(${process.pid}) on signal`);
      const model = unpackModel(config.bytes);
      const err = writeDump(dumpPaths(dumpDir, model).parentData, formatParentData({ model, hostName: name, umask: flags.umask }));
      if (err) log.log('error', `Can't write the parent data dump (${err})`);
    }
    for (const u of units.values()) {
      if (u.kind === 'child') u.sup.send({ type: 'dump', kind });
      else u.host.dump(kind);
    }
  };

  const onSignal = (fn: SignalFunction, signal: string): void => {
    try {
      if (fn === 'STOP') stopAll(signal, 0);
      else if (fn === 'RELOAD') void reload();
      else {
        const kind = DUMP_OF[fn];
        if (kind) dump(kind);
      }
    } catch (e) {
      log.log('error', `handling ${signal} failed: ${(e as Error).stack ?? (e as Error).message}`);
    }
  };

  if (flags.singleProcess) {
    try {
      factory = await deps.loadFactory();
      RoleHostClass = (await import('./role-host.js')).RoleHost;
    } catch (e) {
      log.log('error', `cannot load the runtime: ${(e as Error).message}`);
      removePidFile(pids.parent, process.pid);
      return finish(1);
    }
  }
  const roles = rolesFor(config.sections, flags);
  if (roles.length === 0) log.log('warning', 'No VRRP or health-checker configuration: nothing to run until a reload adds some');
  reconcile();

  const controlPath = flags.control ?? controlPathFor(pids.parent);
  const ctl = await listenControl(controlPath, { status: gatherStatus, lvs: async () => lvsView(await gatherStatus()), reload, stop: () => stopAll('control socket', 0), ping: () => ({ pid: process.pid, version: deps.version }) }, log);
  if ('error' in ctl) log.log('error', `Control socket not available: ${ctl.error}`);
  else if (stopping) ctl.close();
  else control = ctl;
  await serveMetrics(metricsWanted(config.globalDefs));
  compaction.soon();
  deps.onReady?.();

  handle = onSignal;
  for (const [fn, signal] of queued.splice(0)) onSignal(fn, signal);

  const code = await done;
  return finish(code);
}

