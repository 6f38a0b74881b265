/**
 * The daemon's Clock (adapters/node/clock.ts): setPreciseTimeout never fires before its time,
 * never synchronously, and clearTimeout cancels it in any of its waits (a long wait's first Node
 * timer, the short Node timer, then the setImmediate turns of the last millisecond). How late it
 * fires is a bench figure (bench/daemon-vs-keepalived.bench.ts, failover), not asserted here.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createNodeClock } from '../../adapters/node/clock.js';

const clock = createNodeClock();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('node clock: setPreciseTimeout', () => {
  it('fires once, never before the fractional due time', async () => {
    for (const ms of [0, 0.4, 1, 2.5, 7.3, 64.5]) {
      const start = performance.now();
      const fired: number[] = [];
      clock.setPreciseTimeout!(() => fired.push(performance.now()), ms);
      expect(fired).toEqual([]); // not synchronously, even for 0
      await sleep(ms + 30);
      expect(fired).toHaveLength(1);
      expect(fired[0]! - start).toBeGreaterThanOrEqual(ms);
    }
  });

  it('clearTimeout cancels it while the Node timer waits and while the last millisecond spins', async () => {
    let fired = 0;
    const long = clock.setPreciseTimeout!(() => fired++, 20);
    await sleep(5);
    clock.clearTimeout(long);
    const short = clock.setPreciseTimeout!(() => fired++, 0.8); // straight to the setImmediate turns
    clock.clearTimeout(short);
    const longer = clock.setPreciseTimeout!(() => fired++, 200); // its first Node timer runs to 194 ms
    await sleep(20);
    clock.clearTimeout(longer);
    await sleep(40);
    expect(fired).toBe(0);
  });

  it('clearTimeout still clears plain timeouts', async () => {
    let fired = 0;
    const t = clock.setTimeout(() => fired++, 1);
    clock.clearTimeout(t);
    await sleep(10);
    expect(fired).toBe(0);
  });
});
