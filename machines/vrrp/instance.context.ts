/**
 * Context of the VRRP instance machine and the pure functions that derive timer values from it.
 * Plain, serialisable data (the sync-group ref aside, which lives in `cfg`).
 */
import type { InstanceInput, InstanceStateName, StopMeaning, TransitionReason } from './types.js';
import { minSkewUs, skewTimeUs } from './timers.js';

/**
 * How the running Master_Down timer was armed:
 *  - full:      down_timer_adverts × Master_Adver_Interval, then Skew_Time (R-20, R-24, K-21)
 *  - release:   Skew_Time only, after a priority-0 advert
 *  - syncStart: 1 × Master_Adver_Interval, then the minimal skew (K-11, sync-group member wanting MASTER)
 */
/** Fault source recorded when the io actor fails; nothing clears it (the instance stays in FAULT). */
export const IO_FAULT_SOURCE = 'io-failure';

export type DownTimerKind = 'full' | 'release' | 'syncStart';

/** Events the machine raises for itself (timers and phase marks); never sent from outside. */
export type InstanceInternalEvent =
  | { type: 'vrrp.masterDown' }
  | { type: 'vrrp.countdownElapsed' }
  | { type: 'vrrp.adverTimerExpired' }
  | { type: 'vrrp.skewMark'; skewUs: number }
  | { type: 'vrrp.rearmAdverTimer' }
  | { type: 'vrrp.preemptDelayExpired' }
  | { type: 'vrrp.garpMasterDelayDue' }
  | { type: 'vrrp.garpRefreshDue' }
  | { type: 'vrrp.garpLowerPrioDue' };

export interface InstanceContext {
  /** The input, unchanged. */
  cfg: InstanceInput;
  /** Preempt_Mode and preempt_delay after K-11 (a non-owner `state MASTER` clears nopreempt/preempt_delay). */
  preempt: boolean;
  preemptDelayMs: number;
  /** Configured priority; K-7 lowers a conflicting owner to 254. */
  basePriority: number;
  /** Current sum of tracker weights (K-13). */
  trackDelta: number;
  /** Effective priority: what we advertise and what Skew_Time uses (R-16, K-13). */
  priority: number;
  /** Failed weight-0 tracked objects / interfaces, and `sync-group` (K-12, K-14). */
  faults: string[];
  /** keepalived name of the state we are in (the `from` of the next `vrrp.state`). */
  state: InstanceStateName;
  /** Why the transition in progress is taken (set by transition actions, read on entry). */
  reason: TransitionReason;
  /** Master_Adver_Interval: v3 learns it from accepted adverts; v2 keeps ours. */
  masterAdverIntervalCs: number;
  downTimer: DownTimerKind;
  /** In the Skew_Time phase: the latest skew mark passed (µs since the phase began). */
  skewElapsedUs: number;
  /** How many `vrrp.skewMark` timers the skew phase armed (to cancel them on exit). */
  skewMarkCount: number;
  /** K-15 preempt_delay progress since the first lower-priority advert. */
  preemptHold: 'idle' | 'running' | 'expired';
  /** keepalived `wantstate` as last reported to the sync group. */
  want: 'MASTER' | 'BACKUP';
  /** Source and priority of the last advert accepted in BACKUP ('' / 0 when none). */
  masterAddress: string;
  masterPriority: number;
  /** How the STOP this instance is heading for is reported (from `vrrp.shutdown`). */
  stopMeaning: StopMeaning;
}

export function initialContext(input: InstanceInput): InstanceContext {
  // K-11: keepalived clears nopreempt and preempt_delay for a non-owner with `state MASTER`.
  const wantsMaster = input.initialState === 'MASTER' && input.basePriority !== 255;
  return {
    cfg: input,
    preempt: wantsMaster ? true : input.preempt,
    preemptDelayMs: wantsMaster ? 0 : input.preemptDelayMs,
    basePriority: input.basePriority,
    trackDelta: 0,
    priority: input.basePriority,
    faults: [],
    state: 'INIT',
    reason: 'startup',
    masterAdverIntervalCs: input.advertIntervalCs,
    downTimer: 'full',
    skewElapsedUs: 0,
    skewMarkCount: 0,
    preemptHold: 'idle',
    want: 'BACKUP',
    masterAddress: '',
    masterPriority: 0,
    stopMeaning: 'STOP',
  };
}

/** Master_Adver_Interval used by the timers: v2 always uses our own interval. */
export function masterIntervalCs(c: InstanceContext): number {
  return c.cfg.version === 3 ? c.masterAdverIntervalCs : c.cfg.advertIntervalCs;
}

/** Length of the first phase of the down timer (whole advert intervals), in µs. */
export function countdownUs(c: InstanceContext): number {
  const adverts = c.downTimer === 'full' ? c.cfg.downTimerAdverts : c.downTimer === 'syncStart' ? 1 : 0;
  return adverts * masterIntervalCs(c) * 10_000;
}

/** Skew_Time the running down timer needs for the current priority, in µs. */
export function requiredSkewUs(c: InstanceContext): number {
  return c.downTimer === 'syncStart'
    ? minSkewUs(c.cfg.version, masterIntervalCs(c))
    : skewTimeUs(c.cfg.version, c.priority, masterIntervalCs(c));
}

/**
 * Every Skew_Time the deadline could need while the skew phase runs: one per priority the effective
 * priority can take (input.priorityRange, default 1..254; owners never change), or the single
 * minimal skew of `syncStart`. Marks at all of them make a priority change during the phase exact
 * (K-13) without a clock read. The latest possible skew (priority 1) is always armed, so a priority
 * outside the declared range still expires, at the next armed mark.
 */
export function skewCandidatesUs(c: InstanceContext): number[] {
  if (c.downTimer === 'syncStart') return [requiredSkewUs(c)];
  const m = masterIntervalCs(c);
  if (c.basePriority === 255) return [skewTimeUs(c.cfg.version, 255, m)];
  const lo = Math.max(1, Math.min(c.cfg.priorityRange?.min ?? 1, c.priority));
  const hi = Math.min(254, Math.max(c.cfg.priorityRange?.max ?? 254, c.priority));
  const out: number[] = [];
  for (let p = hi; p >= lo; p--) out.push(skewTimeUs(c.cfg.version, p, m));
  if (lo > 1) out.push(skewTimeUs(c.cfg.version, 1, m));
  return out;
}
