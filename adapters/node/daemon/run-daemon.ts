/**
 * `keepalived-ts [keepalived flags]`: flags, the informational options (-h, -v, --signum),
 * -t (handed to the check command), daemonising without -n, then the parent process.
 */
import { resolve } from 'node:path';
import { parseListen } from '../../../config/listen.js';
import { DAEMON_ENV, daemonize, reportDaemonExit, reportDaemonLog, reportDaemonReady } from './daemonize.js';
import { childEnv, childExecArgv } from './child-node-flags.js';
import { EXIT_USAGE, PROGRAM, SHORT_USAGE, topLevelHelp, unknownArgument } from '../cli-usage.js';
import { handleClosedOutput } from '../stdio.js';
import { optimizeForSize } from './heap-compact.js';
import { helpText, parseFlags, versionText, type DaemonFlags } from './flags.js';
import { runParent, type DaemonTiming } from './parent.js';
import type { RuntimeFactory } from './role-host.js';
import { signumOf } from './signals.js';
import { watchFlagErrors } from './watch-flags.js';

export interface DaemonDeps {
  version: string;
  childEntry: string;
  loadFactory: () => Promise<RuntimeFactory>;
  /** The -t/--config-test implementation. */
  configTest: (argv: string[]) => Promise<number>;
  timing?: Partial<DaemonTiming>;
  syslogSocket?: string;
  /** Invoked as `keepalived-ts [OPTION...]` (no sub-command): --help lists the sub-commands too. */
  topLevel?: boolean;
  /**
   * Checked before starting (and before detaching): what the daemon lacks to run here.
   * `daemonHere`: this process becomes the daemon (-n), rather than launching a detached one.
   */
  preflight?: (opts: { daemonHere: boolean }) => Promise<string[]>;
}

function absolutePaths(f: DaemonFlags): void {
  f.configFile = resolve(f.configFile);
  if (f.pidFile) f.pidFile = resolve(f.pidFile);
  if (f.vrrpPidFile) f.vrrpPidFile = resolve(f.vrrpPidFile);
  if (f.checkersPidFile) f.checkersPidFile = resolve(f.checkersPidFile);
  if (f.logFile) f.logFile = resolve(f.logFile);
  if (f.control) f.control = resolve(f.control);
  if (f.trace) f.trace = resolve(f.trace);
}

export async function runDaemon(argv: string[], deps: DaemonDeps): Promise<number> {
  const { flags, errors, warnings, unexpected } = parseFlags(argv);
  // A word that is not an option is most likely a mistyped sub-command: start nothing.
  // (keepalived prints "Unexpected argument(s)" and starts anyway; see docs/daemon.md.)
  if (unexpected.length > 0) {
    const word = unexpected[0]!;
    process.stderr.write(`${PROGRAM}: ${unknownArgument(word, deps.topLevel === true && argv[0] === word)}\n${SHORT_USAGE}\n`);
    return EXIT_USAGE;
  }
  errors.push(...watchFlagErrors(flags));
  // keepalived's wording; exit 2 with the usage line where keepalived exits 1 (docs/daemon.md).
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${e}\n`);
    process.stderr.write(`${SHORT_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    process.stdout.write(deps.topLevel ? topLevelHelp() : helpText(PROGRAM));
    return 0;
  }
  if (flags.version) {
    process.stderr.write(`${versionText(deps.version)}\n`);
    return 0;
  }
  if (flags.signum !== undefined) {
    const n = signumOf(flags.signum);
    if (n === undefined) {
      process.stderr.write(`Unknown sigfunc ${flags.signum}\n`);
      return 1;
    }
    process.stdout.write(`${n}\n`);
    return 0;
  }
  if (flags.configTest !== undefined) return deps.configTest(argv);
  if (flags.metrics !== undefined) {
    const l = parseListen(flags.metrics);
    if ('error' in l) {
      process.stderr.write(`--metrics: ${l.error}\n${SHORT_USAGE}\n`);
      return EXIT_USAGE;
    }
  }
  absolutePaths(flags);

  const daemonized = process.env[DAEMON_ENV] === '1';
  // Missing native packages: say what to install, on stderr, before detaching (the launcher
  // already checked when we are the detached daemon).
  if (!daemonized && deps.preflight) {
    const problems = await deps.preflight({ daemonHere: flags.dontFork });
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`${PROGRAM}: cannot start the daemon: ${p}\n`);
      return 1;
    }
  }
  if (!flags.dontFork && !daemonized) return daemonize({ script: process.argv[1] ?? '', argv });
  if (daemonized) {
    delete process.env[DAEMON_ENV];
    process.chdir('/');
  }
  process.umask(flags.umask);
  // The parent's heap stays near its live size (heap-compact.ts; docs/benchmarks.md, "Memory: the parent").
  optimizeForSize();
  // From here on this process is the daemon: a console log without a reader never stops it.
  handleClosedOutput('ignore');
  const code = await runParent(
    flags,
    argv,
    {
      version: deps.version,
      childEntry: deps.childEntry,
      childExecArgv: { vrrp: childExecArgv(process.execArgv), checker: childExecArgv(process.execArgv, process.env, process.cwd(), 'checker') },
      childEnv,
      loadFactory: deps.loadFactory,
      timing: deps.timing,
      syslogSocket: deps.syslogSocket,
      onReady: daemonized ? reportDaemonReady : undefined,
      onLog: daemonized ? reportDaemonLog : undefined,
    },
    warnings,
  );
  // Stopped before it was ready (bad configuration, already running): the launcher prints why.
  if (daemonized) await reportDaemonExit(code);
  // A runtime that leaked a handle must not keep a stopped daemon alive.
  setTimeout(() => process.exit(code), 1000).unref();
  return code;
}
