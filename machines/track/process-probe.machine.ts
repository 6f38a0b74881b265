/**
 * vrrp_track_process: the number of matching processes against `quorum`..`quorum_max`, with
 * `fork_delay` before a gained quorum counts and `terminate_delay` before a lost one counts
 * (keepalived track_process.c). The first count is reported at once, as keepalived initialises
 * `have_quorum` from its start-up /proc scan.
 *
 * Counting is the `countProcesses` placeholder: actors/ provides it over ports.processes and
 * sends `process.count` whenever the number of matching processes changes.
 */
import { fromCallback, sendTo, setup, type AnyActorRef, type EventObject } from 'xstate';
import type { TrackerNoteEvent, TrackerUpdateEvent } from './types.js';

/** How to recognise the process (vrrp_track_process `process`, `param_match`, `full_command`). */
export interface ProcessMatch {
  process: string;
  params: string[];
  paramMatch: 'exact' | 'initial' | 'partial';
  fullCommand: boolean;
}

export interface ProcessProbeInput {
  name: string;
  parent: AnyActorRef;
  match: ProcessMatch;
  quorum: number;
  /** Unset: no upper bound. */
  quorumMax?: number;
  forkDelayMs: number;
  terminateDelayMs: number;
  /** Opaque handle for `countProcesses` (the runtime's I/O); passed through, never read. */
  env?: unknown;
}

export type ProcessCountEvent = { type: 'process.count'; count: number };

export const countProcessesPlaceholder = fromCallback<EventObject, { name: string; match: ProcessMatch; env?: unknown }>(() => {
  throw new Error('countProcesses not provided: compose through actors/track-io.ts');
});

export const processProbeMachine = setup({
  types: {
    input: {} as ProcessProbeInput,
    context: {} as ProcessProbeInput,
    events: {} as ProcessCountEvent,
  },
  actors: { countProcesses: countProcessesPlaceholder },
  delays: {
    forkDelay: ({ context }) => context.forkDelayMs,
    terminateDelay: ({ context }) => context.terminateDelayMs,
  },
  guards: {
    hasQuorum: ({ context }, p: { count: number }) => p.count >= context.quorum && (context.quorumMax === undefined || p.count <= context.quorumMax),
    noForkDelay: ({ context }) => context.forkDelayMs <= 0,
    noTerminateDelay: ({ context }) => context.terminateDelayMs <= 0,
  },
  actions: {
    reportQuorum: sendTo(
      ({ context }) => context.parent,
      ({ context }, p: { ok: boolean }) =>
        ({
          type: 'tracker.update',
          ok: p.ok,
          value: p.ok ? 1 : 0,
          note: `Quorum ${p.ok ? 'gained' : 'lost'} for tracked process ${context.name}`,
        }) satisfies TrackerUpdateEvent,
    ),
    noteCountFailed: sendTo(
      ({ context }) => context.parent,
      ({ context }, p: { error: unknown }) =>
        ({
          type: 'tracker.note',
          level: 'warning',
          message: `tracked process ${context.name}: cannot count processes (${String(p.error)})`,
        }) satisfies TrackerNoteEvent,
    ),
  },
}).createMachine({
  id: 'processProbe',
  description: 'keepalived.conf(5) "VRRP track processes": quorum, quorum_max, fork_delay, terminate_delay.',
  context: ({ input }) => input,
  invoke: {
    id: 'count',
    src: 'countProcesses',
    input: ({ context }) => ({ name: context.name, match: context.match, ...(context.env !== undefined ? { env: context.env } : {}) }),
    onError: { target: '.down', actions: [{ type: 'noteCountFailed', params: ({ event }) => ({ error: event.error }) }, { type: 'reportQuorum', params: { ok: false } }] },
  },
  initial: 'unknown',
  states: {
    unknown: {
      description: 'No count yet: the first count is reported as it is.',
      on: {
        'process.count': [
          { guard: { type: 'hasQuorum', params: ({ event }) => ({ count: event.count }) }, target: 'up', actions: { type: 'reportQuorum', params: { ok: true } } },
          { target: 'down', actions: { type: 'reportQuorum', params: { ok: false } } },
        ],
      },
    },
    up: {
      description: 'Quorum held.',
      on: {
        'process.count': [
          { guard: { type: 'hasQuorum', params: ({ event }) => ({ count: event.count }) } },
          { target: 'losing' },
        ],
      },
    },
    losing: {
      description: 'Quorum lost, waiting terminate_delay in case the process is being restarted.',
      always: { guard: 'noTerminateDelay', target: 'down', actions: { type: 'reportQuorum', params: { ok: false } } },
      after: { terminateDelay: { target: 'down', actions: { type: 'reportQuorum', params: { ok: false } } } },
      on: {
        'process.count': { guard: { type: 'hasQuorum', params: ({ event }) => ({ count: event.count }) }, target: 'up' },
      },
    },
    down: {
      description: 'Quorum not held.',
      on: {
        'process.count': [
          { guard: { type: 'hasQuorum', params: ({ event }) => ({ count: event.count }) }, target: 'gaining' },
        ],
      },
    },
    gaining: {
      description: 'Quorum reached, waiting fork_delay so that a fork/exec does not bounce the instance.',
      always: { guard: 'noForkDelay', target: 'up', actions: { type: 'reportQuorum', params: { ok: true } } },
      after: { forkDelay: { target: 'up', actions: { type: 'reportQuorum', params: { ok: true } } } },
      on: {
        'process.count': [{ guard: { type: 'hasQuorum', params: ({ event }) => ({ count: event.count }) } }, { target: 'down' }],
      },
    },
  },
});
