/** CPU time and resident memory of every process in a network namespace, from /proc. */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS_PER_S = 100; // sysconf(_SC_CLK_TCK) on Linux

export function namespacePids(ns: string): number[] {
  const out = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 });
  return out.split(/\s+/).filter(Boolean).map(Number);
}

export interface Usage {
  cpuSeconds: number;
  rssKiB: number;
  processes: number;
}

/** utime+stime (own, not children's) and VmRSS, summed over `pids`; vanished pids are skipped. */
export function usageOf(pids: readonly number[]): Usage {
  let ticks = 0;
  let rssKiB = 0;
  let processes = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      ticks += Number(fields[11]) + Number(fields[12]);
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      rssKiB += m ? Number(m[1]) : 0;
      processes++;
    } catch {
      /* exited */
    }
  }
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_S, rssKiB, processes };
}

export interface ProcessRss {
  pid: number;
  /** /proc/PID/comm: the process's name (process.title for ours, e.g. "keepalived-ts v"; 15 characters at most) */
  name: string;
  rssKiB: number;
  /** Pss from /proc/PID/smaps_rollup: the RSS with each shared page divided among the processes
   *  that map it (two node processes share the node binary's resident pages; RSS counts them in
   *  both). 0 where the kernel has no smaps_rollup. */
  pssKiB: number;
}

function pssOf(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** VmRSS and Pss of each of `pids`, with its name; vanished pids are skipped. */
export function rssOf(pids: readonly number[]): ProcessRss[] {
  const out: ProcessRss[] = [];
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!m) continue; // a zombie has no VmRSS
      out.push({ pid, name: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), rssKiB: Number(m[1]), pssKiB: pssOf(pid) });
    } catch {
      /* exited */
    }
  }
  return out;
}

/** CPU seconds of the process, summed over its threads' run time in /proc/PID/task/TID/schedstat
 *  (nanoseconds; /proc/PID/stat counts 10 ms ticks, too coarse for a parent at 1 ms/s). 0 once it exited. */
export function threadCpuSeconds(pid: number): number {
  let ns = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) ns += taskRunNs(pid, t);
  } catch {
    /* exited */
  }
  return ns / 1e9;
}

/** CPU seconds of the process's main thread alone (its task whose id is the pid): the rest of
 *  threadCpuSeconds is V8's and libuv's worker threads (concurrent marking, compilation). */
export function mainThreadCpuSeconds(pid: number): number {
  try {
    return taskRunNs(pid, String(pid)) / 1e9;
  } catch {
    return 0;
  }
}

/** Nanoseconds one task (thread) of `pid` has run, the first field of its schedstat. */
function taskRunNs(pid: number, tid: string): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
}

/** Voluntary + involuntary context switches summed over the process's threads. */
export function contextSwitches(pid: number): number {
  let sum = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const s = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
      sum += Number(/\nvoluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0);
    }
  } catch {
    /* exited */
  }
  return sum;
}
