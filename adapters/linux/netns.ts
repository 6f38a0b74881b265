/**
 * Network namespaces for keepalived's `net_namespace`: sockets are bound to the namespace of the
 * thread that creates them, so every socket the adapters open is created inside `inNetns`, which
 * moves Node's main thread into the namespace for the duration of a synchronous callback and
 * back again. Child processes spawned inside the callback start in the namespace too.
 */
import { closeSync, openSync } from 'node:fs';
import { CLONE_NEWNET } from './constants.js';
import { netio } from './native.js';

/** `/run/netns/NAME` for a bare name (as `ip netns add NAME` creates it); a path is used as is. */
export function netnsPath(name: string): string {
  return name.includes('/') ? name : `/run/netns/${name}`;
}

/**
 * Run `fn` with the calling thread inside network namespace `name` (no-op when undefined).
 * `fn` must be synchronous: the thread returns to its own namespace as soon as `fn` returns.
 */
export function inNetns<T>(name: string | undefined, fn: () => T): T {
  if (name === undefined || name === '') return fn();
  const io = netio();
  const home = openSync('/proc/thread-self/ns/net', 'r');
  let target: number;
  try {
    target = openSync(netnsPath(name), 'r');
  } catch {
    closeSync(home);
    throw new Error(`network namespace "${name}" not found (${netnsPath(name)})`);
  }
  try {
    io.setns(target, CLONE_NEWNET);
    try {
      return fn();
    } finally {
      io.setns(home, CLONE_NEWNET);
    }
  } finally {
    closeSync(target);
    closeSync(home);
  }
}
