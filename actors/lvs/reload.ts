/**
 * A reload (SIGHUP) of the LVS subsystem: keepalived's clear_diff_services, migrate_checkers and
 * init_services, by stable identity.
 *
 *  - a virtual server is the same one when its key is (FMT_VS, and for groups and fwmarks the
 *    protocol or family): it keeps its actor and its table state (`vs.reload`); new ones start as at
 *    start-up; gone ones are cleared ("Removing Virtual Server …", "Removing service …") and stopped;
 *  - a real server is the same one when its address and port are: it keeps its actor (`rs.reload`);
 *    gone ones are deleted by their virtual server ("service … no longer exist");
 *  - a checker keeps its state (up, has run, retry count, dynamic weight) when its kind and what it
 *    checks are the same: untouched when nothing about it changed, else a new actor carries the
 *    state over (new timers, warmup as at start); a new checker of a server that is down now starts
 *    down, so a failed server is never put back before a check succeeds;
 *  - then each kept virtual server decides quorum again (`vs.reloaded`).
 *
 * Global table duties (lvs_timeouts, lvs_sync_daemon, lvs_flush) are start-time settings: a change
 * applies at the next start, except that a table not started yet (no virtual server before) is
 * started now.
 */
import type { Counters } from '../../machines/check/checker-steps.js';
import type { CheckerContext } from '../../machines/check/checker.machine.js';
import type { CheckerStart } from '../../machines/check/types.js';
import type { VsContext } from '../../machines/check/virtual-server.logic.js';
import type { Step } from '../subsystem.js';
import { checkerInput, checkerStartOf, realServerInput, startCounters, virtualServerInput, vsRealServer, type CheckerFacts } from './inputs.js';
import type { Launch, LvsSubsystem } from './lvs-subsystem.js';
import { contextOf } from './snapshot.js';
import { LVS_NOTIFIER_ID } from './names.js';
import type { CheckerPlan, LvsPlan, RsPlan, VsPlan } from './plan.js';

/** keepalived migrate_checkers: the old checker's state, its retry count kept below the new retry. */
export function migrateCounters(old: Counters, retry: number, fresh: Counters): Counters {
  if (!old.hasRun) return fresh;
  return { ...old, retryIt: old.retryIt && retry ? Math.min(old.retryIt, retry - 1) : 0 };
}

/** Everything a checker's actor is built from, except its timers' draws: equal means "leave it running". */
function checkerShape(plan: LvsPlan, vs: VsPlan, rs: RsPlan, c: CheckerPlan): string {
  const input = checkerInput(plan, vs, rs, c, { enabled: true, warmupDraw: 0 }, undefined);
  const { source: _s, ...config } = input.checker;
  // The real server's weight only matters to misc_dynamic (its contribution is relative to it).
  const rsShape = c.config.misc?.dynamic ? input.rs : { ...input.rs, weight: 0 };
  return JSON.stringify({ ...input, rs: rsShape, checker: config, env: undefined, file: c.file });
}

interface KeptChecker {
  plan: CheckerPlan;
  /** Left running as it is. */
  untouched: boolean;
  facts: CheckerFacts;
  start: CheckerStart;
}

interface KeptServer {
  rs: RsPlan;
  isNew: boolean;
  checkers: KeptChecker[];
}

interface KeptVs {
  vs: VsPlan;
  servers: KeptServer[];
}

