/**
 * What the I/O actors of one runtime use (its ports and packet/address glue), bound to that
 * runtime's actor system. The machines are provided with those actors once per process, because
 * `machine.provide()` rebuilds a whole statechart (about a millisecond for the instance machine),
 * and a simulated cluster starts thousands of runtimes; each actor finds its runtime here.
 */
import type { ActorSystem } from 'xstate';
import type { InstanceIoDeps } from './vrrp/instance-io.js';
import type { Ports } from './ports.js';

/** Global script settings (read at each run, so a reload applies them). */
export interface ScriptPolicy {
  /** enable_script_security */
  secure: boolean;
  /** script_user: who scripts without their own user run as. */
  user?: string;
  group?: string;
}

export interface RuntimeDeps {
  ports: Ports;
  instanceIo: InstanceIoDeps;
  scriptPolicy?: () => ScriptPolicy;
}

type AnyActorSystem = ActorSystem<any>;

const bySystem = new WeakMap<AnyActorSystem, RuntimeDeps>();

/** Call between createActor(root) and root.start(). */
export function bindRuntimeDeps(system: AnyActorSystem, deps: RuntimeDeps): void {
  bySystem.set(system, deps);
}

export function runtimeDeps(system: AnyActorSystem): RuntimeDeps {
  const deps = bySystem.get(system);
  if (!deps) throw new Error('actor system without a runtime (bindRuntimeDeps was not called)');
  return deps;
}
