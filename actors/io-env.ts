/**
 * What the shared I/O actors (tracker probes in actors/track-io.ts, notify jobs in
 * actors/notify-io.ts) get in their input as `env`: the runtime's ports and its script policy.
 * The machines that invoke them pass `env` through without reading it, so one process-wide
 * logic serves every runtime (the simulator runs thousands) and no actor looks its runtime up.
 */
import type { Ports } from './ports.js';

/** Global script settings (read at each run, so a reload applies them). */
export interface ScriptPolicy {
  /** enable_script_security */
  secure: boolean;
  /** script_user: who scripts without their own user run as. */
  user?: string;
  group?: string;
}

export interface IoEnv {
  ports: Ports;
  scriptPolicy: () => ScriptPolicy | undefined;
  /** A configured VIP (read at each call, so a reload applies): not one of an interface's own addresses. */
  isVirtualAddress?: (address: string) => boolean;
}

/** The env an I/O actor was given, or a clear error naming the actor that was spawned without it. */
export function ioEnv(input: { env?: unknown }, who: string): IoEnv {
  const env = input.env as IoEnv | undefined;
  if (!env?.ports) throw new Error(`${who}: spawned without its I/O env (compose it through actors/)`);
  return env;
}