export function reloadSteps(s: LvsSubsystem, old: LvsPlan, next: LvsPlan): Step[] {
  const first: Step = { run: () => (s.current = next) };
  const anyBefore = old.virtualServers.some((v) => s.running.has(v.key));
  if (next.virtualServers.length === 0 && !anyBefore) return [first];
  if (next.virtualServers.length > 0 && !s.canRun(next)) return [first];

  const oldBy = new Map(old.virtualServers.map((v) => [v.key, v]));
  let removed: VsPlan[] = [];
  let kept: KeptVs[] = [];
  let launches: Launch[] = [];
  // Filled when the diff is worked out; the phase reads a stop step's list when it reaches it.
  const stopCheckers: string[] = [];
  const stopServers: string[] = [];

  return [
    first,
    { spawn: () => (s.child(LVS_NOTIFIER_ID) || next.virtualServers.length === 0 ? [] : [s.notifierChild(next)]) },
    { run: () => s.child(LVS_NOTIFIER_ID)?.send({ type: 'notify.reconfigure', config: next.notifier }) },
    { wait: (done) => (s.tableStarted || next.virtualServers.length === 0 ? done() : s.tableStartup(next, done)) },
    { wait: (done) => s.files.load(s.filePaths(next.virtualServers), done) },
    {
      run: () => {
        const admitted = new Set(s.admit(next.virtualServers).map((v) => v.key));
        removed = old.virtualServers.filter((v) => s.running.has(v.key) && !admitted.has(v.key));
        launches = s.launches(next, next.virtualServers.filter((v) => admitted.has(v.key) && !s.running.has(v.key)));
        stopCheckers.length = 0;
        stopServers.length = 0;
        stopCheckers.push(...removed.flatMap((v) => v.realServers.flatMap((r) => r.checkers.map((c) => c.systemId))));
        stopServers.push(...removed.flatMap((v) => [...v.realServers.map((r) => r.systemId), v.systemId]));
        kept = [];
        for (const v of next.virtualServers) {
          const was = oldBy.get(v.key);
          if (!was || !admitted.has(v.key) || !s.running.has(v.key)) continue;
          kept.push(keepVirtualServer(s, old, was, next, v, stopCheckers, stopServers));
        }
      },
    },
    // The checkers that go or are replaced stop first: no verdict from them during the change.
    { stop: stopCheckers },
    {
      run: () => {
        const flush = next.globals.lvsFlushOnStop;
        for (const v of removed) {
          s.sink.log('info', v.group !== undefined ? `Removing Virtual Server Group [${v.group}]` : `Removing Virtual Server ${v.name}`);
          s.child(v.systemId)?.send({ type: 'vs.shutdown', stopping: false, ...(flush ? { flush } : {}) });
          s.running.delete(v.key);
        }
        for (const k of kept) {
          const servers = k.servers.map((x) => vsRealServer(x.rs, x.checkers.map((c) => c.start)));
          s.child(k.vs.systemId)?.send({ type: 'vs.reload', input: virtualServerInput(next, k.vs, servers, s.addressCount(k.vs)) });
        }
      },
    },
    { stop: stopServers },
    {
      run: () => {
        for (const k of kept) {
          for (const x of k.servers) {
            if (!x.isNew) s.child(x.rs.systemId)?.send({ type: 'rs.reload', input: realServerInput(next, k.vs, x.rs, x.checkers.map((c) => c.start)) });
          }
        }
      },
    },
    ...s.spawnSteps(next, () => launches),
    { spawn: () => kept.flatMap((k) => k.servers.filter((x) => x.isNew).map((x) => s.realServerChild(next, k.vs, x.rs, x.checkers.map((c) => c.start)))), inBatches: true },
    { spawn: () => kept.flatMap((k) => k.servers.flatMap((x) => x.checkers.filter((c) => !c.untouched).map((c) => s.checkerChild(next, k.vs, x.rs, c.plan, c.facts)))), inBatches: true },
    {
      run: () => {
        for (const k of kept) s.child(k.vs.systemId)?.send({ type: 'vs.reloaded' });
        s.follow(next);
      },
    },
  ];
}

/** Work out, from the running actors, what a kept virtual server keeps, replaces and adds. */
function keepVirtualServer(s: LvsSubsystem, oldPlan: LvsPlan, was: VsPlan, next: LvsPlan, vs: VsPlan, stopCheckers: string[], stopServers: string[]): KeptVs {
  const oldRs = new Map(was.realServers.map((r) => [r.key, r]));
  const vsCtx = contextOf<VsContext>(s.child(vs.systemId));
  const enabled = vsCtx ? vsCtx.checkersEnabled : !vs.haSuspend || s.addressCount(vs) > 0;
  const keptKeys = new Set<string>();
  const servers: KeptServer[] = vs.realServers.map((rs) => {
    const before = oldRs.get(rs.key);
    if (before) keptKeys.add(rs.key);
    const rsAlive = before ? (contextOf<{ alive: boolean }>(s.child(before.systemId))?.alive ?? true) : true;
    const unused = new Map((before?.checkers ?? []).map((c) => [c.systemId, c]));
    const checkers = rs.checkers.map((c): KeptChecker => {
      const match = [...unused.values()].find((o) => o.identity === c.identity && o.systemId === c.systemId) ?? [...unused.values()].find((o) => o.identity === c.identity);
      const fileValue = c.file?.path !== undefined ? s.files.value(c.file.path) : undefined;
      const base: CheckerFacts = { enabled, warmupDraw: 0, ...(fileValue !== undefined ? { fileValue } : {}) };
      const fresh = startCounters(c, base);
      if (match) {
        unused.delete(match.systemId);
        const ctx = contextOf<CheckerContext>(s.child(match.systemId));
        const oldCounters = ctx?.counters ?? fresh;
        if (match.systemId === c.systemId && before && checkerShape(oldPlan, was, before, match) === checkerShape(next, vs, rs, c) && ctx) {
          return { plan: c, untouched: true, facts: base, start: checkerStartOf(c, oldCounters) };
        }
        stopCheckers.push(match.systemId);
        const resume = migrateCounters(oldCounters, c.config.retry, fresh);
        const facts: CheckerFacts = { ...base, warmupDraw: s.draw(), resume };
        return { plan: c, untouched: false, facts, start: checkerStartOf(c, resume) };
      }
      // New here. A server that is down now stays down until this checker succeeds once.
      const resume = before && !rsAlive ? { ...fresh, up: false } : undefined;
      const facts: CheckerFacts = { ...base, warmupDraw: s.draw(), ...(resume ? { resume } : {}) };
      return { plan: c, untouched: false, facts, start: checkerStartOf(c, resume ?? fresh) };
    });
    for (const gone of unused.values()) stopCheckers.push(gone.systemId);
    return { rs, isNew: !before, checkers };
  });
  // A replaced checker with the same systemId as its successor must stop before the new one spawns: it does (stop, then spawn).
  for (const r of was.realServers) {
    if (keptKeys.has(r.key)) continue;
    stopCheckers.push(...r.checkers.map((c) => c.systemId));
    stopServers.push(r.systemId);
  }
  return { vs, servers };
}

