/**
 * The memory-reducing collection once quiet (adapters/node/daemon/settled-collector.ts): SETTLED_MS
 * after the last sign of work, only when the committed heap grew by GROWTH_BYTES since the last
 * one, never while a takeover is due within CLEAR_MS, one at a time, none once closed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLEAR_MS, GROWTH_BYTES, SETTLED_MS, SettledCollector } from '../../adapters/node/daemon/settled-collector.js';

const MiB = 1024 * 1024;

function rig(opts: { takeoverIn?: () => number | undefined } = {}) {
  let heap = 30 * MiB;
  const runs: number[] = [];
  let finish: (() => void) | undefined;
  const c = new SettledCollector({
    heapBytes: () => heap,
    collect: () => {
      runs.push(Date.now());
      return new Promise<void>((resolve) => {
        finish = () => {
          heap = 20 * MiB; // what the collection gave back
          resolve();
        };
      });
    },
    takeoverDueWithin: (ms) => {
      const t = opts.takeoverIn?.();
      return t !== undefined && t <= ms ? t : undefined;
    },
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
  });
  return {
    c,
    runs,
    grow: (bytes: number) => void (heap += bytes),
    finish: async () => {
      finish?.();
      finish = undefined;
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

describe('the settled collector', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it('collects SETTLED_MS after the last sign of work, not before, and once', async () => {
    const r = rig();
    r.c.busy();
    vi.advanceTimersByTime(SETTLED_MS - 100);
    r.c.busy(); // a state change: the wait starts again
    vi.advanceTimersByTime(SETTLED_MS - 1);
    expect(r.runs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(r.runs).toEqual([2 * SETTLED_MS - 100]);
    await r.finish();
    vi.advanceTimersByTime(10 * SETTLED_MS);
    expect(r.runs).toEqual([2 * SETTLED_MS - 100]);
  });

  it('does not collect again until the heap has grown by GROWTH_BYTES since the last one', async () => {
    const r = rig();
    r.c.busy();
    vi.advanceTimersByTime(SETTLED_MS);
    await r.finish();
    r.grow(GROWTH_BYTES - 1);
    r.c.busy();
    vi.advanceTimersByTime(SETTLED_MS);
    expect(r.runs).toHaveLength(1);
    r.grow(1);
    r.c.busy();
    vi.advanceTimersByTime(SETTLED_MS);
    expect(r.runs).toHaveLength(2);
  });

  it('holds back while a takeover is due within CLEAR_MS and tries again CLEAR_MS after it', () => {
    let dueAt: number | undefined = SETTLED_MS + 100;
    const r = rig({ takeoverIn: () => (dueAt === undefined ? undefined : dueAt - Date.now()) });
    r.c.busy();
    vi.advanceTimersByTime(SETTLED_MS);
    expect(r.runs).toEqual([]);
    dueAt = undefined; // the takeover happened (or the timer was restarted)
    vi.advanceTimersByTime(100 + CLEAR_MS - 1);
    expect(r.runs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(r.runs).toEqual([SETTLED_MS + 100 + CLEAR_MS]);
  });

  it('runs one at a time: work during a collection is looked at once it is over', async () => {
    const r = rig();
    r.c.busy();
    vi.advanceTimersByTime(SETTLED_MS);
    expect(r.runs).toHaveLength(1);
    r.c.busy();
    r.grow(100 * MiB);
    vi.advanceTimersByTime(SETTLED_MS);
    expect(r.runs).toHaveLength(1); // still running: waits again
    await r.finish();
    r.grow(GROWTH_BYTES);
    vi.advanceTimersByTime(SETTLED_MS);
    expect(r.runs).toHaveLength(2);
  });

  it('does nothing once closed', () => {
    const r = rig();
    r.c.busy();
    r.c.close();
    r.c.busy();
    vi.advanceTimersByTime(10 * SETTLED_MS);
    expect(r.runs).toEqual([]);
  });
});
