import type { AnyActorRef } from 'xstate';

/** The context of a running child, or undefined (a snapshot read, for status, dumps and reload only). */
export function contextOf<T>(ref: AnyActorRef | undefined): T | undefined {
  return (ref?.getSnapshot() as { context?: T } | undefined)?.context;
}
