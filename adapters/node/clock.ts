/** The Clock port on Node: real timers, a monotonic reading from performance.now(). */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../actors/ports.js';

export function createNodeClock(): Clock {
  return {
    setTimeout: (fn, timeoutMs) => setTimeout(fn, timeoutMs),
    clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
    now: () => performance.now(),
    wallNow: () => Date.now(),
  };
}
