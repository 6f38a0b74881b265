/**
 * What the VRRP subsystem does with its actors' emitted events: RuntimeEvents for listeners,
 * counters and log lines in keepalived's wording (the strings in
 * keepalived 2.2.7's binary: "(%s) Entering MASTER STATE", "(%s) Receive advertisement timeout",
 * "(%s) Master received advert from %s with higher priority %d, ours %d", …).
 */
import type { AnyActorRef } from 'xstate';
import type { InstanceEmitted } from '../../machines/vrrp/types.js';
import type { SyncGroupEmitted } from '../../machines/vrrp/sync-group.machine.js';
import type { TrackerEmitted } from '../../machines/track/tracker.machine.js';
import type { TrackingEmitted } from '../../machines/track/tracking.machine.js';
import type { NotifierEmitted, NotifyJob } from '../../machines/notify/notifier.machine.js';
import type { RuntimeSink } from '../sink.js';

type Of<U, T> = Extract<U, { type: T }>;

/** Observers only write: they never read an actor back or send it anything. */
export interface ObserverContext {
  sink: RuntimeSink;
}

/** The lines keepalived logs for a state change ("Receive advertisement timeout" is the machine's). */
export function instanceStateLines(e: Of<InstanceEmitted, 'vrrp.state'>): string[] {
  const n = e.instance;
  if (e.to === 'MASTER') return [`(${n}) Entering MASTER STATE`];
  if (e.to === 'BACKUP') {
    // After waiting for unweighted scripts keepalived leaves a silent FAULT, so no "(init)".
    if (e.from === 'INIT' && e.reason !== 'scripts-ready') return [`(${n}) Entering BACKUP STATE (init)`];
    const lines: string[] = [];
    const advert = e.master;
    if (e.from === 'MASTER' && e.reason === 'higher-priority' && advert) {
      lines.push(
        advert.priority === e.priority
          ? `(${n}) Master received advert from ${advert.src} with same priority ${advert.priority} but higher IP address than ours`
          : `(${n}) Master received advert from ${advert.src} with higher priority ${advert.priority}, ours ${e.priority}`,
      );
    }
    return [...lines, `(${n}) Entering BACKUP STATE`];
  }
  if (e.to === 'FAULT') {
    if (e.from !== 'INIT') return [`(${n}) Entering FAULT STATE`];
    // An instance held for its unweighted scripts is in keepalived's FAULT already: it says nothing.
    return e.reason === 'scripts-ready' ? [] : [`(${n}) Entering FAULT STATE (init)`];
  }
  // keepalived has no line for STOP: stopping says "sent 0 priority" and "removing VIPs." (-D).
  return [];
}

/**
 * One listener per actor, on '*': XState keeps a Set and a bound function for every event type an
 * actor is watched for, and at 1,000 instances one listener instead of seven is about 1.5 KB less
 * heap an instance (docs/benchmarks.md, "What an instance costs in memory"). `also` runs after the
 * observer for every event (the subsystem's own reactions).
 */
export function watchInstance(ref: AnyActorRef, c: ObserverContext, also?: (e: InstanceEmitted) => void): () => void {
  const sub = ref.on('*', (e: InstanceEmitted) => {
    onInstanceEvent(e, c);
    also?.(e);
  });
  return () => sub.unsubscribe();
}

function onInstanceEvent(e: InstanceEmitted, c: ObserverContext): void {
  switch (e.type) {
    case 'vrrp.state': {
      for (const line of instanceStateLines(e)) c.sink.log('info', line);
      c.sink.count('transitions', e.instance);
      if (e.meaning === 'silent') return;
      const to = e.meaning === 'DELETED' ? 'DELETED' : e.to;
      c.sink.emit({ type: 'instance.state', instance: e.instance, from: e.from, to, priority: e.priority, reason: e.reason });
      return;
    }
    case 'vrrp.priority':
      c.sink.log('info', `(${e.instance}) Changing effective priority from ${e.from} to ${e.to}`);
      c.sink.emit({ type: 'instance.priority', instance: e.instance, priority: e.to });
      return;
    case 'vrrp.notify': {
      const forcing = e.forcing ? ', forcing new election' : '';
      c.sink.log('info', `(${e.instance}) Received advert from ${e.src} with lower priority ${e.priority}, ours ${e.ours}${forcing}`);
      return;
    }
    case 'vrrp.log':
      c.sink.log(e.level, `(${e.instance}) ${e.message}`);
      return;
    case 'vrrp.actorFailed':
      c.sink.actorFailed(`vrrp/${e.instance}/${e.actor}`, e.error, `(${e.instance}) ${e.actor} actor failed: ${e.error}`);
      return;
  }
}

