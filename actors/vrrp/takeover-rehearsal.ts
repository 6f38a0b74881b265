/**
 * A backup's takeover, rehearsed with no effect: a throwaway instance actor of the same logic
 * (instanceLogic, the same statechart, io actor and timers) goes INIT → BACKUP → MASTER against
 * I/O that goes nowhere, so that the code of the path a real takeover takes has run in this
 * process before it is needed.
 *
 * Why: V8 compiles a function the first time it runs (lazy compilation) and drops the bytecode of
 * a function that has not run for a few major collections (--bytecode-old-age, 5 in node 20).
 * A backup never runs its takeover path until its master dies, so the daemon compiled it during
 * the failover: from the Master_Down_Timer's expiry to the first gratuitous ARP took 4.6 to 6.1 ms
 * the first time in a process and 2.6 to 3.0 ms the second (docs/benchmarks.md, "The takeover,
 * rehearsed"); keepalived's first GARP comes about 1 ms after Master_Down_Interval.
 *
 * What runs for real: the instance machine and XState's interpreter (transitions, entry actions,
 * spawning the Adver_Timer, emitting), the Master_Down_Timer's expiry, the io actor, VrrpIo's
 * advert path (its cached-packet lookup and IPv4 ID patch), AddressIo's VIP and GARP path (its
 * frames, log lines and pacing) and the observers' log lines, on a sink of its own. What does
 * not: anything that reaches the kernel or the network, or the daemon's sink, logs, counters and
 * listeners. The rehearsal's clock holds its timers and never sets a real one: the
 * Master_Down_Timer is fired by hand, after its read ahead as on the daemon's clock, and the rest
 * are dropped with the actor. Everything is
 * synchronous; nothing of it is left once rehearseTakeover returns.
 */
import { createActor } from 'xstate';
import type { Clock, InterfaceInfo, Logger, NetConfig, Ports, VrrpSocket } from '../ports.js';
import type { RehearsalResult } from '../runtime-types.js';
import { indexScheduler } from '../indexed-scheduler.js';
import { RuntimeSink } from '../sink.js';
import { AddressIo } from './address-io.js';
import { instanceIoEnv, instanceLogic } from './instance-io.js';
import { socketKey } from './names.js';
import { watchInstance } from './observers.js';
import type { InstancePlan } from './plan-instance.js';
import { VrrpIo } from './vrrp-io.js';

/** A clock that keeps what is set on it and runs nothing by itself (readings are the real clock's). */
class HeldClock implements Clock {
  private next = 1;
  readonly timers = new Map<number, { fn: () => void; precise: boolean; soon?: () => void }>();

  constructor(private readonly real: Pick<Clock, 'now' | 'wallNow'>) {}

  now(): number {
    return this.real.now();
  }

  wallNow(): number {
    return this.real.wallNow();
  }

  setTimeout(fn: (...args: unknown[]) => void, _ms: number): unknown {
    this.timers.set(this.next, { fn: fn as () => void, precise: false });
    return this.next++;
  }

  setPreciseTimeout(fn: () => void, _ms: number, soon?: () => void): unknown {
    this.timers.set(this.next, { fn, precise: true, ...(soon ? { soon } : {}) });
    return this.next++;
  }

  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }

  /** Run the precise timeouts set so far (the Master_Down_Timer's), each after its `soon`, as the
   *  daemon's clock runs them (its read ahead: the env's beforeExpiry). */
  firePrecise(): void {
    for (const [id, t] of [...this.timers]) {
      if (!t.precise || !this.timers.has(id)) continue;
      t.soon?.();
      if (this.timers.delete(id)) t.fn();
    }
  }
}

const quiet: Logger = { log: () => {} };
const done = (cb: (error?: string) => void): void => queueMicrotask(() => cb());

/** NetConfig that changes nothing: every request succeeds; the interfaces are the ones given. */
function nullNet(interfaces: readonly InterfaceInfo[]): NetConfig {
  return {
    interfaces: () => interfaces,
    addAddress: (_a, cb) => done(cb),
    removeAddress: (_a, cb) => done(cb),
    addRoute: (_r, cb) => done(cb),
    removeRoute: (_r, cb) => done(cb),
    addRule: (_r, cb) => done(cb),
    removeRule: (_r, cb) => done(cb),
    watch: () => () => {},
  };
}

const nullSocket: VrrpSocket = { send: () => undefined, close: () => {} };

/**
 * Rehearse `plan`'s takeover. `interfaces` is the interface list the frames are built for (the
 * real one: a GARP's frame carries the interface's MAC). Never throws: a failure is returned as
 * the state reached ('error: …'), and the caller has nothing to undo.
 */
export function rehearseTakeover(plan: InstancePlan, clock: Pick<Clock, 'now' | 'wallNow'>, interfaces: readonly InterfaceInfo[]): RehearsalResult {
  const held = new HeldClock(clock);
  const sink = new RuntimeSink(held, quiet);
  const ports: Pick<Ports, 'clock' | 'net' | 'vrrp'> = {
    clock: held,
    net: nullNet(interfaces),
    vrrp: { open: () => ({ error: 'rehearsal' }), sendFrame: () => undefined },
  };
  const io = plan.io;
  let reached = 'not started';
  try {
    const vrrp = new VrrpIo(sink);
    vrrp.configure([io]);
    if (io.vrrpIfname) vrrp.attach(socketKey(io.vrrpIfname, io.family), nullSocket);
    const addresses = new AddressIo(ports, sink);
    const env = instanceIoEnv(held, vrrp, addresses, (n) => (n === io.name ? io : undefined));
    // Alone: no sync group, notifier or start-up delay (names in another system, or a wait).
    const { syncGroup: _g, notifier: _n, startupDelayMs: _d, ...input } = plan.input;
    const actor = createActor(instanceLogic, { clock: held, input: Object.assign(input, { initialState: 'BACKUP' as const, env }) });
    indexScheduler(actor.system, held);
    const unwatch = watchInstance(actor, { sink });
    try {
      actor.start();
      vrrp.prepare(io.name, plan.input.basePriority);
      addresses.prepare(io);
      actor.send({ type: 'vrrp.startup' });
      held.firePrecise();
      reached = actor.getSnapshot().context.state;
    } finally {
      unwatch();
      actor.stop();
      held.timers.clear();
    }
  } catch (e) {
    reached = `error: ${e instanceof Error ? e.message : String(e)}`;
  }
  return { instance: io.name, reached, counters: sink.snapshot() };
}
