/**
 * One health checker: one actor per checker block per real server (keepalived checker_t).
 *
 *   starting ─▶ warmup ─(1 s + uniform(0..warmup))─▶ probing ─▶ waiting ─▶ probing …
 *                                                    │    └──▶ healthy ─(first outcome that is not a success)─▶ waiting / probing …
 *                                                    │ disabled (ha_suspend): waiting again, state frozen
 *   FILE_CHECK: starting ─▶ watchingFile (no timers, values from the track file)
 *
 * - warmup: keepalived's register_checkers_thread runs every checker first at BOOTSTRAP_DELAY
 *   (1 s) + warmup × random()/RAND_MAX. The draw comes in through input (`warmupDraw`, from the
 *   simulator's seeded PRNG or the daemon's randomness) so the chart stays deterministic.
 * - probing: asks the `probe` actor (the prober port, provided by the runtime; one per checker,
 *   invoked for the checker's whole life) for one attempt (`probe.start`) with one absolute
 *   deadline: connect_timeout, or misc_timeout for MISC_CHECK. The probe reports `probe.result`
 *   (or `probe.error` when the attempt could not run at all); at the deadline the machine sends
 *   `probe.cancel` and counts a timeout (on a tie the deadline wins: it is armed first). One
 *   actor for the checker's life rather than one per attempt: at 10,000 servers a second, XState
 *   creating and stopping an actor per attempt cost more CPU than keepalived's whole check.
 * - the outcome is counted exactly as keepalived 2.2.7 does for this checker family
 *   (checker-steps.ts), which yields log lines, verdicts for the real server and the next delay:
 *   delay_loop or delay_before_retry after the check finished; for MISC_CHECK measured from the
 *   script's start (`checker.due` marks armed when the script starts). The transitions out of
 *   `probing` pick the next state in their guards (outcomeWaits, outcomeWaitsForMark, isEnabled)
 *   rather than through transient states: a check on this path is two macrosteps of two and one
 *   microsteps (a run due → `probing`, `probe.begin`; the answer → `waiting`); a check in
 *   `healthy` is none.
 * - healthy: once an outcome is counted and counting another success would change nothing (same
 *   counters, no log line, weight or verdict, next run delay_loop: checker-steps.ts
 *   successIsFixedPoint, guard outcomeLoops), the checker hands its `probe` actor a repeating
 *   request (`probe.loop`, actors/lvs/probe-loop.ts): an attempt every delay_loop after the
 *   previous one finished, each with its one deadline armed before it starts (the deadline wins
 *   a tie, as in `probing`), reporting only an outcome that is not a success. A healthy checker's
 *   repeat runs thus cost no XState event; the first failure or deadline comes back as
 *   `probe.result` and is counted exactly as in `probing`, with the same transitions. The timing
 *   is the same as the `waiting` ↔ `probing` cycle's, clock call for clock call. HTTP with several
 *   urls (url_it moves on), MISC_CHECK (marks from the script's start, misc_dynamic weights), a
 *   checker down, retrying or recovering with fast_recovery, and a suspended one stay on the
 *   `waiting` ↔ `probing` path. Suspended while healthy: the loop is held, and the next run due
 *   comes back as `probe.due`, which the chart treats as `waiting` treats its timer.
 * - ha_suspend: `checker.enable` from the real server (virtual server address present or not)
 *   logs "Activating|Suspending healthchecker …"; a disabled checker skips its runs and waits
 *   delay_loop with its state frozen (keepalived's `!checker->enabled` reschedule).
 *
 * Talks to its real server (systemId `realServer`) with `checker.report` (keepalived's
 * update_svr_checker_state) and `checker.weight` (update_svr_wgt). No I/O here: the probe is a
 * placeholder actor that answers `probe.error` unless provided.
 */
import { enqueueActions, fromCallback, raise, sendTo, setup, type AnyActorRef } from 'xstate';
import type { ProbeOutcome, ProbeRequest, ProbeTarget } from '../../actors/lvs/prober-port.js';
import type { CheckerConfig } from '../../config/model-lvs.js';
import { DEADLINE_OUTCOME as DEADLINE, familyOf, initialCounters, stepChecker, stepFile, successIsFixedPoint, type CheckerOp, type Counters, type NextRun, type StepConfig, type StepResult, type UrlTest } from './checker-steps.js';
import type { CheckerEnableEvent, CheckerReportEvent, CheckerWeightEvent, LvsEmitted, ProbeCommand, ProbeDueEvent, ProbeErrorEvent, ProbeResultEvent } from './types.js';

