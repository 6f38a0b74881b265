/**
 * The root actor of one keepalived-ts node: it owns the node's lifecycle and every other actor.
 *
 *   starting.sweeping → starting.spawning → running ⇄ reloading → stopping.releasing
 *     → stopping.draining → stopped
 *
 * It holds no protocol logic and no I/O. The work of each phase is done by an invoked actor the
 * composition root provides (actors/runtime.ts), which runs the subsystems' steps for that phase
 * (actors/subsystem.ts) and reports back (`daemon.swept`, `daemon.started`, `daemon.reloaded`,
 * `daemon.released`, `daemon.drained`). While it runs, the phase actor asks the root to spawn or
 * stop children (`daemon.spawn`, `daemon.stopChildren`, each with a deterministic systemId
 * derived from config names: `vrrp/VI_1`, `group/G1`, `track/script/chk`, `notifier`, …); the
 * root answers `daemon.applied` once the children have started or stopped, so the phase's next
 * step sees them. Which children exist is open: each subsystem registers its child logics under
 * its own source names, and the composition root resolves a source to its logic in the spawn
 * request. A child that crashes is reported, never fatal for the node (style R13). The machine
 * is provided once per process; `env` carries the runtime to its phase actors.
 *
 * Graceful stop (SIGTERM) is accepted in every state but `stopping`/`stopped`: `releasing` gives up
 * what peers and the network see (priority-0 adverts, VIPs), `draining` finishes the side work
 * (VMACs, queued notifications); `stopTimeout` bounds both. A reload (SIGHUP) during start-up is
 * held and applied once the node runs. `plans` is the running configuration of each subsystem,
 * opaque here; a reload replaces it.
 */
import { assign, emit, enqueueActions, fromCallback, setup, type AnyActorLogic, type AnyActorRef, type EventObject } from 'xstate';

export interface ChildSpec {
  /** A child source a subsystem registered (`vrrp.instance`, …). */
  src: string;
  systemId: string;
  input: unknown;
}

/** A child to spawn: its source, or the logic the root resolved the source to (per runtime). */
export type SpawnSpec = ChildSpec & { logic?: AnyActorLogic };

export interface DaemonInput {
  /** Longest wait for the subsystems to release and drain on a graceful stop. */
  stopTimeoutMs: number;
  /** Each subsystem's plan for the configuration the node starts with (opaque here). */
  plans: readonly unknown[];
  /** Opaque handle passed on to every phase actor (the runtime's subsystems); never read here. */
  env?: unknown;
}

/** What a phase actor is given: the running plans, for a reload the new model, and `env`. */
export interface PhaseInput {
  plans: readonly unknown[];
  model?: unknown;
  env?: unknown;
}

export type DaemonEvent =
  | { type: 'daemon.spawn'; children: SpawnSpec[]; replyTo?: AnyActorRef }
  | { type: 'daemon.stopChildren'; systemIds: string[]; replyTo?: AnyActorRef }
  /** SIGHUP with a new, already validated model. */
  | { type: 'daemon.reload'; model: unknown }
  /** SIGTERM. */
  | { type: 'daemon.shutdown' }
  | { type: 'daemon.swept' }
  | { type: 'daemon.started' }
  | { type: 'daemon.reloaded'; plans: readonly unknown[] }
  | { type: 'daemon.released' }
  | { type: 'daemon.drained' };

export type DaemonEmitted =
  | { type: 'daemon.childError'; child: string; error: string }
  | { type: 'daemon.stopping' }
  | { type: 'daemon.stopped'; timedOut: boolean };

interface DaemonContext {
  stopTimeoutMs: number;
  plans: readonly unknown[];
  env?: unknown;
  /** A reload waiting for the node to run. */
  pendingModel?: unknown;
}

/** The phase actors are provided by actors/runtime.ts; unprovided, they fail loudly. */
function phasePlaceholder(what: string) {
  return fromCallback<EventObject, PhaseInput>(() => {
    throw new Error(`${what} not provided: compose the daemon through actors/runtime.ts`);
  });
}

