/**
 * One tracked object (a vrrp_script, track_file, vrrp_track_process or a tracked interface).
 *
 * The tracker owns the object's current status and its subscribers (the per-instance tracking
 * actors, by systemId). The kind-specific work happens in an invoked probe:
 *  - `scriptProbe`: machines/track/script-probe.machine.ts (interval, timeout, rise/fall, init_fail)
 *  - `processProbe`: machines/track/process-probe.machine.ts (quorum, fork/terminate delays)
 *  - `fileProbe`, `linkProbe`: glue in actors/ that reads the file / watches the link and sends
 *    `tracker.update` as values change.
 * Every probe reports with `tracker.update`; the tracker forwards changes as `tracker.status`.
 */
import { assign, emit, enqueueActions, fromCallback, setup, type AnyActorLogic, type AnyActorRef, type EventObject } from 'xstate';
import type {
  TrackerKind,
  TrackerNoteEvent,
  TrackerStatus,
  TrackerStatusEvent,
  TrackerSubscribeEvent,
  TrackerUpdateEvent,
} from './types.js';

export interface TrackerInput {
  kind: TrackerKind;
  name: string;
  /** The probe's own input (its `parent` is filled in by the tracker). */
  probe: Record<string, unknown>;
  /** Status before the first probe result; a script with init_fail starts known and failed. */
  initial?: { known: boolean; ok: boolean; value: number };
  /** Tracking actors (systemIds) already subscribed, in order: the root's plan lists the ones
   *  start-up will subscribe, a reload the ones that stay. A subscription repeats harmlessly. */
  subscribers?: readonly string[];
}

export interface TrackerContext {
  status: TrackerStatus;
  probe: Record<string, unknown>;
  subscribers: readonly string[];
}

export type TrackerEvent = TrackerUpdateEvent | TrackerNoteEvent | TrackerSubscribeEvent;

export type TrackerEmitted =
  | { type: 'tracker.changed'; status: TrackerStatus; note?: string }
  | { type: 'tracker.log'; name: string; level: 'detail' | 'info' | 'warning'; message: string };

/** Input every probe receives: its own config plus the tracker to report to. */
export type ProbeInput = Record<string, unknown> & { parent: AnyActorRef; name: string };

/** Typed loosely on purpose: a probe is a machine (script, process) or a callback (file, link). */
function probePlaceholder(what: string): AnyActorLogic {
  return fromCallback<EventObject, ProbeInput>(() => {
    throw new Error(`${what} not provided: compose the tracker through actors/`);
  });
}

const probeInput = ({ context, self }: { context: TrackerContext; self: AnyActorRef }): ProbeInput => ({
  ...context.probe,
  name: context.status.name,
  parent: self,
});

const sameStatus = (a: TrackerStatus, u: { ok: boolean; value: number }) => a.known && a.ok === u.ok && a.value === u.value;

/**
 * Whether `id` is in a subscriber list, through an index per list (a WeakMap, nothing in the
 * context): a search of the list per subscription made 1,000 instances tracking one script cost
 * O(n²). The root spawns a tracker with the subscribers its plan knows, so at start-up every
 * subscription finds itself listed and the list is not copied either.
 */
const subscriberIndexes = new WeakMap<readonly string[], Set<string>>();
const indexOf = (list: readonly string[]): Set<string> => {
  let index = subscriberIndexes.get(list);
  if (!index) subscriberIndexes.set(list, (index = new Set(list)));
  return index;
};
const isSubscribed = (list: readonly string[], id: string): boolean => indexOf(list).has(id);
/** `list` with `id` appended; its index moves to the new list (the old one builds its own if asked). */
const withSubscriber = (list: readonly string[], id: string): readonly string[] => {
  const index = indexOf(list);
  const next = [...list, id];
  subscriberIndexes.delete(list);
  subscriberIndexes.set(next, index.add(id));
  return next;
};