/** keepalived BOOTSTRAP_DELAY. */
export const BOOTSTRAP_DELAY_MS = 1000;

export interface CheckerInput {
  /** systemId of this checker's real-server actor. */
  realServer: string;
  /** Position among the real server's checkers. */
  index: number;
  checker: CheckerConfig;
  /** Where probes go: connect_ip / connect_port, else the real server. */
  target: ProbeTarget;
  /** FMT_RS, the real server's `[ip]:port`, and its configured weight. */
  rs: { name: string; pair: string; weight: number };
  /** FMT_VS and the virtual server's delay_loop (misc_timeout's default). */
  vs: { name: string; delayLoopMs: number };
  /** random()/RAND_MAX for the warmup, in 0..1. */
  warmupDraw: number;
  /** False when ha_suspend is set and the virtual server's address is not local at start. */
  enabled: boolean;
  /** global_defs checker_log_all_failures (or'ed with the checker's log_all_failures). */
  logAllFailures?: boolean;
  /** HTTP_GET / SSL_GET fast_recovery. */
  fastRecovery?: boolean;
  /** FILE_CHECK: the track file's weight/reverse as resolved (checker's, else the track_file's) and its value at start. */
  file?: { weight: number; reverse: boolean; value: number };
  /** A reload carried this checker's state over from the one it replaces (keepalived migrate_checkers). */
  resume?: Counters;
  /** HTTP_GET / SSL_GET: the virtualhosts the Host header falls back to, and the global SSL block. */
  virtualhosts?: ProbeRequest['virtualhosts'];
  ssl?: ProbeRequest['ssl'];
  /** Opaque to the chart: handed to the `probe` actor in its input (the runtime's prober). */
  env?: unknown;
}

export type CheckerEvent =
  | ProbeResultEvent
  | ProbeErrorEvent
  | ProbeDueEvent
  | CheckerEnableEvent
  | { type: 'file.value'; value: number }
  | { type: 'checker.due'; which: 'retry' | 'loop' }
  /** Raised on entering `probing`: start the attempt (after the deadline is armed). */
  | { type: 'probe.begin' };

export interface CheckerContext {
  realServer: string;
  index: number;
  kind: CheckerConfig['kind'];
  step: StepConfig;
  request: ProbeRequest;
  firstRunMs: number;
  counters: Counters;
  enabled: boolean;
  next: NextRun;
  newCycle: boolean;
  /** MISC_CHECK: which of the marks armed at the script's start have passed. */
  due: { retry: boolean; loop: boolean };
}

/**
 * The prober, provided by the runtime: lives as long as its checker; for each `probe.start` it
 * runs the attempt and sends back one `probe.result` (or `probe.error`), unless `probe.cancel`
 * came first; for `probe.loop` it runs an attempt every `everyMs` after the previous one
 * finished and sends back only the first that is not a success (`probe.due` for a run due
 * after `probe.hold`).
 */
export const probePlaceholder = fromCallback<ProbeCommand>(({ receive, sendBack }) => {
  receive((e) => {
    if (e.type === 'probe.start' || e.type === 'probe.loop') sendBack({ type: 'probe.error', error: new Error('the `probe` actor is not provided (compose it in actors/)') } satisfies ProbeErrorEvent);
  });
});

function urlTest(u: CheckerConfig['urls'][number]): UrlTest {
  return u.regex !== undefined ? 'Regex match' : u.digest !== undefined ? 'MD5 digest' : 'HTTP status code';
}

