/**
 * vrrp_script: run a check script every `interval`, kill it after `timeout`, and turn exit codes
 * into an OK/KO status with keepalived's rise/fall hysteresis (vrrp_scheduler.c,
 * vrrp_script_child_thread):
 *
 *  - `result` counts 0..rise+fall−1; the script is good when result ≥ rise.
 *  - It starts at rise−1 ("one success is enough"), or 0 with `init_fail`.
 *  - While still in INIT (no run finished yet), the first failure is reported at once.
 *  - Runs start at 0, interval, 2·interval… from start-up; a tick that finds the previous run still
 *    going is skipped ("Track script X is already running, expect idle - skipping run").
 *  - A run that outlives `timeout` counts as a failure ("timed_out").
 *
 * The run itself is the `runScript` placeholder: actors/ provides it over ports.scripts.
 */
import { enqueueActions, fromCallback, raise, sendTo, setup, type AnyActorRef, type EventObject } from 'xstate';
import type { TrackerNoteEvent, TrackerUpdateEvent } from './types.js';

export interface ScriptProbeInput {
  name: string;
  parent: AnyActorRef;
  argv: string[];
  user?: string;
  group?: string;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  initFail: boolean;
  /** Opaque handle for `runScript` (the runtime's I/O); passed through, never read. */
  env?: unknown;
}

export interface ScriptRunInput {
  name: string;
  argv: string[];
  timeoutMs: number;
  user?: string;
  group?: string;
  env?: unknown;
}

/** What `runScript` sends back when the script ends (or could not start: `error`). */
export type ScriptExitedEvent = { type: 'script.exited'; exitCode: number | null; signal?: string; error?: string };

export type ScriptProbeEvent = ScriptExitedEvent | { type: 'script.tick' };

type InitState = 'init' | 'failed' | 'done';

interface ScriptProbeContext extends ScriptProbeInput {
  result: number;
  initState: InitState;
  lastExitCode: number | null | undefined;
}

export const runScriptPlaceholder = fromCallback<EventObject, ScriptRunInput>(() => {
  throw new Error('runScript not provided: compose through actors/script-io.ts');
});

/**
 * keepalived's rise/fall counter step. Returns the new counter and, when the reported status flips
 * (or is reported for the first time), `report`.
 */
export function stepScriptResult(
  c: { result: number; rise: number; fall: number; initState: InitState },
  success: boolean,
): { result: number; report?: 'ok' | 'failed' } {
  const top = c.rise + c.fall - 1;
  if (success) {
    if (c.result < c.rise - 1) return { result: c.result + 1 };
    if (c.result === top) return { result: top };
    return c.result < c.rise ? { result: top, report: 'ok' } : { result: top };
  }
  if (c.result > c.rise) return { result: c.result - 1 };
  return c.result === c.rise || c.initState === 'init' ? { result: 0, report: 'failed' } : { result: 0 };
}

type Outcome = { success: boolean; exitType: 'succeeded' | 'failed' | 'timed_out'; reason?: string; exitCode?: number | null };

function outcomeOf(e: ScriptExitedEvent): Outcome {
  if (e.error !== undefined) return { success: false, exitType: 'failed', reason: `could not run: ${e.error}` };
  if (e.exitCode === 0) return { success: true, exitType: 'succeeded', exitCode: 0 };
  if (e.exitCode === null) return { success: false, exitType: 'failed', reason: `due to signal ${e.signal ?? '?'}`, exitCode: null };
  return { success: false, exitType: 'failed', reason: `exited with status ${e.exitCode}`, exitCode: e.exitCode };
}

