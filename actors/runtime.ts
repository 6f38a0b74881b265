/**
 * The composition root shared by the daemon (adapters/node) and the simulator (sim/world.ts):
 * compiled keepalived.conf model + ports + subsystems → one running actor system.
 *
 *   const rt = createRuntime(ports, model, { name: 'lb1' });
 *   rt.on((e) => …); rt.start(); … rt.reload(newModel); … rt.stop();
 *
 * It starts the daemon statechart (machines/daemon.machine.ts), which owns the lifecycle, with
 * one phase actor per phase that runs the subsystems' steps (actors/subsystem.ts), and resolves
 * the children they spawn to the logics the subsystems registered. The methods below only send
 * the statechart events; it decides what they mean now (a reload before the node runs waits, a
 * second stop is ignored).
 */
import { createActor, fromCallback, type Actor, type AnyActorLogic, type AnyActorRef, type EventObject } from 'xstate';
import type { KeepalivedConfig } from '../config/model.js';
import { daemonMachine, type ChildSpec, type DaemonEvent, type PhaseInput, type SpawnSpec } from '../machines/daemon.machine.js';
import { childHostLogic } from './child-host.js';
import type { Ports } from './ports.js';
import type { InstanceStatus, RehearsalResult, Runtime, RuntimeEvent, RuntimeOptions, RuntimeStatus, SubsystemStatus, VirtualServerStatus } from './runtime-types.js';
import { RuntimeSink } from './sink.js';
import { SPAWN_BATCH, type ChildKind, type Step, type Subsystem, type SubsystemFactory, type SubsystemHost } from './subsystem.js';
import { SUBSYSTEMS } from './subsystems.js';
import { indexScheduler } from './indexed-scheduler.js';

export function createRuntime(ports: Ports, model: KeepalivedConfig, opts: RuntimeOptions, subsystems: readonly SubsystemFactory[] = SUBSYSTEMS): Runtime {
  return new RootRuntime(ports, model, opts, subsystems);
}

type Phase = 'sweep' | 'start' | 'reload' | 'release' | 'drain';
type PhaseDone = Extract<DaemonEvent, { type: 'daemon.swept' | 'daemon.started' | 'daemon.reloaded' | 'daemon.released' | 'daemon.drained' }>;

/** What a phase actor gets in its input as `env`: the runtime it works for. */
interface PhaseEnv {
  steps(phase: Phase, input: PhaseInput): Step[];
  done(phase: Phase): PhaseDone;
  /** The child logics for these specs (the subsystems' registered sources, observed). */
  resolve(children: ChildSpec[]): SpawnSpec[];
  /** Calls `fn` on a later turn of the event loop (the Clock port, 0 ms); returns a cancel. */
  later(fn: () => void): () => void;
}

/**
 * A phase actor: runs the runtime's steps for `phase` in order. `spawn`/`stop` go to the root
 * (its parent), which answers `daemon.applied` once they took effect; `wait` resumes when its
 * callback fires; a spawn step `inBatches` goes to the root SPAWN_BATCH children at a time, with a
 * turn of the event loop between batches. When the steps are done it reports to the root.
 * Stopping it (the phase was left) abandons the rest and cancels a wait or the next batch. One
 * logic per phase for the whole process; the runtime comes in the input (`env`).
 */
