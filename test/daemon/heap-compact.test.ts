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
