/**
 * One real server of one virtual server (keepalived real_server_t; ipwrapper.c
 * update_svr_checker_state, set_checker_state, perform_svr_state, update_svr_wgt).
 *
 *   starting ─▶ alive ⇄ failed
 *
 * - alive only while every one of its checkers is up (num_failed_checkers == 0); the first
 *   checker to go down takes it out, the last one to come back puts it in.
 * - effective weight = configured weight + Σ dynamic contributions (misc_dynamic, FILE_CHECK
 *   weights); the table gets it clamped to 0..INT32_MAX (keepalived real_weight).
 * - on a transition, in keepalived's order: the log line ("Adding service R to VS V",
 *   "Removing service R from VS V", or with inhibit_on_failure "Enabling service R of VS V" /
 *   "Disabling service R of VS V"), `rs.changed` to the virtual server (which issues the
 *   LbCommand: with inhibit_on_failure a failed server stays present with weight 0), the
 *   notify_up/notify_down and FIFO line, `rs.settled` (the virtual server re-evaluates quorum),
 *   then the checker's alert mail (smtp_alert; with no_checker_emails only when alive flips).
 * - a weight change logs "Changing weight from %d to %d for %sactive service R of VS V" and
 *   goes to the virtual server the same way.
 * - `rs.enable` (ha_suspend) is passed on to every checker.
 *
 * No I/O: everything leaves as emitted events or messages to siblings by systemId.
 */
import { enqueueActions, setup, type AnyActorRef } from 'xstate';
import { rsFifoLine } from './format.js';
import {
  clampWeight,
  type CheckerEnableEvent,
  type CheckerReportEvent,
  type CheckerWeightEvent,
  type LvsEmitted,
  type RealServerInput,
  type RsChangedEvent,
  type RsEnableEvent,
  type RsSettledEvent,
} from './types.js';

/** A reload kept this real server: its new configuration, with each checker's state as migrated. */
export type RsReloadEvent = { type: 'rs.reload'; input: RealServerInput };

export type RealServerEvent = CheckerReportEvent | CheckerWeightEvent | RsEnableEvent | RsReloadEvent;

export interface RealServerContext extends RealServerInput {
  state: Array<{ up: boolean; contribution: number }>;
  failedCheckers: number;
  alive: boolean;
}

type RsOp =
  | { op: 'log'; message: string }
  | { op: 'changed'; reason: 'state' | 'weight'; alive: boolean; weight: number; failedCheckers: number }
  | { op: 'notify' }
  | { op: 'settled' }
  | { op: 'status' }
  | { op: 'smtp'; body: string };

/** Start state: down checkers (alpha, FILE_CHECK fault) and the effective weight with start contributions. */
export function realServerStart(weight: number, checkers: Array<{ up: boolean; contribution: number }>): { failedCheckers: number; weight: number } {
  return {
    failedCheckers: checkers.filter((c) => !c.up).length,
    weight: clampWeight(weight + checkers.reduce((s, c) => s + c.contribution, 0)),
  };
}

const effective = (c: Pick<RealServerContext, 'weight' | 'state'>) => c.weight + c.state.reduce((s, x) => s + x.contribution, 0);

/** keepalived's update_svr_checker_state + set_checker_state for one verdict, as ops in order. */
export function applyReport(c0: RealServerContext, e: CheckerReportEvent): { context: RealServerContext; ops: RsOp[] } {
  const c: RealServerContext = { ...c0, state: c0.state.map((s) => ({ ...s })) };
  const ops: RsOp[] = [];
  const slot = c.state[e.index];
  if (!slot) return { context: c0, ops };
  if (e.contribution?.when === 'before') slot.contribution = e.contribution.value;
  const wasAlive = c.alive;
  const perform = (alive: boolean) => {
    if (c.alive === alive) return;
    const verb = alive ? (c.inhibitOnFailure ? 'Enabl' : 'Add') : c.inhibitOnFailure ? 'Disabl' : 'Remov';
    const prep = c.inhibitOnFailure ? 'of' : alive ? 'to' : 'from';
    ops.push({ op: 'log', message: `${verb}ing service ${c.name} ${prep} VS ${c.vsName}` });
    c.alive = alive;
    ops.push({ op: 'changed', reason: 'state', alive, weight: clampWeight(effective(c)), failedCheckers: c.failedCheckers });
    ops.push({ op: 'notify' }, { op: 'status' }, { op: 'settled' });
  };
  if (slot.up !== e.up) {
    if (e.up) {
      if (c.failedCheckers <= 1) perform(true);
      c.failedCheckers = Math.max(0, c.failedCheckers - 1);
    } else {
      if (c.failedCheckers === 0) perform(false);
      c.failedCheckers++;
    }
    slot.up = e.up;
  } else if (e.notify) {
    ops.push({ op: 'notify' });
  }
  if (e.contribution?.when === 'after') slot.contribution = e.contribution.value;
  if (e.alert !== undefined && c.smtpAlert && (wasAlive !== c.alive || !c.noCheckerEmails)) ops.push({ op: 'smtp', body: e.alert });
  return { context: c, ops };
}

