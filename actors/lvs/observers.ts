/**
 * What the LVS subsystem does with its statecharts' emitted events: keepalived's log lines to the
 * sink, table commands to the table port (in order), notify scripts, FIFO lines and alert mails to
 * the LVS notifier (one job at a time, in order), and the checker, real-server and quorum changes
 * as RuntimeEvents (the simulator's LVS invariants and timeline read them).
 */
import type { AnyActorRef } from 'xstate';
import { lvsSmtpSubject } from '../../machines/check/format.js';
import type { LvsEmitted } from '../../machines/check/types.js';
import type { JobDraft, NotifierConfig, NotifierEmitted, NotifyJob } from '../../machines/notify/notifier.machine.js';
import type { RuntimeSink } from '../sink.js';
import type { TableIo } from './table-io.js';

type Of<T> = Extract<LvsEmitted, { type: T }>;

export interface LvsObserverContext {
  sink: RuntimeSink;
  table: TableIo;
  /** The notifier settings and router_id of the running configuration. */
  settings: () => { notifier: NotifierConfig; routerId: string } | undefined;
  /** Hand jobs to the LVS notifier. */
  notify: (jobs: JobDraft[]) => void;
}

/** keepalived gives a notify script run at shutdown one second (system_call_script with TIMER_HZ). */
const SHUTDOWN_SCRIPT_TIMEOUT_MS = 1000;

export function notifyJobs(cfg: NotifierConfig, e: Of<'lvs.notify'>): JobDraft[] {
  const target = `${e.scope}/${e.rs ?? e.vs}`;
  const jobs: JobDraft[] = [];
  if (e.script) {
    jobs.push({
      kind: 'script',
      target,
      argv: [...e.script.argv],
      ...(e.script.user !== undefined ? { user: e.script.user } : {}),
      ...(e.script.group !== undefined ? { group: e.script.group } : {}),
      timeoutMs: e.shutdown ? SHUTDOWN_SCRIPT_TIMEOUT_MS : cfg.scriptTimeoutMs,
    });
  }
  const line = e.fifoLine.replace(/\n$/, '');
  for (const path of cfg.fifos) jobs.push({ kind: 'fifo', target, path, line, timeoutMs: cfg.fifoTimeoutMs });
  return jobs;
}

export function mailJobs(cfg: NotifierConfig, routerId: string, e: Of<'lvs.smtp'>): JobDraft[] {
  const m = cfg.mail;
  if (!m || m.to.length === 0) return [];
  return [{ kind: 'mail', target: `${e.scope}/${e.rs ?? e.vs}`, server: m.server, from: m.from, to: m.to, subject: lvsSmtpSubject(routerId, e), text: e.body, timeoutMs: cfg.mailTimeoutMs }];
}

/**
 * What subscribes each virtual server, real server and checker actor: one handler for all of
 * them, built once, on XState's wildcard. One listener per actor rather than one per event type:
 * XState binds every handler and keeps a Set per type, which at 10,000 real servers (20,000
 * actors, seven types) was about a quarter of the LVS actors' heap.
 */
export function lvsActorWatcher(c: LvsObserverContext): (ref: AnyActorRef) => void {
  const handle = (e: LvsEmitted): void => {
    switch (e.type) {
      case 'lvs.log':
        return c.sink.log(e.level, e.message);
      case 'lvs.lb':
        return c.table.push(e.vs, e.command);
      case 'lvs.notify': {
        const s = c.settings();
        if (s) c.notify(notifyJobs(s.notifier, e));
        return;
      }
      case 'lvs.smtp': {
        const s = c.settings();
        if (s) c.notify(mailJobs(s.notifier, s.routerId, e));
        return;
      }
      case 'lvs.checker':
        c.sink.count('checker_changes');
        return c.sink.emit({ type: 'lvs.checker', vs: e.vs, rs: e.rs, kind: e.kind, up: e.up, ...(e.detail !== undefined ? { detail: e.detail } : {}) });
      case 'lvs.server':
        return c.sink.emit({ type: 'lvs.server', vs: e.vs, rs: e.rs, alive: e.alive, weight: e.weight });
      case 'lvs.quorum':
        return c.sink.emit({ type: 'lvs.quorum', vs: e.vs, up: e.up, sum: e.sum, threshold: e.threshold });
    }
  };
  return (ref) => void ref.on('*', handle as (e: unknown) => void);
}

function jobTarget(j: NotifyJob): { target: string; argv: string[] } {
  if (j.kind === 'script') return { target: j.target, argv: j.argv };
  if (j.kind === 'fifo') return { target: j.path, argv: [j.line] };
  return { target: 'smtp', argv: [j.subject] };
}

/** The LVS notifier: each job as a `notify` RuntimeEvent, failures and timeouts logged. */
export function watchLvsNotifier(ref: AnyActorRef, c: Pick<LvsObserverContext, 'sink'>): void {
  ref.on('notify.started', (e: Extract<NotifierEmitted, { type: 'notify.started' }>) => {
    c.sink.emit({ type: 'notify', ...jobTarget(e.job) });
    c.sink.count(`notify_${e.job.kind}`);
  });
  ref.on('notify.finished', (e: Extract<NotifierEmitted, { type: 'notify.finished' }>) => {
    if (e.outcome === 'ok') return;
    c.sink.count(`notify_${e.outcome}`);
    const { target, argv } = jobTarget(e.job);
    const what = e.job.kind === 'script' ? `notify script ${argv.join(' ')}` : e.job.kind === 'fifo' ? `notify fifo ${target}` : `SMTP alert "${argv[0]}"`;
    c.sink.log('warning', `${what} ${e.outcome === 'timeout' ? 'timed out' : `failed${e.detail ? `: ${e.detail}` : ''}`}`);
  });
}
