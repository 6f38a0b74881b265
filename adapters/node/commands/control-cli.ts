/**
 * The commands that talk to a running daemon over its control socket:
 *
 *   keepalived-ts status [--json] [--watch [SECONDS]]   the daemon's state as a table (or JSON)
 *   keepalived-ts lvs [--json] [--watch [SECONDS]]      its load-balancer table as ipvsadm -Ln shows it (lvs-table.ts)
 *   keepalived-ts reload                                 like SIGHUP, with the configuration errors shown
 *   keepalived-ts stop [--timeout SECONDS]               like SIGTERM, and wait until the daemon is gone
 *
 * Each takes `--control PATH` or `-p PIDFILE` (the socket beside it) to find the daemon. When no
 * daemon listens on the socket found from the pid file (given or default), reload and stop fall
 * back to the signal, sent to the pid in that pid file; a `--control PATH` that does not answer
 * is an error (no pid file was named). Usage errors exit 2; an unreachable daemon, a rejected reload or a stop that times
 * out exit 1.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT_USAGE, PROGRAM } from '../cli-usage.js';
import { controlRequest, type ClientResult } from '../control/client.js';
import { controlPathFor } from '../control/paths.js';
import type { ControlCommand } from '../control/protocol.js';
import { formatLvsTable, type LvsView } from '../control/lvs-format.js';
import { formatStatus } from '../control/status-table.js';
import type { DaemonStatus } from '../daemon/status.js';
import { DEFAULT_PID_PATHS, processAlive, readPidFile } from '../daemon/pidfiles.js';
import { handleClosedOutput } from '../stdio.js';

type Which = 'status' | 'lvs' | 'reload' | 'stop';

interface ControlArgs {
  control?: string;
  pidFile?: string;
  json: boolean;
  /** Seconds between refreshes. */
  watch?: number;
  timeoutS: number;
  help: boolean;
}

const FIND = `  --control PATH       the daemon's control socket (default: beside its pid file, /run/keepalived.sock)
  -p, --pid PIDFILE    the daemon's pid file (default /run/keepalived.pid); the socket is PIDFILE with .sock for .pid`;

export const USAGE: Record<Which, string> = {
  status: `Usage: ${PROGRAM} status [--json] [--watch [SECONDS]] [--control PATH | -p PIDFILE]
Show a running daemon's instances (state, base and effective priority, master, VIPs held, time in
state, last transition and its reason, sync group), tracked objects, dropped packets by reason,
and virtual and real servers when LVS is configured.
  --json               the full status as one JSON object, for scripts
  --watch [SECONDS]    refresh every SECONDS (default 2) until interrupted; with --json, one object per line
${FIND}
`,
  lvs: `Usage: ${PROGRAM} lvs [--json] [--watch [SECONDS]] [--control PATH | -p PIDFILE]
Show a running daemon's load-balancer table as ipvsadm -Ln does (services, destinations, forwarding,
weights), each real server with its state from the checkers (alive, down, inhibited, removed) and
each checker's verdict; real servers the table does not hold are listed without the arrow, and
virtual servers the backend refused with the reason.
  --json               the table, the virtual servers and their checkers as one JSON object
  --watch [SECONDS]    refresh every SECONDS (default 2) until interrupted; with --json, one object per line
${FIND}
`,
  reload: `Usage: ${PROGRAM} reload [--control PATH | -p PIDFILE]
Reload the configuration, like SIGHUP. A configuration with errors is not applied: the errors are
printed and the exit status is 1. Without a control socket, SIGHUP is sent to the pid in the pid file.
${FIND}
`,
  stop: `Usage: ${PROGRAM} stop [--timeout SECONDS] [--control PATH | -p PIDFILE]
Stop the daemon gracefully, like SIGTERM (priority-0 adverts, VIPs removed), and wait until it has
exited. Without a control socket, SIGTERM is sent to the pid in the pid file.
  --timeout SECONDS    how long to wait for the daemon to exit (default 15)
${FIND}
`,
};

export function parseControlArgs(which: Which, argv: string[]): ControlArgs | { error: string } {
  const a: ControlArgs = { json: false, timeoutS: 15, help: false };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const name = eq > 0 ? word.slice(0, eq) : word;
    const inline = eq > 0 ? word.slice(eq + 1) : undefined;
    const value = (what: string): string | { error: string } => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined) return { error: `${name} needs ${what}` };
      i++;
      return v;
    };
    if (name === '-h' || name === '--help') a.help = true;
    else if (name === '--control') {
      const v = value('a socket path');
      if (typeof v !== 'string') return v;
      a.control = v;
    } else if (name === '-p' || name === '--pid') {
      const v = value('a pid file');
      if (typeof v !== 'string') return v;
      a.pidFile = v;
    } else if (word.startsWith('-p') && !word.startsWith('--')) a.pidFile = word.slice(2);
    else if ((which === 'status' || which === 'lvs') && name === '--json') a.json = true;
    else if ((which === 'status' || which === 'lvs') && (name === '--watch' || name === '-w')) {
      let s = inline;
      if (s === undefined && argv[i + 1] !== undefined && /^\d+(\.\d+)?$/.test(argv[i + 1]!)) s = argv[++i];
      const n = s === undefined ? 2 : Number(s);
      if (!Number.isFinite(n) || n < 0.2 || n > 3600) return { error: `--watch: '${s}' is not a number of seconds between 0.2 and 3600` };
      a.watch = n;
    } else if (which === 'stop' && name === '--timeout') {
      const v = value('a number of seconds');
      if (typeof v !== 'string') return v;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0 || n > 3600) return { error: `--timeout: '${v}' is not a number of seconds between 0 and 3600` };
      a.timeoutS = n;
    } else if (word.startsWith('-')) return { error: `unknown option ${word}` };
    else return { error: `unexpected argument '${word}'` };
  }
  if (a.control !== undefined && a.pidFile !== undefined) return { error: '--control and -p both say where the daemon is: give one' };
  return a;
}

