/**
 * A daemon runtime, watched (the runtime's side of `--web` and `--inspect`): its actors' state
 * changes and its RuntimeEvents become trace records (sim/view/records.ts, the simulator's
 * shapes, `t` in wall-clock seconds), each machine met is drawn once, and with an inspect URL the
 * actor system is connected to Stately's inspector. RoleHost uses it in a child process (which
 * forwards to the parent over IPC) and in --single-process mode (which keeps it in-process).
 */
import type { InspectionEvent } from 'xstate';
import { actorFeed, combineInspectors } from '../../../actors/actor-feed.js';
import type { Runtime } from '../../../actors/runtime-types.js';
import { machineDiagram, type MachineDiagram } from '../../../sim/view/diagram.js';
import { actorRecord, runtimeRecord, type TraceRecord } from '../../../sim/view/records.js';

/** What a child is told to do (ChildStartOptions.watch). */
export interface ChildWatchOptions {
  /** Produce records and diagrams for the web view. */
  feed: boolean;
  /** Send Stately inspection events here. */
  inspectUrl?: string;
}

export interface WatchSink {
  record(r: TraceRecord): void;
  diagram(d: MachineDiagram): void;
}

export interface RuntimeWatch {
  /** For RuntimeOptions.inspect (undefined when nothing watches the actors). */
  inspect: ((e: InspectionEvent) => void) | undefined;
  /** Follow the runtime's events; returns the unsubscribe. */
  attach(rt: Runtime): () => void;
  stop(): void;
}

export async function runtimeWatch(host: string, label: string, opts: ChildWatchOptions, sink: WatchSink, now: () => number = () => Date.now() / 1000): Promise<RuntimeWatch> {
  // @statelyai/inspect (and its WebSocket) is loaded only when asked for.
  const stately = opts.inspectUrl ? (await import('./stately.js')).connectStately(opts.inspectUrl, label) : undefined;
  const feed = opts.feed
    ? actorFeed(
        (c) => sink.record(actorRecord(host, now(), c)),
        (m) => sink.diagram(machineDiagram(m)),
      )
    : undefined;
  return {
    inspect: combineInspectors(feed, stately?.inspect),
    attach: (rt) => {
      if (!opts.feed) return () => undefined;
      return rt.on((e) => {
        const r = runtimeRecord(host, now(), e);
        if (r) sink.record(r);
      });
    },
    stop: () => stately?.stop(),
  };
}
