/**
 * Detaching without -n, the way keepalived does it with fork()+setsid(): Node cannot fork
 * itself, so the launcher re-executes the same program in a new session (detached), with
 * stdin/stdout/stderr on /dev/null and an IPC channel used once: the daemon reports 'ready'
 * after writing its pid file and launching its children, and the launcher exits 0 then —
 * systemd's Type=forking can rely on PIDFile= existing when the launcher has exited.
 * If the daemon exits first (already running, bad configuration), the launcher returns its code.
 */
import { spawn } from 'node:child_process';
import { portableExecArgv } from './exec-argv.js';

export const DAEMON_ENV = 'KEEPALIVED_TS_DAEMONIZED';

export interface DaemonizeOptions {
  /** The script to re-execute (process.argv[1]). */
  script: string;
  argv: readonly string[];
  readyTimeoutMs?: number;
}

export function daemonize(opts: DaemonizeOptions): Promise<number> {
  const child = spawn(process.execPath, [...portableExecArgv(process.execArgv), opts.script, ...opts.argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (code: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    const timer = setTimeout(() => {
      process.stderr.write(`keepalived-ts: daemon (pid ${child.pid}) did not report ready in time\n`);
      settle(1);
    }, opts.readyTimeoutMs ?? 20_000);
    child.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'daemon.ready') settle(0);
    });
    child.on('exit', (code, signal) => settle(code ?? (signal ? 1 : 0)));
    child.on('error', (e) => {
      process.stderr.write(`keepalived-ts: cannot start the daemon: ${e.message}\n`);
      settle(1);
    });
  });
}

/** In the daemonized process: tell the launcher we are up, then drop the channel. */
export function reportDaemonReady(): void {
  if (!process.send || !process.connected) return;
  process.send({ type: 'daemon.ready' }, () => {
    if (process.connected) process.disconnect();
  });
}