export function watchGroup(ref: AnyActorRef, c: ObserverContext): Array<() => void> {
  const subs = [
    ref.on('group.state', (e: Of<SyncGroupEmitted, 'group.state'>) => c.sink.emit({ type: 'group.state', group: e.group, to: e.to })),
    ref.on('group.log', (e: Of<SyncGroupEmitted, 'group.log'>) => c.sink.log(e.level, e.message)),
  ];
  return subs.map((s) => () => s.unsubscribe());
}

export function watchTracker(ref: AnyActorRef, c: ObserverContext): Array<() => void> {
  const subs = [
    ref.on('tracker.changed', (e: Of<TrackerEmitted, 'tracker.changed'>) => {
      if (e.note) c.sink.log('info', e.note);
      c.sink.count(`tracker_changes`);
    }),
    ref.on('tracker.log', (e: Of<TrackerEmitted, 'tracker.log'>) => c.sink.log(e.level, e.message)),
  ];
  return subs.map((s) => () => s.unsubscribe());
}

/**
 * keepalived's words for a FAULT the instance starts in (vrrp_track.c initialise_*_priorities);
 * none for a script, whose own "VRRP_Script(chk) failed" line says it.
 */
export function initialFaultLine(instance: string, source: string, reason: string): string | undefined {
  // A fault known when the instance was planned ("(VI_1) entering FAULT state (no IPv4 address
  // for interface)") was logged with the plan's problems already.
  if (reason.startsWith('(')) return undefined;
  const [kind, ...rest] = source.split('/');
  const name = rest.join('/');
  if (kind === 'interface') return `(${instance}): entering FAULT state (interface ${name} down)`;
  if (kind === 'file') return `(${instance}): entering FAULT state (${reason})`;
  if (kind === 'process') return `(${instance}) entering FAULT state (tracked process ${name} quorum not achieved)`;
  return undefined;
}

/**
 * Tracking verdicts as keepalived logs them: the FAULTs an instance starts in; later only a
 * tracked file entering or leaving FAULT (-D, track_file.c). Interfaces, scripts and processes
 * say it themselves ("Netlink reports eth0 down", "VRRP_Script(chk) failed", "Quorum lost for
 * tracked process haproxy"), and the instance says "Entering FAULT STATE".
 */
export function watchTracking(ref: AnyActorRef, c: ObserverContext): () => void {
  // One listener per actor, as for instances (watchInstance), and only the fault sources kept.
  let faults: readonly string[] = NO_FAULTS;
  const sub = ref.on('*', (e: TrackingEmitted) => {
    faults = trackingLines(e, faults, c.sink);
  });
  return () => sub.unsubscribe();
}

const NO_FAULTS: readonly string[] = [];

/** Logs what keepalived logs for a tracking verdict; returns its fault sources. */
function trackingLines(e: TrackingEmitted, before: readonly string[], sink: RuntimeSink): readonly string[] {
  if (e.type !== 'tracking.ready' && e.type !== 'tracking.changed') return before;
  const entries = Object.entries(e.verdict.faults);
  const now = entries.length === 0 ? NO_FAULTS : entries.map(([source]) => source);
  if (e.type === 'tracking.ready') {
    for (const [source, reason] of entries) {
      const line = initialFaultLine(e.instance, source, reason);
      if (line) sink.log('info', line);
    }
    return now;
  }
  const file = (source: string) => (source.startsWith('file/') ? source.slice('file/'.length) : undefined);
  for (const source of now) if (!before.includes(source) && file(source)) sink.log('detail', `(${e.instance}): tracked file ${file(source)} now FAULT state`);
  for (const source of before) if (!now.includes(source) && file(source)) sink.log('detail', `(${e.instance}): tracked file ${file(source)} leaving FAULT state`);
  return now;
}

function jobTarget(j: NotifyJob): { target: string; argv: string[] } {
  if (j.kind === 'script') return { target: j.target, argv: j.argv };
  if (j.kind === 'fifo') return { target: j.path, argv: [j.line] };
  return { target: 'smtp', argv: [j.subject] };
}

export function watchNotifier(ref: AnyActorRef, c: ObserverContext): Array<() => void> {
  const subs = [
    ref.on('notify.started', (e: Of<NotifierEmitted, 'notify.started'>) => {
      c.sink.emit({ type: 'notify', ...jobTarget(e.job) });
      c.sink.count(`notify_${e.job.kind}`);
    }),
    ref.on('notify.finished', (e: Of<NotifierEmitted, 'notify.finished'>) => {
      if (e.outcome === 'ok') return;
      c.sink.count(`notify_${e.outcome}`);
      const { target, argv } = jobTarget(e.job);
      const what = e.job.kind === 'script' ? `notify script ${argv.join(' ')}` : e.job.kind === 'fifo' ? `notify fifo ${target}` : `SMTP alert "${argv[0]}"`;
      c.sink.log('warning', `${what} ${e.outcome === 'timeout' ? 'timed out' : `failed${e.detail ? `: ${e.detail}` : ''}`}`);
    }),
  ];
  return subs.map((s) => () => s.unsubscribe());
}
