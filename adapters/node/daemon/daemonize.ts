/**
 * Detaching without -n, the way keepalived does it with fork()+setsid(): Node cannot fork
 * itself, so the launcher re-executes the same program in a new session (detached), with
 * stdin/stdout/stderr on /dev/null and an IPC channel used once: the daemon reports 'ready'
 * after writing its pid file and launching its children, and the launcher exits 0 then —
 * systemd's Type=forking can rely on PIDFile= existing when the launcher has exited.
 * If the daemon exits first (already running, bad configuration), the launcher prints the
 * daemon's warning and error lines (they came over the same channel while it started) to stderr
 * and returns its code.
 */
import { spawn } from 'node:child_process';
import { portableExecArgv } from './exec-argv.js';

export const DAEMON_ENV = 'KEEPALIVED_TS_DAEMONIZED';

export interface DaemonizeOptions {
  /** The script to re-execute (process.argv[1]). */
  script: string;
  argv: readonly string[];
  readyTimeoutMs?: number;
  /** Where the reason of a failed start goes (default: our stderr). */
  stderr?: (text: string) => void;
}

/** Messages of the one-time channel from the detached daemon to its launcher. */
type LaunchMessage =
  | { type: 'daemon.ready' }
  | { type: 'daemon.log'; level: string; message: string }
  | { type: 'daemon.exit'; code: number };

function launchMessage(m: unknown): LaunchMessage | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const t = (m as { type?: unknown }).type;
  return t === 'daemon.ready' || t === 'daemon.log' || t === 'daemon.exit' ? (m as LaunchMessage) : undefined;
}

const SERIOUS = new Set(['emerg', 'alert', 'crit', 'error', 'err', 'warning']);

export function daemonize(opts: DaemonizeOptions): Promise<number> {
  const child = spawn(process.execPath, [...portableExecArgv(process.execArgv), opts.script, ...opts.argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  const err = opts.stderr ?? ((s: string) => void process.stderr.write(s));
  // The daemon's log lines until it is ready: a start that fails says why on our stderr, even
  // when there is no syslog (and the daemon's own stderr is /dev/null).
  const lines: Array<{ level: string; message: string }> = [];
  const explain = (fallback: string): void => {
    const serious = lines.filter((l) => SERIOUS.has(l.level));
    const shown = serious.length > 0 ? serious : lines.slice(-1);
    for (const l of shown) err(`keepalived-ts: ${l.message}\n`);
    if (shown.length === 0) err(`keepalived-ts: ${fallback}\n`);
  };
  return new Promise((resolve) => {
    let settled = false;
    let exitTimer: ReturnType<typeof setTimeout> | undefined;
    const settle = (code: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(exitTimer);
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    const timer = setTimeout(() => {
      err(`keepalived-ts: daemon (pid ${child.pid}) did not report ready in time\n`);
      settle(1);
    }, opts.readyTimeoutMs ?? 20_000);
    child.on('message', (raw: unknown) => {
      const m = launchMessage(raw);
      if (!m || settled) return;
      if (m.type === 'daemon.ready') settle(0);
      else if (m.type === 'daemon.log') lines.push({ level: m.level, message: m.message });
      else {
        // Exiting before ready (already running: 0; a bad configuration: 1).
        if (m.code !== 0 || lines.some((l) => SERIOUS.has(l.level))) explain(`the daemon exited with status ${m.code}`);
        else if (lines.length > 0) explain('');
        settle(m.code);
      }
    });
    child.on('exit', (code, signal) => {
      // Messages still in the channel arrive before 'disconnect'; give them a moment.
      const report = (): void => {
        if (settled) return;
        explain(`the daemon exited (${signal ? `signal ${signal}` : `status ${code}`}) before it was ready`);
        settle(code ?? 1);
      };
      if (!child.connected) return report();
      child.once('disconnect', report);
      exitTimer = setTimeout(report, 1000);
    });
    child.on('error', (e) => {
      err(`keepalived-ts: cannot start the daemon: ${e.message}\n`);
      settle(1);
    });
  });
}

/** In the daemonized process: copy a log line to the launcher while it still listens. */
export function reportDaemonLog(level: string, message: string): void {
  if (process.send && process.connected) process.send({ type: 'daemon.log', level, message });
}

/** In the daemonized process: tell the launcher we are up, then drop the channel. */
export function reportDaemonReady(): void {
  if (!process.send || !process.connected) return;
  process.send({ type: 'daemon.ready' }, () => {
    if (process.connected) process.disconnect();
  });
}

/** In the daemonized process, exiting before ready: the status, after every log line sent. */
export function reportDaemonExit(code: number): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send({ type: 'daemon.exit', code }, () => {
      if (process.connected) process.disconnect();
      resolve();
    });
  });
}
