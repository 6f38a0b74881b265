/**
 * The child side of the daemon (VRRP or checker process). Started by the parent through
 * `fork(entry, [role])`; the production entry is child-main.ts, which passes the real
 * RuntimeFactory (createNodePorts + createRuntime).
 *
 *  - answers every hello at once (even while starting), so only a stuck event loop misses one;
 *  - 'start' builds the logger, ports and runtime; a factory failure is a permanent error
 *    (exit CHILD_EXIT_FATAL: the parent stops instead of respawning forever);
 *  - 'reload', 'dump', 'stop' go to the RoleHost; signals sent straight to the child's pid
 *    (kill -USR1 $(cat /run/vrrp.pid)) work too;
 *  - the parent's death (IPC channel closed) stops the runtime gracefully, like keepalived's
 *    parent-death signal: VIPs are removed and priority 0 is advertised before exiting.
 */
import type { Logger } from '../../../actors/ports.js';
import type { KeepalivedConfig } from '../../../config/index.js';
import type { TraceRecord } from '../../../sim/view/records.js';
import { unpackModel } from './held-config.js';
import { CHILD_EXIT_FATAL, isParentMessage, type ChildMessage, type ChildRole, type DumpKind } from './ipc.js';
import { createDaemonLogger, type DaemonLogger } from './log-sinks.js';
import { RoleHost, type RuntimeFactory } from './role-host.js';
import type { ChildStatus } from './status.js';
import { installSignalHandlers, type SignalFunction } from './signals.js';

const DUMP_OF: Partial<Record<SignalFunction, DumpKind>> = {
  DATA: 'data',
  STATS: 'stats',
  STATS_CLEAR: 'stats_clear',
  JSON: 'json',
};

/** Until 'start' brings the log options, log to stderr in the console format's spirit. */
const bootLogger: Logger = {
  log: (level, message) => void process.stderr.write(`${level}: ${message}\n`),
};

function send(m: ChildMessage): void {
  if (process.connected) process.send?.(m);
}

/** The --web feed to the parent: records in batches (every 50 ms at most), flushed before exit. */
class FeedSender {
  private batch: TraceRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  record(r: TraceRecord): void {
    this.batch.push(r);
    this.timer ??= setTimeout(() => this.flush(), 50);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    send({ type: 'feed', records });
  }
}

export function runChild(factory: RuntimeFactory, roleArg: string | undefined = process.argv[2]): void {
  if (roleArg !== 'vrrp' && roleArg !== 'checker') {
    process.stderr.write(`keepalived-ts child: unknown role '${roleArg ?? ''}'\n`);
    process.exitCode = 2;
    return;
  }
  if (!process.send) {
    process.stderr.write('keepalived-ts child: must be started by the keepalived-ts parent process\n');
    process.exitCode = 2;
    return;
  }
  const role: ChildRole = roleArg;
  process.title = `keepalived-ts ${role}`;
  let log: DaemonLogger | Logger = bootLogger;
  let host: RoleHost | undefined;
  let shuttingDown = false;
  const feed = new FeedSender();

  const exit = (code: number): void => {
    if ('close' in log) log.close();
    process.exit(code);
  };

  const shutdown = (why: string, code = 0): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.log('debug', `Stopping (${why})`);
    const done = host ? host.stop() : Promise.resolve();
    void done.then(() => {
      log.log('debug', 'child stopped');
      feed.flush();
      send({ type: 'stopped' });
      exit(code);
    });
  };

  process.on('message', (m: unknown) => {
    if (!isParentMessage(m)) return;
    switch (m.type) {
      case 'hello':
        send({ type: 'hello.ack', seq: m.seq });
        return;
      case 'start': {
        if (host || shuttingDown) return;
        log = createDaemonLogger({ ...m.options.log, role });
        host = new RoleHost(role, factory, log, {
          name: m.options.name,
          dumpDir: m.options.dumpDir,
          umask: process.umask(),
          stopTimeoutMs: m.options.stopTimeoutMs,
          ...(m.options.netns !== undefined ? { netns: m.options.netns } : {}),
          ...(m.options.watch
            ? { watch: { options: m.options.watch, sink: { record: (r) => feed.record(r), diagram: (diagram) => (feed.flush(), send({ type: 'diagram', diagram })) } } }
            : {}),
          ...(m.options.trace !== undefined ? { trace: m.options.trace } : {}),
        });
        const cannotStart = (e: unknown): void => {
          const reason = `cannot start the ${role} runtime: ${(e as Error).message}`;
          log.log('error', reason);
          send({ type: 'fatal', reason });
          host = undefined;
          exit(CHILD_EXIT_FATAL);
        };
        let model: KeepalivedConfig;
        try {
          model = unpackModel(m.model);
        } catch (e) {
          cannotStart(e);
          return;
        }
        host.start(model).then(() => send({ type: 'ready' }), cannotStart);
        return;
      }
      case 'reload':
        if (!host) return;
        log.log('info', 'Reloading');
        try {
          host.reload(unpackModel(m.model));
          log.log('info', 'Reload complete');
        } catch (e) {
          log.log('error', `Reload failed, keeping the running configuration: ${(e as Error).message}`);
        }
        send({ type: 'reloaded' });
        return;
      case 'dump':
        host?.dump(m.kind);
        return;
      case 'status': {
        const answer = (status: ChildStatus | undefined): void => send({ type: 'status', id: m.id, ...(status ? { status } : {}) });
        (host ? host.status() : Promise.resolve(undefined)).then(answer, (e: Error) => {
          log.log('error', `status failed: ${e.message}`);
          answer(undefined);
        });
        return;
      }
      case 'stop':
        shutdown('parent request');
        return;
    }
  });

  process.on('disconnect', () => shutdown('parent process gone'));

  installSignalHandlers((fn, signal) => {
    if (fn === 'STOP') {
      // Ctrl-C reaches the whole process group: the parent coordinates the stop.
      if (signal === 'SIGINT' && process.connected) return;
      shutdown(signal);
      return;
    }
    if (fn === 'RELOAD') {
      log.log('info', `${signal} ignored: send it to the parent process (${process.ppid}), which validates the new configuration`);
      return;
    }
    const kind = DUMP_OF[fn];
    if (kind) host?.dump(kind);
  });

  process.on('uncaughtException', (e) => {
    log.log('error', `internal error: ${e.stack ?? e.message}`);
    // Try to release the VIPs, but never hang: the parent respawns us either way.
    setTimeout(() => exit(1), 2000).unref();
    shutdown('internal error', 1);
  });
}
