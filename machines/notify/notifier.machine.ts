/**
 * The notifier: turns VRRP state changes into keepalived's notifications and runs them strictly one
 * at a time, in order, each with a timeout.
 *
 * For one transition, in keepalived's order (vrrp_notify.c send_instance_notifies):
 *   1. notify_master / notify_backup / notify_fault / notify_stop (notify_deleted) script;
 *   2. the generic `notify` script with 4 more arguments: INSTANCE|GROUP, name, state, priority
 *      (priority 0 for groups);
 *   3. one line per notify FIFO: `INSTANCE "VI_1" MASTER 100` / `GROUP "G" BACKUP 0`;
 *   4. an SMTP alert when smtp_alert is on ("[router_id] VRRP Instance VI_1 - Entering MASTER state").
 * keepalived forks its notify scripts and does not wait, so they can run concurrently and finish out
 * of order; here the next job starts only when the previous one finished or timed out. A repeated
 * state for the same instance/group is not notified twice (exactly once per transition).
 *
 * The jobs are executed by the `runJob` placeholder (actors/notify-io.ts: ports.scripts,
 * ports.files.writeLine, ports.mailer), which answers `notify.jobDone`.
 */
import { assign, emit, enqueueActions, fromCallback, setup, type EventObject } from 'xstate';

export interface NotifyCommand {
  argv: string[];
  user?: string;
  group?: string;
}

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
export type NotifyScope = 'INSTANCE' | 'GROUP';

export interface NotifyTarget {
  scope: NotifyScope;
  name: string;
  scripts: {
    notify?: NotifyCommand;
    master?: NotifyCommand;
    backup?: NotifyCommand;
    fault?: NotifyCommand;
    stop?: NotifyCommand;
    deleted?: NotifyCommand;
    masterRxLowerPri?: NotifyCommand;
  };
  /** `notify_deleted`: report DELETED (instead of FAULT) when removed by a reload. */
  notifyDeleted: boolean;
  smtpAlert: boolean;
  /** `notify_priority_changes`: MASTER_PRIORITY / BACKUP_PRIORITY FIFO lines. */
  notifyPriorityChanges: boolean;
}

export interface NotifyMailSettings {
  server: { host: string; port: number; connectTimeoutMs: number; helo?: string };
  from: string;
  to: string[];
  /** global_defs router_id (default: the host name), the subject's `[…]` prefix. */
  routerId: string;
  /** global_defs no_email_faults. */
  noEmailFaults: boolean;
}

/** The notifier's input: its configuration, and an opaque handle for `runJob` (the runtime's I/O). */
export type NotifierInput = NotifierConfig & { env?: unknown };

export interface NotifierConfig {
  /** Read through an index kept per array (targetOf): replace the array, do not change it. */
  targets: readonly NotifyTarget[];
  /** notify_fifo and vrrp_notify_fifo paths (each gets every line). */
  fifos: string[];
  mail?: NotifyMailSettings;
  scriptTimeoutMs: number;
  fifoTimeoutMs: number;
  mailTimeoutMs: number;
}

export type NotifyJob =
  | { seq: number; kind: 'script'; target: string; argv: string[]; user?: string; group?: string; timeoutMs: number }
  | { seq: number; kind: 'fifo'; target: string; path: string; line: string; timeoutMs: number }
  | {
      seq: number;
      kind: 'mail';
      target: string;
      server: NotifyMailSettings['server'];
      from: string;
      to: string[];
      subject: string;
      text: string;
      timeoutMs: number;
    };

export type NotifierEvent =
  | { type: 'notify.state'; scope: NotifyScope; name: string; state: NotifyState; priority: number }
  /** notify_priority_changes (FIFO only). */
  | { type: 'notify.priority'; name: string; state: 'MASTER' | 'BACKUP'; priority: number }
  /** notify_master_rx_lower_pri script + MASTER_RX_LOWER_PRI FIFO line. */
  | { type: 'notify.masterRxLowerPri'; name: string; priority: number }
  | { type: 'notify.reconfigure'; config: NotifierConfig }
  /** Jobs another subsystem worked out itself (LVS: notify_up/down, quorum scripts, FIFO lines, mails), run in order. */
  | { type: 'notify.jobs'; jobs: JobDraft[] }
  | { type: 'notify.jobDone'; seq: number; ok: boolean; detail?: string };

