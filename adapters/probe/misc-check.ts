/**
 * MISC_CHECK: runs misc_path through the ScriptRunner port (its own process group, stdio on
 * /dev/null, as `user` or global script_user, refused by enable_script_security when unsafe:
 * exactly as vrrp_script checks). The attempt's deadline is misc_timeout (default: delay_loop,
 * chosen by the caller); at the deadline the runner sends SIGTERM to the group and SIGKILL 2 s
 * later, as keepalived does, while the outcome "timed out" is reported at once.
 *
 * Exit 0 = success. With misc_dynamic, 2..255 = success with weight status − 2, 1 = failure;
 * without it, any non-zero status fails. Messages are keepalived's: "exited with status N",
 * "due to signal N", "timed out".
 */
import { constants } from 'node:os';
import type { ProbeRequest } from '../../actors/lvs/prober-port.js';
import type { ScriptRunner } from '../../actors/ports.js';
import { scriptSpec } from '../../actors/script-spec.js';
import type { ScriptPolicy } from '../../actors/io-env.js';
import { miscOutcome } from '../../protocol/check/misc-outcome.js';
import { failure, type Attempt } from './attempt.js';

export interface MiscProbeDeps {
  scripts: ScriptRunner;
  /** enable_script_security and script_user, read at each run (a reload applies them). */
  scriptPolicy?: (() => ScriptPolicy) | undefined;
}

/** A signal's number on this system (SIGTERM → 15). */
const signalNumber = (name: string): number | undefined => (constants.signals as Record<string, number>)[name];

export function probeMisc(req: ProbeRequest, deps: MiscProbeDeps, a: Attempt): void {
  const misc = req.checker.misc;
  const command = misc?.command;
  if (!command?.argv.length) return a.fail('local-error', 'MISC_CHECK has no misc_path');
  a.onDeadline = () => failure('timeout', 'timed out', `still running after ${req.timeoutMs} ms`);
  const spec = scriptSpec(req.scriptPolicy ?? deps.scriptPolicy?.(), { argv: command.argv, timeoutMs: req.timeoutMs, user: command.user, group: command.group });
  const run = deps.scripts.run(spec, (r) => a.finish(miscOutcome(r, misc?.dynamic ?? false, signalNumber)));
  // At the deadline the runner's own timer terminates the script (SIGTERM, then SIGKILL);
  // a cancelled probe kills it at once.
  a.onEnd(() => {
    if (a.endedBy === 'cancel') run.cancel();
  });
}
