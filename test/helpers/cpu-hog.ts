/**
 * A CPU taken away from a thread pinned to it, as a virtual machine's host takes a vCPU: a busy
 * loop at SCHED_FIFO priority 2 (above the addon's senders at 1) pinned to that CPU, which ends
 * itself after `ms` (root only: chrt). And the addon's sending threads of a process, with the CPUs
 * each may run on.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Holds `cpu` for `ms` (the loop bounds itself); resolves when the loop has ended. */
export function hogCpu(cpu: string, ms: number): Promise<void> {
  const loop = `e=$(( \${EPOCHREALTIME/./} + ${Math.round(ms * 1000)} )); while (( \${EPOCHREALTIME/./} < e )); do :; done`;
  const child = spawn('chrt', ['-f', '2', 'taskset', '-c', cpu, 'bash', '-c', loop], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => child.kill('SIGKILL'), ms + 5_000); // by pid: our own child only
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      if (code === 0) resolve();
      else reject(new Error(`CPU hog exited with ${code}`));
    });
  });
}

/** The CPU list in a /proc status file (`Cpus_allowed_list`), '' when it has none. */
function cpusAllowed(statusFile: string): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(statusFile, 'utf8'))?.[1] ?? '';
}

/** The addon's sending threads of process `pid` (advert-backstop, advert-cover): name → CPU list. */
export function senderThreads(pid: number | 'self' = 'self'): Map<string, string> {
  const out = new Map<string, string>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      if (!comm.startsWith('advert-')) continue;
      out.set(comm, cpusAllowed(`/proc/${pid}/task/${tid}/status`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** The CPUs this process may use (its main thread's list). */
export function processCpus(pid: number | 'self' = 'self'): string {
  return cpusAllowed(`/proc/${pid}/status`);
}
