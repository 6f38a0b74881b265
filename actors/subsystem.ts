/**
 * The seam between the root (actors/runtime.ts) and a subsystem: VRRP (actors/vrrp/), and the
 * LVS health checking that comes next (actors/lvs/). The root owns the lifecycle (the daemon
 * statechart, machines/daemon.machine.ts); a subsystem says, for each phase of it, what to do:
 *
 *   starting.sweeping   sweep(plan)        remove what a dead predecessor left behind
 *   starting.spawning   start(plan)        open its I/O, spawn its actors
 *   reloading           reload(old, next)  move from the running plan to the next one
 *   stopping.releasing  release(plan)      give up what peers and the network see
 *   stopping.draining   drain(plan)        finish the side work once everyone has released
 *   stopped             close(timedOut)    drop what is still queued
 *
 * A phase is a list of steps the root runs in order: `run` does the work at once; `spawn` and
 * `stop` are carried out by the root actor, and the next step runs once the children have started
 * or stopped; `wait` holds the phase until its callback fires (a port's answer), and is cancelled
 * if the phase is left first (a stop during the sweep). A subsystem never
 * touches the root actor or another subsystem: it spawns by returning steps, and it finds its own
 * actors by systemId (`host.child`). Adding a subsystem is one entry in actors/subsystems.ts.
 */
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type { KeepalivedConfig } from '../config/model.js';
import type { ChildSpec } from '../machines/daemon.machine.js';
import type { Ports } from './ports.js';
import type { RehearsalResult, RuntimeOptions, SubsystemStatus } from './runtime-types.js';
import type { RuntimeSink } from './sink.js';

/** What the root gives every subsystem. */
export interface SubsystemHost {
  ports: Ports;
  sink: RuntimeSink;
  options: RuntimeOptions;
  /** A running child of the root by systemId (undefined before start, after stop, or when absent). */
  child(systemId: string): AnyActorRef | undefined;
}

/** Children per batch of a spawn step `inBatches`: about 50 ms of CPU on an idle core. */
export const SPAWN_BATCH = 250;

export type Step =
  | { run: () => void }
  /**
   * Children to spawn, computed when the step is reached (so they see what earlier steps did).
   * `inBatches`: for thousands of independent children (LVS real servers and checkers), spawned
   * SPAWN_BATCH at a time with a turn of the event loop (a 0 ms timer of the Clock port) between
   * batches, so a large configuration never blocks the process for seconds (the checker child
   * answers its parent's hellos between batches). The order is kept; the next step runs once the
   * last batch has started. Without it, all at once.
   */
  | { spawn: () => ChildSpec[]; inBatches?: boolean }
  | { stop: string[] }
  /** Until `done` is called; what it returns is called if the phase is left before that. */
  | { wait: (done: () => void) => (() => void) | void };

/** One kind of child a subsystem spawns: its logic, and what watches it from its first event on. */
export interface ChildKind {
  logic: AnyActorLogic;
  /** Subscribe to what the child emits; called as the child starts, before anything it emits. */
  observe?: (ref: AnyActorRef) => void;
}

export interface Subsystem<P = unknown> {
  /** Child sources (ChildSpec.src) → kinds; the names carry the subsystem's prefix (`vrrp.instance`). */
  readonly children: Readonly<Record<string, ChildKind>>;
  /** The config model → this subsystem's plan (plain data, compared by reload) and the problems found. */
  plan(model: KeepalivedConfig): { plan: P; problems: string[] };
  sweep(plan: P): Step[];
  start(plan: P): Step[];
  reload(running: P, next: P): Step[];
  release(plan: P): Step[];
  drain(plan: P): Step[];
  close(timedOut: boolean): void;
  /**
   * What this subsystem reports for `keepalived-ts status`, the metrics, the dumps, the
   * simulator's invariants and tests: VRRP its instances, sync groups, trackers and notify queue;
   * LVS its virtual and real servers. Read from the running actors' snapshots; never changes them.
   */
  status?(plan: P): SubsystemStatus;
  /** Runtime.rehearse for this subsystem's running plan: no packet, address, log line or counter of the runtime's. */
  rehearse?(plan: P): RehearsalResult[];
}

/** A subsystem's constructor, with the name RuntimeOptions.subsystems selects it by and the word its start line uses. */
export type SubsystemFactory = ((host: SubsystemHost) => Subsystem) & { readonly subsystemName?: string; readonly label?: string };
