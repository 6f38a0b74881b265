/**
 * vrrp_track_process matching over what /proc says about one process, with keepalived 2.2.7's
 * rules (vrrp_track_process.c, vrrp_parser.c):
 *
 * - Without parameters, `param_match` or `full_command`, the name is compared with the process
 *   name (/proc/PID/comm), whole. The kernel keeps only 15 bytes of a process name, so a longer
 *   configured name never matches: keepalived 2.2.7 does not truncate it either (checked against
 *   /usr/sbin/keepalived: `process` with the 15-byte name counts the process, with the full
 *   19-byte name or a 16-byte prefix it counts 0). Use `full_command` for long names.
 * - Otherwise (any of the three) the name is compared with argv[0] from /proc/PID/cmdline, and
 *   the parameters (if any, if param_match is initial/partial, or with a bare `param_match`, which
 *   asks for no parameters at all) with the rest of the command line:
 *     exact    every parameter equal, no more and no fewer;
 *     partial  the configured parameters are the first N parameters of the process;
 *     initial  like partial, but the last configured parameter may be a prefix of the process's.
 * Comparisons are byte for byte, never regular expressions (pgrep "^name$", not pgrep "name").
 */
import type { ProcessMatchSpec } from '../../actors/ports.js';

/** Bytes the kernel keeps of a process name (TASK_COMM_LEN − 1); longer names cannot match. */
export const COMM_MAX_BYTES = 15;

export interface CompiledProcessMatch {
  /** True when the command line (not the process name) is compared. */
  readonly onCmdline: boolean;
  /** Bytes of /proc/PID/cmdline that decide a match; reading more never changes the answer. */
  readonly cmdlineBytesNeeded: number;
  /** `comm` is the process name as /proc/PID/stat gives it (no newline). */
  matchComm(comm: Uint8Array): boolean;
  /** `cmdline` is /proc/PID/cmdline, or its first `cmdlineBytesNeeded` bytes (or more). */
  matchCmdline(cmdline: Uint8Array): boolean;
}

const NUL = 0;

function equalBytes(a: Uint8Array, b: Uint8Array, length = Math.max(a.length, b.length)): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Parameters as keepalived stores them: each one followed by a NUL. */
function joinParams(params: readonly string[]): Buffer {
  return Buffer.concat(params.map((p) => Buffer.concat([Buffer.from(p, 'utf8'), Buffer.of(NUL)])));
}

/** keepalived's check_params over the bytes after argv[0]'s NUL. */
function paramsMatch(mode: ProcessMatchSpec['paramMatch'], wanted: Buffer, rest: Uint8Array): boolean {
  if (rest.length < wanted.length) return false;
  if (mode === 'exact') return rest.length === wanted.length && equalBytes(rest, wanted);
  if (wanted.length === 0) return true;
  if (mode === 'partial') return equalBytes(rest, wanted, wanted.length);
  // initial: the last parameter's terminating NUL is not compared.
  return wanted.length === 1 || equalBytes(rest, wanted, wanted.length - 1);
}

export function compileProcessMatch(spec: ProcessMatchSpec): CompiledProcessMatch {
  const checkParams = spec.params.length > 0 || spec.paramMatch !== 'exact' || spec.noParams === true;
  const onCmdline = spec.fullCommand || checkParams;
  const name = Buffer.from(spec.process, 'utf8');
  const wanted = joinParams(spec.params);
  return {
    onCmdline,
    // argv[0], its NUL, the parameters, and one byte more to see that there are more.
    cmdlineBytesNeeded: name.length + 1 + wanted.length + 1,
    matchComm: (comm) => !onCmdline && equalBytes(comm, name),
    matchCmdline(cmdline) {
      if (!onCmdline) return false;
      const end = cmdline.indexOf(NUL);
      const argv0 = end < 0 ? cmdline : cmdline.subarray(0, end);
      if (!equalBytes(argv0, name)) return false;
      if (!checkParams) return true;
      return paramsMatch(spec.paramMatch, wanted, end < 0 ? new Uint8Array(0) : cmdline.subarray(end + 1));
    },
  };
}

/** The parts of /proc/PID/stat we use; `undefined` when the text is not a stat line. */
export interface ProcStat {
  comm: Buffer;
  /** R, S, D, Z (zombie), X (dead), … */
  state: string;
  /**
   * Changes when the PID is reused or the process calls execve(2): start time plus the addresses
   * of the code and the stack (randomised by every exec when ASLR is on; shown as 0 to readers
   * not allowed to ptrace the process, which leaves start time and name). Computed on demand.
   */
  identity(): string;
}

const SPACE = 0x20;

/** Fields `first`..`last` (proc(5) numbering, ≥ 3) of the text after the name, joined by spaces. */
function statFields(stat: Buffer, afterName: number, wanted: readonly number[]): string {
  const out: string[] = [];
  let field = 3;
  let start = afterName;
  for (let i = afterName; i <= stat.length && out.length < wanted.length; i++) {
    if (i < stat.length && stat[i] !== SPACE && stat[i] !== 0x0a) continue;
    if (wanted.includes(field)) out.push(stat.toString('latin1', start, i));
    field++;
    start = i + 1;
  }
  return out.join(' ');
}

export function parseProcStat(stat: Buffer): ProcStat | undefined {
  // "PID (comm) S ppid …": comm may hold spaces and parentheses, so cut at the last ')'.
  const open = stat.indexOf(0x28);
  const close = stat.lastIndexOf(0x29);
  if (open < 0 || close < open || stat[close + 1] !== SPACE || close + 2 >= stat.length) return undefined;
  const stateByte = stat[close + 2];
  const after = stat[close + 3];
  if (stateByte === undefined || (after !== undefined && after !== SPACE && after !== 0x0a)) return undefined;
  const comm = stat.subarray(open + 1, close);
  return {
    comm,
    state: String.fromCharCode(stateByte),
    // proc(5): 22 starttime, 26 startcode, 28 startstack.
    identity: () => `${statFields(stat, close + 2, [22, 26, 28])} ${comm.toString('latin1')}`,
  };
}