export const trackerMachine = setup({
  types: {
    input: {} as TrackerInput,
    context: {} as TrackerContext,
    events: {} as TrackerEvent,
    emitted: {} as TrackerEmitted,
  },
  actors: {
    scriptProbe: probePlaceholder('scriptProbe'),
    fileProbe: probePlaceholder('fileProbe'),
    processProbe: probePlaceholder('processProbe'),
    linkProbe: probePlaceholder('linkProbe'),
  },
  guards: {
    isScript: ({ context }) => context.status.kind === 'script',
    isFile: ({ context }) => context.status.kind === 'file',
    isProcess: ({ context }) => context.status.kind === 'process',
    statusChanged: ({ context }, p: { ok: boolean; value: number }) => !sameStatus(context.status, p),
  },
  actions: {
    /** Observers first (the note, "VRRP_Script(chk) failed", is logged before what it causes, as in keepalived), then the subscribers. */
    storeAndBroadcast: enqueueActions(({ context, enqueue, system }, p: { ok: boolean; value: number; note?: string }) => {
      const status: TrackerStatus = { ...context.status, known: true, ok: p.ok, value: p.value };
      enqueue.assign({ status });
      enqueue.emit({ type: 'tracker.changed', status, ...(p.note ? { note: p.note } : {}) });
      for (const id of context.subscribers) {
        const ref = system.get(id) as AnyActorRef | undefined;
        if (ref) enqueue.sendTo(ref, { type: 'tracker.status', status } satisfies TrackerStatusEvent);
      }
    }),
    addSubscriber: enqueueActions(({ context, enqueue, system }, p: { subscriber: string }) => {
      if (!isSubscribed(context.subscribers, p.subscriber)) enqueue.assign({ subscribers: withSubscriber(context.subscribers, p.subscriber) });
      const ref = system.get(p.subscriber) as AnyActorRef | undefined;
      if (ref) enqueue.sendTo(ref, { type: 'tracker.status', status: context.status } satisfies TrackerStatusEvent);
    }),
    removeSubscriber: assign({
      subscribers: ({ context }, p: { subscriber: string }) => context.subscribers.filter((s) => s !== p.subscriber),
    }),
    probeCrashed: enqueueActions(({ context, enqueue }, p: { error: unknown }) => {
      const message = p.error instanceof Error ? p.error.message : String(p.error);
      enqueue.emit({ type: 'tracker.log', name: context.status.name, level: 'warning', message: `tracker ${context.status.name} probe failed: ${message}` });
      enqueue.raise({ type: 'tracker.update', ok: false, value: 0, note: 'probe failed' });
    }),
    relayNote: emit(({ context }, p: { level: 'detail' | 'info' | 'warning'; message: string }) => ({
      type: 'tracker.log' as const,
      name: context.status.name,
      level: p.level,
      message: p.message,
    })),
  },
}).createMachine({
  id: 'tracker',
  description: 'keepalived tracking (vrrp_track.c): one actor per tracked object, fanning its status out to the instances that track it.',
  context: ({ input }) => ({
    status: {
      kind: input.kind,
      name: input.name,
      known: input.initial?.known ?? false,
      ok: input.initial?.ok ?? false,
      value: input.initial?.value ?? 0,
    },
    probe: input.probe,
    subscribers: input.subscribers ?? [],
  }),
  on: {
    'tracker.update': [
      {
        guard: { type: 'statusChanged', params: ({ event }) => ({ ok: event.ok, value: event.value }) },
        actions: { type: 'storeAndBroadcast', params: ({ event }) => ({ ok: event.ok, value: event.value, note: event.note }) },
      },
    ],
    'tracker.note': { actions: { type: 'relayNote', params: ({ event }) => ({ level: event.level, message: event.message }) } },
    'tracker.subscribe': { actions: { type: 'addSubscriber', params: ({ event }) => ({ subscriber: event.subscriber }) } },
    'tracker.unsubscribe': { actions: { type: 'removeSubscriber', params: ({ event }) => ({ subscriber: event.subscriber }) } },
  },
  initial: 'routing',
  states: {
    routing: {
      description: 'Pick the probe for this kind of tracked object.',
      always: [
        { guard: 'isScript', target: 'script' },
        { guard: 'isFile', target: 'file' },
        { guard: 'isProcess', target: 'process' },
        { target: 'interface' },
      ],
    },
    script: {
      description: 'vrrp_script: run the script every interval (keepalived.conf(5) "VRRP script(s)").',
      invoke: {
        id: 'probe',
        src: 'scriptProbe',
        input: probeInput,
        onError: { target: 'probeFailed', actions: { type: 'probeCrashed', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    file: {
      description: 'track_file: value read from the file on every change (keepalived.conf(5) "Track files").',
      invoke: {
        id: 'probe',
        src: 'fileProbe',
        input: probeInput,
        onError: { target: 'probeFailed', actions: { type: 'probeCrashed', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    process: {
      description: 'vrrp_track_process: number of matching processes against quorum (keepalived.conf(5) "VRRP track processes").',
      invoke: {
        id: 'probe',
        src: 'processProbe',
        input: probeInput,
        onError: { target: 'probeFailed', actions: { type: 'probeCrashed', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    interface: {
      description: 'track_interface: link state from netlink (keepalived.conf(5) track_interface).',
      invoke: {
        id: 'probe',
        src: 'linkProbe',
        input: probeInput,
        onError: { target: 'probeFailed', actions: { type: 'probeCrashed', params: ({ event }) => ({ error: event.error }) } },
      },
    },
    probeFailed: {
      description: 'The probe itself crashed (a bug or a missing port): the object counts as failed until a reload.',
    },
  },
});