const phaseInput = ({ context }: { context: DaemonContext }): PhaseInput => ({ plans: context.plans, env: context.env });

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const daemonMachine = setup({
  types: {
    input: {} as DaemonInput,
    context: {} as DaemonContext,
    events: {} as DaemonEvent,
    emitted: {} as DaemonEmitted,
  },
  actors: {
    sweepLeftovers: phasePlaceholder('sweepLeftovers'),
    startSubsystems: phasePlaceholder('startSubsystems'),
    reloadSubsystems: phasePlaceholder('reloadSubsystems'),
    releaseSubsystems: phasePlaceholder('releaseSubsystems'),
    drainSubsystems: phasePlaceholder('drainSubsystems'),
    childHost: fromCallback<EventObject, { root: AnyActorRef }>(() => {
      throw new Error('childHost not provided: compose the daemon through actors/runtime.ts');
    }),
  },
  guards: {
    hasPendingReload: ({ context }) => context.pendingModel !== undefined,
  },
  delays: {
    stopTimeout: ({ context }) => context.stopTimeoutMs,
  },
  actions: {
    /** The child host (`children`) creates and starts them, a reused systemId stopped first (R11). */
    spawnChildren: enqueueActions(({ enqueue, self }, p: { children: SpawnSpec[] }) => {
      const provided = ((self as unknown as { logic: unknown }).logic as { implementations?: { actors?: Record<string, AnyActorLogic> } }).implementations?.actors ?? {};
      const children = p.children.map((c) => ({ logic: c.logic ?? provided[c.src], systemId: c.systemId, input: c.input }));
      enqueue.sendTo('children', { type: 'host.spawn', children });
    }),
    stopChildren: enqueueActions(({ enqueue }, p: { systemIds: string[] }) => {
      enqueue.sendTo('children', { type: 'host.stop', systemIds: p.systemIds });
    }),
    /** After the children started or stopped (sendTo runs last in the step): the phase goes on. */
    acknowledge: enqueueActions(({ enqueue }, p: { replyTo: AnyActorRef | undefined }) => {
      if (p.replyTo) enqueue.sendTo(p.replyTo, { type: 'daemon.applied' });
    }),
    holdReload: assign((_, p: { model: unknown }) => ({ pendingModel: p.model })),
    takePlans: assign((_, p: { plans: readonly unknown[] }) => ({ plans: p.plans, pendingModel: undefined })),
    dropPendingReload: assign({ pendingModel: undefined }),
    reportChildError: emit((_, p: { type: string; error: unknown }) => ({
      type: 'daemon.childError' as const,
      child: p.type.replace(/^xstate\.error\.actor\./, ''),
      error: errorText(p.error),
    })),
    announceStopping: emit({ type: 'daemon.stopping' as const }),
    announceStopped: emit((_, p: { timedOut: boolean }) => ({ type: 'daemon.stopped' as const, timedOut: p.timedOut })),
  },
}).createMachine({
  id: 'daemon',
  description: 'keepalived-ts root: the node lifecycle; spawns and supervises the subsystems\' actors (keepalived parent + VRRP/checker children).',
  context: ({ input }) => ({ stopTimeoutMs: input.stopTimeoutMs, plans: input.plans, ...(input.env !== undefined ? { env: input.env } : {}) }),
  // The spawned children live in this one actor, not in the root's own children: XState copies a
  // machine's children record on each spawn and stop, O(n²) for 1,000 instances.
  invoke: { id: 'children', src: 'childHost', input: ({ self }) => ({ root: self }) },
  on: {
    'daemon.spawn': {
      actions: [
        { type: 'spawnChildren', params: ({ event }) => ({ children: event.children }) },
        { type: 'acknowledge', params: ({ event }) => ({ replyTo: event.replyTo }) },
      ],
    },
    'daemon.stopChildren': {
      actions: [
        { type: 'stopChildren', params: ({ event }) => ({ systemIds: event.systemIds }) },
        { type: 'acknowledge', params: ({ event }) => ({ replyTo: event.replyTo }) },
      ],
    },
    // R13: a crashed child is reported, never fatal for the node.
    'xstate.error.actor.*': {
      actions: { type: 'reportChildError', params: ({ event }: { event: { type: string; error?: unknown } }) => ({ type: event.type, error: event.error }) },
    },
  },
  initial: 'starting',
  states: {
    starting: {
      description: 'Start-up (keepalived: the VRRP child starting). A reload now is held until the node runs.',
      initial: 'sweeping',
      on: {
        'daemon.reload': { actions: { type: 'holdReload', params: ({ event }) => ({ model: event.model }) } },
        'daemon.shutdown': { target: 'stopping' },
      },
      states: {
        sweeping: {
          description: 'Remove what a dead predecessor left behind (its VIPs) before anything starts, so no two hosts answer for one address.',
          invoke: {
            id: 'phase',
            src: 'sweepLeftovers',
            input: phaseInput,
            onError: { target: 'spawning', actions: { type: 'reportChildError', params: ({ event }) => ({ type: 'xstate.error.actor.sweepLeftovers', error: event.error }) } },
          },
          on: { 'daemon.swept': { target: 'spawning' } },
        },
        spawning: {
          description: 'Open the I/O (sockets, static addresses, VMACs) and spawn the actors of every subsystem.',
          invoke: {
            id: 'phase',
            src: 'startSubsystems',
            input: phaseInput,
            onError: { target: '#daemon.running', actions: { type: 'reportChildError', params: ({ event }) => ({ type: 'xstate.error.actor.startSubsystems', error: event.error }) } },
          },
          on: {
            'daemon.started': [{ guard: 'hasPendingReload', target: '#daemon.reloading' }, { target: '#daemon.running' }],
          },
        },
      },
    },
    running: {
      description: 'Normal operation.',
      on: {
        'daemon.reload': { target: 'reloading', actions: { type: 'holdReload', params: ({ event }) => ({ model: event.model }) } },
        'daemon.shutdown': { target: 'stopping' },
      },
    },
    reloading: {
      description: 'SIGHUP: each subsystem moves from its running plan to the new one; unchanged instances keep their state and VIPs.',
      invoke: {
        id: 'phase',
        src: 'reloadSubsystems',
        input: ({ context }) => ({ plans: context.plans, model: context.pendingModel, env: context.env }),
        onError: {
          target: 'running',
          actions: ['dropPendingReload', { type: 'reportChildError', params: ({ event }) => ({ type: 'xstate.error.actor.reloadSubsystems', error: event.error }) }],
        },
      },
      on: {
        'daemon.reloaded': { target: 'running', actions: { type: 'takePlans', params: ({ event }) => ({ plans: event.plans }) } },
        'daemon.shutdown': { target: 'stopping' },
      },
    },
    stopping: {
      description: 'SIGTERM: release, then drain; stopTimeout bounds the whole stop.',
      entry: 'announceStopping',
      initial: 'releasing',
      after: { stopTimeout: { target: 'stopped', actions: { type: 'announceStopped', params: { timedOut: true } } } },
      states: {
        releasing: {
          description: 'Instances send priority-0 adverts and remove their VIPs (RFC 5798 §6.4.3 Shutdown, K-28); static addresses go.',
          invoke: {
            id: 'phase',
            src: 'releaseSubsystems',
            input: phaseInput,
            onError: { target: 'draining', actions: { type: 'reportChildError', params: ({ event }) => ({ type: 'xstate.error.actor.releaseSubsystems', error: event.error }) } },
          },
          on: { 'daemon.released': { target: 'draining' } },
        },
        draining: {
          description: 'Once every address change is done: VMACs go, queued notifications (STOP) finish.',
          invoke: {
            id: 'phase',
            src: 'drainSubsystems',
            input: phaseInput,
            onError: {
              target: '#daemon.stopped',
              actions: [
                { type: 'reportChildError', params: ({ event }) => ({ type: 'xstate.error.actor.drainSubsystems', error: event.error }) },
                { type: 'announceStopped', params: { timedOut: false } },
              ],
            },
          },
          on: { 'daemon.drained': { target: '#daemon.stopped', actions: { type: 'announceStopped', params: { timedOut: false } } } },
        },
      },
    },
    stopped: {
      description: 'Everything released; every child is stopped with the root, which reports runtime.stopped.',
      type: 'final',
    },
  },
});

/** What the root sends a phase actor once a `daemon.spawn` / `daemon.stopChildren` it asked for took effect. */
export type DaemonAck = { type: 'daemon.applied' };