function phaseActor(phase: Phase): AnyActorLogic {
  return fromCallback<EventObject, PhaseInput>(({ input, sendBack, receive, self }) => {
    const env = input.env as PhaseEnv;
    const steps = env.steps(phase, input);
    let next = 0;
    let live = true;
    let cancelWait: (() => void) | void;
    /** Children of a spawn step `inBatches` not yet sent to the root. */
    let queued: ChildSpec[] = [];
    const spawnBatch = (): void => {
      const batch = queued.length > SPAWN_BATCH ? queued.splice(0, SPAWN_BATCH) : queued.splice(0);
      sendBack({ type: 'daemon.spawn', children: env.resolve(batch), replyTo: self } satisfies DaemonEvent);
    };
    const applied = (): void => {
      if (queued.length === 0) return resume();
      cancelWait = env.later(() => {
        cancelWait = undefined;
        if (live) spawnBatch();
      });
    };
    const resume = (): void => {
      while (live && next < steps.length) {
        const s = steps[next++]!;
        if ('run' in s) s.run();
        else if ('spawn' in s) {
          const children = s.spawn();
          if (children.length > 0 && s.inBatches) {
            queued = children;
            return spawnBatch();
          }
          if (children.length > 0) return sendBack({ type: 'daemon.spawn', children: env.resolve(children), replyTo: self } satisfies DaemonEvent);
        } else if ('stop' in s) {
          if (s.stop.length > 0) return sendBack({ type: 'daemon.stopChildren', systemIds: s.stop, replyTo: self } satisfies DaemonEvent);
        } else {
          let called = false;
          const cancel = s.wait(() => {
            if (called) return;
            called = true;
            cancelWait = undefined;
            resume();
          });
          // A wait that was done at once has resumed already (and may be waiting on a later step).
          if (!called) cancelWait = cancel;
          return;
        }
      }
      if (live && next === steps.length) {
        next++;
        sendBack(env.done(phase));
      }
    };
    receive((e) => {
      if (e.type === 'daemon.applied') applied();
    });
    resume();
    return () => {
      live = false;
      cancelWait?.();
    };
  });
}

/** The daemon statechart with the phase actors, built once per process (provide() rebuilds a chart). */
const rootLogic = daemonMachine.provide({
  actors: {
    sweepLeftovers: phaseActor('sweep'),
    startSubsystems: phaseActor('start'),
    reloadSubsystems: phaseActor('reload'),
    releaseSubsystems: phaseActor('release'),
    drainSubsystems: phaseActor('drain'),
    childHost: childHostLogic as unknown as AnyActorLogic,
  },
});

/**
 * A child logic that calls `observe` as its actor starts, before the actor can emit anything
 * (an observer attached after start would miss a tracker's first status). Everything else is the
 * original logic's, by prototype.
 */
function observed(kind: ChildKind): AnyActorLogic {
  const { logic, observe } = kind;
  if (!observe) return logic;
  const start = logic.start;
  const wrapped = Object.create(logic) as AnyActorLogic;
  wrapped.start = function (this: AnyActorLogic, snapshot, scope) {
    observe(scope.self as AnyActorRef);
    start?.call(this, snapshot, scope);
  };
  return wrapped;
}

export class RootRuntime implements Runtime, PhaseEnv {
  private readonly sink: RuntimeSink;
  private readonly subsystems: Subsystem[];
  /** The word of the start line: the first subsystem's label ('VRRP', 'LVS'). */
  private readonly label: string;
  /** Child source → logic (observed), from every subsystem. */
  private readonly children = new Map<string, AnyActorLogic>();
  private root: Actor<typeof rootLogic> | undefined;
  private stoppedUnstarted = false;
  /** The plans a reload in progress moves to. */
  private nextPlans: unknown[] = [];

  constructor(
    private readonly ports: Ports,
    private readonly model: KeepalivedConfig,
    private readonly opts: RuntimeOptions,
    factories: readonly SubsystemFactory[],
  ) {
    this.sink = new RuntimeSink(ports.clock, ports.logger);
    const host: SubsystemHost = { ports, sink: this.sink, options: opts, child: (id) => this.root?.system.get(id) as AnyActorRef | undefined };
    const chosen = opts.subsystems ? factories.filter((f) => opts.subsystems!.includes(f.subsystemName ?? '')) : factories;
    this.label = chosen[0]?.label ?? 'VRRP';
    this.subsystems = chosen.map((f) => f(host));
    for (const s of this.subsystems) {
      for (const [src, kind] of Object.entries(s.children)) {
        if (this.children.has(src)) throw new Error(`two subsystems register the child source ${src}`);
        this.children.set(src, observed(kind));
      }
    }
  }

  start(): void {
    if (this.root || this.stoppedUnstarted) return;
    const root = createActor(rootLogic, {
      clock: this.ports.clock,
      input: { stopTimeoutMs: this.opts.stopTimeoutMs ?? 5000, plans: this.plans(this.model), env: this satisfies PhaseEnv },
      ...(this.opts.inspect ? { inspect: this.opts.inspect } : {}),
    });
    indexScheduler(root.system, this.ports.clock);
    root.on('daemon.childError', (e) => this.sink.actorFailed(e.child, e.error));
    root.on('daemon.stopping', () => this.sink.log('info', 'Stopping'));
    root.on('daemon.stopped', (e) => this.finishStop(e.timedOut));
    this.root = root;
    this.sink.log('info', `Starting ${this.label} runtime ${this.opts.name}`);
    root.start();
  }