export type NotifierEmitted =
  | { type: 'notify.started'; job: NotifyJob }
  | { type: 'notify.finished'; job: NotifyJob; outcome: 'ok' | 'failed' | 'timeout'; detail?: string }
  | { type: 'notify.idle' };

interface NotifierContext {
  config: NotifierConfig;
  /** Passed to every `runJob` as `env`; never read here (a reconfigure keeps it). */
  env?: unknown;
  queue: NotifyJob[];
  nextSeq: number;
  /** Last notified state per `SCOPE/name` (exactly once per transition). */
  lastState: StateMemo;
  /** Last state mailed per `SCOPE/name` (keepalived last_email_state). */
  lastMailed: StateMemo;
}

/**
 * `SCOPE/name` → state, split into 64 buckets by a hash of the key so that recording one state
 * copies one bucket and the bucket index instead of every key: with 1,000 instances starting or
 * stopping, one flat record copied per notification was O(n²) (0.7 s of CPU each way at 1,000
 * instances, bench/profile-daemon.ts).
 */
type StateMemo = Readonly<Record<string, Readonly<Record<string, NotifyState>>>>;
const MEMO_BUCKETS = 64;
function memoBucket(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return String((h >>> 0) % MEMO_BUCKETS);
}
const memoGet = (m: StateMemo, key: string): NotifyState | undefined => m[memoBucket(key)]?.[key];
function memoSet(m: StateMemo, key: string, state: NotifyState): StateMemo {
  const b = memoBucket(key);
  return { ...m, [b]: { ...m[b], [key]: state } };
}

export type JobDraft =
  | Omit<Extract<NotifyJob, { kind: 'script' }>, 'seq'>
  | Omit<Extract<NotifyJob, { kind: 'fifo' }>, 'seq'>
  | Omit<Extract<NotifyJob, { kind: 'mail' }>, 'seq'>;

/** `runJob`'s input: the job, plus the notifier's `env` when it has one. */
export type RunJobInput = NotifyJob & { env?: unknown };

export const runJobPlaceholder = fromCallback<EventObject, RunJobInput>(() => {
  throw new Error('runJob not provided: compose the notifier through actors/notify-io.ts');
});

