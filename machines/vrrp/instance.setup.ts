/**
 * Named implementations of the VRRP instance machine: the placeholder io actor, guards, delays and
 * actions. The chart itself (states and transitions) is in instance.machine.ts.
 *
 * Actions are XState built-ins only (assign, emit, sendTo, raise, cancel, enqueueActions).
 */
import { assign, emit, enqueueActions, fromCallback, raise, sendTo, setup } from 'xstate';
import type { AnyActorRef } from 'xstate';
import type {
  AdverTimerCommand, AdverTimerInput, GarpReason, InstanceEmitted, InstanceEvent, InstanceInput, InstanceStateName, IoCommand,
  MasterDownTimerCommand, MasterDownTimerInput,
  MemberEvent, ReceivedAdvert, StopMeaning, TransitionReason,
} from './types.js';
import type { NotifierEvent } from '../notify/notifier.machine.js';
import type { DownTimerKind, InstanceContext, InstanceInternalEvent } from './instance.context.js';
import { IO_FAULT_SOURCE, masterDownRestart, masterDownUs } from './instance.context.js';
import { instanceGuards } from './instance.guards.js';
import { effectivePriority } from './timers.js';
import { VRRP_PRIORITY_OWNER, VRRP_PRIORITY_STOP } from '../../protocol/vrrp/constants.js';

/** The I/O actor the runtime provides (`instanceMachine.provide({ actors: { io } })`). It receives
 *  IoCommand events; its input is the instance's InstanceInput. */
export const ioPlaceholder = fromCallback<IoCommand, InstanceInput>(() => {
  throw new Error('vrrp instance: the `io` actor is not provided (compose it in actors/)');
});

/**
 * The Master_Down_Timer the runtime provides (`provide({ actors: { masterDownTimer } })`, in
 * actors/vrrp/master-down-timer.ts on the clock port): it runs `input.intervalUs` from its start,
 * takes MasterDownTimerCommand, and sends `vrrp.masterDown` to the instance when the time is up.
 */
export const masterDownTimerPlaceholder = fromCallback<MasterDownTimerCommand, MasterDownTimerInput>(() => {
  throw new Error('vrrp instance: the `masterDownTimer` actor is not provided (compose it in actors/)');
});

/**
 * The master's Adver_Timer the runtime provides (`provide({ actors: { adverTimer } })`, in
 * actors/vrrp/adver-timer.ts on the clock port): every `input.intervalMs` it sends an advert at
 * the priority it was last given through the instance's advert sender and re-arms, with no event
 * back to the instance; `timer.priority` changes the priority of the adverts that follow.
 */
export const adverTimerPlaceholder = fromCallback<AdverTimerCommand, AdverTimerInput>(() => {
  throw new Error('vrrp instance: the `adverTimer` actor is not provided (compose it in actors/)');
});

type AdvertParams = { advert: ReceivedAdvert };

type SystemLike = { get: (id: string) => AnyActorRef | undefined };

const groupRef = (c: InstanceContext, system: SystemLike) =>
  typeof c.cfg.syncGroup === 'string' ? system.get(c.cfg.syncGroup) : c.cfg.syncGroup;

const notifierRef = (c: InstanceContext, system: SystemLike) => (c.cfg.notifier === undefined ? undefined : system.get(c.cfg.notifier));

/** notify_priority_changes: a MASTER or BACKUP reports its new priority (the notifier knows who asked for it). */
const priorityNotice = (c: InstanceContext, priority: number): NotifierEvent | undefined =>
  c.state === 'MASTER' || c.state === 'BACKUP' ? { type: 'notify.priority', name: c.cfg.name, state: c.state, priority } : undefined;

