/**
 * The actor that holds the root's spawned children (VRRP instances, checkers, …) on its behalf.
 *
 * XState copies a machine's whole `children` record on every spawnChild and stopChild, so 1,000
 * children spawned or stopped one by one by the root cost O(n²) (measured: 1.4 s of CPU to spawn
 * 1,000 instances and 1.8 s to stop them, bench/profile-daemon.ts). This logic keeps its children
 * in a Map instead: spawn and stop are O(1) each. It does what the root did with them:
 *
 *   - `host.spawn`: creates every child (id = systemId), then starts them in order; a systemId
 *     already in use is stopped first (R11: a respawn);
 *   - `host.stop`: stops the named children that exist, in order;
 *   - a child's failure (`xstate.error.actor.<id>`) is passed on to the root unchanged (R13);
 *   - stopping the host stops every child, in the order they were spawned.
 */
import { createActor, type ActorLogic, type AnyActorLogic, type AnyActorRef, type EventObject, type Snapshot } from 'xstate';

export interface HostedChild {
  logic: AnyActorLogic;
  systemId: string;
  input: unknown;
}

export type ChildHostEvent = { type: 'host.spawn'; children: HostedChild[] } | { type: 'host.stop'; systemIds: string[] };

export interface ChildHostInput {
  /** Where a child's failure goes. */
  root: AnyActorRef;
}

type ChildHostSnapshot = Snapshot<undefined> & {
  /** Live children by systemId, in spawn order (mutated in place: the snapshot is never shared). */
  live: Map<string, AnyActorRef>;
  root: AnyActorRef;
};

export const childHostLogic: ActorLogic<ChildHostSnapshot, EventObject, ChildHostInput> = {
  getInitialSnapshot: (_scope, input) => ({ status: 'active', output: undefined, error: undefined, live: new Map(), root: input.root }),
  getPersistedSnapshot: (s) => ({ ...s, live: undefined, root: undefined }),
  transition(snapshot, event, scope) {
    const { live } = snapshot;
    const e = event as ChildHostEvent | EventObject;
    if (e.type === 'host.spawn') {
      const created: AnyActorRef[] = [];
      for (const c of (e as Extract<ChildHostEvent, { type: 'host.spawn' }>).children) {
        const old = live.get(c.systemId);
        if (old) {
          live.delete(c.systemId);
          scope.stopChild(old);
        }
        const ref = createActor(c.logic, { id: c.systemId, systemId: c.systemId, parent: scope.self, input: c.input as never });
        live.set(c.systemId, ref);
        created.push(ref);
      }
      scope.defer(() => {
        // A child stopped again in the same batch (its systemId came twice) is not started.
        for (const ref of created) if (live.get(ref.id) === ref) ref.start();
      });
    } else if (e.type === 'host.stop') {
      for (const id of (e as Extract<ChildHostEvent, { type: 'host.stop' }>).systemIds) {
        const ref = live.get(id);
        if (!ref) continue;
        live.delete(id);
        scope.stopChild(ref);
      }
    } else if (e.type === 'xstate.stop') {
      for (const ref of live.values()) scope.stopChild(ref);
      live.clear();
    } else if (e.type.startsWith('xstate.error.actor.')) {
      const id = e.type.slice('xstate.error.actor.'.length);
      const ref = live.get(id);
      if (ref && ref.getSnapshot().status !== 'active') live.delete(id);
      snapshot.root.send(e as never);
    }
    return snapshot;
  },
};
