/**
 * The VRRP child's takeover rehearsals (adapters/node/daemon/role-host.ts): a round of
 * REHEARSALS_AT_FIRST one second after start, one per timer callback, then one a minute, none in
 * the checker child, none once stopping, none while the clock has a takeover due
 * (Clock.preciseDueWithin); a rehearsal that does not reach MASTER is logged as the bug it is.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger, Ports } from '../../actors/ports.js';
import type { RehearsalResult } from '../../actors/runtime-types.js';
import type { KeepalivedConfig } from '../../config/index.js';
import { FIRST_REHEARSAL_MS, REHEARSAL_CLEAR_MS, REHEARSAL_EVERY_MS, REHEARSALS_AT_FIRST, RoleHost, type RuntimeFactory } from '../../adapters/node/daemon/role-host.js';
import type { ChildRole } from '../../adapters/node/daemon/ipc.js';
import { fakeRuntime } from '../helpers/fake-runtime.js';

const model = { vrrpInstances: [], virtualServers: [], globalDefs: {} } as unknown as KeepalivedConfig;

function host(role: ChildRole, result: () => RehearsalResult[], clock: Partial<Ports['clock']> = {}) {
  const lines: string[] = [];
  const logger: Logger = { log: (level, message) => void lines.push(`${level} ${message}`) };
  let calls = 0;
  const { runtime } = fakeRuntime(() => {
    calls++;
    return result();
  });
  const factory: RuntimeFactory = { createPorts: () => ({ clock }) as unknown as Ports, createRuntime: () => runtime };
  // No memory-reducing collection here (role-host-collection.test.ts has them).
  const memory = { heapBytes: () => 0, collect: () => Promise.resolve() };
  const h = new RoleHost(role, factory, logger, { name: 'a', dumpDir: '/tmp', umask: 0o22, stopTimeoutMs: 100, memory });
  return { h, lines, calls: () => calls };
}

const ok = (): RehearsalResult[] => [{ instance: 'VI_1', reached: 'MASTER', counters: {} }];

describe('takeover rehearsals in the daemon', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('a round on the first timer turn after start (not inside it), then one a minute, and none once stopping', async () => {
    const { h, lines, calls } = host('vrrp', ok);
    await h.start(model);
    expect(calls()).toBe(0);
    // Right away: a VRRPv3 backup can have to take over a few hundred milliseconds after start.
    vi.advanceTimersByTime(0);
    expect(calls()).toBe(1);
    vi.advanceTimersByTime(REHEARSALS_AT_FIRST);
    expect(calls()).toBe(REHEARSALS_AT_FIRST);
    vi.advanceTimersByTime(REHEARSAL_EVERY_MS);
    expect(calls()).toBe(REHEARSALS_AT_FIRST + 1);
    vi.advanceTimersByTime(2 * REHEARSAL_EVERY_MS);
    expect(calls()).toBe(REHEARSALS_AT_FIRST + 3);
    await h.stop();
    vi.advanceTimersByTime(5 * REHEARSAL_EVERY_MS);
    expect(calls()).toBe(REHEARSALS_AT_FIRST + 3);
    expect(lines.filter((l) => l.includes('rehearsal'))).toEqual([]);
  });

  it('each rehearsal of the round is a timer callback of its own: a timer due meanwhile runs before the next', async () => {
    let calls = 0;
    let expiryRanAfter = -1;
    const { h } = host('vrrp', () => {
      // The first rehearsal stands in for a loop held while a Master_Down_Timer comes due.
      if (++calls === 1) setTimeout(() => (expiryRanAfter = calls), 0);
      return ok();
    });
    await h.start(model);
    vi.advanceTimersByTime(FIRST_REHEARSAL_MS + REHEARSALS_AT_FIRST);
    expect(calls).toBe(REHEARSALS_AT_FIRST);
    expect(expiryRanAfter).toBe(1); // not after the whole round, as when it ran in one loop
    await h.stop();
  });

  it('no rehearsal starts while the clock has a takeover due; it tries again once that is past', async () => {
    let due: number | undefined = 30;
    const asked: number[] = [];
    const { h, calls } = host('vrrp', ok, {
      preciseDueWithin: (within) => {
        asked.push(within);
        return due;
      },
    });
    await h.start(model);
    vi.advanceTimersByTime(FIRST_REHEARSAL_MS);
    expect(calls()).toBe(0);
    expect(asked).toEqual([REHEARSAL_CLEAR_MS]);
    // Asked again REHEARSAL_CLEAR_MS after the timer's due time, not before.
    vi.advanceTimersByTime(30 + REHEARSAL_CLEAR_MS - 1);
    expect(asked).toHaveLength(1);
    due = undefined;
    vi.advanceTimersByTime(1);
    expect(asked).toHaveLength(2);
    expect(calls()).toBe(1);
    vi.advanceTimersByTime(REHEARSALS_AT_FIRST);
    expect(calls()).toBe(REHEARSALS_AT_FIRST);
    await h.stop();
  });

  it('the checker child rehearses nothing', async () => {
    const { h, calls } = host('checker', ok);
    await h.start(model);
    vi.advanceTimersByTime(FIRST_REHEARSAL_MS + 3 * REHEARSAL_EVERY_MS);
    expect(calls()).toBe(0);
  });

  it('a rehearsal that does not reach MASTER is logged once per round, and the next still comes', async () => {
    const { h, lines, calls } = host('vrrp', () => [{ instance: 'VI_1', reached: 'error: boom', counters: {} }]);
    await h.start(model);
    vi.advanceTimersByTime(FIRST_REHEARSAL_MS);
    expect(calls()).toBe(1);
    expect(lines).toEqual(['warning takeover rehearsal of VI_1 reached error: boom, not MASTER']);
    vi.advanceTimersByTime(REHEARSAL_EVERY_MS);
    expect(calls()).toBe(2);
  });
});
