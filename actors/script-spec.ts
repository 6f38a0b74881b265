/**
 * The ScriptSpec for one run of a vrrp_script or notify script: the script's own user, else
 * global_defs script_user, and `secure` when enable_script_security is set (the port refuses an
 * unsafe script in keepalived's words, see ports.ts ScriptSpec.secure).
 */
import type { ScriptSpec } from './ports.js';
import type { ScriptPolicy } from './io-env.js';

export function scriptSpec(
  policy: ScriptPolicy | undefined,
  s: { argv: string[]; timeoutMs: number; user?: string | undefined; group?: string | undefined },
): ScriptSpec {
  const user = s.user ?? policy?.user;
  const group = s.user !== undefined ? s.group : policy?.group;
  return {
    argv: s.argv,
    timeoutMs: s.timeoutMs,
    ...(user !== undefined ? { user } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(policy?.secure ? { secure: true } : {}),
  };
}
