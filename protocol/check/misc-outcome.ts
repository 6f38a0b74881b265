/**
 * What one MISC_CHECK run means (keepalived 2.2.7 check_misc.c misc_check_child_thread): exit 0
 * passes; with misc_dynamic 2..255 passes with weight status − 2 and 1 fails; without it any other
 * status fails; a signal or a timeout fails. Messages are keepalived's ("exited with status N",
 * "due to signal N", "timed out"). Shared by the daemon's prober and the simulator's.
 */
import type { ProbeOutcome } from '../../actors/lvs/prober-port.js';
import type { ScriptResult } from '../../actors/ports.js';

/** `signalNumber` maps a signal name to its number (the daemon asks the OS, the simulator Linux's table). */
export function miscOutcome(r: ScriptResult, dynamic: boolean, signalNumber: (name: string) => number | undefined): ProbeOutcome {
  if (r.error !== undefined) return { ok: false, failure: 'exit-status', message: 'failed to run', detail: r.error };
  if (r.timedOut) return { ok: false, failure: 'timeout', message: 'timed out' };
  if (r.exitCode === null) {
    const n = r.signal ? signalNumber(r.signal) : undefined;
    return { ok: false, failure: 'signal', message: `due to signal ${n ?? r.signal ?? '?'}`, ...(r.signal !== undefined ? { detail: r.signal } : {}) };
  }
  if (r.exitCode === 0) return { ok: true };
  if (dynamic && r.exitCode >= 2 && r.exitCode <= 255) return { ok: true, weight: r.exitCode - 2, detail: `exited with status ${r.exitCode}` };
  return { ok: false, failure: 'exit-status', message: `exited with status ${r.exitCode}`, exitStatus: r.exitCode };
}