export const scriptProbeMachine = setup({
  types: {
    input: {} as ScriptProbeInput,
    context: {} as ScriptProbeContext,
    events: {} as ScriptProbeEvent,
  },
  actors: { runScript: runScriptPlaceholder },
  delays: {
    scriptInterval: ({ context }) => context.intervalMs,
    scriptTimeout: ({ context }) => context.timeoutMs,
  },
  actions: {
    tick: raise({ type: 'script.tick' }),
    applyOutcome: enqueueActions(({ context, enqueue }, o: Outcome) => {
      const step = stepScriptResult(context, o.success);
      if (o.exitCode !== undefined && o.exitCode !== null && o.exitCode !== context.lastExitCode) {
        enqueue.sendTo(context.parent, {
          type: 'tracker.note',
          level: 'info',
          message: `Script \`${context.name}\` now returning ${o.exitCode}`,
        } satisfies TrackerNoteEvent);
      }
      enqueue.assign({
        result: step.result,
        initState: 'done' as InitState,
        lastExitCode: o.exitCode === undefined || o.exitCode === null ? context.lastExitCode : o.exitCode,
      });
      if (step.report) {
        const note = `VRRP_Script(${context.name}) ${o.exitType}${!o.success && o.reason ? ` (${o.reason})` : ''}`;
        enqueue.sendTo(context.parent, {
          type: 'tracker.update',
          ok: step.report === 'ok',
          value: step.report === 'ok' ? 1 : 0,
          note,
        } satisfies TrackerUpdateEvent);
      }
    }),
    noteSkippedRun: sendTo(
      ({ context }) => context.parent,
      ({ context }) =>
        ({
          type: 'tracker.note',
          level: 'info',
          message: `Track script ${context.name} is already running, expect idle - skipping run`,
        }) satisfies TrackerNoteEvent,
    ),
    announceInitFail: enqueueActions(({ context, enqueue }) => {
      if (!context.initFail) return;
      enqueue.sendTo(context.parent, { type: 'tracker.update', ok: false, value: 0, note: `VRRP_Script(${context.name}) init_fail` } satisfies TrackerUpdateEvent);
    }),
  },
  guards: {
    /** A run starts on a tick, so a tick that finds it running with timeout ≤ interval means its timeout is due now. */
    timeoutDueNow: ({ context }) => context.timeoutMs <= context.intervalMs,
  },
}).createMachine({
  id: 'scriptProbe',
  description: 'keepalived.conf(5) "VRRP script(s)": interval, timeout, rise, fall, init_fail.',
  context: ({ input }) => ({
    ...input,
    result: input.initFail ? 0 : input.rise - 1,
    initState: input.initFail ? 'failed' : 'init',
    // keepalived starts last_status at 0: a first run that exits 0 logs no "now returning 0".
    lastExitCode: 0,
  }),
  entry: 'announceInitFail',
  type: 'parallel',
  states: {
    run: {
      description: 'One script run at a time (keepalived SCRIPT_STATE_IDLE / RUNNING).',
      initial: 'running',
      states: {
        idle: {
          description: 'Waiting for the next interval tick.',
          on: { 'script.tick': { target: 'running' } },
        },
        running: {
          description: 'The script is running; its exit status feeds the rise/fall counter.',
          invoke: {
            id: 'run',
            src: 'runScript',
            input: ({ context }) => ({
              name: context.name,
              argv: context.argv,
              timeoutMs: context.timeoutMs,
              ...(context.user !== undefined ? { user: context.user } : {}),
              ...(context.group !== undefined ? { group: context.group } : {}),
              ...(context.env !== undefined ? { env: context.env } : {}),
            }),
            onError: {
              target: 'idle',
              actions: {
                type: 'applyOutcome',
                params: ({ event }) => ({ success: false, exitType: 'failed' as const, reason: `could not run: ${String(event.error)}` }),
              },
            },
          },
          on: {
            'script.exited': { target: 'idle', actions: { type: 'applyOutcome', params: ({ event }) => outcomeOf(event) } },
            'script.tick': [
              {
                // timeout == interval: this run's timeout is due at this very instant.
                guard: 'timeoutDueNow',
                target: 'running',
                reenter: true,
                actions: { type: 'applyOutcome', params: { success: false, exitType: 'timed_out' } },
              },
              { actions: 'noteSkippedRun' },
            ],
          },
          after: {
            scriptTimeout: { target: 'idle', actions: { type: 'applyOutcome', params: { success: false, exitType: 'timed_out' } } },
          },
        },
      },
    },
    schedule: {
      description: 'The interval clock, independent of how long a run takes.',
      initial: 'waiting',
      states: {
        waiting: {
          description: 'One tick per interval, counted from start-up (keepalived re-arms the timer before each run).',
          after: { scriptInterval: { target: 'waiting', reenter: true, actions: 'tick' } },
        },
      },
    },
  },
});
