/**
 * `keepalived-ts [keepalived flags]` (also `keepalived-ts daemon …`): the keepalived daemon.
 * See docs/daemon.md. The parent forks adapters/node/daemon/child-main for the VRRP and
 * checker children; --single-process runs both runtimes in the parent.
 */
import { portableExecArgv } from '../daemon/exec-argv.js';
import { packageVersion, siblingModule } from '../daemon/paths.js';
import { runDaemon } from '../daemon/run-daemon.js';
import { bufferEarlySignals } from '../daemon/signals.js';

// From the moment this module is evaluated, a HUP/TERM is queued instead of killing a daemon
// that is still loading.
bufferEarlySignals();

/** `topLevel`: invoked without a sub-command (then --help lists the sub-commands too). */
export async function run(argv: string[], opts: { topLevel?: boolean } = {}): Promise<number> {
  return runDaemon(argv, {
    topLevel: opts.topLevel === true,
    version: packageVersion(import.meta.url),
    childEntry: siblingModule(import.meta.url, '../daemon/child-main'),
    loadFactory: async () => (await import('../daemon/wiring.js')).productionFactory,
    configTest: async (args) => (await import('./check.js')).run(args),
    // raw-socket, netlink and netio are loaded only here, when a daemon is about to start: in a
    // throwaway process when this process becomes the daemon (-n), here when it only launches one.
    preflight: async ({ daemonHere }) => {
      const deps = await import('../../linux/native-deps.js');
      return daemonHere ? deps.daemonNativeProblemsApart(portableExecArgv(process.execArgv)) : deps.daemonNativeProblems();
    },
  });
}
