/**
 * The ProcessMonitor port on a simulated host (track_process): the host's process table is a
 * map "command line → how many run", set by the scenario (`processes:`) and by "process"
 * faults; watchers hear the matching count at once and on every change.
 *
 * Matching follows keepalived 2.2.7's rules, as the Linux adapter (adapters/linux/proc-match.ts)
 * applies them: the process name is the first word of the command line (its base name unless
 * `full_command`); the parameters match exactly (`exact`, and a bare `param_match` asks for none),
 * as the process's first parameters (`partial`), or so with the last one only a prefix of the
 * process's parameter at that place (`initial`). keepalived's source names the two the other way
 * round in a comment; what it does is this.
 */
import type { ProcessMatchSpec, ProcessMonitor } from '../../actors/ports.js';
import type { DaemonProcess, Host } from '../host/host.js';

function matches(commandLine: string, m: ProcessMatchSpec): boolean {
  const [exe = '', ...args] = commandLine.trim().split(/\s+/);
  const name = m.fullCommand ? exe : exe.slice(exe.lastIndexOf('/') + 1);
  if (name !== m.process) return false;
  if (m.params.length === 0) return m.noParams !== true || args.length === 0;
  const p = m.params;
  if (args.length < p.length) return false;
  if (m.paramMatch === 'exact') return args.length === p.length && p.every((x, i) => args[i] === x);
  if (m.paramMatch === 'partial') return p.every((x, i) => args[i] === x);
  const last = p.length - 1;
  return p.every((x, i) => (i === last ? args[i]!.startsWith(x) : args[i] === x));
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
