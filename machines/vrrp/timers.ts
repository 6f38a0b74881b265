/**
 * VRRP timer arithmetic (RFC 3768 §6.1, RFC 5798 §6.1), pinned to keepalived's rounding: every
 * value is an integer number of microseconds, divisions floor (keepalived's TIMER_HZ = 1e6 and its
 * VRRP_TIMER_SKEW macro).
 *
 *   v2: Skew_Time = (256 − Priority) / 256 s                     (independent of the interval)
 *   v3: Skew_Time = (256 − Priority) · Master_Adver_Interval / 256 (centiseconds, learned interval)
 *   Master_Down_Interval = down_timer_adverts · Master_Adver_Interval + Skew_Time  (RFC: factor 3)
 *
 * v2 priority 100, 1 s: Skew 609 375 µs, MDI 3 609 375 µs (3609.375 ms); v3 100 cs gives the same.
 * v3 priority 255, 100 cs: Skew 3 906 µs (exact 3 906.25, floored). Pure; no clock.
 */
import { VRRP_PRIORITY_OWNER } from '../../protocol/vrrp/constants.js';
import type { VrrpVersion } from './types.js';

export const US_PER_CS = 10_000;
export const US_PER_MS = 1_000;

/** Skew_Time in µs for `priority` (1..255; 0 is never a local priority). */
export function skewTimeUs(version: VrrpVersion, priority: number, masterAdverIntervalCs: number): number {
  const steps = 256 - priority;
  // keepalived v3: ((256 - p) * interval_cs * 625) / 16, i.e. floor((256 - p) * interval_us / 256).
  return version === 3 ? Math.floor((steps * masterAdverIntervalCs * 625) / 16) : Math.floor((steps * 1_000_000) / 256);
}

/**
 * Master_Down_Interval in µs: `downTimerAdverts` × Master_Adver_Interval + Skew_Time (RFC 3768 /
 * RFC 5798 §6.1, where the factor is 3; keepalived's down_timer_adverts). This is the one formula
 * the instance's Master_Down_Timer runs (instance.context.ts masterDownUs): after a priority-0
 * advert it is Skew_Time alone (downTimerAdverts 0, R-23), and a sync-group member wanting MASTER
 * starts with one interval and the one-step skew of priority 255 (keepalived's VRRP_TIMER_SKEW_MIN).
 */
export function masterDownIntervalUs(
  version: VrrpVersion,
  priority: number,
  masterAdverIntervalCs: number,
  downTimerAdverts = 3,
): number {
  return downTimerAdverts * masterAdverIntervalCs * US_PER_CS + skewTimeUs(version, priority, masterAdverIntervalCs);
}

/** µs → ms for XState delays (the clock keeps µs resolution). */
export function usToMs(us: number): number {
  return us / US_PER_MS;
}

/** Effective priority from tracker weights (K-13): owners never change, others clamp to 1..254. */
export function effectivePriority(basePriority: number, weightDelta: number): number {
  if (basePriority === VRRP_PRIORITY_OWNER) return VRRP_PRIORITY_OWNER;
  return Math.min(VRRP_PRIORITY_OWNER - 1, Math.max(1, basePriority + weightDelta));
}