function contextFromInput(input: CheckerInput): CheckerContext {
  const c = input.checker;
  const family = familyOf(c.kind);
  const file = input.file ?? { weight: c.file?.weight ?? 0, reverse: c.file?.reverse ?? false, value: 0 };
  const step: StepConfig = {
    family,
    retry: c.retry,
    delayLoopMs: c.delayLoopMs,
    delayBeforeRetryMs: c.delayBeforeRetryMs,
    logAllFailures: c.logAllFailures || !!input.logAllFailures,
    alpha: family !== 'file' && c.alpha,
    fastRecovery: !!input.fastRecovery,
    rs: input.rs.name,
    vs: input.vs.name,
    targetPair: `[${input.target.address}]:${input.target.port}`,
    targetAddress: input.target.address,
    rsPair: input.rs.pair,
    ipv6: input.target.family === 6,
    urls: c.urls.map((u) => ({ path: u.path ?? '/', test: urlTest(u) })),
    miscPath: c.misc?.command?.argv[0] ?? '',
    rsWeight: input.rs.weight,
    file: { weight: file.weight, reverse: file.reverse },
  };
  const timeoutMs = family === 'misc' ? (c.misc?.timeoutMs ?? input.vs.delayLoopMs) : c.connectTimeoutMs;
  const warmupMs = c.warmupMs ?? c.delayLoopMs;
  const draw = Math.min(1, Math.max(0, input.warmupDraw));
  return {
    realServer: input.realServer,
    index: input.index,
    kind: c.kind,
    step,
    request: {
      checker: c,
      target: input.target,
      timeoutMs,
      ...(input.virtualhosts ? { virtualhosts: input.virtualhosts } : {}),
      ...(input.ssl ? { ssl: input.ssl } : {}),
      ...(input.env !== undefined ? { env: input.env } : {}),
    } as ProbeRequest,
    // keepalived works in µs: warmup × random() / RAND_MAX, truncated.
    firstRunMs: BOOTSTRAP_DELAY_MS + Math.floor(warmupMs * 1000 * draw) / 1000,
    counters: input.resume ? { ...input.resume } : initialCounters(step, file.value),
    // A FILE_CHECK has no launch thread: keepalived never disables it at start.
    enabled: family === 'file' ? true : input.enabled,
    next: { after: 0 },
    newCycle: true,
    due: { retry: false, loop: false },
  };
}

/** The request for this attempt: HTTP checks one URL per attempt (keepalived's url_it). */
function requestFor(context: CheckerContext): ProbeRequest {
  if (context.step.family !== 'http' || context.request.checker.urls.length === 0) return context.request;
  const url = context.request.checker.urls[context.counters.urlIt];
  return { ...context.request, checker: { ...context.request.checker, urls: url ? [url] : [] } };
}

/** What a transition out of `probing` counts: the probe's outcome, or an attempt that could not run. */
type Counted = ProbeOutcome | 'crashed';

/**
 * The outcome counted for this checker (checker-steps.ts). A transition out of `probing` asks
 * twice, in its guards (where the next run is) and its action (the counting itself): the last
 * answer is kept, keyed by the immutable step config, counters and outcome it came from.
 */
let lastCount: { step: StepConfig; counters: Counters; outcome: ProbeOutcome; result: StepResult } | undefined;
function counted(context: CheckerContext, outcome: ProbeOutcome): StepResult {
  const m = lastCount;
  if (m && m.outcome === outcome && m.counters === context.counters && m.step === context.step) return m.result;
  const result = stepChecker(context.step, context.counters, outcome);
  lastCount = { step: context.step, counters: context.counters, outcome, result };
  return result;
}

/** When the next run is once this is counted (an attempt that could not run: delay_loop, see probeCrashed). */
function nextRunAfter(context: CheckerContext, outcome: Counted): NextRun {
  return outcome === 'crashed' ? { after: context.step.delayLoopMs } : counted(context, outcome).next;
}

/** The probe's answer, counted: the same transitions out of `probing` and out of `healthy`. */
const outcomeOf = ({ event }: { event: ProbeResultEvent }) => ({ outcome: event.outcome });
const errorOf = ({ event }: { event: ProbeErrorEvent }) => ({ error: event.error });
/** A run falls due (the first, the next, or one the loop reached while suspended): probe, or skip it and wait delay_loop again. */
const runDue = [
  { guard: 'isEnabled', target: 'probing', actions: ['cancelMarks', 'startCycle'] },
  { target: 'waiting', reenter: true, actions: ['cancelMarks', 'skipWhileSuspended'] },
] as const;

/**
 * The branches that count an outcome, in order: `params` gives it (the probe's answer, or the
 * deadline's), and `first` runs before the counting (the deadline's `cancelProbe`).
 */
