/**
 * The ProcessMonitor port on a simulated host (track_process): the host's process table is a
 * map "command line → how many run", set by the scenario (`processes:`) and by "process"
 * faults; watchers hear the matching count at once and on every change.
 *
 * Matching follows keepalived's rules: the process name is the first word of the command line
 * (its base name unless `full_command`), and the parameters match exactly, as a prefix
 * (`initial`) or as a contiguous run anywhere (`partial`).
 */
import type { ProcessMatchSpec, ProcessMonitor } from '../../actors/ports.js';
import type { DaemonProcess, Host } from '../host/host.js';

function matches(commandLine: string, m: ProcessMatchSpec): boolean {
  const [exe = '', ...args] = commandLine.trim().split(/\s+/);
  const name = m.fullCommand ? exe : exe.slice(exe.lastIndexOf('/') + 1);
  if (name !== m.process) return false;
  if (m.params.length === 0) return m.noParams !== true || args.length === 0;
  const p = m.params;
  if (m.paramMatch === 'exact') return args.length === p.length && p.every((x, i) => args[i] === x);
  if (m.paramMatch === 'initial') return p.every((x, i) => args[i] === x);
  for (let i = 0; i + p.length <= args.length; i++) if (p.every((x, j) => args[i + j] === x)) return true;
  return false;
}

export function countProcesses(host: Host, m: ProcessMatchSpec): number {
  let n = 0;
  for (const [cmd, count] of host.processes) if (matches(cmd, m)) n += count;
  return n;
}

export class SimProcessMonitor implements ProcessMonitor {
  constructor(
    private readonly host: Host,
    private readonly proc: DaemonProcess,
  ) {}

  watch(match: ProcessMatchSpec, onCount: (count: number) => void): () => void {
    let last = -1;
    const report = () => {
      const n = countProcesses(this.host, match);
      if (n !== last) {
        last = n;
        onCount(n);
      }
    };
    this.proc.processWatchers.add(report);
    this.host.cpu.schedule(report, 0, this.proc.life);
    return () => this.proc.processWatchers.delete(report);
  }
}