export const instanceSetup = setup({
  types: {
    input: {} as InstanceInput,
    context: {} as InstanceContext,
    events: {} as InstanceEvent | InstanceInternalEvent,
    emitted: {} as InstanceEmitted,
  },
  actors: { io: ioPlaceholder, masterDownTimer: masterDownTimerPlaceholder, adverTimer: adverTimerPlaceholder },
  guards: instanceGuards,
  delays: {
    startupDelay: ({ context }) => context.cfg.startupDelayMs ?? 0,
    preemptDelay: ({ context }) => context.preemptDelayMs,
    garpMasterDelay: ({ context }) => context.cfg.garp.masterDelayMs,
    garpMasterRefresh: ({ context }) => context.cfg.garp.masterRefreshMs,
    garpLowerPrioDelay: ({ context }) => context.cfg.garp.lowerPrioDelayMs,
  },
  actions: {
    /**
     * Exactly once per state entered: emit `vrrp.state` (the "Entering … STATE" log line). It
     * comes before the state's side effects, as keepalived logs it (vrrp_state_master_tx,
     * vrrp_state_leave_master); `reportState` follows them.
     */
    announce: emit(({ context }, p: { to: InstanceStateName }) => {
      const meaning = p.to === 'STOP' && context.stopMeaning !== 'STOP' ? context.stopMeaning : undefined;
      const beaten = context.state === 'MASTER' && p.to === 'BACKUP' && context.reason === 'higher-priority' && context.masterAddress !== undefined;
      return {
        type: 'vrrp.state' as const,
        instance: context.cfg.name,
        from: context.state,
        to: p.to,
        reason: context.reason,
        priority: context.priority,
        ...(meaning ? { meaning } : {}),
        ...(beaten ? { master: { src: context.masterAddress!, priority: context.masterPriority } } : {}),
      };
    }),
    /**
     * After the state's side effects (VIPs set or removed, GARPs queued): notify the notifier (a
     * STOP as its meaning says: DELETED, or nothing for a restart), tell the sync group, and
     * record the state, keepalived's send_instance_notifies at the end of each transition.
     */
    reportState: enqueueActions(({ context, enqueue, system }, p: { to: InstanceStateName }) => {
      const change = { from: context.state, to: p.to, reason: context.reason, priority: context.priority };
      const meaning = p.to === 'STOP' && context.stopMeaning !== 'STOP' ? context.stopMeaning : undefined;
      const notifier = notifierRef(context, system);
      if (notifier && p.to !== 'INIT' && meaning !== 'silent') {
        const state = meaning === 'DELETED' ? 'DELETED' : p.to;
        enqueue.sendTo(notifier, { type: 'notify.state', scope: 'INSTANCE', name: context.cfg.name, state, priority: context.priority } satisfies NotifierEvent);
      }
      const group = groupRef(context, system);
      if (group) enqueue.sendTo(group, { type: 'member.state', member: context.cfg.name, ...change } satisfies MemberEvent);
      enqueue.assign({ state: p.to });
    }),
    setReason: assign((_, p: { reason: TransitionReason }) => ({ reason: p.reason })),
    /** vrrp.startup: the reason given, or `scripts-ready` after waiting for unweighted scripts (keepalived's silent FAULT). */
    setStartupReason: assign(({ event }, p: { reason: TransitionReason }) => ({ reason: event.type === 'vrrp.startup' && event.held ? ('scripts-ready' as const) : p.reason })),
    setStopMeaning: assign((_, p: { meaning: StopMeaning | undefined }) => ({ stopMeaning: p.meaning ?? 'STOP' })),
    /** K-12 / R-20: (re)start from our own interval. */
    resetMasterInterval: assign(({ context }) => ({ masterAdverIntervalCs: context.cfg.advertIntervalCs })),
    armDownTimer: assign((_, p: { kind: DownTimerKind }) => ({ downTimer: p.kind })),
    /** adopt the master's interval (v3) and remember who the master is. */
    learnFromAdvert: assign(({ context }, p: AdvertParams) => ({
      masterAdverIntervalCs: context.cfg.version === 3 ? p.advert.maxAdvertIntervalCs : context.masterAdverIntervalCs,
      masterAddress: p.advert.src,
      masterPriority: p.advert.priority,
    })),
    /**
     * R-25 / K-15: a backup that preempts ignores a lower priority once any preempt_delay has run
     * out: it only updates who it thinks the master is (keepalived, for SNMP) and says so.
     */
    noteIgnoredAdvert: enqueueActions(({ context, enqueue }, p: AdvertParams) => {
      enqueue.assign({ masterAddress: p.advert.src });
      enqueue.emit({
        type: 'vrrp.log', instance: context.cfg.name, level: 'info',
        message: `received lower priority (${p.advert.priority}) advert from ${p.advert.src} - discarding`,
      });
    }),
    /** a master heard a priority-0 advert (it answers with its own, see the chart). keepalived -D. */
    logReleaseHeard: emit(({ context }) => ({ type: 'vrrp.log' as const, instance: context.cfg.name, level: 'detail' as const, message: 'Master received priority 0 message' })),
    /** a backup heard a priority-0 advert (Skew_Time is all it waits now). keepalived -D. */
    logReleaseReceived: emit(({ context }) => ({ type: 'vrrp.log' as const, instance: context.cfg.name, level: 'detail' as const, message: 'Backup received priority 0 advertisement' })),
    /** The Master_Down timer expired (or an owner starts, which keepalived does as an expiry at once). keepalived -D. */
    logAdvertTimeout: enqueueActions(({ context, event, enqueue }) => {
      // An owner that waited for its scripts leaves keepalived's silent FAULT straight for MASTER: no timeout.
      if (event.type === 'vrrp.startup' && event.held) return;
      enqueue.emit({ type: 'vrrp.log', instance: context.cfg.name, level: 'detail', message: 'Receive advertisement timeout' });
    }),
    /**
     * Leaving MASTER (keepalived vrrp_state_leave_master / vrrp_restore_interface), after the
     * new state is announced: for FAULT and STOP a priority-0 advert first (R-26, K-12, K-28),
     * then the VIPs go. Nothing when the state left was not MASTER.
     */
    leaveMaster: enqueueActions(({ context, enqueue }, p: { release: boolean }) => {
      if (context.state !== 'MASTER') return;
      // R-26 / K-12 / K-28: priority 0 tells the backups to take over after Skew_Time.
      if (p.release) enqueue.sendTo('io', { type: 'io.sendAdvert', priority: VRRP_PRIORITY_STOP } satisfies IoCommand);
      enqueue.sendTo('io', { type: 'io.removeVips' } satisfies IoCommand);
    }),
    /** K-13: the priority changed while master: the adverTimer actor's next adverts carry the new one. */
    tellAdverTimerPriority: sendTo('adverTimer', ({ context }) => ({ type: 'timer.priority' as const, priority: context.priority })),
    /** an accepted advert of the master we follow runs Master_Down_Interval again from its arrival. */
    restartMasterDownTimer: sendTo('masterDownTimer', ({ context, event }) => masterDownRestart(context, event.type === 'net.advert' ? event.advert : undefined)),
    /** K-13: the priority changed while the timer runs: it moves the deadline by the Skew_Time difference. */
    retargetMasterDownTimer: sendTo('masterDownTimer', ({ context }) => ({ type: 'timer.retarget' as const, intervalUs: masterDownUs(context) })),
    /** K-15: the first lower-priority advert starts preempt_delay; an advert that is not lower stops it. */
    trackPreemptDelay: enqueueActions(({ context, enqueue }, p: AdvertParams) => {
      if (context.preemptDelayMs <= 0) return;
      if (p.advert.priority >= context.priority) {
        enqueue.cancel('preemptDelay');
        enqueue.assign({ preemptHold: 'idle' });
      } else if (context.preemptHold === 'idle') {
        enqueue.raise({ type: 'vrrp.preemptDelayExpired' }, { id: 'preemptDelay', delay: 'preemptDelay' });
        enqueue.assign({ preemptHold: 'running' });
      }
    }),
    expirePreemptDelay: assign({ preemptHold: 'expired' as const }),
    resetPreemptDelay: enqueueActions(({ enqueue }) => {
      enqueue.cancel('preemptDelay');
      enqueue.assign({ preemptHold: 'idle' });
    }),
    /** K-14: report keepalived's wantstate to the sync group when it changes. */
    noteWant: assign((_, p: { want: 'MASTER' | 'BACKUP' }) => ({ want: p.want })),
    reportWant: enqueueActions(({ context, enqueue, system }, p: { want: 'MASTER' | 'BACKUP' }) => {
      if (context.want === p.want) return;
      enqueue.assign({ want: p.want });
      const group = groupRef(context, system);
      if (group) enqueue.sendTo(group, { type: 'member.want', member: context.cfg.name, want: p.want } satisfies MemberEvent);
    }),
    /** K-13: effective priority = clamp(base + Σ weights, 1, 254); owners unchanged. */
    setTrackDelta: enqueueActions(({ context, enqueue, system }, p: { delta: number }) => {
      const next = effectivePriority(context.basePriority, p.delta);
      enqueue.assign({ trackDelta: p.delta, priority: next });
      if (next === context.priority) return;
      enqueue.emit({ type: 'vrrp.priority', instance: context.cfg.name, from: context.priority, to: next });
      const notifier = notifierRef(context, system);
      const notice = priorityNotice(context, next);
      if (notifier && notice) enqueue.sendTo(notifier, notice);
    }),
    /** K-7: another owner advertises 255: log a configuration error and drop ourselves to 254. */
    demoteConflictingOwner: enqueueActions(({ context, enqueue, system }) => {
      const next = effectivePriority(VRRP_PRIORITY_OWNER - 1, context.trackDelta);
      enqueue.emit({ type: 'vrrp.log', instance: context.cfg.name, level: 'error', message: 'CONFIGURATION ERROR: local and remote instance are both address owner (priority 255); reducing local priority' });
      enqueue.emit({ type: 'vrrp.priority', instance: context.cfg.name, from: context.priority, to: next });
      const notifier = notifierRef(context, system);
      const notice = priorityNotice(context, next);
      if (notifier && notice) enqueue.sendTo(notifier, notice);
      enqueue.assign({ basePriority: VRRP_PRIORITY_OWNER - 1, priority: next });
    }),
    reportActorFailure: emit(({ context, event }, p: { actor: 'io' | 'masterDownTimer' | 'adverTimer' }) => ({
      type: 'vrrp.actorFailed' as const, instance: context.cfg.name, actor: p.actor, error: String((event as { error?: unknown }).error),
    })),
    warnOwnAddress: emit(({ context }) => ({
      type: 'vrrp.log' as const, instance: context.cfg.name, level: 'warning' as const,
      message: 'equal priority advert received from remote host with our IP address',
    })),
    recordFault: assign(({ context }, p: { source: string }) => ({
      faults: context.faults.includes(p.source) ? context.faults : [...context.faults, p.source],
    })),
    clearFault: assign(({ context }, p: { source: string }) => ({
      faults: p.source === IO_FAULT_SOURCE ? context.faults : context.faults.filter((f) => f !== p.source),
    })),
    // --- commands to the io actor -------------------------------------------------------------
    sendAdvert: sendTo('io', ({ context }) => ({ type: 'io.sendAdvert' as const, priority: context.priority })),
    /** K-9 higher_prio_send_advert: one advert at our priority before yielding to a winning advert. */
    sendHigherPrioAdvert: enqueueActions(({ context, enqueue }, p: AdvertParams) => {
      if (context.cfg.higherPrioSendAdvert && instanceGuards.advertBeatsUs({ context }, p)) {
        enqueue.sendTo('io', { type: 'io.sendAdvert', priority: context.priority });
      }
    }),
    /** K-10: keepalived re-arms the advert timer after any packet for our VRID unless lower_prio_no_advert. */
    rearmAdverTimer: enqueueActions(({ context, enqueue }) => {
      if (!context.cfg.lowerPrioNoAdvert) enqueue.raise({ type: 'vrrp.rearmAdverTimer' });
    }),
    addVips: sendTo('io', { type: 'io.addVips' } satisfies IoCommand),
    sendGarp: sendTo('io', ({ context }, p: { reason: GarpReason }) => ({
      type: 'io.sendGarp' as const,
      reason: p.reason,
      repeat:
        p.reason === 'refresh' ? context.cfg.garp.masterRefreshRepeat
        : p.reason === 'lower-prio' || p.reason === 'lower-prio-delay' ? context.cfg.garp.lowerPrioRepeat
        : context.cfg.garp.masterRepeat,
    })),
    /** K-16: second burst after garp_master_delay, periodic refresh every garp_master_refresh. */
    scheduleMasterGarps: enqueueActions(({ context, enqueue }) => {
      if (context.cfg.garp.masterDelayMs > 0) enqueue.raise({ type: 'vrrp.garpMasterDelayDue' }, { id: 'garpMasterDelay', delay: 'garpMasterDelay' });
      if (context.cfg.garp.masterRefreshMs > 0) enqueue.raise({ type: 'vrrp.garpRefreshDue' }, { id: 'garpRefresh', delay: 'garpMasterRefresh' });
    }),
    scheduleGarpRefresh: raise({ type: 'vrrp.garpRefreshDue' }, { id: 'garpRefresh', delay: 'garpMasterRefresh' }),
    cancelMasterGarps: enqueueActions(({ enqueue }) => {
      enqueue.cancel('garpMasterDelay');
      enqueue.cancel('garpRefresh');
      enqueue.cancel('garpLowerPrio');
    }),
    /** K-8 (RFC 9568 §6.4.3): answer a losing advert with an advert, optional GARPs, and the notify. */
    answerLowerPriority: enqueueActions(({ context, enqueue, system }, p: AdvertParams) => {
      const { cfg } = context;
      if (!cfg.lowerPrioNoAdvert) enqueue.sendTo('io', { type: 'io.sendAdvert', priority: context.priority });
      if (cfg.garp.lowerPrioRepeat > 0) {
        enqueue.sendTo('io', { type: 'io.sendGarp', repeat: cfg.garp.lowerPrioRepeat, reason: 'lower-prio' });
        if (cfg.garp.lowerPrioDelayMs > 0) enqueue.raise({ type: 'vrrp.garpLowerPrioDue' }, { id: 'garpLowerPrio', delay: 'garpLowerPrioDelay' });
      }
      enqueue.emit({
        type: 'vrrp.notify', instance: cfg.name, event: 'master_rx_lower_pri', src: p.advert.src, priority: p.advert.priority,
        ours: context.priority, forcing: !cfg.lowerPrioNoAdvert,
      });
      const notifier = notifierRef(context, system);
      if (notifier) enqueue.sendTo(notifier, { type: 'notify.masterRxLowerPri', name: cfg.name, priority: context.priority } satisfies NotifierEvent);
    }),
    /** K-12: a unicast instance leaving FAULT refreshes the master's ARP entry for our address. */
    announceSource: enqueueActions(({ context, enqueue }) => {
      if (context.cfg.unicast) enqueue.sendTo('io', { type: 'io.announceSource' });
    }),
  },
});
