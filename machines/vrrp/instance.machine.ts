/**
 * One VRRP instance (keepalived `vrrp_instance`) as an XState v5 statechart: RFC 3768 / RFC 5798
 * §6.4 (Initialize, Backup, Master) plus keepalived's FAULT and STOP.
 *
 * Wiring (the composition root):
 *   const machine = instanceMachine.provide({ actors: { io: fromCallback<IoCommand, InstanceInput>(…), masterDownTimer, adverTimer } });
 *   const actor = createActor(machine, { clock, input, systemId: `vrrp/${input.name}` });
 *   actor.on('*', observer); actor.start(); actor.send({ type: 'vrrp.startup' });
 *
 * Input: InstanceInput (types.ts), already resolved from the config model; the machine never reads config/.
 *
 * Inbound events (InstanceEvent in types.ts):
 *   vrrp.startup, vrrp.shutdown {meaning?} (graceful: a master sends a priority-0 advert, then removes its VIPs),
 *   net.advert {advert: {vrid, priority, maxAdvertIntervalCs, src}} (already validated),
 *   net.invalid {reason} (a packet for our VRID that failed validation; K-10),
 *   track.priority {delta: Σ applied weights}, track.fault {source}, track.ok {source},
 *   group.goMaster, group.goBackup, group.goFault, group.clearFault (from the sync group).
 *
 * Outbound:
 *   - IoCommand to the invoked child `io` (src 'io', input = InstanceInput), which the runtime provides:
 *     io.sendAdvert {priority}, io.addVips, io.removeVips, io.sendGarp {repeat, reason}, io.announceSource.
 *     Order on becoming master (K-16), keepalived's (vrrp_state_master_tx): sendAdvert, the state
 *     announced (`vrrp.state`), addVips, sendGarp(master), then the notifier and the sync group are
 *     told (`reportState`); later sendGarp(master-delay) after garp_master_delay and sendGarp(refresh)
 *     every garp_master_refresh. Leaving master (vrrp_state_leave_master): the new state announced,
 *     then for FAULT or STOP sendAdvert(0), then removeVips (K-12, K-28); for BACKUP removeVips only;
 *     then `reportState`. The periodic adverts in MASTER are not io commands: the `adverTimer` child
 *     sends them (timer.priority {priority} to it when the priority changes while master).
 *   - emitted (actor.on): vrrp.state {from, to, reason, priority, meaning?, master?} exactly once per
 *     state entered, in order, before that state's side effects; vrrp.priority; vrrp.notify
 *     (master_rx_lower_pri, with ours/forcing); vrrp.log (level `detail` for keepalived's -D lines).
 *     The machine alone says what an advert or a timer meant: the log lines about adverts it ignores
 *     ("received lower priority … - discarding") or answers ("Master received priority 0 message",
 *     "Backup received priority 0 advertisement") and "Receive advertisement timeout" are its own.
 *   - to the notifier (input.notifier, a systemId): notify.state for every state but INIT (a STOP as
 *     vrrp.shutdown's meaning says: STOP, DELETED, or nothing for a restart), notify.priority on a
 *     priority change in MASTER or BACKUP, notify.masterRxLowerPri.
 *   - to the sync group (input.syncGroup, ref or systemId): member.state after each state change,
 *     member.want MASTER when a backup's down timer expires (it stays BACKUP, re-arms a full
 *     Master_Down_Interval and waits for group.goMaster), member.want BACKUP when it accepts an advert again.
 *
 * Errors: if the io, masterDownTimer or adverTimer actor throws (a bug: ports report failures as
 * values), the instance emits vrrp.actorFailed and stays in FAULT for good (fault source `io-failure`,
 * which nothing clears). Entering FAULT it sends its leave-master commands as usual; when the io
 * actor is the one that failed they reach no one, and the runtime gives up the VIPs itself
 * (actors/vrrp/vrrp-subsystem.ts, releaseAfterIoFailure). It sends no command after that.
 *
 * Timers: named delays (`after`, or a delayed `raise` with an id that a named `cancel` stops) and two
 * invoked timer actors; time comes from the actor system's clock (SimClock in tests). Adver_Timer is
 * the `adverTimer` actor invoked in `master.advertising` (actors/vrrp/adver-timer.ts, on the clock
 * port): at each expiry it sends the advert itself, through the same advert sender as io.sendAdvert,
 * and re-arms, so a steady master costs no event, macrostep or snapshot of this machine per advert.
 * It sends at the priority in its input; a tracker changing our priority while master tells it
 * (`timer.priority`) and leaves the interval running, as keepalived does (vrrp_set_effective_priority
 * only moves a backup's timer). Re-entering `advertising` (K-10 `rearmAdverTimer`) starts a new
 * actor, so a full interval from now; leaving MASTER stops it. The Master_Down_Timer
 * is the `masterDownTimer` actor invoked in `backup.countdown` (the runtime provides it on its clock
 * port: actors/vrrp/master-down-timer.ts). It runs `masterDownUs` (instance.context.ts, which is
 * timers.ts masterDownIntervalUs, the RFC's formula) and sends `vrrp.masterDown`. An accepted advert
 * restarts it: a repeat of the master we already follow (`repeatsKnownMaster`, the steady-state
 * path) in place with `timer.restart` and nothing else; any other by re-entering `countdown` after
 * learning from it. The runtime's timer actor takes the steady-state path off the chart: it is
 * given the instance's actor (`chart` in its input) and answers a repeat advert the socket hands it
 * by evaluating `repeatsKnownMaster` on the chart's current context and restarting itself with the
 * command `restartMasterDownTimer` would send (masterDownRestart); every other advert comes here as
 * `net.advert`. The chart's transition stays the rule, and answers any repeat advert that reaches it. An ignored lower-priority advert is a targetless transition and leaves the
 * deadline alone. A tracker changing our priority at any instant moves the deadline by
 * exactly the Skew_Time difference (K-13, `timer.retarget`); a deadline that has already passed
 * fires at once. Rounding is keepalived's: integer µs, floored (timers.ts).
 */
