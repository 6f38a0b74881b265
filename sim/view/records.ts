/**
 * Trace records: the JSON-lines trace's objects (sim/out/trace.ts), `t` in seconds first. The
 * simulator writes them from its SimEvents; the daemon's live feed builds the same shapes from
 * its RuntimeEvents and actor changes, so the web view (sim/view/view-model.ts) reads both.
 */
import type { ActorChange } from '../../actors/actor-feed.js';
import type { RuntimeEvent } from '../../actors/runtime-types.js';
import type { SimEvent } from '../events.js';

/** One line of a trace. The fields after `t` and `type` are the event's (sim/events.ts). */
export interface TraceRecord {
  t: number;
  type: string;
  host?: string;
  [field: string]: unknown;
}

/** A SimEvent as its trace line holds it (µs → s). */
export function simRecord(e: SimEvent): TraceRecord {
  const { t, ...rest } = e;
  return { t: t / 1e6, ...rest };
}

export function actorRecord(host: string, t: number, c: ActorChange): TraceRecord {
  return { t, type: 'actor', host, ...c };
}

/**
 * A daemon's RuntimeEvent as the simulator traces the same fact (sim/world.ts onRuntimeEvent).
 * `advert.sent` has no record: the simulator traces adverts on the wire, the daemon does not.
 */
export function runtimeRecord(host: string, t: number, e: RuntimeEvent): TraceRecord | undefined {
  switch (e.type) {
    case 'instance.state':
      return { t, type: 'state', host, instance: e.instance, from: e.from, to: e.to, priority: e.priority, reason: e.reason };
    case 'instance.priority':
      return { t, type: 'priority', host, instance: e.instance, priority: e.priority };
    case 'group.state':
      return { t, type: 'group', host, group: e.group, to: e.to };
    case 'notify':
      return { t, type: 'notify', host, target: e.target, argv: e.argv };
    case 'advert.dropped':
      return { t, type: 'advert-drop', host, instance: e.instance, reason: e.reason };
    case 'vip.added':
    case 'vip.removed':
      return { t, type: 'vip', host, instance: e.instance, address: e.address, op: e.type === 'vip.added' ? 'add' : 'remove' };
    case 'garp.sent':
      return { t, type: 'garp', host, instance: e.instance, address: e.address };
    case 'log':
      return { t, type: 'log', host, level: e.level, message: e.message };
    case 'runtime.stopped':
      return { t, type: 'daemon', host, what: 'stopped' };
    case 'advert.sent':
      return undefined;
  }
}
