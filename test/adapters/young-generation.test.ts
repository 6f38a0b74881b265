/**
 * The daemon's scavenge before a takeover (adapters/node/young-generation.ts): one scavenge per
 * call, none within the gap, and no `gc` left in the global scope. V8 reports each collection
 * to a PerformanceObserver with its start time, so a call is known to have collected when a
 * minor collection started between the times read before and after it.
 */
import { constants, PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { youngGenerationCollector } from '../../adapters/node/young-generation.js';

/** Minor collections V8 reported, as their start times. */
async function minorCollectionsDuring(run: () => Array<[number, number]>): Promise<{ spans: Array<[number, number]>; starts: number[] }> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  try {
    const spans = run();
    // The observer is told after the collection, on a later turn of the event loop.
    await new Promise((r) => setTimeout(r, 100));
    const minor = entries.filter((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR);
    return { spans, starts: minor.map((e) => e.startTime) };
  } finally {
    observer.disconnect();
  }
}

const within = (starts: number[], [from, to]: [number, number]) => starts.filter((t) => t >= from && t <= to).length;

describe('youngGenerationCollector', () => {
  it('scavenges once per call, and not again within the gap', async () => {
    let now = 1_000;
    const collect = youngGenerationCollector(() => now, 100);
    const timed = (): [number, number] => {
      const from = performance.now();
      collect();
      return [from, performance.now()];
    };
    const { spans, starts } = await minorCollectionsDuring(() => {
      const first = timed();
      now += 50; // within the gap
      const second = timed();
      now += 60; // after it
      const third = timed();
      return [first, second, third];
    });
    expect(spans.map((s) => within(starts, s))).toEqual([1, 0, 1]);
  });

  it('takes V8 gc from a context of its own: none in the global scope', () => {
    youngGenerationCollector(() => 0)();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