import { initialContext, masterDownUs } from './instance.context.js';
import { instanceSetup } from './instance.setup.js';

/** A timer actor that throws (a bug: ports report failures as values) leaves the instance in FAULT for good. */
const timerFailed = (actor: 'masterDownTimer' | 'adverTimer') =>
  ({
    target: '#vrrpInstance.fault',
    actions: [
      { type: 'reportActorFailure', params: { actor } },
      { type: 'recordFault', params: { source: 'io-failure' } },
      { type: 'setReason', params: { reason: 'fault' } },
    ],
  }) as const;

export const instanceMachine = instanceSetup.createMachine({
  id: 'vrrpInstance',
  context: ({ input }) => initialContext(input),
  invoke: {
    id: 'io',
    src: 'io',
    input: ({ context }) => context.cfg,
    onError: { target: '.fault', actions: [{ type: 'reportActorFailure', params: { actor: 'io' } }, { type: 'recordFault', params: { source: 'io-failure' } }, { type: 'setReason', params: { reason: 'fault' } }] },
  },
  initial: 'init',
  on: {
    'track.priority': { actions: { type: 'setTrackDelta', params: ({ event }) => ({ delta: event.delta }) } },
    'track.fault': { actions: { type: 'recordFault', params: ({ event }) => ({ source: event.source }) } },
    'track.ok': { actions: { type: 'clearFault', params: ({ event }) => ({ source: event.source }) } },
    'group.goFault': { actions: { type: 'recordFault', params: { source: 'sync-group' } } },
    'group.clearFault': { actions: { type: 'clearFault', params: { source: 'sync-group' } } },
    'vrrp.shutdown': {
      target: '.stop',
      actions: [{ type: 'setStopMeaning', params: ({ event }) => ({ meaning: event.meaning }) }, { type: 'setReason', params: { reason: 'shutdown' } }],
    },
  },
  states: {
    init: {
      description: 'RFC 5798 §6.4.1 / RFC 3768 §6.4.1 Initialize: waiting for Startup. Adverts are ignored (keepalived drops them in INIT).',
      on: {
        'vrrp.startup': [
          { guard: 'hasFaults', target: 'fault', actions: { type: 'setStartupReason', params: { reason: 'fault' } } },
          { guard: 'hasStartupDelay', target: 'backup.startupHold', actions: { type: 'setStartupReason', params: { reason: 'startup' } } },
          { guard: 'startsAsOwnerMaster', target: 'master', actions: ['logAdvertTimeout', { type: 'setReason', params: { reason: 'owner-startup' } }] },
          {
            guard: 'startsAsSyncMaster',
            target: 'backup',
            actions: [{ type: 'setStartupReason', params: { reason: 'startup' } }, { type: 'armDownTimer', params: { kind: 'syncStart' } }],
          },
          { target: 'backup', actions: [{ type: 'setStartupReason', params: { reason: 'startup' } }, { type: 'armDownTimer', params: { kind: 'full' } }] },
        ],
      },
    },
    backup: {
      description: 'RFC 5798 §6.4.2 / RFC 3768 §6.4.2 Backup: Master_Down_Timer armed, no adverts sent, VIPs not held.',
      entry: [
        'resetPreemptDelay',
        { type: 'noteWant', params: { want: 'BACKUP' } },
        { type: 'announce', params: { to: 'BACKUP' } },
        { type: 'leaveMaster', params: ({ context }) => ({ release: context.reason === 'vip-deleted' }) },
        { type: 'reportState', params: { to: 'BACKUP' } },
      ],
      exit: 'resetPreemptDelay',
      initial: 'countdown',
      states: {
        startupHold: {
          description: 'keepalived vrrp_startup_delay (K-11): adverts ignored until it elapses.',
          on: { 'net.advert': {} },
          after: {
            startupDelay: [
              { guard: 'startsAsOwnerMaster', target: '#vrrpInstance.master', actions: ['logAdvertTimeout', { type: 'setReason', params: { reason: 'owner-startup' } }] },
              { guard: 'startsAsSyncMaster', target: 'countdown', actions: { type: 'armDownTimer', params: { kind: 'syncStart' } } },
              { target: 'countdown', actions: { type: 'armDownTimer', params: { kind: 'full' } } },
            ],
          },
        },
        countdown: {
          description:
            'RFC 5798 §6.4.2 Backup with the Master_Down_Timer running: the `masterDownTimer` actor runs Master_Down_Interval (3 × Master_Adver_Interval + Skew_Time, RFC 5798 §6.1; K-21 down_timer_adverts) and sends vrrp.masterDown. A repeat advert of the known master restarts it in place (R-24, `repeatsKnownMaster`); the runtime\'s timer answers such an advert itself, judged by this guard on this context, so it reaches the chart only when the guard fails. A priority change moves the deadline by the Skew_Time difference (K-13).',
          invoke: {
            id: 'masterDownTimer',
            src: 'masterDownTimer',
            input: ({ context, self }) => ({ intervalUs: masterDownUs(context), env: context.cfg.env, instance: context.cfg.name, chart: self }),
            onError: timerFailed('masterDownTimer'),
          },
          on: {
            'net.advert': {
              guard: { type: 'repeatsKnownMaster', params: ({ event }) => ({ advert: event.advert }) },
              actions: 'restartMasterDownTimer',
            },
            'track.priority': { actions: [{ type: 'setTrackDelta', params: ({ event }) => ({ delta: event.delta }) }, 'retargetMasterDownTimer'] },
          },
        },
      },
      on: {
        'net.advert': [
          {
            guard: { type: 'isReleaseAdvert', params: ({ event }) => ({ advert: event.advert }) },
            target: '.countdown',
            actions: ['logReleaseReceived', { type: 'armDownTimer', params: { kind: 'release' } }],
          },
          {
            guard: { type: 'backupAcceptsAdvert', params: ({ event }) => ({ advert: event.advert }) },
            target: '.countdown',
            actions: [
              { type: 'learnFromAdvert', params: ({ event }) => ({ advert: event.advert }) },
              { type: 'trackPreemptDelay', params: ({ event }) => ({ advert: event.advert }) },
              { type: 'armDownTimer', params: { kind: 'full' } },
              { type: 'reportWant', params: { want: 'BACKUP' } },
            ],
          },
          { actions: { type: 'noteIgnoredAdvert', params: ({ event }) => ({ advert: event.advert }) } },
        ],
        'vrrp.masterDown': [
          {
            guard: 'inSyncGroup',
            target: '.countdown',
            actions: ['logAdvertTimeout', { type: 'armDownTimer', params: { kind: 'full' } }, { type: 'reportWant', params: { want: 'MASTER' } }],
          },
          { target: 'master', actions: ['logAdvertTimeout', { type: 'setReason', params: { reason: 'master-down' } }] },
        ],
        'vrrp.preemptDelayExpired': { actions: 'expirePreemptDelay' },
        'group.goMaster': { target: 'master', actions: { type: 'setReason', params: { reason: 'sync-group' } } },
        'track.fault': {
          target: 'fault',
          actions: [{ type: 'recordFault', params: ({ event }) => ({ source: event.source }) }, { type: 'setReason', params: { reason: 'fault' } }],
        },
        'group.goFault': {
          target: 'fault',
          actions: [{ type: 'recordFault', params: { source: 'sync-group' } }, { type: 'setReason', params: { reason: 'fault' } }],
        },
      },
    },
    master: {
      description: 'RFC 5798 §6.4.3 / RFC 3768 §6.4.3 Master: sends adverts every Advertisement_Interval and holds the VIPs.',
      entry: [
        'resetMasterInterval',
        { type: 'noteWant', params: { want: 'MASTER' } },
        'sendAdvert',
        { type: 'announce', params: { to: 'MASTER' } },
        'addVips',
        { type: 'sendGarp', params: { reason: 'master' } },
        'scheduleMasterGarps',
        { type: 'reportState', params: { to: 'MASTER' } },
      ],
      exit: 'cancelMasterGarps',
      initial: 'advertising',
      states: {
        advertising: {
          description:
            'RFC 5798 §6.2 Adver_Timer (R-27): the `adverTimer` actor sends an advert every Advertisement_Interval at our current priority and re-arms itself, with no event back per advert. Re-entering this state restarts it (K-10); a priority change only changes what the next adverts carry (K-13).',
          invoke: {
            id: 'adverTimer',
            src: 'adverTimer',
            input: ({ context }) => ({ instance: context.cfg.name, intervalMs: context.cfg.advertIntervalCs * 10, priority: context.priority, env: context.cfg.env }),
            onError: timerFailed('adverTimer'),
          },
          on: {
            'track.priority': { actions: [{ type: 'setTrackDelta', params: ({ event }) => ({ delta: event.delta }) }, 'tellAdverTimerPriority'] },
          },
        },
      },
      on: {
        'net.advert': [
          {
            guard: { type: 'isReleaseAdvert', params: ({ event }) => ({ advert: event.advert }) },
            actions: ['sendAdvert', 'logReleaseHeard', 'rearmAdverTimer'],
          },
          {
            guard: { type: 'isOwnerConflict', params: ({ event }) => ({ advert: event.advert }) },
            target: 'backup',
            actions: [
              { type: 'sendHigherPrioAdvert', params: ({ event }) => ({ advert: event.advert }) },
              'demoteConflictingOwner',
              { type: 'learnFromAdvert', params: ({ event }) => ({ advert: event.advert }) },
              { type: 'armDownTimer', params: { kind: 'full' } },
              { type: 'setReason', params: { reason: 'higher-priority' } },
            ],
          },
          {
            guard: { type: 'advertBeatsUs', params: ({ event }) => ({ advert: event.advert }) },
            target: 'backup',
            actions: [
              { type: 'sendHigherPrioAdvert', params: ({ event }) => ({ advert: event.advert }) },
              { type: 'learnFromAdvert', params: ({ event }) => ({ advert: event.advert }) },
              { type: 'armDownTimer', params: { kind: 'full' } },
              { type: 'setReason', params: { reason: 'higher-priority' } },
            ],
          },
          {
            guard: { type: 'advertLosesToUs', params: ({ event }) => ({ advert: event.advert }) },
            actions: [{ type: 'answerLowerPriority', params: ({ event }) => ({ advert: event.advert }) }, 'rearmAdverTimer'],
          },
          { actions: ['warnOwnAddress', 'rearmAdverTimer'] },
        ],
        'net.vipDeleted': {
          description:
            'keepalived set_vrrp_backup: a VIP deleted behind our back sends us to BACKUP (priority-0 advert, VIPs removed) with only Skew_Time to wait, so we take MASTER back and re-add the VIPs.',
          target: '#vrrpInstance.backup.countdown',
          actions: [{ type: 'armDownTimer', params: { kind: 'release' } }, { type: 'setReason', params: { reason: 'vip-deleted' } }],
        },
        'vrrp.rearmAdverTimer': { target: '.advertising' },
        'net.invalid': { actions: 'rearmAdverTimer' },
        'vrrp.garpMasterDelayDue': { actions: { type: 'sendGarp', params: { reason: 'master-delay' } } },
        'vrrp.garpRefreshDue': { actions: [{ type: 'sendGarp', params: { reason: 'refresh' } }, 'scheduleGarpRefresh'] },
        'vrrp.garpLowerPrioDue': { actions: { type: 'sendGarp', params: { reason: 'lower-prio-delay' } } },
        'group.goBackup': {
          target: 'backup',
          actions: [{ type: 'armDownTimer', params: { kind: 'full' } }, { type: 'setReason', params: { reason: 'sync-group' } }],
        },
        'track.fault': {
          target: 'fault',
          actions: [{ type: 'recordFault', params: ({ event }) => ({ source: event.source }) }, { type: 'setReason', params: { reason: 'fault' } }],
        },
        'group.goFault': {
          target: 'fault',
          actions: [{ type: 'recordFault', params: { source: 'sync-group' } }, { type: 'setReason', params: { reason: 'fault' } }],
        },
      },
    },
    fault: {
      description: 'keepalived FAULT (K-12; no RFC state): interface down or weight-0 tracker failed. Adverts ignored; leaving goes through RFC 5798 §6.4.1 start-up rules.',
      entry: [
        { type: 'announce', params: { to: 'FAULT' } },
        { type: 'leaveMaster', params: { release: true } },
        { type: 'reportState', params: { to: 'FAULT' } },
      ],
      on: {
        'track.ok': [
          {
            guard: { type: 'clearsLastFaultAsOwnerMaster', params: ({ event }) => ({ source: event.source }) },
            target: 'master',
            actions: [{ type: 'clearFault', params: ({ event }) => ({ source: event.source }) }, { type: 'setReason', params: { reason: 'fault-cleared' } }],
          },
          {
            guard: { type: 'clearsLastFault', params: ({ event }) => ({ source: event.source }) },
            target: 'backup',
            actions: [
              { type: 'clearFault', params: ({ event }) => ({ source: event.source }) },
              'resetMasterInterval',
              { type: 'armDownTimer', params: { kind: 'full' } },
              'announceSource',
              { type: 'setReason', params: { reason: 'fault-cleared' } },
            ],
          },
          { actions: { type: 'clearFault', params: ({ event }) => ({ source: event.source }) } },
        ],
        'group.clearFault': [
          {
            guard: { type: 'clearsLastFault', params: { source: 'sync-group' } },
            target: 'backup',
            actions: [
              { type: 'clearFault', params: { source: 'sync-group' } },
              'resetMasterInterval',
              { type: 'armDownTimer', params: { kind: 'full' } },
              'announceSource',
              { type: 'setReason', params: { reason: 'fault-cleared' } },
            ],
          },
          { actions: { type: 'clearFault', params: { source: 'sync-group' } } },
        ],
      },
    },
    stop: {
      description: 'RFC 5798 §6.4.2/§6.4.3 Shutdown → Initialize (keepalived STOP): VIPs released; the runtime stops the actor.',
      entry: [
        { type: 'announce', params: { to: 'STOP' } },
        { type: 'leaveMaster', params: { release: true } },
        { type: 'reportState', params: { to: 'STOP' } },
      ],
      on: { 'vrrp.shutdown': {} },
    },
  },
});
