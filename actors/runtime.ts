/**
 * The composition root shared by the daemon (adapters/node) and the simulator (sim/world.ts):
 * compiled keepalived.conf model + ports + subsystems → one running actor system.
 *
 *   const rt = createRuntime(ports, model, { name: 'lb1' });
 *   rt.on((e) => …); rt.start(); … rt.reload(newModel); … rt.stop();
 *
 * It starts the daemon statechart (machines/daemon.machine.ts), which owns the lifecycle, with
 * one phase actor per phase that runs the subsystems' steps (actors/subsystem.ts), and the child
 * logics every subsystem registered. The methods below only send the statechart events; it
 * decides what they mean now (a reload before the node runs waits, a second stop is ignored).
 */
import { createActor, fromCallback, type Actor, type AnyActorLogic, type AnyActorRef, type EventObject } from 'xstate';
import type { KeepalivedConfig } from '../config/model.js';
import { daemonMachine, type DaemonEvent, type PhaseInput } from '../machines/daemon.machine.js';
import type { Ports } from './ports.js';
import type { InstanceStatus, Runtime, RuntimeEvent, RuntimeOptions } from './runtime-types.js';
import { RuntimeSink } from './sink.js';
import type { ChildKind, Step, Subsystem, SubsystemFactory, SubsystemHost } from './subsystem.js';
import { SUBSYSTEMS } from './subsystems.js';

export function createRuntime(ports: Ports, model: KeepalivedConfig, opts: RuntimeOptions, subsystems: readonly SubsystemFactory[] = SUBSYSTEMS): Runtime {
  return new RootRuntime(ports, model, opts, subsystems);
}

type Phase = 'sweep' | 'start' | 'reload' | 'release' | 'drain';
type PhaseDone = Extract<DaemonEvent, { type: 'daemon.swept' | 'daemon.started' | 'daemon.reloaded' | 'daemon.released' | 'daemon.drained' }>;

/**
 * A phase actor: runs `steps` in order. `spawn`/`stop` go to the root (its parent), which answers
 * `daemon.applied` once they took effect; `wait` resumes when its callback fires. When the steps
 * are done it sends `done()` to the root. Stopping it (the phase was left) abandons the rest.
 */
function phaseActor(steps: (input: PhaseInput) => Step[], done: (input: PhaseInput) => PhaseDone): AnyActorLogic {
  return fromCallback<EventObject, PhaseInput>(({ input, sendBack, receive, self }) => {
    const todo = steps(input);
    let next = 0;
    let live = true;
    let cancelWait: (() => void) | void;
    const resume = (): void => {
      while (live && next < todo.length) {
        const s = todo[next++]!;
        if ('run' in s) s.run();
        else if ('spawn' in s) {
          const children = s.spawn();
          if (children.length > 0) return sendBack({ type: 'daemon.spawn', children, replyTo: self } satisfies DaemonEvent);
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
      if (live && next === todo.length) {
        next++;
        sendBack(done(input));
      }
    };
    receive((e) => {
      if (e.type === 'daemon.applied') resume();
    });
    resume();
    return () => {
      live = false;
      cancelWait?.();
    };
  });
}

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

export class RootRuntime implements Runtime {
  private readonly sink: RuntimeSink;
  private readonly subsystems: Subsystem[];
  private root: Actor<typeof daemonMachine> | undefined;
  private stoppedUnstarted = false;

  constructor(
    private readonly ports: Ports,
    private readonly model: KeepalivedConfig,
    private readonly opts: RuntimeOptions,
    factories: readonly SubsystemFactory[],
  ) {
    this.sink = new RuntimeSink(ports.clock, ports.logger);
    const host: SubsystemHost = { ports, sink: this.sink, options: opts, child: (id) => this.root?.system.get(id) as AnyActorRef | undefined };
    this.subsystems = factories.map((f) => f(host));
  }

  start(): void {
    if (this.root || this.stoppedUnstarted) return;
    const root = createActor(this.logic(), {
      clock: this.ports.clock,
      input: { stopTimeoutMs: this.opts.stopTimeoutMs ?? 5000, plans: this.plans(this.model) },
    });
    root.on('daemon.childError', (e) => {
      this.sink.count('actor_errors');
      this.sink.log('error', `actor ${e.child} failed: ${e.error}`);
    });
    root.on('daemon.stopping', () => this.sink.log('info', 'Stopping'));
    root.on('daemon.stopped', (e) => this.finishStop(e.timedOut));
    this.root = root;
    this.sink.log('info', `Starting VRRP runtime ${this.opts.name}`);
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
    const plans = this.root?.getSnapshot().context.plans;
    if (!plans) return [];
    return this.subsystems.flatMap((s, i) => s.status?.(plans[i]) ?? []);
  }

  counters(): Record<string, number> {
    return this.sink.snapshot();
  }

  on(listener: (e: RuntimeEvent) => void): () => void {
    return this.sink.on(listener);
  }

  /** Each subsystem's plan for `model`; the problems found are logged. */
  private plans(model: KeepalivedConfig): unknown[] {
    return this.subsystems.map((s) => {
      const { plan, problems } = s.plan(model);
      for (const p of problems) this.sink.log('warning', p);
      return plan;
    });
  }

  /** The daemon statechart with this runtime's phase actors and the subsystems' child logics. */
  private logic() {
    const subs = this.subsystems;
    const all = (phase: Exclude<Phase, 'reload'>) => (input: PhaseInput) => subs.flatMap((s, i) => s[phase](input.plans[i]));
    let next: unknown[] = [];
    const reloadSteps = (input: PhaseInput): Step[] => {
      next = this.plans(input.model as KeepalivedConfig);
      this.sink.log('info', 'Reloading ...');
      return [...subs.flatMap((s, i) => s.reload(input.plans[i], next[i])), { run: () => this.sink.count('reloads') }];
    };
    const children: Record<string, AnyActorLogic> = {};
    for (const s of subs) {
      for (const [src, kind] of Object.entries(s.children)) {
        if (src in children) throw new Error(`two subsystems register the child source ${src}`);
        children[src] = observed(kind);
      }
    }
    return daemonMachine.provide({
      actors: {
        ...children,
        sweepLeftovers: phaseActor(all('sweep'), () => ({ type: 'daemon.swept' })),
        startSubsystems: phaseActor(all('start'), () => ({ type: 'daemon.started' })),
        reloadSubsystems: phaseActor(reloadSteps, () => ({ type: 'daemon.reloaded', plans: next })),
        releaseSubsystems: phaseActor(all('release'), () => ({ type: 'daemon.released' })),
        drainSubsystems: phaseActor(all('drain'), () => ({ type: 'daemon.drained' })),
      } as never,
    });
  }

  private finishStop(timedOut: boolean): void {
    for (const s of this.subsystems) s.close(timedOut);
    this.sink.log('info', 'Stopped');
    this.sink.emit({ type: 'runtime.stopped' });
  }
}