function counting<P>(params: P, first: readonly [] | readonly ['cancelProbe']) {
  const apply = { type: 'applyOutcome', params } as const;
  return [
    { guard: { type: 'outcomeLoops', params }, target: 'healthy', reenter: true, actions: [...first, apply] },
    { guard: { type: 'outcomeWaits', params }, target: 'waiting', actions: [...first, apply] },
    { guard: { type: 'outcomeWaitsForMark', params }, target: 'waitingForMark', actions: [...first, apply] },
    { guard: 'isEnabled', target: 'probing', reenter: true, actions: [...first, apply, 'cancelMarks', 'startCycle'] },
    { target: 'waiting', actions: [...first, apply, 'cancelMarks', 'skipWhileSuspended'] },
  ] as const;
}
const onResult = counting(outcomeOf, []);
const onError = [
  { guard: { type: 'outcomeWaits', params: { outcome: 'crashed' } }, target: 'waiting', actions: { type: 'probeCrashed', params: errorOf } },
  { guard: 'isEnabled', target: 'probing', reenter: true, actions: [{ type: 'probeCrashed', params: errorOf }, 'cancelMarks', 'startCycle'] },
  { target: 'waiting', actions: [{ type: 'probeCrashed', params: errorOf }, 'cancelMarks', 'skipWhileSuspended'] },
] as const;

