/**
 * Shared types of the VRRP machines: the instance's input, the events it accepts, the commands it
 * sends to its I/O actor, the events it emits for observers, and the messages it exchanges with a
 * sync group. Type-only module: machines import it with `import type`.
 *
 * Naming: events are `domain.verb`; units are last in names (Cs = centiseconds, Ms = milliseconds,
 * Us = microseconds). State names in events are keepalived's (INIT, BACKUP, MASTER, FAULT, STOP).
 */
import type { AnyActorRef } from 'xstate';
import type { IpAddress } from '../../protocol/addr.js';

export type VrrpVersion = 2 | 3;
export type AddressFamily = 4 | 6;

/** keepalived's names for the instance states (what notify scripts, logs and dumps show). */
export type InstanceStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/** keepalived's GARP / unsolicited-NA knobs (K-16), already resolved from global + instance config. */
export interface GarpSettings {
  /** garp_master_delay: second burst this long after becoming master; 0 = no second burst. */
  masterDelayMs: number;
  /** garp_master_repeat: GARP/NA messages per address in each burst (keepalived default 5). */
  masterRepeat: number;
  /** garp_master_refresh: periodic refresh while master; 0 = off. */
  masterRefreshMs: number;
  /** garp_master_refresh_repeat (default 1). */
  masterRefreshRepeat: number;
  /** garp_lower_prio_delay: second lower-priority burst after this delay; 0 = none. */
  lowerPrioDelayMs: number;
  /** garp_lower_prio_repeat: burst sent when a master hears a lower-priority advert; 0 = off. */
  lowerPrioRepeat: number;
}

/**
 * Everything one VRRP instance machine needs, already resolved by the composition root from the
 * config model (the machine never reads config/). Ownership is keepalived's rule: basePriority 255.
 */
export interface InstanceInput {
  name: string;
  vrid: number;
  family: AddressFamily;
  version: VrrpVersion;
  /** Configured priority 1..255 (255 = address owner). */
  basePriority: number;
  /** Our Advertisement_Interval. v2 configs are whole seconds (100, 200, … cs). */
  advertIntervalCs: number;
  /** Preempt_Mode (false = keepalived `nopreempt`). Forced true for a non-owner `state MASTER` (K-11). */
  preempt: boolean;
  /** keepalived `preempt_delay` in ms; 0 = none. Cleared for a non-owner `state MASTER` (K-11). */
  preemptDelayMs: number;
  /** keepalived `state`: the state the instance wants at start-up. */
  initialState: 'MASTER' | 'BACKUP';
  /** Our source address (primary address / unicast_src_ip / link-local): the R-29 tie-break key. */
  primaryAddress: IpAddress;
  /** Virtual addresses (CIDR or plain); the io actor installs them, the machine only says when. */
  vips: string[];
  /** keepalived `lower_prio_no_advert` (K-8, K-10). Default false. */
  lowerPrioNoAdvert: boolean;
  /** keepalived `higher_prio_send_advert` (K-9). Default false. */
  higherPrioSendAdvert: boolean;
  garp: GarpSettings;
  /** keepalived `down_timer_adverts` (K-21): the RFC's factor 3. */
  downTimerAdverts: number;
  /** Sync group this instance belongs to: its actor ref, or its systemId. */
  syncGroup?: AnyActorRef | string;
  /** keepalived `vrrp_startup_delay` in ms: adverts ignored and timers held until it elapses. */
  startupDelayMs?: number;
  /** Unicast instance: on leaving FAULT announce our own source address (K-12, try_up_instance). */
  unicast?: boolean;
  /**
   * systemId of the notifier actor: state changes, priority changes (notify_priority_changes) and
   * notify_master_rx_lower_pri go to it directly. Without one, nothing is notified.
   */
  notifier?: string;
  /** Opaque handle the runtime passes to its `io`, `masterDownTimer` and `adverTimer` actors; the machine never reads it. */
  env?: unknown;
}

/**
 * What a STOP means to the outside (keepalived): `STOP` on a graceful shutdown, `DELETED` for an
 * instance a reload removed (notify_deleted, else reported as FAULT by the notifier), `silent`
 * for an instance a reload restarts (nothing reported, nothing notified).
 */
