/**
 * The VRRP child's memory-reducing collection (adapters/node/daemon/role-host.ts with
 * settled-collector.ts): once after start-up's state changes have been quiet for SETTLED_MS, again
 * after a reload, followed at once by one takeover rehearsal (the collection ages the takeover
 * path's bytecode); none once stopping. The collection itself is V8's (memory-reducing-gc.ts):
 * the last test runs the real one.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import type { Logger, Ports } from '../../actors/ports.js';
import type { KeepalivedConfig } from '../../config/index.js';
import { REHEARSALS_AT_FIRST, RoleHost, type RuntimeFactory } from '../../adapters/node/daemon/role-host.js';
import { GROWTH_BYTES, SETTLED_MS } from '../../adapters/node/daemon/settled-collector.js';
import { memoryReducingGc } from '../../adapters/node/memory-reducing-gc.js';
import { fakeRuntime } from '../helpers/fake-runtime.js';

const model = { vrrpInstances: [], virtualServers: [], globalDefs: {} } as unknown as KeepalivedConfig;

function rig() {
  const log: string[] = [];
  let heap = 50 * 1024 * 1024;
  const { runtime, emit } = fakeRuntime(() => {
    log.push(`rehearsal ${Date.now()}`);
    return [{ instance: 'VI_1', reached: 'MASTER', counters: {} }];
  });
  const memory = {
    heapBytes: () => heap,
    collect: () => {
      log.push(`collection ${Date.now()}`);
      heap -= 10 * 1024 * 1024;
      return Promise.resolve();
    },
  };
  const logger: Logger = { log: () => undefined };
  const factory: RuntimeFactory = { createPorts: () => ({ clock: {} }) as unknown as Ports, createRuntime: () => runtime };
  const h = new RoleHost('vrrp', factory, logger, { name: 'a', dumpDir: '/tmp', umask: 0o22, stopTimeoutMs: 100, memory });
  const stateChange = (instance: string) => emit({ type: 'instance.state', at: Date.now(), instance, from: 'BACKUP', to: 'MASTER', priority: 100, reason: 'test' });
  return { h, log, stateChange, grow: (n: number) => void (heap += n) };
}

describe('the VRRP child gives back start-up garbage once quiet', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it("after start-up, after a wave of state changes that grew the heap, after a reload: each followed by a rehearsal; none once stopping", async () => {
    const r = rig();
    const kinds = () => r.log.map((l) => l.split(' ')[0]);
    const at = (kind: string) => r.log.filter((l) => l.startsWith(kind)).map((l) => Number(l.split(' ')[1]));
    await r.h.start(model);
    await vi.advanceTimersByTimeAsync(REHEARSALS_AT_FIRST); // the first round
    r.log.length = 0;
    await vi.advanceTimersByTimeAsync(SETTLED_MS - REHEARSALS_AT_FIRST + 1);
    expect(kinds()).toEqual(['collection', 'rehearsal']); // start-up's own garbage
    expect(at('collection')).toEqual([SETTLED_MS]);
    expect(at('rehearsal')[0]! - SETTLED_MS).toBeLessThanOrEqual(1); // the next timer turn

    // The backups' Master_Down_Interval later, 1,000 takeovers; each restarts the wait.
    r.log.length = 0;
    await vi.advanceTimersByTimeAsync(3000 - SETTLED_MS - 1);
    r.grow(GROWTH_BYTES);
    for (let i = 0; i < 1000; i++) {
      r.stateChange(`VI_${i}`);
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(SETTLED_MS - 2);
    expect(r.log).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(kinds()).toEqual(['collection', 'rehearsal']);
    expect(at('collection')).toEqual([3000 + 999 + SETTLED_MS]);

    // A state change that left the heap as it was: nothing to give back.
    r.log.length = 0;
    r.stateChange('VI_1');
    await vi.advanceTimersByTimeAsync(2 * SETTLED_MS);
    expect(r.log).toEqual([]);

    r.grow(GROWTH_BYTES);
    r.h.reload(model);
    await vi.advanceTimersByTimeAsync(SETTLED_MS + 1);
    expect(kinds()).toEqual(['collection', 'rehearsal']);

    r.log.length = 0;
    r.grow(GROWTH_BYTES);
    r.stateChange('VI_1');
    await r.h.stop();
    await vi.advanceTimersByTimeAsync(10 * SETTLED_MS);
    expect(r.log).toEqual([]);
  });
});

describe("V8's memory-reducing collection", () => {
  it('answers, and gives back the pages of garbage that survived a scavenge', async () => {
    // Old-generation garbage: kept long enough to be promoted, then dropped.
    let keep: object[] | undefined = [];
    for (let i = 0; i < 600_000; i++) keep.push({ i, a: [i, i], s: `x${i}` });
    await new Promise((r) => setTimeout(r, 50));
    keep = undefined;
    const before = getHeapStatistics().total_heap_size;
    expect(await memoryReducingGc()).toBe(true);
    const after = getHeapStatistics().total_heap_size;
    expect(before - after).toBeGreaterThan(20 * 1024 * 1024);
  });
});