export const checkerMachine = setup({
  types: {
    input: {} as CheckerInput,
    context: {} as CheckerContext,
    events: {} as CheckerEvent,
    emitted: {} as LvsEmitted,
  },
  actors: { probe: probePlaceholder },
  delays: {
    firstRun: ({ context }) => context.firstRunMs,
    probeDeadline: ({ context }) => context.request.timeoutMs,
    nextRun: ({ context }) => ('after' in context.next ? context.next.after : 0),
    retryMark: ({ context }) => context.step.delayBeforeRetryMs,
    loopMark: ({ context }) => context.step.delayLoopMs,
  },
  guards: {
    isFileCheck: ({ context }) => context.step.family === 'file',
    isUnsupported: ({ context }) => context.step.family === 'unsupported',
    isEnabled: ({ context }) => context.enabled,
    /**
     * Once this outcome is counted, the checker is healthy and steady: enabled, next run
     * delay_loop away, and counting another success would change nothing (checker-steps.ts
     * successIsFixedPoint). Its repeat runs then go to the probe actor's loop (`healthy`).
     */
    outcomeLoops: ({ context }, p: { outcome: Counted }) => {
      if (!context.enabled || p.outcome === 'crashed') return false;
      const r = counted(context, p.outcome);
      return 'after' in r.next && r.next.after === context.step.delayLoopMs && successIsFixedPoint(context.step, r.counters);
    },
    /** Once this outcome is counted, the next run is a delay away (the usual case). */
    outcomeWaits: ({ context }, p: { outcome: Counted }) => {
      const next = nextRunAfter(context, p.outcome);
      return 'after' in next && next.after > 0;
    },
    /** MISC: once counted, the next run is at a mark that has not passed yet (the script ran short). */
    outcomeWaitsForMark: ({ context }, p: { outcome: Counted }) => {
      const next = nextRunAfter(context, p.outcome);
      return 'mark' in next && !context.due[next.mark];
    },
    markIsNext: ({ context }, p: { which: 'retry' | 'loop' }) => 'mark' in context.next && context.next.mark === p.which,
    markIsNextWhileEnabled: ({ context }, p: { which: 'retry' | 'loop' }) => context.enabled && 'mark' in context.next && context.next.mark === p.which,
  },
  actions: {
    /** register_checkers_thread's line (not for FILE_CHECK, which has no thread). */
    announceStart: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({
        type: 'lvs.log',
        level: 'info',
        message: `${context.enabled ? 'A' : 'Dea'}ctivating healthchecker for service ${context.step.rs} for VS ${context.step.vs}`,
      });
    }),
    announceUnsupported: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'lvs.log', level: 'warning', message: `${context.kind} for service ${context.step.rs} of VS ${context.step.vs} is not supported; the checker counts as up` });
    }),
    /** SMTP_CHECK's smtp_start_check_thread: a scheduled (not retry) run starts its count again. */
    startCycle: enqueueActions(({ context, enqueue }) => {
      if (context.step.family === 'smtp' && context.newCycle) enqueue.assign({ counters: { ...context.counters, retryIt: 0 } });
    }),
    skipWhileSuspended: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ next: { after: context.step.delayLoopMs }, newCycle: true });
    }),
    /** MISC_CHECK: the next run is due at start + delay_before_retry or start + delay_loop. */
    armMarks: enqueueActions(({ context, enqueue }) => {
      if (context.step.family !== 'misc') return;
      enqueue.assign({ due: { retry: false, loop: false } });
      enqueue.raise({ type: 'checker.due', which: 'retry' }, { id: 'dueRetry', delay: 'retryMark' });
      enqueue.raise({ type: 'checker.due', which: 'loop' }, { id: 'dueLoop', delay: 'loopMark' });
    }),
    cancelMarks: enqueueActions(({ context, enqueue }) => {
      if (context.step.family !== 'misc') return;
      enqueue.cancel('dueRetry');
      enqueue.cancel('dueLoop');
    }),
    noteMark: enqueueActions(({ context, enqueue }, p: { which: 'retry' | 'loop' }) => {
      enqueue.assign({ due: { ...context.due, [p.which]: true } });
    }),
    applyOutcome: enqueueActions(({ context, enqueue, system }, p: { outcome: ProbeOutcome }) => {
      const r = counted(context, p.outcome);
      enqueue.assign({ counters: r.counters, next: r.next, newCycle: r.newCycle });
      runOps(context, r.ops, enqueue as unknown as OpsEnqueue, system);
    }),
    applyFileValue: enqueueActions(({ context, enqueue, system }, p: { value: number }) => {
      const r = stepFile(context.step, context.counters, p.value);
      enqueue.assign({ counters: r.counters });
      runOps(context, r.ops, enqueue as unknown as OpsEnqueue, system);
    }),
    /** One attempt of the `probe` actor (HTTP: the URL whose turn it is). */
    startProbe: sendTo('probe', ({ context }): ProbeCommand => ({ type: 'probe.start', request: requestFor(context) })),
    /** The deadline passed first: the attempt is abandoned (its sockets closed), its late answer dropped. */
    cancelProbe: sendTo('probe', { type: 'probe.cancel' } satisfies ProbeCommand),
    /** `healthy`: the probe actor runs the attempts itself, every delay_loop after the previous one finished. */
    startLoop: sendTo('probe', ({ context }): ProbeCommand => ({ type: 'probe.loop', request: requestFor(context), everyMs: context.step.delayLoopMs })),
    /** Leaving `healthy`: the loop is over (it reported), or is stopped here. */
    stopLoop: sendTo('probe', { type: 'probe.cancel' } satisfies ProbeCommand),
    /** ha_suspend while `healthy`: a run that falls due comes back as `probe.due` instead of running. */
    holdLoop: sendTo('probe', (_, p: { enabled: boolean }): ProbeCommand => ({ type: 'probe.hold', held: !p.enabled })),
    probeCrashed: enqueueActions(({ context, enqueue }, p: { error: unknown }) => {
      const why = p.error instanceof Error ? p.error.message : String(p.error);
      enqueue.emit({ type: 'lvs.log', level: 'warning', message: `${context.kind} probe for service ${context.step.rs} failed to run (${why}). Rescheduling.` });
      enqueue.assign({ next: { after: context.step.delayLoopMs }, newCycle: true });
    }),
    setEnabled: enqueueActions(({ context, enqueue }, p: { enabled: boolean }) => {
      if (p.enabled === context.enabled) return;
      enqueue.assign({ enabled: p.enabled });
      enqueue.emit({
        type: 'lvs.log',
        level: 'info',
        message: `${p.enabled ? 'Activat' : 'Suspend'}ing healthchecker for service ${context.step.rs} for VS ${context.step.vs}`,
      });
    }),
  },
}).createMachine({
  id: 'lvsChecker',
  description:
    'keepalived checker_t (check_api.c register_checkers_thread; check_tcp.c, check_http.c, check_smtp.c, check_dns.c, check_udp.c, check_ping.c, check_misc.c, check_file.c): warmup, one probe per attempt with one deadline, retry counting per checker family, verdicts to the real server. A healthy, steady checker leaves its repeat runs to its probe actor (`healthy`) until an outcome that is not a success.',
  context: ({ input }) => contextFromInput(input),
  invoke: { id: 'probe', src: 'probe' },
  on: {
    'checker.enable': { actions: { type: 'setEnabled', params: ({ event }) => ({ enabled: event.enabled }) } },
    'checker.due': { actions: { type: 'noteMark', params: ({ event }) => ({ which: event.which }) } },
  },
  initial: 'starting',
  states: {
    starting: {
      description: 'FILE_CHECK follows its track file; every other checker is scheduled (register_checkers_thread).',
      always: [
        { guard: 'isFileCheck', target: 'watchingFile' },
        { guard: 'isUnsupported', target: 'unsupported', actions: 'announceUnsupported' },
        { target: 'warmup', actions: 'announceStart' },
      ],
    },
    warmup: {
      description: 'First run at BOOTSTRAP_DELAY (1 s) + uniform(0..warmup); warmup defaults to delay_loop, warmup 0 means 1 s. Disabled by ha_suspend: wait delay_loop, state frozen.',
      after: {
        firstRun: runDue,
      },
    },
    probing: {
      description:
        'One attempt through the prober port, with one absolute deadline (connect_timeout; misc_timeout for MISC_CHECK). The outcome is counted (checker-steps.ts) and picks the next run: after a delay, at a MISC mark, or at once (fast_recovery, delay_before_retry 0, a MISC mark already passed).',
      // The attempt starts on a raised event, so that the deadline (`after`, armed after the entry
      // actions) is armed first and wins a tie with an answer due at the same instant.
      entry: ['armMarks', raise({ type: 'probe.begin' })],
      on: {
        'probe.begin': { actions: 'startProbe' },
        'probe.result': onResult,
        'probe.error': onError,
      },
      after: {
        probeDeadline: counting({ outcome: DEADLINE }, ['cancelProbe']),
      },
    },
    healthy: {
      description:
        'Healthy and steady: counting another success would change nothing, so the probe actor runs the attempts itself, every delay_loop after the previous one finished, each with its one deadline armed first, and reports only an outcome that is not a success (or the deadline). That outcome is counted here exactly as in `probing`. Suspended by ha_suspend: the next run due comes back (`probe.due`) and waits delay_loop, state frozen.',
      entry: 'startLoop',
      exit: 'stopLoop',
      on: {
        'checker.enable': {
          actions: [
            { type: 'setEnabled', params: ({ event }) => ({ enabled: event.enabled }) },
            { type: 'holdLoop', params: ({ event }) => ({ enabled: event.enabled }) },
          ],
        },
        'probe.due': runDue,
        'probe.result': onResult,
        'probe.error': onError,
      },
    },
    waiting: {
      description: 'delay_loop or delay_before_retry (HTTP: max of both for a failed URL) after the check finished. Disabled by ha_suspend: wait delay_loop again, state frozen.',
      after: {
        nextRun: runDue,
      },
    },
    waitingForMark: {
      description: 'MISC_CHECK: the next run is due at the script start + delay_before_retry (retrying) or + delay_loop.',
      on: {
        'checker.due': [
          { guard: { type: 'markIsNextWhileEnabled', params: ({ event }) => ({ which: event.which }) }, target: 'probing', actions: ['cancelMarks', 'startCycle'] },
          { guard: { type: 'markIsNext', params: ({ event }) => ({ which: event.which }) }, target: 'waiting', actions: ['cancelMarks', 'skipWhileSuspended'] },
          { actions: { type: 'noteMark', params: ({ event }) => ({ which: event.which }) } },
        ],
      },
    },
    watchingFile: {
      description: 'FILE_CHECK: every new value of the track file; fault takes the checker down, a weight changes the real server weight.',
      on: { 'file.value': { actions: { type: 'applyFileValue', params: ({ event }) => ({ value: event.value }) } } },
    },
    unsupported: {
      description: 'A checker kind this build does not run (BFD_CHECK): it stays as it started.',
    },
  },
});

interface OpsEnqueue {
  emit(event: LvsEmitted): void;
  sendTo(to: AnyActorRef, event: CheckerReportEvent | CheckerWeightEvent): void;
}

/** Log lines, weights and verdicts in the order keepalived produces them. */
function runOps(context: CheckerContext, ops: CheckerOp[], enqueue: OpsEnqueue, system: { get: (id: string) => AnyActorRef | undefined }): void {
  const rs = system.get(context.realServer);
  for (const op of ops) {
    if (op.op === 'log') enqueue.emit({ type: 'lvs.log', level: 'info', message: op.message });
    else if (op.op === 'weight') {
      if (rs) enqueue.sendTo(rs, { type: 'checker.weight', index: context.index, contribution: op.contribution } satisfies CheckerWeightEvent);
    } else {
      if (op.report.changed) {
        enqueue.emit({
          type: 'lvs.checker',
          vs: context.step.vs,
          rs: context.step.rs,
          kind: context.kind,
          up: op.report.up,
          ...(op.report.detail !== undefined ? { detail: op.report.detail } : {}),
        });
      }
      if (rs) enqueue.sendTo(rs, { type: 'checker.report', index: context.index, ...op.report } satisfies CheckerReportEvent);
    }
  }
}