const say = (line: string): void => void process.stderr.write(`${PROGRAM}: ${line}\n`);

async function ask(path: string, cmd: ControlCommand): Promise<ClientResult> {
  return controlRequest(path, cmd, 10_000);
}

/** The daemon's answer, or an error already printed. */
function unwrap(path: string, r: ClientResult): { result: unknown } | undefined {
  if (!r.ok) {
    say(r.error);
    return undefined;
  }
  if (!r.response.ok) {
    say(`the daemon refused: ${r.response.error}`);
    return undefined;
  }
  return { result: r.response.result };
}

/** Without a control socket: the signal, to the pid in the pid file. */
function signalByPidFile(pidFile: string, signal: NodeJS.Signals, why: string): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined || !processAlive(pid)) {
    say(`${why}; and no running daemon in ${pidFile}`);
    return undefined;
  }
  process.kill(pid, signal);
  say(`${why}; sent ${signal} to pid ${pid} (${pidFile})`);
  return pid;
}

async function waitGone(pid: number, timeoutS: number): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await sleep(100);
  }
  return !processAlive(pid);
}

/** status and lvs: ask, print as a table or JSON, once or every --watch seconds. */
async function show(which: 'status' | 'lvs', path: string, a: ControlArgs): Promise<number> {
  const once = async (): Promise<number> => {
    const got = unwrap(path, await ask(path, which));
    if (!got) return 1;
    const text = which === 'status' ? formatStatus(got.result as DaemonStatus) : formatLvsTable(got.result as LvsView);
    process.stdout.write(a.json ? `${JSON.stringify(got.result, null, a.watch !== undefined ? undefined : 2)}\n` : text);
    return 0;
  };
  if (a.watch === undefined) return once();
  const clear = process.stdout.isTTY && !a.json;
  for (;;) {
    if (clear) process.stdout.write('\x1b[H\x1b[2J');
    if (clear) process.stdout.write(`every ${a.watch}s, ${new Date().toLocaleTimeString()} (Ctrl-C to quit)\n`);
    await once();
    await sleep(a.watch * 1000);
  }
}

async function reload(path: string, a: ControlArgs): Promise<number> {
  const r = await ask(path, 'reload');
  if (!r.ok && r.absent && a.control === undefined) return signalByPidFile(a.pidFile ?? DEFAULT_PID_PATHS.parent, 'SIGHUP', r.error) !== undefined ? 0 : 1;
  const got = unwrap(path, r);
  if (!got) return 1;
  const res = got.result as { reloaded: boolean; errors: string[] };
  for (const e of res.errors) process.stderr.write(`${e}\n`);
  if (!res.reloaded) {
    say('reload aborted: the running configuration is kept');
    return 1;
  }
  process.stdout.write('reloaded\n');
  return 0;
}

async function stop(path: string, a: ControlArgs): Promise<number> {
  const r = await ask(path, 'stop');
  let pid: number | undefined;
  if (!r.ok && r.absent && a.control === undefined) {
    pid = signalByPidFile(a.pidFile ?? DEFAULT_PID_PATHS.parent, 'SIGTERM', r.error);
    if (pid === undefined) return 1;
  } else {
    const got = unwrap(path, r);
    if (!got) return 1;
    pid = (got.result as { pid?: number }).pid;
  }
  if (pid !== undefined && !(await waitGone(pid, a.timeoutS))) {
    say(`the daemon (pid ${pid}) is still running after ${a.timeoutS} s`);
    return 1;
  }
  process.stdout.write('stopped\n');
  return 0;
}

export async function runControlCommand(which: Which, argv: string[]): Promise<number> {
  handleClosedOutput('exit');
  const a = parseControlArgs(which, argv);
  if ('error' in a) {
    say(`${which}: ${a.error}`);
    process.stderr.write(USAGE[which].split('\n')[0]! + '\n');
    return EXIT_USAGE;
  }
  if (a.help) {
    process.stdout.write(USAGE[which]);
    return 0;
  }
  const path = a.control ?? controlPathFor(a.pidFile);
  if (which === 'status' || which === 'lvs') return show(which, path, a);
  if (which === 'reload') return reload(path, a);
  return stop(path, a);
}
