/**
 * keepalived `vrrp_sync_group` (K-14, keepalived vrrp_sync.c): the member instances move together.
 *
 *  - any member with a failed tracked object ⇒ the group is FAULT and every member is put in FAULT
 *    (`group.goFault`); when no member has one any more, `group.clearFault` releases them all;
 *  - a member that leaves MASTER for BACKUP ⇒ every MASTER member follows (`group.goBackup`);
 *  - MASTER only when every member wants it (keepalived `wantstate`, "prefer backup to avoid
 *    thrashing"): a member whose down timer expired reports `member.want MASTER` and waits; when the
 *    last one does, the group sends `group.goMaster` to all. A member that becomes MASTER on its own
 *    (an owner at start-up) while the others do not want it is sent back (`group.goBackup`);
 *  - group-level track_* apply to every member and member weights are ignored unless
 *    sync_group_tracking_weight: that happens in the members' tracking actors
 *    (machines/track/tracking.machine.ts), which also report each member's own tracked faults here
 *    (`member.trackFault`), so the group can tell a member's own FAULT from the one it imposed.
 *
 * Emits `group.state` (exactly once per group state) and `group.log` with keepalived's wording,
 * and tells the notifier (input.notifier) each state for notify scripts/FIFO/SMTP with the GROUP prefix.
 */
import { assign, emit, enqueueActions, setup, type AnyActorRef } from 'xstate';
import type { InstanceStateName, MemberEvent, SyncGroupCommand } from './types.js';
import type { NotifierEvent } from '../notify/notifier.machine.js';

export type GroupStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

export interface SyncGroupInput {
  name: string;
  /**
   * Member instances in configuration order, with the systemId of each instance actor. A group
   * respawned by a reload is told its members' current states (default INIT).
   */
  members: Array<{ name: string; systemId: string; state?: InstanceStateName; trackFault?: boolean }>;
  /** systemId of the notifier actor, told every group state but INIT (GROUP scope). */
  notifier?: string;
}

interface MemberView {
  systemId: string;
  state: InstanceStateName;
  want: 'MASTER' | 'BACKUP';
  /** The member's own weight-0 tracked object failed (from its tracking actor). */
  trackFault: boolean;
}

interface SyncGroupContext {
  name: string;
  notifier?: string;
  order: string[];
  members: Record<string, MemberView>;
  state: GroupStateName;
}

export type SyncGroupEvent =
  | MemberEvent
  | { type: 'member.trackFault'; member: string; faulted: boolean }
  /** Graceful stop: the group reports STOP (keepalived notify_shutdown). */
  | { type: 'group.shutdown' };

export type SyncGroupEmitted =
  | { type: 'group.state'; group: string; from: GroupStateName; to: GroupStateName }
  | { type: 'group.log'; group: string; level: 'info' | 'warning'; message: string };

type Args = { context: SyncGroupContext };

const allWantMaster = (c: SyncGroupContext) => c.order.every((n) => c.members[n]!.state === 'MASTER' || c.members[n]!.want === 'MASTER');
const anyTrackFault = (c: SyncGroupContext) => c.order.some((n) => c.members[n]!.trackFault);