/** keepalived's update_svr_wgt for one checker's new contribution. */
export function applyWeight(c0: RealServerContext, e: CheckerWeightEvent): { context: RealServerContext; ops: RsOp[] } {
  if (!c0.state[e.index]) return { context: c0, ops: [] };
  const c: RealServerContext = { ...c0, state: c0.state.map((s, i) => (i === e.index ? { ...s, contribution: e.contribution } : { ...s })) };
  const from = clampWeight(effective(c0));
  const to = clampWeight(effective(c));
  if (from === to) return { context: c, ops: [] };
  return {
    context: c,
    ops: [
      { op: 'log', message: `Changing weight from ${from} to ${to} for ${c.alive ? '' : 'in'}active service ${c.name} of VS ${c.vsName}` },
      { op: 'changed', reason: 'weight', alive: c.alive, weight: to, failedCheckers: c.failedCheckers },
      { op: 'status' },
      { op: 'settled' },
    ],
  };
}

/**
 * keepalived's migrate_checkers / clear_diff_rs for a kept real server, doing better where it
 * gets stuck (issues #1163, #1720): the server's state follows its checkers' states at once. A
 * server with a failed checker goes out ("Removing service …"), one whose checkers are all up
 * comes back, and a weight change is applied with update_svr_wgt's line.
 */
export function applyReload(c0: RealServerContext, input: RealServerInput): { context: RealServerContext; ops: RsOp[] } {
  const before = clampWeight(effective(c0));
  const c: RealServerContext = {
    ...input,
    state: input.checkers.map((x) => ({ up: x.up, contribution: x.contribution })),
    failedCheckers: input.checkers.filter((x) => !x.up).length,
    alive: c0.alive,
  };
  const ops: RsOp[] = [];
  const want = c.failedCheckers === 0;
  if (want !== c.alive) {
    const verb = want ? (c.inhibitOnFailure ? 'Enabl' : 'Add') : c.inhibitOnFailure ? 'Disabl' : 'Remov';
    const prep = c.inhibitOnFailure ? 'of' : want ? 'to' : 'from';
    ops.push({ op: 'log', message: `${verb}ing service ${c.name} ${prep} VS ${c.vsName}` });
    c.alive = want;
    ops.push({ op: 'changed', reason: 'state', alive: want, weight: clampWeight(effective(c)), failedCheckers: c.failedCheckers });
    ops.push({ op: 'notify' }, { op: 'status' }, { op: 'settled' });
    return { context: c, ops };
  }
  const after = clampWeight(effective(c));
  if (after !== before) {
    ops.push(
      { op: 'log', message: `Changing weight from ${before} to ${after} for ${c.alive ? '' : 'in'}active service ${c.name} of VS ${c.vsName}` },
      { op: 'changed', reason: 'weight', alive: c.alive, weight: after, failedCheckers: c.failedCheckers },
      { op: 'status' },
      { op: 'settled' },
    );
  }
  return { context: c, ops };
}