export type StopMeaning = 'STOP' | 'DELETED' | 'silent';

/** A received advertisement that already passed validation (protocol/ + the io actor, R-31..R-39). */
export interface ReceivedAdvert {
  vrid: number;
  priority: number;
  /** v3: Max Adver Int field; v2: Adver Int × 100. */
  maxAdvertIntervalCs: number;
  /** IP source address of the packet (R-29 tie-break), as the socket gave it. */
  src: IpAddress;
  /** The clock's reading (Clock.now()) when the socket handed the packet over. A Master_Down_Timer
   *  restarted by this advert runs from then, not from when the statechart got to the advert (as
   *  keepalived's runs from time_now, read when its event loop wakes for the packet). */
  receivedAtMs?: number;
}

/** Events the instance machine accepts. */
export type InstanceEvent =
  /** `held`: the instance waited for its unweighted vrrp_scripts' first result (keepalived keeps it
   *  in FAULT meanwhile, silently: it then logs "Entering BACKUP STATE", not "… (init)"). */
  | { type: 'vrrp.startup'; held?: boolean }
  /** Graceful stop (SIGTERM): a master sends a priority-0 advert and removes its VIPs (R-26, K-28).
   *  `meaning` (default STOP) says how the STOP is reported and notified. */
  | { type: 'vrrp.shutdown'; meaning?: StopMeaning }
  | { type: 'net.advert'; advert: ReceivedAdvert }
  /** A packet for our VRID that failed validation: in MASTER it still re-arms the advert timer (K-10). */
  | { type: 'net.invalid'; reason: string }
  /** A VIP this MASTER holds was deleted from its interface behind our back (netlink RTM_DELADDR). */
  | { type: 'net.vipDeleted'; address: string }
  /** Tracker weights changed. `delta` is the current SUM of applied weights (not an increment):
   *  effective priority = clamp(basePriority + delta, 1, 254); owners are never changed (K-13). */
  | { type: 'track.priority'; delta: number }
  /** A weight-0 tracked object failed or an interface went down: FAULT while any source is failed (K-12). */
  | { type: 'track.fault'; source: string }
  | { type: 'track.ok'; source: string }
  | SyncGroupCommand;

/** Commands a sync group sends to its members (K-14). */
export type SyncGroupCommand =
  /** Every member wants MASTER: a BACKUP member becomes MASTER now. */
  | { type: 'group.goMaster' }
  /** A member left MASTER for BACKUP: a MASTER member follows (VIPs removed, no priority-0 advert). */
  | { type: 'group.goBackup' }
  /** A member entered FAULT: every member enters FAULT (source `sync-group`). */
  | { type: 'group.goFault' }
  /** No member is in FAULT any more: clears the `sync-group` fault source. */
  | { type: 'group.clearFault' };

/** Messages an instance sends to its sync group (via `input.syncGroup`). */
export type MemberEvent =
  /** After every state change, in order. */
  | { type: 'member.state'; member: string; from: InstanceStateName; to: InstanceStateName; reason: string; priority: number }
  /** What the member wants regardless of the group: MASTER when its down timer expired, BACKUP when
   *  it accepts an advert again (keepalived `wantstate`). The member itself stays BACKUP and re-arms
   *  a full Master_Down_Interval until the group answers `group.goMaster`. */
  | { type: 'member.want'; member: string; want: 'MASTER' | 'BACKUP' };

/** Commands the instance sends to its invoked `io` actor (id 'io'). The io actor knows the instance's
 *  interface, addresses, version and codec; the machine only says what and when. */
export type IoCommand =
  /** Send one advertisement with this priority (0 = release), our interval and our VIPs. */
  | { type: 'io.sendAdvert'; priority: number }
  | { type: 'io.addVips' }
  | { type: 'io.removeVips' }
  /** One GARP/NA burst: `repeat` messages per VIP. */
  | { type: 'io.sendGarp'; repeat: number; reason: GarpReason }
  /** Unicast instance leaving FAULT: one GARP/NA for our own source address (K-12). */
  | { type: 'io.announceSource' };

/**
 * Commands the instance sends to its invoked `masterDownTimer` actor (id 'masterDownTimer', one per
 * stay in `backup.countdown`), which sends `vrrp.masterDown` back when Master_Down_Interval is over.
 * The interval is always the whole of it (timers.ts masterDownIntervalUs), measured from the
 * actor's start or its last `timer.restart`.
 */
