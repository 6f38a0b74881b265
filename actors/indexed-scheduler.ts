/**
 * XState's scheduler for delayed events, replaced by one that keeps each actor's timers in a map
 * of its own, for an actor system with thousands of timed actors (the LVS subsystem: one checker
 * per real server, two timers per check).
 *
 * XState 5's scheduler keeps every delayed event of the system in one object keyed by
 * `${sessionId}.${id}` strings, stamps each with Date.now(), and cancels a stopping actor's
 * events by walking all of them (`cancelAll`). With N checkers that walk was O(N) per stop and
 * the object a dictionary of N entries rewritten twice a check: at 1,000 TCP_CHECK servers
 * cancelAll alone was 12.7 % of the checker child's CPU, and building and deleting the string
 * keys most of what remained of `schedule`/`cancel` (4–6 %).
 *
 * This one does what XState's does, in the same order: `schedule` sets one timer on the same
 * clock (the runtime's Clock port, the one given to createActor) and relays the event to its
 * target when it fires; `cancel` clears the timer of that source and id; `cancelAll` clears
 * every timer the source scheduled. Scheduling an id that is still pending replaces its entry
 * without clearing the older timer, as XState does. The system's `_scheduledEvents` (XState's
 * persisted scheduler state) stays empty: the runtime never persists or restores a system.
 *
 * `ActorSystem.scheduler` is public API in XState 5 and its methods are looked up on each call,
 * so replacing them on a system before it starts covers every delayed event.
 */
import type { ActorSystem, AnyActorRef } from 'xstate';
import type { Clock } from './ports.js';

export function indexScheduler(system: ActorSystem<any>, clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>): void {
  const s = system.scheduler;
  const timers = new WeakMap<AnyActorRef, Map<string, unknown>>();
  // XState's own delivery of a delayed event (inspection event, then the target's mailbox): not in
  // its typings, but it is what its scheduler calls.
  const relay = (system as unknown as { _relay(source: AnyActorRef, target: AnyActorRef, event: unknown): void })._relay.bind(system);
  s.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
    let mine = timers.get(source);
    if (!mine) timers.set(source, (mine = new Map()));
    const own = mine;
    own.set(
      id,
      clock.setTimeout(() => {
        own.delete(id);
        relay(source, target, event);
      }, delay),
    );
  };
  s.cancel = (source, id) => {
    const mine = timers.get(source);
    if (!mine) return;
    const timer = mine.get(id);
    if (timer === undefined) return;
    mine.delete(id);
    clock.clearTimeout(timer);
  };
  s.cancelAll = (source) => {
    const mine = timers.get(source);
    if (!mine) return;
    timers.delete(source);
    for (const timer of mine.values()) clock.clearTimeout(timer);
  };
}
