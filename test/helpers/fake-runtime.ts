/**
 * A Runtime that runs nothing, for tests of the daemon's role host (role-host.ts): it reports
 * stopped when stopped, hands its listeners to the test (`emit`), and answers rehearse() with
 * what the test gives.
 */
import type { RehearsalResult, Runtime, RuntimeEvent } from '../../actors/runtime-types.js';

export function fakeRuntime(rehearse: () => RehearsalResult[]): { runtime: Runtime; emit(e: RuntimeEvent): void } {
  const listeners = new Set<(e: RuntimeEvent) => void>();
  const emit = (e: RuntimeEvent): void => listeners.forEach((l) => l(e));
  const runtime: Runtime = {
    start: () => undefined,
    stop: () => emit({ type: 'runtime.stopped', at: 0 }),
    reload: () => undefined,
    status: () => [],
    report: () => ({ clockNow: 0, wallNow: 0, instances: [], syncGroups: [], trackers: [], notifyQueue: 0, virtualServers: [] }),
    counters: () => ({}),
    on: (l) => (listeners.add(l), () => listeners.delete(l)),
    rehearse,
  };
  return { runtime, emit };
}
