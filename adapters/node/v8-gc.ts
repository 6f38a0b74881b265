/**
 * V8's `gc` function, for the two places the daemon asks V8 for a collection: the parent's full
 * collection after start-up and reloads (daemon/heap-compact.ts) and the VRRP child's scavenge
 * before a takeover (young-generation.ts).
 *
 * Node offers no API for a collection without `--expose-gc` on the command line. The flag is
 * turned on only while one new vm context is made (the only place the `gc` function then
 * appears), and off again, so this process's own global has no `gc`. A node started with
 * `--expose-gc` already has one: that one is used. Looked up once; null where it cannot be had.
 *
 * In node 20 (V8 11.3), `gc()` runs a full collection and `gc({ type: 'minor' })` a scavenge;
 * any other options object also runs a scavenge (docs/benchmarks.md, "V8's memory reducer moved
 * between the adverts").
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type V8Gc = (options?: { type: 'minor' }) => void;

let found: V8Gc | null | undefined;

export function v8Gc(): V8Gc | null {
  if (found !== undefined) return found;
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return (found = own as V8Gc);
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    found = typeof gc === 'function' ? (gc as V8Gc) : null;
  } catch {
    found = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return found;
}
