/**
 * The parent's one garbage collection after start-up and reloads (adapters/node/daemon/heap-compact.ts):
 * it really collects, without --expose-gc, leaves no `gc` behind, and is debounced.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectGarbage, debouncedCollector } from '../../adapters/node/daemon/heap-compact.js';
import { TSX_EXEC_ARGV } from './fixtures/harness.js';

describe('parent heap compaction', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects an object nothing refers to any more', async () => {
    let garbage: object | null = { big: new Array(1000).fill('x') };
    const ref = new WeakRef(garbage);
    garbage = null;
    await new Promise((r) => setTimeout(r, 0)); // a WeakRef target lives until the end of its job
    expect(collectGarbage()).toBe(true);
    expect(ref.deref()).toBeUndefined();
  });

  it('works in a node started without --expose-gc, and leaves no gc function in any context', () => {
    const script = `
      import { runInNewContext } from 'node:vm';
      const { collectGarbage } = await import(${JSON.stringify(new URL('../../adapters/node/daemon/heap-compact.ts', import.meta.url).href)});
      let junk = Array.from({ length: 200000 }, (_, i) => ({ i }));
      const before = process.memoryUsage().heapUsed;
      junk = null;
      const ok = collectGarbage();
      const after = process.memoryUsage().heapUsed;
      process.stdout.write(JSON.stringify({ ok, freedMiB: Math.round((before - after) / 1048576), own: typeof globalThis.gc, fresh: runInNewContext('typeof gc') }));`;
    const r = spawnSync(process.execPath, [...TSX_EXEC_ARGV, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { ok: boolean; freedMiB: number; own: string; fresh: string };
    expect(out).toMatchObject({ ok: true, own: 'undefined', fresh: 'undefined' });
    expect(out.freedMiB).toBeGreaterThanOrEqual(5);
  });

  it("optimizeForSize keeps the young generation at its initial size while a process builds something large", () => {
    // What compiling 1,000 instances does to the parent: many objects that survive their first
    // collections. With V8's defaults the young generation grows to several MiB (and only the
    // memory reducer, seconds later, shrinks it); after optimizeForSize it stays where it started.
    const script = (optimize: boolean): string => `
      import { getHeapSpaceStatistics } from 'node:v8';
      const { optimizeForSize } = await import(${JSON.stringify(new URL('../../adapters/node/daemon/heap-compact.ts', import.meta.url).href)});
      const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      const initial = newSpace();
      if (${optimize}) optimizeForSize();
      const kept = [];
      for (let i = 0; i < 300000; i++) { const o = { i, name: 'VI_' + i, vips: [i, i + 1] }; if (i % 3 === 0) kept.push(o); }
      process.stdout.write(JSON.stringify({ initialMiB: initial / 1048576, grownMiB: newSpace() / 1048576, kept: kept.length }));`;
    const run = (optimize: boolean): { initialMiB: number; grownMiB: number } => {
      const r = spawnSync(process.execPath, [...TSX_EXEC_ARGV, '--input-type=module', '-e', script(optimize)], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { initialMiB: number; grownMiB: number };
    };
    const defaults = run(false);
    const optimized = run(true);
    expect(defaults.grownMiB).toBeGreaterThanOrEqual(4 * defaults.initialMiB);
    expect(optimized.grownMiB).toBeLessThanOrEqual(2 * optimized.initialMiB);
  });

  it('one collection for a burst of requests, after the last one; cancel drops it', () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const c = debouncedCollector(1000, () => runs.push(Date.now()));
    c.soon();
    vi.advanceTimersByTime(600);
    c.soon();
    vi.advanceTimersByTime(999);
    expect(runs).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(runs).toHaveLength(1);
    c.soon();
    c.cancel();
    vi.advanceTimersByTime(5000);
    expect(runs).toHaveLength(1);
  });
});