const MAIL_TEXT: Record<NotifyScope, Partial<Record<NotifyState, [string, string]>>> = {
  INSTANCE: {
    MASTER: ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
    BACKUP: ['Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
    FAULT: ['Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
    STOP: ['Stopping', '=> VRRP Instance stopping <='],
  },
  GROUP: {
    MASTER: ['Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
    BACKUP: ['Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
    FAULT: ['Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
    STOP: ['Stopping', '=> All VRRP group instances are now stopping <='],
  },
};

/**
 * The target of `SCOPE/name`. The targets by key are built once per targets list and kept beside
 * it (a WeakMap, nothing in the context): a lookup per notification walked the whole list, which
 * at 1,000 instances starting was a million comparisons.
 */
const targetIndexes = new WeakMap<readonly NotifyTarget[], Map<string, NotifyTarget>>();
function targetOf(cfg: NotifierConfig, scope: NotifyScope, name: string): NotifyTarget | undefined {
  let index = targetIndexes.get(cfg.targets);
  if (!index) {
    index = new Map();
    // The first of a key wins, as find() did.
    for (const t of cfg.targets) {
      const key = `${t.scope}/${t.name}`;
      if (!index.has(key)) index.set(key, t);
    }
    targetIndexes.set(cfg.targets, index);
  }
  return index.get(`${scope}/${name}`);
}

/** The jobs for one state change, in keepalived's order. Exported for tests. */
export function stateJobs(cfg: NotifierConfig, e: { scope: NotifyScope; name: string; state: NotifyState; priority: number }, lastMailed?: NotifyState): JobDraft[] {
  const t = targetOf(cfg, e.scope, e.name);
  const key = `${e.scope}/${e.name}`;
  // Without notify_deleted a removed instance is reported as FAULT (keepalived.conf(5)).
  const state: NotifyState = e.state === 'DELETED' && !t?.notifyDeleted ? 'FAULT' : e.state;
  const priority = e.scope === 'GROUP' ? 0 : e.priority;
  const jobs: JobDraft[] = [];
  const own = t ? { MASTER: t.scripts.master, BACKUP: t.scripts.backup, FAULT: t.scripts.fault, STOP: t.scripts.stop, DELETED: t.scripts.deleted }[state] : undefined;
  const script = (c: NotifyCommand, extra: string[]): JobDraft => ({
    kind: 'script',
    target: key,
    argv: [...c.argv, ...extra],
    ...(c.user !== undefined ? { user: c.user } : {}),
    ...(c.group !== undefined ? { group: c.group } : {}),
    timeoutMs: cfg.scriptTimeoutMs,
  });
  if (own) jobs.push(script(own, []));
  if (t?.scripts.notify) jobs.push(script(t.scripts.notify, [e.scope, e.name, state, String(priority)]));
  for (const path of cfg.fifos) jobs.push({ kind: 'fifo', target: key, path, line: `${e.scope} "${e.name}" ${state} ${priority}`, timeoutMs: cfg.fifoTimeoutMs });
  const text = MAIL_TEXT[e.scope][state];
  const m = cfg.mail;
  if (t?.smtpAlert && m && text && m.to.length > 0 && lastMailed !== state && !(m.noEmailFaults && state === 'FAULT')) {
    const kind = e.scope === 'GROUP' ? 'VRRP Group' : 'VRRP Instance';
    jobs.push({ kind: 'mail', target: key, server: m.server, from: m.from, to: m.to, subject: `[${m.routerId}] ${kind} ${e.name} - ${text[0]}`, text: text[1], timeoutMs: cfg.mailTimeoutMs });
  }
  return jobs;
}

const numbered = (c: NotifierContext, drafts: JobDraft[]) => drafts.map((d, i) => ({ ...d, seq: c.nextSeq + i }) as NotifyJob);

export const notifierMachine = setup({
  types: {
    input: {} as NotifierInput,
    context: {} as NotifierContext,
    events: {} as NotifierEvent,
    emitted: {} as NotifierEmitted,
  },
  actors: { runJob: runJobPlaceholder },
  delays: {
    jobTimeout: ({ context }) => context.queue[0]?.timeoutMs ?? 0,
  },
  guards: {
    hasJob: ({ context }) => context.queue.length > 0,
    isCurrentJob: ({ context }, p: { seq: number }) => context.queue[0]?.seq === p.seq,
  },
  actions: {
    enqueueStateJobs: enqueueActions(({ context, enqueue }, e: { scope: NotifyScope; name: string; state: NotifyState; priority: number }) => {
      const key = `${e.scope}/${e.name}`;
      if (memoGet(context.lastState, key) === e.state) return;
      const drafts = stateJobs(context.config, e, memoGet(context.lastMailed, key));
      const mailed = drafts.some((d) => d.kind === 'mail');
      enqueue.assign({
        queue: [...context.queue, ...numbered(context, drafts)],
        nextSeq: context.nextSeq + drafts.length,
        lastState: memoSet(context.lastState, key, e.state),
        lastMailed: mailed ? memoSet(context.lastMailed, key, e.state) : context.lastMailed,
      });
    }),
    enqueuePriorityLine: assign(({ context }, e: { name: string; state: 'MASTER' | 'BACKUP'; priority: number }) => {
      const t = targetOf(context.config, 'INSTANCE', e.name);
      if (!t?.notifyPriorityChanges) return {};
      const drafts: JobDraft[] = context.config.fifos.map((path) => ({
        kind: 'fifo',
        target: `INSTANCE/${e.name}`,
        path,
        line: `INSTANCE "${e.name}" ${e.state}_PRIORITY ${e.priority}`,
        timeoutMs: context.config.fifoTimeoutMs,
      }));
      return { queue: [...context.queue, ...numbered(context, drafts)], nextSeq: context.nextSeq + drafts.length };
    }),
    enqueueRxLowerPri: assign(({ context }, e: { name: string; priority: number }) => {
      const t = targetOf(context.config, 'INSTANCE', e.name);
      const drafts: JobDraft[] = [];
      const c = t?.scripts.masterRxLowerPri;
      if (c) drafts.push({ kind: 'script', target: `INSTANCE/${e.name}`, argv: [...c.argv], ...(c.user !== undefined ? { user: c.user } : {}), ...(c.group !== undefined ? { group: c.group } : {}), timeoutMs: context.config.scriptTimeoutMs });
      for (const path of context.config.fifos) {
        drafts.push({ kind: 'fifo', target: `INSTANCE/${e.name}`, path, line: `INSTANCE "${e.name}" MASTER_RX_LOWER_PRI ${e.priority}`, timeoutMs: context.config.fifoTimeoutMs });
      }
      return { queue: [...context.queue, ...numbered(context, drafts)], nextSeq: context.nextSeq + drafts.length };
    }),
    reconfigure: assign((_, p: { config: NotifierConfig }) => ({ config: p.config })),
    enqueueJobs: assign(({ context }, p: { jobs: JobDraft[] }) => ({ queue: [...context.queue, ...numbered(context, p.jobs)], nextSeq: context.nextSeq + p.jobs.length })),
    announceStart: emit(({ context }) => ({ type: 'notify.started' as const, job: context.queue[0]! })),
    finishJob: enqueueActions(({ context, enqueue }, p: { outcome: 'ok' | 'failed' | 'timeout'; detail?: string }) => {
      const job = context.queue[0];
      if (!job) return;
      enqueue.emit({ type: 'notify.finished', job, outcome: p.outcome, ...(p.detail !== undefined ? { detail: p.detail } : {}) });
      enqueue.assign({ queue: context.queue.slice(1) });
    }),
    announceIdleIfEmpty: enqueueActions(({ context, enqueue }) => {
      if (context.queue.length === 0) enqueue.emit({ type: 'notify.idle' });
    }),
  },
}).createMachine({
  id: 'notifier',
  description: 'keepalived notify scripts, notify FIFOs and SMTP alerts (vrrp_notify.c), serialised.',
  context: ({ input: { env, ...config } }) => ({ config, ...(env !== undefined ? { env } : {}), queue: [], nextSeq: 1, lastState: {}, lastMailed: {} }),
  on: {
    'notify.state': {
      actions: { type: 'enqueueStateJobs', params: ({ event }) => ({ scope: event.scope, name: event.name, state: event.state, priority: event.priority }) },
    },
    'notify.priority': { actions: { type: 'enqueuePriorityLine', params: ({ event }) => ({ name: event.name, state: event.state, priority: event.priority }) } },
    'notify.masterRxLowerPri': { actions: { type: 'enqueueRxLowerPri', params: ({ event }) => ({ name: event.name, priority: event.priority }) } },
    'notify.reconfigure': { actions: { type: 'reconfigure', params: ({ event }) => ({ config: event.config }) } },
    'notify.jobs': { actions: { type: 'enqueueJobs', params: ({ event }) => ({ jobs: event.jobs }) } },
  },
  initial: 'idle',
  states: {
    idle: {
      description: 'Nothing running; the next queued job starts at once.',
      entry: 'announceIdleIfEmpty',
      always: { guard: 'hasJob', target: 'running' },
    },
    running: {
      description: 'One job (script, FIFO line or mail) in flight; the next waits for it or for its timeout.',
      entry: 'announceStart',
      invoke: {
        id: 'job',
        src: 'runJob',
        input: ({ context }) => (context.env === undefined ? context.queue[0]! : { ...context.queue[0]!, env: context.env }),
        onError: { target: 'idle', actions: { type: 'finishJob', params: ({ event }) => ({ outcome: 'failed' as const, detail: String(event.error) }) } },
      },
      on: {
        'notify.jobDone': {
          guard: { type: 'isCurrentJob', params: ({ event }) => ({ seq: event.seq }) },
          target: 'idle',
          actions: {
            type: 'finishJob',
            params: ({ event }) => ({ outcome: event.ok ? ('ok' as const) : ('failed' as const), ...(event.detail !== undefined ? { detail: event.detail } : {}) }),
          },
        },
      },
      after: { jobTimeout: { target: 'idle', actions: { type: 'finishJob', params: { outcome: 'timeout' } } } },
    },
  },
});
