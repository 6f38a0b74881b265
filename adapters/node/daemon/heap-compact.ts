/**
 * One full garbage collection of this process's heap, for the parent after start-up and after
 * each reload.
 *
 * Compiling keepalived.conf allocates several times the model's size (text, tokens, tree, model,
 * the bytes for the children), and the parent is idle afterwards: it allocates so little that V8
 * runs no collection for minutes, so the garbage of compiling 1,000 instances stayed in its RSS
 * (about 8 MiB at the 10 s mark of bench/memory-daemon.ts, docs/benchmarks.md "Memory: the
 * parent"). V8's `gc` function comes from ../v8-gc.ts, which leaves this process's own global
 * without one. A collection of the parent's heap (about 10 MiB) takes a few milliseconds. The
 * parent runs V8's memory-reducing one (reduceMemory), which also gives back the emptied pages.
 */
import { setFlagsFromString } from 'node:v8';
import { v8Gc } from '../v8-gc.js';
import { memoryReducingGc } from '../memory-reducing-gc.js';

/**
 * Flags that keep this process's heap small from now on, for the daemon's parent (`check` and
 * `sim` keep V8's defaults). The children get theirs on the command line (child-node-flags.ts);
 * the parent is started by the operator, so it sets what V8 still reads while running:
 *
 *  - `--optimize-for-size`: V8 grows the old generation in smaller steps;
 *  - `--semi-space-growth-factor=1`: the young generation stays at its initial size (V8 reports
 *    1 MiB) while the parent compiles a large configuration, where V8's defaults grow it to
 *    16 MiB (a bare node keeping a third of 300,000 small objects). V8 reads the factor each time
 *    it would grow the young generation; `--max-semi-space-size` set at run time changes nothing.
 *    A full collection does not shrink a grown young generation, only the memory reducer does,
 *    about 8 s later: until then the parent's V8 pages took 15.3-15.5 MiB of RSS at 1,000
 *    instances, against 7.0-8.8 MiB with the factor at 1 (at the footprint bench's window start;
 *    docs/benchmarks.md, "The parent's young generation and the VRRP child's malloc arenas");
 *  - `--memory-reducer-single-gc` (also read each time): the memory reducer runs one collection
 *    8 s after collectGarbage's, not two or three, in a parent that is idle and whose heap the
 *    first one already left at its live size.
 */
export function optimizeForSize(): void {
  setFlagsFromString('--optimize-for-size');
  setFlagsFromString('--memory-reducer-single-gc');
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Runs one full collection; false when this node cannot (then V8 collects when it will). */
export function collectGarbage(): boolean {
  const gc = v8Gc();
  if (!gc) return false;
  gc();
  return true;
}

/**
 * V8's memory-reducing collection (../memory-reducing-gc.ts), which also gives back the pages the
 * collection empties (a plain collection leaves them to V8's memory reducer, 8 s later); a plain
 * one where node has no inspector. Resolves once it has run.
 */
export async function reduceMemory(): Promise<void> {
  if (!(await memoryReducingGc())) collectGarbage();
}

/**
 * A collection `delayMs` after the last call (several children becoming ready, or a reload and
 * its children's answers, make one collection). The timer never keeps the process alive.
 */
export function debouncedCollector(delayMs: number, collectNow: () => unknown = collectGarbage): { soon(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    soon() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        collectNow();
      }, delayMs);
      timer.unref();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