  reload(model: KeepalivedConfig): void {
    this.root?.send({ type: 'daemon.reload', model });
  }

  stop(): void {
    if (this.root) return this.root.send({ type: 'daemon.shutdown' });
    if (this.stoppedUnstarted) return;
    this.stoppedUnstarted = true;
    this.sink.emit({ type: 'runtime.stopped' });
  }

  status(): InstanceStatus[] {
    return this.sections().flatMap((s) => s.instances ?? []);
  }

  report(): RuntimeStatus {
    const sections = this.sections();
    return {
      clockNow: this.ports.clock.now(),
      wallNow: this.ports.clock.wallNow(),
      instances: sections.flatMap((s) => s.instances ?? []),
      syncGroups: sections.flatMap((s) => s.syncGroups ?? []),
      trackers: sections.flatMap((s) => s.trackers ?? []),
      notifyQueue: sections.reduce((n, s) => n + (s.notifyQueue ?? 0), 0),
      virtualServers: sections.flatMap((s) => s.virtualServers ?? []),
    };
  }

  /** `ask` of each subsystem with its running plan, in order (nothing before start). */
  private withPlans<T>(ask: (s: Subsystem, plan: unknown) => T): T[] {
    const plans = this.root?.getSnapshot().context.plans;
    return plans ? this.subsystems.map((s, i) => ask(s, plans[i])) : [];
  }

  /** Each subsystem's status for its running plan (none before start). */
  private sections(): SubsystemStatus[] {
    return this.withPlans((s, plan) => s.status?.(plan) ?? {});
  }

  rehearse(): RehearsalResult[] {
    return this.withPlans((s, plan) => {
      try {
        return s.rehearse?.(plan) ?? [];
      } catch (e) {
        return [{ instance: '', reached: `error: ${e instanceof Error ? e.message : String(e)}`, counters: {} }];
      }
    }).flat();
  }

  virtualServers(): VirtualServerStatus[] {
    return this.sections().flatMap((s) => s.virtualServers ?? []);
  }

  counters(): Record<string, number> {
    return this.sink.snapshot();
  }

  on(listener: (e: RuntimeEvent) => void, types?: Iterable<RuntimeEvent['type']>): () => void {
    return this.sink.on(listener, types);
  }

  /** Each subsystem's plan for `model`; the problems found are logged. */
  private plans(model: KeepalivedConfig): unknown[] {
    return this.subsystems.map((s) => {
      const { plan, problems } = s.plan(model);
      for (const p of problems) this.sink.log('warning', p);
      return plan;
    });
  }

  // ---- PhaseEnv: what the phase actors ask of this runtime ------------------------------

  steps(phase: Phase, input: PhaseInput): Step[] {
    const subs = this.subsystems;
    if (phase !== 'reload') return subs.flatMap((s, i) => s[phase](input.plans[i]));
    const next = (this.nextPlans = this.plans(input.model as KeepalivedConfig));
    this.sink.log('info', 'Reloading ...');
    return [...subs.flatMap((s, i) => s.reload(input.plans[i], next[i])), { run: () => this.sink.count('reloads') }];
  }

  done(phase: Phase): PhaseDone {
    const events: Record<Phase, PhaseDone> = {
      sweep: { type: 'daemon.swept' },
      start: { type: 'daemon.started' },
      reload: { type: 'daemon.reloaded', plans: this.nextPlans },
      release: { type: 'daemon.released' },
      drain: { type: 'daemon.drained' },
    };
    return events[phase];
  }

  resolve(children: ChildSpec[]): SpawnSpec[] {
    return children.map((c) => {
      const logic = this.children.get(c.src);
      if (!logic) throw new Error(`no subsystem registers the child source ${c.src}`);
      return { ...c, logic };
    });
  }

  later(fn: () => void): () => void {
    const { clock } = this.ports;
    const id = clock.setTimeout(fn, 0);
    return () => clock.clearTimeout(id);
  }

  private finishStop(timedOut: boolean): void {
    for (const s of this.subsystems) s.close(timedOut);
    this.sink.log('info', 'Stopped');
    this.sink.emit({ type: 'runtime.stopped' });
  }
}