export type MasterDownTimerCommand =
  /** an accepted advert: the interval runs again from now, or from `fromMs` (the clock's
   *  reading when the advert arrived, ReceivedAdvert.receivedAtMs) when known. */
  | { type: 'timer.restart'; intervalUs: number; fromMs?: number }
  /** K-13: the priority (so Skew_Time) changed: the deadline moves by the difference, from the same
   *  start; a deadline that has already passed fires at once. */
  | { type: 'timer.retarget'; intervalUs: number };

/** Input of the `masterDownTimer` actor: the interval to run at start, the instance's `env`, and
 *  the instance itself (its name and its actor, whose current context the timer reads to answer a
 *  repeat advert of the known master without an event to the chart: actors/vrrp/master-down-timer.ts). */
export interface MasterDownTimerInput {
  intervalUs: number;
  env?: unknown;
  instance?: string;
  chart?: AnyActorRef;
}

/**
 * Commands the instance sends to its invoked `adverTimer` actor (id 'adverTimer', one per stay in
 * `master.advertising`), which sends an advert itself at each Adver_Timer expiry through the
 * instance's advert sender and re-arms; the instance hears nothing per advert. Re-entering
 * `advertising` (K-10 rearmAdverTimer) starts a new actor, so a new full interval.
 */
export type AdverTimerCommand =
  /** K-13: the effective priority changed while master: the next adverts carry this one. The
   *  running interval is left alone (keepalived's vrrp_set_effective_priority does not touch a
   *  master's timer). */
  { type: 'timer.priority'; priority: number };

/** Input of the `adverTimer` actor: whose adverts, how often, at which priority, and the instance's `env`. */
export interface AdverTimerInput {
  instance: string;
  /** Advertisement_Interval in ms (our own advert_int, also in v3). */
  intervalMs: number;
  priority: number;
  env?: unknown;
}

export type GarpReason = 'master' | 'master-delay' | 'refresh' | 'lower-prio' | 'lower-prio-delay';

/** Why a transition happened (in `vrrp.state` and `member.state`). */
export type TransitionReason =
  | 'startup'
  /** Start-up after waiting for unweighted vrrp_scripts (vrrp.startup {held}). */
  | 'scripts-ready'
  | 'owner-startup'
  | 'master-down'
  | 'higher-priority'
  | 'sync-group'
  | 'fault'
  | 'fault-cleared'
  /** One of our VIPs was deleted from the interface by someone else while MASTER (keepalived set_vrrp_backup). */
  | 'vip-deleted'
  | 'shutdown';

/** Events the instance emits for observers outside the actor system (`actor.on(type, …)`). */
export type InstanceEmitted =
  /**
   * Exactly once per state change, in order. `meaning` is set on a STOP that is not a plain STOP
   * (see StopMeaning); `master` on MASTER → BACKUP for a higher-priority advert: who beat us.
   */
  | {
      type: 'vrrp.state';
      instance: string;
      from: InstanceStateName;
      to: InstanceStateName;
      reason: TransitionReason;
      priority: number;
      meaning?: Exclude<StopMeaning, 'STOP'>;
      master?: { src: IpAddress; priority: number };
    }
  | { type: 'vrrp.priority'; instance: string; from: number; to: number }
  /**
   * keepalived notify events other than state changes (notify_master_rx_lower_pri): a master heard
   * a lower priority. `ours` is our priority, `forcing` whether we answered with an advert
   * (not lower_prio_no_advert), which keepalived's log line reports as "forcing new election".
   */
  | { type: 'vrrp.notify'; instance: string; event: 'master_rx_lower_pri'; src: IpAddress; priority: number; ours: number; forcing: boolean }
  | { type: 'vrrp.log'; instance: string; level: 'detail' | 'info' | 'warning' | 'error'; message: string }
  /** Its io, masterDownTimer or adverTimer actor threw (a bug: ports report failures as values);
   *  the instance stays in FAULT for good. */
  | { type: 'vrrp.actorFailed'; instance: string; actor: 'io' | 'masterDownTimer' | 'adverTimer'; error: string };