export const realServerMachine = setup({
  types: {
    input: {} as RealServerInput,
    context: {} as RealServerContext,
    events: {} as RealServerEvent,
    emitted: {} as LvsEmitted,
  },
  guards: {
    allCheckersUp: ({ context }) => context.failedCheckers === 0,
    reportBringsUp: ({ context }, p: { event: CheckerReportEvent }) => applyReport(context, p.event).context.alive && !context.alive,
    reportTakesDown: ({ context }, p: { event: CheckerReportEvent }) => !applyReport(context, p.event).context.alive && context.alive,
    reloadBringsUp: ({ context }, p: { input: RealServerInput }) => applyReload(context, p.input).context.alive && !context.alive,
    reloadTakesDown: ({ context }, p: { input: RealServerInput }) => !applyReload(context, p.input).context.alive && context.alive,
  },
  actions: {
    applyReport: enqueueActions(({ context, enqueue, system }, p: { event: CheckerReportEvent }) => {
      const r = applyReport(context, p.event);
      enqueue.assign({ state: r.context.state, failedCheckers: r.context.failedCheckers, alive: r.context.alive });
      runOps(r.context, r.ops, system, enqueue as unknown as OpsEnqueue);
    }),
    applyReload: enqueueActions(({ context, enqueue, system }, p: { input: RealServerInput }) => {
      const r = applyReload(context, p.input);
      enqueue.assign({ ...r.context });
      runOps(r.context, r.ops, system, enqueue as unknown as OpsEnqueue);
    }),
    applyWeight: enqueueActions(({ context, enqueue, system }, p: { event: CheckerWeightEvent }) => {
      const r = applyWeight(context, p.event);
      enqueue.assign({ state: r.context.state });
      runOps(r.context, r.ops, system, enqueue as unknown as OpsEnqueue);
    }),
    /** ha_suspend: pass the virtual server's decision to every checker. */
    relayEnable: enqueueActions(({ context, enqueue, system }, p: { enabled: boolean }) => {
      for (const c of context.checkers) {
        const ref = system.get(c.systemId) as AnyActorRef | undefined;
        if (ref) enqueue.sendTo(ref, { type: 'checker.enable', enabled: p.enabled } satisfies CheckerEnableEvent);
      }
    }),
  },
}).createMachine({
  id: 'lvsRealServer',
  description:
    'keepalived real_server_t (ipwrapper.c update_svr_checker_state, perform_svr_state, update_svr_wgt): alive while every checker is up; effective weight = weight + dynamic contributions; notify_up/notify_down.',
  context: ({ input }) => {
    const start = realServerStart(input.weight, input.checkers);
    return {
      ...input,
      state: input.checkers.map((c) => ({ up: c.up, contribution: c.contribution })),
      failedCheckers: start.failedCheckers,
      alive: start.failedCheckers === 0,
    };
  },
  on: {
    'checker.weight': { actions: { type: 'applyWeight', params: ({ event }) => ({ event }) } },
    'rs.enable': { actions: { type: 'relayEnable', params: ({ event }) => ({ enabled: event.enabled }) } },
  },
  initial: 'starting',
  states: {
    starting: {
      description: 'Alive from the start unless a checker starts down (alpha, FILE_CHECK fault): the virtual server added it already (init_service_rs).',
      always: [{ guard: 'allCheckersUp', target: 'alive' }, { target: 'failed' }],
    },
    alive: {
      description: 'In the pool: every checker is up.',
      on: {
        'checker.report': [
          { guard: { type: 'reportTakesDown', params: ({ event }) => ({ event }) }, target: 'failed', actions: { type: 'applyReport', params: ({ event }) => ({ event }) } },
          { actions: { type: 'applyReport', params: ({ event }) => ({ event }) } },
        ],
        'rs.reload': [
          { guard: { type: 'reloadTakesDown', params: ({ event }) => ({ input: event.input }) }, target: 'failed', actions: { type: 'applyReload', params: ({ event }) => ({ input: event.input }) } },
          { actions: { type: 'applyReload', params: ({ event }) => ({ input: event.input }) } },
        ],
      },
    },
    failed: {
      description: 'Out of the pool (or present with weight 0 under inhibit_on_failure): at least one checker is down.',
      on: {
        'checker.report': [
          { guard: { type: 'reportBringsUp', params: ({ event }) => ({ event }) }, target: 'alive', actions: { type: 'applyReport', params: ({ event }) => ({ event }) } },
          { actions: { type: 'applyReport', params: ({ event }) => ({ event }) } },
        ],
        'rs.reload': [
          { guard: { type: 'reloadBringsUp', params: ({ event }) => ({ input: event.input }) }, target: 'alive', actions: { type: 'applyReload', params: ({ event }) => ({ input: event.input }) } },
          { actions: { type: 'applyReload', params: ({ event }) => ({ input: event.input }) } },
        ],
      },
    },
  },
});

/** The minimal part of enqueueActions' `enqueue` the ops need. */
export interface OpsEnqueue {
  emit(event: LvsEmitted): void;
  sendTo(to: AnyActorRef, event: RsChangedEvent | RsSettledEvent | CheckerEnableEvent): void;
}

/** The ops as built-in actions (emit / sendTo), in order. */
function runOps(c: RealServerContext, ops: RsOp[], system: { get: (id: string) => AnyActorRef | undefined }, enqueue: OpsEnqueue): void {
  const vs = system.get(c.virtualServer);
  const weight = clampWeight(effective(c));
  for (const op of ops) {
    switch (op.op) {
      case 'log':
        enqueue.emit({ type: 'lvs.log', level: 'info', message: op.message });
        break;
      case 'changed':
        if (vs) enqueue.sendTo(vs, { type: 'rs.changed', rs: c.systemId, reason: op.reason, alive: op.alive, weight: op.weight, failedCheckers: op.failedCheckers });
        break;
      case 'settled':
        if (vs) enqueue.sendTo(vs, { type: 'rs.settled', rs: c.systemId });
        break;
      case 'notify': {
        const state = c.alive ? 'UP' : 'DOWN';
        const script = c.alive ? c.notifyUp : c.notifyDown;
        enqueue.emit({ type: 'lvs.notify', scope: 'RS', vs: c.vsName, rs: c.name, state, ...(script ? { script } : {}), fifoLine: rsFifoLine(c.name, c.vsName, state), shutdown: false });
        break;
      }
      case 'status':
        enqueue.emit({ type: 'lvs.server', vs: c.vsName, rs: c.name, alive: c.alive, weight });
        break;
      case 'smtp':
        enqueue.emit({ type: 'lvs.smtp', scope: 'RS', vs: c.vsName, rs: c.name, state: c.alive ? 'UP' : 'DOWN', body: op.body });
        break;
    }
  }
}
