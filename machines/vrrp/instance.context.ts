/**
 * Context of the VRRP instance machine and the pure functions that derive timer values from it.
 * Plain, serialisable data (the sync-group ref aside, which lives in `cfg`).
 */
import type { IpAddress } from '../../protocol/addr.js';
import type { InstanceInput, InstanceStateName, MasterDownTimerCommand, ReceivedAdvert, StopMeaning, TransitionReason } from './types.js';
import { VRRP_PRIORITY_OWNER } from '../../protocol/vrrp/constants.js';
import { masterDownIntervalUs } from './timers.js';

/** Fault source recorded when the io actor fails; nothing clears it (the instance stays in FAULT). */
export const IO_FAULT_SOURCE = 'io-failure';

/**
 * How the running Master_Down timer was armed:
 *  - full:      down_timer_adverts × Master_Adver_Interval + Skew_Time (R-20, R-24, K-21)
 *  - release:   Skew_Time only, after a priority-0 advert
 *  - syncStart: 1 × Master_Adver_Interval + the minimal skew (K-11, sync-group member wanting MASTER)
 */
export type DownTimerKind = 'full' | 'release' | 'syncStart';

/** Events the machine raises for itself (timers and phase marks); never sent from outside. */
export type InstanceInternalEvent =
  | { type: 'vrrp.masterDown' }
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
  /** K-15 preempt_delay progress since the first lower-priority advert. */
  preemptHold: 'idle' | 'running' | 'expired';
  /** keepalived `wantstate` as last reported to the sync group. */
  want: 'MASTER' | 'BACKUP';
  /** Source and priority of the last advert accepted in BACKUP (undefined / 0 when none). */
  masterAddress: IpAddress | undefined;
  masterPriority: number;
  /** How the STOP this instance is heading for is reported (from `vrrp.shutdown`). */
  stopMeaning: StopMeaning;
}

export function initialContext(input: InstanceInput): InstanceContext {
  // K-11: keepalived clears nopreempt and preempt_delay for a non-owner with `state MASTER`.
  const wantsMaster = input.initialState === 'MASTER' && input.basePriority !== VRRP_PRIORITY_OWNER;
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
    preemptHold: 'idle',
    want: 'BACKUP',
    masterAddress: undefined,
    masterPriority: 0,
    stopMeaning: 'STOP',
  };
}

/** Master_Adver_Interval used by the timers: v2 always uses our own interval. */
export function masterIntervalCs(c: InstanceContext): number {
  return c.cfg.version === 3 ? c.masterAdverIntervalCs : c.cfg.advertIntervalCs;
}

/**
 * The Master_Down_Interval the running timer needs now, in µs (timers.ts masterDownIntervalUs, the
 * one formula): it follows the current priority (K-13), except the sync-group start's minimal skew.
 */
export function masterDownUs(c: InstanceContext): number {
  const m = masterIntervalCs(c);
  const v = c.cfg.version;
  if (c.downTimer === 'release') return masterDownIntervalUs(v, c.priority, m, 0);
  if (c.downTimer === 'syncStart') return masterDownIntervalUs(v, VRRP_PRIORITY_OWNER, m, 1);
  return masterDownIntervalUs(v, c.priority, m, c.cfg.downTimerAdverts);
}

/**
 * the Master_Down_Timer's restart for an accepted advert: the whole interval the context
 * needs now, run from the advert's arrival when the socket gave it. The chart's
 * `restartMasterDownTimer` sends it; the timer actor builds the same command for a repeat advert
 * it answers itself (actors/vrrp/master-down-timer.ts).
 */
export function masterDownRestart(c: InstanceContext, advert: ReceivedAdvert | undefined): Extract<MasterDownTimerCommand, { type: 'timer.restart' }> {
  const fromMs = advert?.receivedAtMs;
  return fromMs !== undefined ? { type: 'timer.restart', intervalUs: masterDownUs(c), fromMs } : { type: 'timer.restart', intervalUs: masterDownUs(c) };
}