export const syncGroupMachine = setup({
  types: {
    input: {} as SyncGroupInput,
    context: {} as SyncGroupContext,
    events: {} as SyncGroupEvent,
    emitted: {} as SyncGroupEmitted,
  },
  guards: {
    anyTrackFault: ({ context }: Args) => anyTrackFault(context),
    noTrackFault: ({ context }: Args) => !anyTrackFault(context),
    allWantMaster: ({ context }: Args) => allWantMaster(context),
    anyMemberStarted: ({ context }: Args) => context.order.some((n) => context.members[n]!.state !== 'INIT'),
    /** A group respawned by a reload whose members are all MASTER carries on as MASTER. */
    allMembersMaster: ({ context }: Args) => context.order.every((n) => context.members[n]!.state === 'MASTER'),
    /** A member lost an election on its own (not because we told it to). */
    memberYieldedMastership: (_: Args, p: { from: InstanceStateName; to: InstanceStateName; reason: string }) =>
      p.from === 'MASTER' && p.to === 'BACKUP' && p.reason !== 'sync-group',
    /** A member's own fault cleared while another member still has one. */
    faultClearsWhileOthersFaulted: ({ context }: Args, p: { member: string; faulted: boolean }) =>
      !p.faulted && context.order.some((n) => n !== p.member && context.members[n]!.trackFault),
  },
  actions: {
    recordState: assign(({ context }: Args, p: { member: string; to: InstanceStateName }) => {
      const m = context.members[p.member];
      if (!m) return {};
      // A member's wish lasts while it is BACKUP (member.want); any other state replaces it.
      const want = p.to === 'MASTER' ? 'MASTER' : 'BACKUP';
      return { members: { ...context.members, [p.member]: { ...m, state: p.to, want } } };
    }),
    recordWant: assign(({ context }: Args, p: { member: string; want: 'MASTER' | 'BACKUP' }) => {
      const m = context.members[p.member];
      return m ? { members: { ...context.members, [p.member]: { ...m, want: p.want } } } : {};
    }),
    recordTrackFault: assign(({ context }: Args, p: { member: string; faulted: boolean }) => {
      const m = context.members[p.member];
      return m ? { members: { ...context.members, [p.member]: { ...m, trackFault: p.faulted } } } : {};
    }),
    announce: enqueueActions(({ context, enqueue, system }, p: { to: GroupStateName }) => {
      enqueue.emit({ type: 'group.state', group: context.name, from: context.state, to: p.to });
      const notifier = context.notifier === undefined ? undefined : (system.get(context.notifier) as AnyActorRef | undefined);
      if (notifier && p.to !== 'INIT') enqueue.sendTo(notifier, { type: 'notify.state', scope: 'GROUP', name: context.name, state: p.to, priority: 0 } satisfies NotifierEvent);
      if (p.to === 'MASTER' || p.to === 'BACKUP' || p.to === 'FAULT') {
        enqueue.emit({ type: 'group.log', group: context.name, level: 'info', message: `VRRP_Group(${context.name}) Syncing instances to ${p.to} state` });
      }
      enqueue.assign({ state: p.to });
    }),
    /** Send one command to the members selected by `which`. */
    command: enqueueActions(({ context, enqueue, system }, p: { command: SyncGroupCommand; which: 'notMaster' | 'master' | 'notTrackFaulted' | 'all' }) => {
      for (const n of context.order) {
        const m = context.members[n]!;
        const selected =
          p.which === 'all' ||
          (p.which === 'master' && m.state === 'MASTER') ||
          (p.which === 'notMaster' && m.state !== 'MASTER') ||
          (p.which === 'notTrackFaulted' && !m.trackFault);
        const ref = selected ? (system.get(m.systemId) as AnyActorRef | undefined) : undefined;
        if (ref) enqueue.sendTo(ref, p.command);
      }
    }),
    /** Entering BACKUP: members still in MASTER follow, unless every member wants MASTER anyway. */
    syncMastersToBackup: enqueueActions(({ context, enqueue, system }) => {
      if (allWantMaster(context)) return;
      for (const n of context.order) {
        const m = context.members[n]!;
        const ref = m.state === 'MASTER' ? (system.get(m.systemId) as AnyActorRef | undefined) : undefined;
        if (ref) enqueue.sendTo(ref, { type: 'group.goBackup' } satisfies SyncGroupCommand);
      }
    }),
    commandMember: enqueueActions(({ context, enqueue, system }, p: { member: string; command: SyncGroupCommand }) => {
      const m = context.members[p.member];
      const ref = m ? (system.get(m.systemId) as AnyActorRef | undefined) : undefined;
      if (ref) enqueue.sendTo(ref, p.command);
    }),
    /** A member became MASTER by itself while the others do not all want it: send it back. */
    sendLoneMasterBack: enqueueActions(({ context, enqueue, system }, p: { member: string; to: InstanceStateName }) => {
      if (p.to !== 'MASTER' || allWantMaster(context)) return;
      const ref = system.get(context.members[p.member]?.systemId ?? '') as AnyActorRef | undefined;
      if (ref) enqueue.sendTo(ref, { type: 'group.goBackup' } satisfies SyncGroupCommand);
      enqueue.emit({ type: 'group.log', group: context.name, level: 'info', message: `VRRP_Group(${context.name}) ${p.member} cannot be MASTER alone, syncing it to BACKUP` });
    }),
    logLeavingFault: emit(({ context }: Args) => ({
      type: 'group.log' as const,
      group: context.name,
      level: 'info' as const,
      message: `VRRP_Group(${context.name}) Leaving FAULT state`,
    })),
  },
}).createMachine({
  id: 'syncGroup',
  description: 'keepalived vrrp_sync_group (K-14): all members MASTER, or all BACKUP/FAULT.',
  context: ({ input }) => ({
    name: input.name,
    ...(input.notifier !== undefined ? { notifier: input.notifier } : {}),
    order: input.members.map((m) => m.name),
    members: Object.fromEntries(
      input.members.map((m) => [
        m.name,
        { systemId: m.systemId, state: m.state ?? 'INIT', want: m.state === 'MASTER' ? 'MASTER' : 'BACKUP', trackFault: m.trackFault ?? false } satisfies MemberView,
      ]),
    ),
    state: 'INIT',
  }),
  on: {
    'member.state': { actions: { type: 'recordState', params: ({ event }) => ({ member: event.member, to: event.to }) } },
    'member.want': { actions: { type: 'recordWant', params: ({ event }) => ({ member: event.member, want: event.want }) } },
    'member.trackFault': { actions: { type: 'recordTrackFault', params: ({ event }) => ({ member: event.member, faulted: event.faulted }) } },
    'group.shutdown': { target: '.stop' },
  },
  initial: 'init',
  states: {
    init: {
      description: 'No member has started yet (or the group was just respawned by a reload).',
      always: [
        { guard: 'anyTrackFault', target: 'fault' },
        { guard: 'allMembersMaster', target: 'master' },
        { guard: 'anyMemberStarted', target: 'backup' },
      ],
    },
    backup: {
      description: 'K-14: all members BACKUP (RFC 5798 §6.4.2 for each); MASTER only once every member wants it.',
      entry: [
        { type: 'announce', params: { to: 'BACKUP' } },
        'syncMastersToBackup',
      ],
      always: [
        { guard: 'anyTrackFault', target: 'fault' },
        { guard: 'allWantMaster', target: 'master' },
      ],
      on: {
        'member.state': {
          actions: [
            { type: 'recordState', params: ({ event }) => ({ member: event.member, to: event.to }) },
            { type: 'sendLoneMasterBack', params: ({ event }) => ({ member: event.member, to: event.to }) },
          ],
        },
      },
    },
    master: {
      description: 'K-14: every member wanted MASTER (RFC 5798 §6.4.3 for each); one yielding takes the group to BACKUP.',
      entry: [
        { type: 'announce', params: { to: 'MASTER' } },
        { type: 'command', params: { command: { type: 'group.goMaster' }, which: 'notMaster' } },
      ],
      always: { guard: 'anyTrackFault', target: 'fault' },
      on: {
        'member.state': [
          {
            guard: { type: 'memberYieldedMastership', params: ({ event }) => ({ from: event.from, to: event.to, reason: event.reason }) },
            target: 'backup',
            actions: { type: 'recordState', params: ({ event }) => ({ member: event.member, to: event.to }) },
          },
          { actions: { type: 'recordState', params: ({ event }) => ({ member: event.member, to: event.to }) } },
        ],
      },
    },
    fault: {
      description: 'K-12/K-14: a member has a failed tracked object, so every member is held in FAULT.',
      entry: [
        { type: 'announce', params: { to: 'FAULT' } },
        { type: 'command', params: { command: { type: 'group.goFault' }, which: 'notTrackFaulted' } },
      ],
      always: {
        guard: 'noTrackFault',
        target: 'backup',
        actions: ['logLeavingFault', { type: 'command', params: { command: { type: 'group.clearFault' }, which: 'all' } }],
      },
      on: {
        'member.trackFault': [
          {
            guard: { type: 'faultClearsWhileOthersFaulted', params: ({ event }) => ({ member: event.member, faulted: event.faulted }) },
            actions: [
              { type: 'recordTrackFault', params: ({ event }) => ({ member: event.member, faulted: event.faulted }) },
              { type: 'commandMember', params: ({ event }) => ({ member: event.member, command: { type: 'group.goFault' } }) },
            ],
          },
          { actions: { type: 'recordTrackFault', params: ({ event }) => ({ member: event.member, faulted: event.faulted }) } },
        ],
      },
    },
    stop: {
      description: 'Shutdown: the group reports STOP once (keepalived notify_shutdown).',
      entry: { type: 'announce', params: { to: 'STOP' } },
      on: { 'member.state': {}, 'member.want': {}, 'member.trackFault': {}, 'group.shutdown': {} },
    },
  },
});
