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
 * Signals that arrive before start-up has finished are queued and handled in order right after.
 */
import { release, version as osVersion } from 'node:os';
import type { KeepalivedConfig } from '../../../config/index.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { formatDiagnostic, loadConfig, defaultConfigId } from './config-load.js';
import { defaultDumpDir, dumpPaths, writeDump } from './dump-files.js';
import { formatParentData, formatVrrpData } from './dumps.js';
import type { DaemonFlags } from './flags.js';
import type { ChildRole, ChildStartOptions, DumpKind } from './ipc.js';
import { quotedCommandLine } from './log-format.js';
import { createDaemonLogger, type DaemonLogOptions } from './log-sinks.js';
import { daemonAlreadyRunning, pidPathsFrom, removePidFile, writePidFile } from './pidfiles.js';
import { RoleHost, type RuntimeFactory } from './role-host.js';
import { rolesFor } from './roles.js';
import { installSignalHandlers, type SignalFunction } from './signals.js';
import { ChildSupervisor } from './supervisor.js';
import { DaemonWatch } from '../web/daemon-watch.js';
import { watchOptionsFrom } from './watch-flags.js';

export interface DaemonTiming {
  helloIntervalMs: number;
  helloMissLimit: number;
  startupTimeoutMs: number;
  backoff: BackoffPolicy;
  /** How long the parent waits for a child to stop before SIGKILL. */
  childStopTimeoutMs: number;
  /** How long a runtime may take to report 'runtime.stopped'. */
  runtimeStopTimeoutMs: number;
}

export const DEFAULT_TIMING: Readonly<DaemonTiming> = {
  helloIntervalMs: 5000,
  helloMissLimit: 2,
  startupTimeoutMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  childStopTimeoutMs: 10_000,
  runtimeStopTimeoutMs: 5000,
};

export interface ParentDeps {
  version: string;
  /** Module each child process runs (child-main.ts in production). */
  childEntry: string;
  /** Node options for the children (tsx loader and so on), already made cwd-independent. */
  childExecArgv: string[];
  /** For --single-process: loaded lazily so the parent process never opens sockets otherwise. */
  loadFactory: () => Promise<RuntimeFactory>;
  timing?: Partial<DaemonTiming>;
  syslogSocket?: string;
  /** Called once the pid file is written and the children are launched (daemonize's readiness). */
  onReady?: () => void;
  /** Every log line of the parent, also (the detached daemon copies them to its launcher until ready). */
  onLog?: (level: string, message: string) => void;
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
  const first = loadConfig(flags.configFile, flags.configId);
  for (const d of first.diagnostics) log.log(d.severity === 'info' ? 'info' : d.severity, formatDiagnostic(d));
  if (first.fatal) {
    log.log('error', `Configuration ${flags.configFile} cannot be run - exiting`);
    return finish(1);
  }
  let model: KeepalivedConfig = first.model;
  const name = model.globalDefs.routerId ?? defaultConfigId();
  const dumpDir = defaultDumpDir();
  // keepalived: -s overrides net_namespace, and the namespace cannot change on reload.
  const netns = flags.namespace ?? model.globalDefs.other['net_namespace']?.[0];
  if (flags.namespace && model.globalDefs.other['net_namespace']?.[0] && flags.namespace !== model.globalDefs.other['net_namespace'][0]) {
    log.log('info', `Overriding config net_namespace '${model.globalDefs.other['net_namespace'][0]}' with command line namespace '${flags.namespace}'`);
  }

