/**
 * The root actor of one keepalived-ts node: the supervisor that owns every other actor.
 *
 * It holds no protocol logic. The composition root (actors/runtime.ts) tells it which children
 * to spawn or stop (`daemon.spawn`, `daemon.stopChildren`), each with a deterministic systemId
 * derived from config names (`vrrp/VI_1`, `group/G1`, `track/script/chk`, `tracking/VI_1`,
 * `notifier`), and it reports children that crash instead of crashing itself (style R13).
 *
 * Graceful stop (SIGTERM): `daemon.shutdown` → `stopping`, where the runtime shuts the instances
 * down (priority-0 adverts, VIPs removed) and reports `daemon.drained`; `stopTimeout` bounds the
 * wait. `stopped` is final: every child is stopped with the root.
 */
import { emit, enqueueActions, fromCallback, setup, type AnyActorLogic, type EventObject } from 'xstate';

export type ChildSource = 'instance' | 'syncGroup' | 'tracker' | 'tracking' | 'notifier';

export interface ChildSpec {
  src: ChildSource;
  systemId: string;
  input: unknown;
}

export interface DaemonInput {
  /** Longest wait for the instances to release everything on a graceful stop. */
  stopTimeoutMs: number;
}

export type DaemonEvent =
  | { type: 'daemon.spawn'; children: ChildSpec[] }
  | { type: 'daemon.stopChildren'; systemIds: string[] }
  | { type: 'daemon.shutdown' }
  | { type: 'daemon.drained' };

export type DaemonEmitted =
  | { type: 'daemon.childError'; child: string; error: string }
  | { type: 'daemon.stopping' }
  | { type: 'daemon.stopped'; timedOut: boolean };

/** Typed loosely: each source is a different machine, provided by actors/runtime.ts. */
function childPlaceholder(what: ChildSource): AnyActorLogic {
  return fromCallback<EventObject>(() => {
    throw new Error(`${what} logic not provided: compose the daemon through actors/runtime.ts`);
  });
}

export const daemonMachine = setup({
  types: {
    input: {} as DaemonInput,
    context: {} as DaemonInput & { children: string[] },
    events: {} as DaemonEvent,
    emitted: {} as DaemonEmitted,
  },
  actors: {
    instance: childPlaceholder('instance'),
    syncGroup: childPlaceholder('syncGroup'),
    tracker: childPlaceholder('tracker'),
    tracking: childPlaceholder('tracking'),
    notifier: childPlaceholder('notifier'),
  },
  delays: {
    stopTimeout: ({ context }) => context.stopTimeoutMs,
  },
  actions: {
    spawnChildren: enqueueActions(({ context, enqueue }, p: { children: ChildSpec[] }) => {
      const ids = [...context.children];
      for (const c of p.children) {
        // R11: a systemId must be unique; a respawn stops the old child first.
        if (ids.includes(c.systemId)) enqueue.stopChild(c.systemId);
        else ids.push(c.systemId);
        enqueue.spawnChild(c.src, { id: c.systemId, systemId: c.systemId, input: c.input as never });
      }
      enqueue.assign({ children: ids });
    }),
    stopChildren: enqueueActions(({ context, enqueue }, p: { systemIds: string[] }) => {
      for (const id of p.systemIds) if (context.children.includes(id)) enqueue.stopChild(id);
      enqueue.assign({ children: context.children.filter((id) => !p.systemIds.includes(id)) });
    }),
    reportChildError: emit((_, p: { type: string; error: unknown }) => ({
      type: 'daemon.childError' as const,
      child: p.type.replace(/^xstate\.error\.actor\./, ''),
      error: p.error instanceof Error ? p.error.message : String(p.error),
    })),
    announceStopping: emit({ type: 'daemon.stopping' as const }),
    announceStopped: emit((_, p: { timedOut: boolean }) => ({ type: 'daemon.stopped' as const, timedOut: p.timedOut })),
  },
}).createMachine({
  id: 'daemon',
  description: 'keepalived-ts root: spawns and supervises the per-config actors (keepalived vrrp child process).',
  context: ({ input }) => ({ ...input, children: [] }),
  on: {
    'daemon.spawn': { actions: { type: 'spawnChildren', params: ({ event }) => ({ children: event.children }) } },
    'daemon.stopChildren': { actions: { type: 'stopChildren', params: ({ event }) => ({ systemIds: event.systemIds }) } },
    // R13: a crashed child is reported, never fatal for the node.
    'xstate.error.actor.*': {
      actions: { type: 'reportChildError', params: ({ event }: { event: { type: string; error?: unknown } }) => ({ type: event.type, error: event.error }) },
    },
  },
  initial: 'running',
  states: {
    running: {
      description: 'Normal operation (keepalived: VRRP child running).',
      on: { 'daemon.shutdown': { target: 'stopping' } },
    },
    stopping: {
      description: 'SIGTERM: instances send priority-0 adverts and release VIPs (RFC 5798 §6.4.3 Shutdown, K-28).',
      entry: 'announceStopping',
      on: { 'daemon.drained': { target: 'stopped', actions: { type: 'announceStopped', params: { timedOut: false } } } },
      after: { stopTimeout: { target: 'stopped', actions: { type: 'announceStopped', params: { timedOut: true } } } },
    },
    stopped: {
      description: 'Everything released; the runtime reports runtime.stopped.',
      type: 'final',
    },
  },
});
