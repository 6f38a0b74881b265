/**
 * Delayed events indexed by the actor that scheduled them, for an XState system with thousands
 * of timed actors (the LVS subsystem: one checker per real server).
 *
 * XState 5's scheduler cancels a stopping actor's delayed events by walking every delayed event
 * of the whole system (`cancelAll`). Every check stops its `probe` child, so with N checkers that
 * walk is O(N) per check and O(N²) a second: at 1,000 TCP_CHECK servers it was the largest item
 * in the checker child's CPU profile (cancelAll 12.7 % self time). This keeps, per source actor,
 * the ids it scheduled, and cancels only those — the same events XState's walk finds, since
 * every delayed event is scheduled through `system.scheduler.schedule` with its source.
 *
 * `ActorSystem.scheduler` is public API in XState 5; its methods are looked up on each call, so
 * replacing them on a system before it starts covers every delayed event. Cancelling an id whose
 * timer already fired is a no-op in XState's `cancel`, so stale ids are harmless; an actor's set
 * is pruned when it grows past PRUNE_AT (ids of fired timers dropped).
 */
import type { ActorSystem, AnyActorRef } from 'xstate';

const PRUNE_AT = 64;

export function indexScheduler(system: ActorSystem<any>): void {
  const s = system.scheduler;
  const schedule = s.schedule.bind(s);
  const cancel = s.cancel.bind(s);
  const ids = new WeakMap<AnyActorRef, Set<string>>();
  s.schedule = (source, target, event, delay, id) => {
    // XState draws a random id when none is given; draw it here so it can be indexed.
    const sid = id ?? Math.random().toString(36).slice(2);
    let set = ids.get(source);
    if (!set) ids.set(source, (set = new Set()));
    else if (set.size >= PRUNE_AT) {
      const live = system.getSnapshot()._scheduledEvents;
      for (const k of set) if (!(`${source.sessionId}.${k}` in live)) set.delete(k);
    }
    set.add(sid);
    schedule(source, target, event, delay, sid);
  };
  s.cancel = (source, id) => {
    ids.get(source)?.delete(id);
    cancel(source, id);
  };
  s.cancelAll = (source) => {
    const set = ids.get(source);
    if (!set) return;
    ids.delete(source);
    for (const id of set) cancel(source, id);
  };
}