  // --web / --inspect: the web server and the relay listen before any child starts.
  const watchOptions = watchOptionsFrom(flags);
  const watch = watchOptions ? new DaemonWatch({ name, ...watchOptions }) : undefined;
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
    for (const line of formatVrrpData({ model, hostName: name, umask: flags.umask }, [], []).split('\n')) if (line) log.log('info', line);
  }

  const startOptions = (): ChildStartOptions => ({
    name,
    log: logOptions,
    dumpDir,
    stopTimeoutMs: timing.runtimeStopTimeoutMs,
    ...(netns !== undefined ? { netns } : {}),
    ...(watch ? { watch: watch.childOptions() } : {}),
  });

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const units = new Map<ChildRole, Unit>();
  let stopping = false;
  let factory: RuntimeFactory | undefined;

  const stopUnit = (u: Unit): Promise<void> => (u.kind === 'child' ? u.sup.stop() : u.host.stop());

  const stopAll = (why: string, code: number): void => {
    if (stopping) {
      log.log('info', `${why}: stop already in progress`);
      return;
    }
    stopping = true;
    // Each runtime logs its own "Stopping"; the parent says it only when it has none.
    if (units.size === 0) log.log('info', 'Stopping');
    else log.log('debug', `Stopping (${why})`);
    void Promise.all([...units.values()].map(stopUnit)).then(async () => {
      await watch?.close();
      removePidFile(pids.parent, process.pid);
      log.log('info', `Stopped Keepalived-ts v${deps.version}`);
      resolveDone(code);
    });
  };

  const startUnit = (role: ChildRole): void => {
    if (stopping || units.has(role)) return;
    if (flags.singleProcess) {
      const host = new RoleHost(role, factory!, log, { name, dumpDir, umask: flags.umask, stopTimeoutMs: timing.runtimeStopTimeoutMs, ...(netns !== undefined ? { netns } : {}), ...(watch ? { watch: watch.hostWatch(role) } : {}) });
      units.set(role, { role, kind: 'host', host });
      host.start(model).catch((e: unknown) => {
        log.log('error', `cannot start the ${role} runtime: ${(e as Error).message}`);
        stopAll('fatal', 1);
      });
      return;
    }
    const sup = new ChildSupervisor({
      role,
      entry: deps.childEntry,
      execArgv: deps.childExecArgv,
      startMessage: () => ({ type: 'start', model, options: startOptions() }),
      log,
      pidFile: role === 'vrrp' ? pids.vrrp : pids.checker,
      respawn: !flags.dontRespawn,
      helloIntervalMs: timing.helloIntervalMs,
      helloMissLimit: timing.helloMissLimit,
      startupTimeoutMs: timing.startupTimeoutMs,
      backoff: timing.backoff,
      stopTimeoutMs: timing.childStopTimeoutMs,
      onFatal: (reason) => stopAll(reason, 1),
      ...watch?.supervisorHooks(role),
    });
    units.set(role, { role, kind: 'child', sup });
    sup.start();
  };

  const reconcile = (): void => {
    const wanted = new Set(rolesFor(model, flags));
    for (const [role, u] of units) {
      if (!wanted.has(role)) {
        units.delete(role);
        log.log('info', `${role === 'vrrp' ? 'VRRP' : 'Checker'} configuration removed - stopping that subsystem`);
        void stopUnit(u);
      }
    }
    for (const role of wanted) startUnit(role);
  };

  const reload = (): void => {
    if (stopping) return;
    log.log('info', 'Reloading ...');
    const next = loadConfig(flags.configFile, flags.configId);
    if (next.fatal || next.errors.length > 0) {
      for (const d of next.errors) log.log('error', formatDiagnostic(d));
      log.log(
        'error',
        `Reload aborted: ${flags.configFile} has ${next.errors.length || 1} error(s); keeping the running configuration`,
      );
      return;
    }
    for (const d of next.diagnostics) log.log(d.severity === 'info' ? 'info' : d.severity, formatDiagnostic(d));
    model = next.model;
    log.log('info', `Configuration file ${flags.configFile}`);
    for (const u of units.values()) {
      if (u.kind === 'child') u.sup.send({ type: 'reload', model });
      else u.host.reload(model);
    }
    reconcile();
  };

  const dump = (kind: DumpKind): void => {
    if (stopping) return;
    if (kind === 'data') {
      log.log('info', `Printing parent data for process(${process.pid}) on signal`);
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
      else if (fn === 'RELOAD') reload();
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
    } catch (e) {
      log.log('error', `cannot load the runtime: ${(e as Error).message}`);
      removePidFile(pids.parent, process.pid);
      return finish(1);
    }
  }
  const roles = rolesFor(model, flags);
  if (roles.length === 0) log.log('warning', 'No VRRP or health-checker configuration: nothing to run until a reload adds some');
  reconcile();
  deps.onReady?.();

  handle = onSignal;
  for (const [fn, signal] of queued.splice(0)) onSignal(fn, signal);

  const code = await done;
  return finish(code);
}

