/**
 * Guards of the VRRP instance machine: pure predicates over the context and a parameter object.
 * Each is referenced by name from instance.machine.ts; the RFC rule it decides is noted.
 */
import type { InstanceContext } from './instance.context.js';
import type { ReceivedAdvert } from './types.js';
import { VRRP_PRIORITY_OWNER, VRRP_PRIORITY_STOP } from '../../protocol/vrrp/constants.js';
import { IO_FAULT_SOURCE } from './instance.context.js';

type Args = { context: InstanceContext };
type AdvertParams = { advert: ReceivedAdvert };

const isOwner = (c: InstanceContext) => c.basePriority === VRRP_PRIORITY_OWNER;
const tieBreak = (c: InstanceContext, a: ReceivedAdvert) => a.src.compare(c.cfg.primaryAddress);

export const instanceGuards = {
  /** K-12: a start-up or recovery with a failed tracked object goes to FAULT. */
  hasFaults: ({ context }: Args) => context.faults.length > 0,
  /** K-11 `vrrp_startup_delay`. */
  hasStartupDelay: ({ context }: Args) => (context.cfg.startupDelayMs ?? 0) > 0,
  /** R-19 / K-11: an address owner configured `state MASTER` (and not in a sync group) is master at once. */
  startsAsOwnerMaster: ({ context }: Args) =>
    isOwner(context) && context.cfg.initialState === 'MASTER' && context.cfg.syncGroup === undefined,
  /** K-11: a sync-group member wanting MASTER starts with the short timer (1 interval + minimal skew). */
  startsAsSyncMaster: ({ context }: Args) => context.cfg.initialState === 'MASTER' && context.cfg.syncGroup !== undefined,
  inSyncGroup: ({ context }: Args) => context.cfg.syncGroup !== undefined,
  /** priority 0 means the master released the VR. */
  isReleaseAdvert: (_: Args, p: AdvertParams) => p.advert.priority === VRRP_PRIORITY_STOP,
  /**
   * R-24 / R-25 / K-15: a backup accepts an advert (restarting its down timer) when preemption is
   * off (an owner always preempts, R-17), when it does not have a lower priority than ours, or while
   * keepalived's preempt_delay has not run out (it starts at the first lower-priority advert).
   */
  backupAcceptsAdvert: ({ context }: Args, p: AdvertParams) =>
    (!context.preempt && !isOwner(context)) ||
    p.advert.priority >= context.priority ||
    (context.preemptDelayMs > 0 && context.preemptHold !== 'expired'),
  /**
   * R-24 steady state: the master we already follow sends the same advert again (not a release,
   * R-23; accepted), with the timer armed in full and nothing else
   * to update (no preempt_delay running, wantstate already BACKUP), so the only effect of
   * accepting it is restarting the timer.
   */
  repeatsKnownMaster: ({ context }: Args, p: AdvertParams) =>
    context.downTimer === 'full' &&
    context.want === 'BACKUP' &&
    p.advert.src.equals(context.masterAddress) &&
    p.advert.priority === context.masterPriority &&
    p.advert.priority > VRRP_PRIORITY_STOP &&
    (context.cfg.version !== 3 || p.advert.maxAdvertIntervalCs === context.masterAdverIntervalCs) &&
    (context.preemptDelayMs <= 0 || (p.advert.priority >= context.priority && context.preemptHold === 'idle')) &&
    instanceGuards.backupAcceptsAdvert({ context }, p),
  /** the advert beats us: higher priority, or equal priority and a higher source address. */
  advertBeatsUs: ({ context }: Args, p: AdvertParams) =>
    p.advert.priority > context.priority || (p.advert.priority === context.priority && tieBreak(context, p.advert) > 0),
  /** R-30 / K-8: a lower priority, or equal priority and a lower source address. */
  advertLosesToUs: ({ context }: Args, p: AdvertParams) =>
    p.advert.priority < context.priority || (p.advert.priority === context.priority && tieBreak(context, p.advert) < 0),
  /** K-7: two owners: the other one also advertises 255 from a different address. */
  isOwnerConflict: ({ context }: Args, p: AdvertParams) =>
    context.priority === VRRP_PRIORITY_OWNER && p.advert.priority === VRRP_PRIORITY_OWNER && tieBreak(context, p.advert) !== 0,
  /** Leaving FAULT: this was the last failed source. */
  clearsLastFault: ({ context }: Args, p: { source: string }) =>
    p.source !== IO_FAULT_SOURCE && context.faults.length > 0 && context.faults.every((f) => f === p.source),
  /** K-12: an owner configured `state MASTER` (not in a sync group) leaves FAULT straight to MASTER. */
  clearsLastFaultAsOwnerMaster: (args: Args, p: { source: string }) =>
    instanceGuards.clearsLastFault(args, p) && instanceGuards.startsAsOwnerMaster(args),
};
