/**
 * The ProcessMonitor port for vrrp_track_process: counts running processes that match, by
 * scanning /proc every `pollIntervalMs` (default 1000 ms) while anything is watched.
 *
 * keepalived learns of forks, execs, name changes and exits from the kernel's proc connector
 * (netlink) instead. That needs CAP_NET_ADMIN and the initial network namespace (keepalived 2.2.7
 * under `ip netns exec` fails to subscribe with ECONNREFUSED and counts nothing); a scan needs
 * neither, and it is cheap: one readdir of /proc and one read of
 * /proc/PID/stat per process. /proc/PID/cmdline (which reads the process's memory and can page
 * it back in from swap, the cost keepalived's man page warns about) is read only when some watch
 * compares command lines, and then once per process: again only when the PID is reused or the
 * process exec()s, which /proc/PID/stat shows. Like keepalived, a process that rewrites its own
 * argv in place keeps the command line it had.
 *
 * Zombies do not count (keepalived: "they aren't running"). Processes that vanish between the
 * readdir and the reads are skipped, never thrown. Counts are reported asynchronously: once soon
 * after watch(), then on every change.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import type { ProcessMatchSpec, ProcessMonitor } from '../../actors/ports.js';
import { compileProcessMatch, parseProcStat, type CompiledProcessMatch } from './proc-match.js';

export interface LinuxProcessMonitorOptions {
  /** Time between two scans of /proc while anything is watched (default 1000 ms, minimum 10). */
  pollIntervalMs?: number;
  /** Where procfs is mounted (default /proc). */
  procRoot?: string;
}

export interface LinuxProcessMonitor extends ProcessMonitor {
  /** Scans so far (for tests and dumps). */
  readonly scans: number;
  /** Stops every watch: no callback runs after this. */
  close(): void;
}

interface Watch {
  match: CompiledProcessMatch;
  onCount: (count: number) => void;
  /** Last count reported; undefined until the first report. */
  reported: number | undefined;
}

interface CmdlineEntry {
  identity: string;
  bytes: Buffer;
  /** The read stopped at the end of the file (not at the byte limit). */
  complete: boolean;
}

const STAT_BUF = Buffer.alloc(4096);

/** Reads at most `limit` bytes of a procfs file; undefined when it cannot be opened or read. */
function readProcFile(path: string, limit: number, buf?: Buffer): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const out = buf ?? Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const n = readSync(fd, out, length, Math.min(limit, out.length) - length, null);
      if (n <= 0) break;
      length += n;
    }
    return out.subarray(0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export function createLinuxProcessMonitor(opts: LinuxProcessMonitorOptions = {}): LinuxProcessMonitor {
  const pollIntervalMs = Math.max(10, opts.pollIntervalMs ?? 1000);
  const procRoot = opts.procRoot ?? '/proc';
  const watches = new Set<Watch>();
  const cmdlines = new Map<string, CmdlineEntry>();
  let timer: NodeJS.Timeout | undefined;
  let firstScanQueued = false;
  let scans = 0;

  function cmdlineOf(pid: string, identity: string, limit: number): Buffer | undefined {
    const cached = cmdlines.get(pid);
    if (cached && cached.identity === identity && (cached.complete || cached.bytes.length >= limit)) return cached.bytes;
    const bytes = readProcFile(`${procRoot}/${pid}/cmdline`, limit);
    if (!bytes) return undefined;
    cmdlines.set(pid, { identity, bytes, complete: bytes.length < limit });
    return bytes;
  }

  /** Matching processes per watch, or undefined when /proc cannot be listed. */
  function count(list: readonly Watch[]): number[] | undefined {
    let pids: string[];
    try {
      pids = readdirSync(procRoot).filter((name) => /^[1-9][0-9]*$/.test(name));
    } catch {
      return undefined;
    }
    const byCmdline = list.filter((w) => w.match.onCmdline);
    const limit = Math.max(0, ...byCmdline.map((w) => w.match.cmdlineBytesNeeded));
    const counts = list.map(() => 0);
    const seen = new Set<string>();
    for (const pid of pids) {
      const text = readProcFile(`${procRoot}/${pid}/stat`, STAT_BUF.length, STAT_BUF);
      const stat = text && parseProcStat(text);
      if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
      seen.add(pid);
      const cmdline = byCmdline.length > 0 ? cmdlineOf(pid, stat.identity(), limit) : undefined;
      list.forEach((w, i) => {
        const hit = w.match.onCmdline ? cmdline !== undefined && w.match.matchCmdline(cmdline) : w.match.matchComm(stat.comm);
        if (hit) counts[i] = (counts[i] ?? 0) + 1;
      });
    }
    for (const pid of cmdlines.keys()) if (!seen.has(pid)) cmdlines.delete(pid);
    return counts;
  }

  function tick(): void {
    timer = undefined;
    firstScanQueued = false;
    if (watches.size === 0) return;
    const list = [...watches];
    const counts = count(list);
    scans++;
    schedule(pollIntervalMs);
    if (!counts) return;
    list.forEach((w, i) => {
      const n = counts[i] ?? 0;
      // A callback may unwatch itself or others: only live watches hear anything.
      if (!watches.has(w) || w.reported === n) return;
      w.reported = n;
      w.onCount(n);
    });
  }

  function schedule(delayMs: number): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    timer.unref();
  }

  function stop(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    firstScanQueued = false;
    cmdlines.clear();
  }

  return {
    get scans() {
      return scans;
    },
    watch(match: ProcessMatchSpec, onCount: (count: number) => void): () => void {
      if (!existsSync(`${procRoot}/self/stat`)) throw new Error(`cannot watch processes: ${procRoot} is not a mounted procfs`);
      const w: Watch = { match: compileProcessMatch(match), onCount, reported: undefined };
      watches.add(w);
      // The first count comes soon, not after a full interval.
      if (!firstScanQueued) {
        firstScanQueued = true;
        schedule(0);
      }
      return () => {
        if (!watches.delete(w)) return;
        if (watches.size === 0) stop();
      };
    },
    close(): void {
      watches.clear();
      stop();
    },
  };
}
