/** A two-router toy cluster plus an observer client, for world-level tests. */
import { Recorder } from '../../../sim/recorder.js';
import { World, type WorldSpec } from '../../../sim/world.js';
import type { TimelineEntry } from '../../../sim/faults.js';
import { createToyRuntime, toyModels, type ToyModel } from './toy-runtime.js';

export function toyPair(opts: { bugs?: ToyModel['bugs']; priorities?: [number, number]; nopreempt?: boolean } = {}): WorldSpec {
  const [pa, pb] = opts.priorities ?? [150, 100];
  const inst = (priority: number): ToyModel => ({
    instances: [{ name: 'VI_1', vrid: 51, ifname: 'eth0', priority, vips: ['198.51.100.100'], nopreempt: opts.nopreempt ?? false }],
    ...(opts.bugs ? { bugs: opts.bugs } : {}),
  });
  return {
    segments: [{ name: 'lan' }],
    hosts: [
      { name: 'a', nics: [{ name: 'eth0', segment: 'lan', addresses: ['198.51.100.11/24'] }], model: inst(pa) },
      { name: 'b', nics: [{ name: 'eth0', segment: 'lan', addresses: ['198.51.100.12/24'] }], model: inst(pb) },
      { name: 'client', nics: [{ name: 'eth0', segment: 'lan', addresses: ['198.51.100.200/24'] }] },
    ],
  };
}

export function runToy(spec: WorldSpec, timeline: TimelineEntry[], untilMs: number, seed = 1, tracing = false): World {
  const recorder = new Recorder({ tracing });
  const world = new World(spec, { seed, createRuntime: createToyRuntime, models: toyModels, recorder });
  world.schedule(timeline);
  world.runUntil(untilMs);
  return world;
}

export function violations(w: World): string[] {
  return w.recorder.of('violation').map((e) => `${e.id}: ${e.message}`);
}

export function stateOf(w: World, host: string, instance = 'VI_1'): string | undefined {
  return w.hosts.get(host)?.tracks.get(instance)?.state;
}
