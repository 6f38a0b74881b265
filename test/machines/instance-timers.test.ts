/**
 * Timer arithmetic (vrrp.md §1.4) and its use by the machine, on SimClock with exact instants.
 * Rounding is pinned to keepalived's: integer microseconds, floored.
 */
import { describe, expect, it } from 'vitest';
import { effectivePriority, masterDownIntervalUs, skewTimeUs } from '../../machines/vrrp/timers.js';
import { advert, MDI_V2_P100_MS, startInstance } from './instance-harness.js';

// vrrp.md §1.4, keepalived column: [priority, Skew µs, MDI µs] at 1 s / 100 cs.
const TABLE: Array<[number, number, number]> = [
  [255, 3_906, 3_003_906],
  [254, 7_812, 3_007_812],
  [200, 218_750, 3_218_750],
  [150, 414_062, 3_414_062],
  [100, 609_375, 3_609_375],
  [1, 996_093, 3_996_093],
];

describe('VRRP timers', () => {
  it.each(TABLE)('R-14 v2 Skew_Time and Master_Down_Interval for priority %i match the table', (prio, skewUs, mdiUs) => {
    expect(skewTimeUs(2, prio, 100)).toBe(skewUs);
    expect(masterDownIntervalUs(2, prio, 100)).toBe(mdiUs);
  });

  it.each(TABLE)('R-15 v3 Skew_Time and Master_Down_Interval at 100 cs for priority %i match the table', (prio, skewUs, mdiUs) => {
    expect(skewTimeUs(3, prio, 100)).toBe(skewUs);
    expect(masterDownIntervalUs(3, prio, 100)).toBe(mdiUs);
  });

  it('R-15 v3 Skew_Time scales with Master_Adver_Interval and floors to whole µs', () => {
    expect(skewTimeUs(3, 100, 50)).toBe(304_687); // 304 687.5 exact
    expect(skewTimeUs(3, 255, 1)).toBe(39); // 39.0625 exact
    expect(masterDownIntervalUs(3, 1, 4095)).toBe(3 * 40_950_000 + 40_790_039); // largest v3 MDI ≈ 16 364 cs
    // the sync-group start: one interval plus one priority step's skew (VRRP_TIMER_SKEW_MIN)
    expect(masterDownIntervalUs(3, 255, 100, 1)).toBe(1_003_906);
    expect(masterDownIntervalUs(3, 255, 1000, 1)).toBe(10_039_062);
    expect(masterDownIntervalUs(2, 255, 300, 1)).toBe(3_003_906);
    // after a priority-0 advert: Skew_Time alone
    expect(masterDownIntervalUs(2, 100, 100, 0)).toBe(609_375);
  });

  it('R-14 v2 Skew_Time is (256 − p)/256 s whatever the advert interval', () => {
    expect(skewTimeUs(2, 100, 300)).toBe(609_375);
    expect(masterDownIntervalUs(2, 100, 300)).toBe(9_609_375);
  });

  it('K-21 down_timer_adverts replaces the factor 3', () => {
    expect(masterDownIntervalUs(2, 100, 100, 5)).toBe(5_609_375);
    expect(masterDownIntervalUs(3, 100, 100, 1)).toBe(1_609_375);
  });

  it('K-13 effective priority clamps to 1..254 and never changes an owner', () => {
    expect(effectivePriority(100, 200)).toBe(254);
    expect(effectivePriority(100, -150)).toBe(1);
    expect(effectivePriority(100, -20)).toBe(80);
    expect(effectivePriority(255, -100)).toBe(255);
  });

});

describe('VRRP timers driven through the machine', () => {
  it('R-20 a v2 backup at priority 100 takes over exactly 3609.375 ms after start-up', () => {
    const h = startInstance();
    h.advance(MDI_V2_P100_MS - 0.001);
    expect(h.state()).toBe('backup');
    h.advance(0.001);
    expect(h.state()).toBe('master');
    expect(h.transitions()).toEqual(['INIT>BACKUP@0', `BACKUP>MASTER@${MDI_V2_P100_MS}`]);
  });

  it.each(TABLE.filter(([p]) => p !== 255))('R-15 a v3 backup at priority %i starts with its own 100 cs interval', (prio, _skew, mdiUs) => {
    const h = startInstance({ version: 3, basePriority: prio });
    h.runUntil(mdiUs / 1000 - 0.001);
    expect(h.state()).toBe('backup');
    h.advance(0.001);
    expect(h.state()).toBe('master');
  });

  it('R-15 a v3 backup re-computes Master_Down_Interval from the learned interval', () => {
    const h = startInstance({ version: 3, basePriority: 100 });
    h.advance(1000);
    h.send(advert(200, '198.51.100.3', 50)); // master advertises every 50 cs
    expect(h.actor.getSnapshot().context.masterAdverIntervalCs).toBe(50);
    h.advance(1500 + 304.687 - 0.001);
    expect(h.state()).toBe('backup');
    h.advance(0.001);
    expect(h.state()).toBe('master');
    expect(h.clock.now()).toBeCloseTo(1000 + 1804.687, 6);
  });

  it('R-15 a v3 master that changes its interval is re-learned, not taken for a repeat', () => {
    const h = startInstance({ version: 3, basePriority: 100 });
    h.advance(1000);
    h.send(advert(200, '198.51.100.3', 100));
    h.advance(500);
    h.send(advert(200, '198.51.100.3', 50)); // same master and priority, new interval
    expect(h.actor.getSnapshot().context.masterAdverIntervalCs).toBe(50);
    h.advance(1500 + 304.687 - 0.001);
    expect(h.state()).toBe('backup');
    h.advance(0.001);
    expect(h.state()).toBe('master');
  });

  it('R-14 a v2 backup ignores the interval field of an advert (its own interval sets the timer)', () => {
    const h = startInstance({ version: 2 });
    h.advance(1000);
    h.send(advert(200, '198.51.100.3', 300));
    h.advance(MDI_V2_P100_MS - 0.001);
    expect(h.state()).toBe('backup');
    h.advance(0.001);
    expect(h.state()).toBe('master');
  });

  it('K-21 down_timer_adverts 5 makes the backup wait 5 intervals plus Skew_Time', () => {
    const h = startInstance({ downTimerAdverts: 5 });
    h.runUntil(5609.374);
    expect(h.state()).toBe('backup');
    h.runUntil(5609.375);
    expect(h.state()).toBe('master');
  });

  it('R-16 Skew_Time uses the effective (tracked) priority, not the configured one', () => {
    const h = startInstance({ basePriority: 100 });
    h.send({ type: 'track.priority', delta: 100 }); // effective 200
    h.runUntil(3218.749);
    expect(h.state()).toBe('backup');
    h.runUntil(3218.75);
    expect(h.state()).toBe('master');
  });
});
