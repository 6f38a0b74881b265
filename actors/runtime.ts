/**
 * The composition root shared by the daemon (adapters/node) and the simulator (sim/world.ts):
 * compiled keepalived.conf model + ports → one running actor system.
 *
 *   const rt = createRuntime(ports, model, { name: 'lb1' });
 *   rt.on((e) => …); rt.start(); … rt.reload(newModel); … rt.stop();
 *
 * One root actor (machines/daemon.machine.ts) owns every other actor, each with a systemId derived
 * from config names (actors/names.ts). Start-up spawns in two phases: first the notifier, trackers,
 * sync groups and instances (observers attach to them), then each instance's tracking actor, which
 * sends `vrrp.startup` once its unweighted trackers have reported (keepalived's INIT hold).
 */
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import type { KeepalivedConfig } from '../config/model.js';
import { daemonMachine, type ChildSpec } from '../machines/daemon.machine.js';
import { syncGroupMachine } from '../machines/vrrp/sync-group.machine.js';
import { trackingMachine, type TrackingInput, type TrackingVerdict } from '../machines/track/tracking.machine.js';
import type { InstanceContext } from '../machines/vrrp/instance.context.js';
import type { InstanceEvent } from '../machines/vrrp/types.js';
import type { NotifierEvent } from '../machines/notify/notifier.machine.js';
import type { Ports } from './ports.js';
import type { InstanceStatus, Runtime, RuntimeEvent, RuntimeOptions } from './runtime-types.js';
import { RuntimeSink } from './sink.js';
import { VrrpIo } from './vrrp/vrrp-io.js';
import { AddressIo } from './vrrp/address-io.js';
import { StaticIo } from './vrrp/static-io.js';
import { VmacIo } from './vrrp/vmac-io.js';
import { instanceLogic } from './vrrp/instance-io.js';
import { trackerLogic } from './track-io.js';
import { notifierLogic } from './notify-io.js';
import { buildPlan, type Plan } from './vrrp/plan.js';
import type { InstancePlan } from './vrrp/plan-instance.js';
import { groupId, instanceId, NOTIFIER_ID, trackingId } from './names.js';
import { watchGroup, watchInstance, watchNotifier, watchTracker, watchTracking, type ObserverContext } from './vrrp/observers.js';
import { applyReload } from './vrrp/reload.js';
import { bindRuntimeDeps } from './system-deps.js';

/** The daemon machine with every child provided; built once, each runtime binds its deps (system-deps.ts). */
const runtimeLogic = daemonMachine.provide({
  actors: { instance: instanceLogic, syncGroup: syncGroupMachine, tracker: trackerLogic, tracking: trackingMachine, notifier: notifierLogic },
});

export function createRuntime(ports: Ports, model: KeepalivedConfig, opts: RuntimeOptions): Runtime {
  return new NodeRuntime(ports, model, opts);
}

type Phase = 'new' | 'running' | 'stopping' | 'stopped';

export class NodeRuntime implements Runtime {
  readonly sink: RuntimeSink;
  readonly vrrp: VrrpIo;
  readonly addresses: AddressIo;
  readonly statics: StaticIo;
  readonly vmacs: VmacIo;
  plan: Plan | undefined;
  root: Actor<typeof runtimeLogic> | undefined;
  phase: Phase = 'new';
  /** Base priority each instance actor was spawned with (reload moves priority by an offset). */
  readonly spawnedBase = new Map<string, number>();
  private readonly subs = new Map<string, Array<() => void>>();
  readonly observer: ObserverContext;

  constructor(
    readonly ports: Ports,
    private model: KeepalivedConfig,
    readonly opts: RuntimeOptions,
  ) {
    this.sink = new RuntimeSink(ports.clock, ports.logger);
    this.addresses = new AddressIo(ports, this.sink);
    this.statics = new StaticIo(this.addresses, ports.net, this.sink);
    this.vmacs = new VmacIo(ports, this.addresses, this.sink);
    this.vrrp = new VrrpIo(ports, this.sink, (name, e) => this.deliver(name, e));
    this.observer = { sink: this.sink };
  }

  start(): void {
    if (this.phase !== 'new') return;
    this.phase = 'running';
    const plan = this.buildPlan(this.model);
    this.plan = plan;
    const root = createActor(runtimeLogic, { clock: this.ports.clock, input: { stopTimeoutMs: this.opts.stopTimeoutMs ?? 5000 } });
    bindRuntimeDeps(root.system, {
      ports: this.ports,
      instanceIo: { vrrp: this.vrrp, addresses: this.addresses, ioConfig: (n) => this.plan?.instances.get(n)?.io },
      scriptPolicy: () => ({ secure: this.model.globalDefs.enableScriptSecurity, ...this.model.globalDefs.scriptUser }),
    });
    this.root = root;
    root.on('daemon.childError', (e) => {
      this.sink.count('actor_errors');
      this.sink.log('error', `actor ${e.child} failed: ${e.error}`);
    });
    root.on('daemon.stopped', (e) => this.finishStop(e.timedOut));
    root.start();
    this.sink.log('info', `Starting VRRP runtime ${this.opts.name}`);
    this.statics.apply(this.model);
    this.addresses.setPacing(this.model.globalDefs.vrrpGarpIntervalMs, this.model.globalDefs.vrrpGnaIntervalMs);
    this.vrrp.configure([...plan.instances.values()].map((p) => p.io));
    this.vmacs.configure([...plan.instances.values()].map((p) => p.io));
    this.spawn([{ src: 'notifier', systemId: NOTIFIER_ID, input: plan.notifier }]);
    this.spawn([...plan.trackers].map(([systemId, input]) => ({ src: 'tracker' as const, systemId, input })));
    this.spawn([...plan.groups.values()].map((g) => ({ src: 'syncGroup' as const, systemId: groupId(g.name), input: g })));
    this.spawnInstances([...plan.instances.values()]);
  }

  reload(model: KeepalivedConfig): void {
    if (this.phase !== 'running' || !this.plan) return;
    this.model = model;
    const next = this.buildPlan(model);
    this.sink.log('info', 'Reloading ...');
    applyReload(this, this.plan, next);
    this.statics.apply(model);
    this.addresses.setPacing(model.globalDefs.vrrpGarpIntervalMs, model.globalDefs.vrrpGnaIntervalMs);
    this.plan = next;
    this.sink.count('reloads');
  }

  stop(): void {
    if (this.phase === 'new') {
      this.phase = 'stopped';
      this.sink.emit({ type: 'runtime.stopped' });
      return;
    }
    if (this.phase !== 'running' || !this.root || !this.plan) return;
    this.phase = 'stopping';
    this.sink.log('info', 'Stopping');
    this.root.send({ type: 'daemon.shutdown' });
    for (const name of this.plan.instances.keys()) this.deliver(name, { type: 'vrrp.shutdown', meaning: 'STOP' });
    for (const g of this.plan.groups.keys()) this.child(groupId(g))?.send({ type: 'group.shutdown' });
    this.statics.removeAll();
    // The VMACs go once their VIPs are gone; the runtime has stopped once that is done too.
    this.addresses.whenIdle(() => {
      this.vmacs.removeAll();
      this.addresses.whenIdle(() => this.whenNotifierIdle(() => this.root?.send({ type: 'daemon.drained' })));
    });
  }

  status(): InstanceStatus[] {
    if (!this.plan) return [];
    return [...this.plan.instances.values()].map((p) => {
      const c = this.instanceContext(p.name);
      const state = c?.state ?? 'INIT';
      return {
        name: p.name,
        vrid: p.input.vrid,
        family: p.input.family,
        ifname: p.io.ifname,
        state,
        basePriority: p.input.basePriority,
        effectivePriority: c?.priority ?? p.input.basePriority,
        vipsInstalled: this.addresses.installedFor(p.name),
        masterAddress: state === 'MASTER' ? (p.io.src ?? '') : (c?.masterAddress ?? ''),
        masterAdverIntervalCs: c?.masterAdverIntervalCs ?? p.input.advertIntervalCs,
        ...(p.syncGroup ? { syncGroup: p.syncGroup } : {}),
      };
    });
  }

  counters(): Record<string, number> {
    return this.sink.snapshot();
  }

  on(listener: (e: RuntimeEvent) => void): () => void {
    return this.sink.on(listener);
  }

  // ---- helpers used by start/reload ---------------------------------------------------------

  child(systemId: string): AnyActorRef | undefined {
    return this.root?.system.get(systemId) as AnyActorRef | undefined;
  }

  instanceContext(name: string): InstanceContext | undefined {
    return (this.child(instanceId(name))?.getSnapshot() as { context?: InstanceContext } | undefined)?.context;
  }

  trackingVerdict(name: string): TrackingVerdict | undefined {
    return (this.child(trackingId(name))?.getSnapshot() as { context?: { verdict: TrackingVerdict } } | undefined)?.context?.verdict;
  }

  deliver(name: string, e: InstanceEvent): void {
    this.child(instanceId(name))?.send(e);
  }

  notify(e: NotifierEvent): void {
    this.child(NOTIFIER_ID)?.send(e);
  }

  /**
   * Spawn children with the runtime's observers attached as each actor is created, before it
   * starts, so that what a child emits while starting (a tracker's first status, a tracking
   * actor's verdict) is not lost. The system inspector is only subscribed around the spawn.
   */
  spawn(children: ChildSpec[]): void {
    const root = this.root;
    if (children.length === 0 || !root) return;
    for (const c of children) this.detach(c.systemId);
    const pending = new Map(children.map((c) => [c.systemId, c]));
    const sub = root.system.inspect((ev) => {
      if (ev.type !== '@xstate.actor') return;
      const ref = ev.actorRef as AnyActorRef;
      const c = pending.get(ref.id);
      if (!c || ref === root) return;
      pending.delete(c.systemId);
      this.attach(c, ref);
    });
    try {
      root.send({ type: 'daemon.spawn', children });
    } finally {
      sub.unsubscribe();
    }
  }

  stopChildren(systemIds: string[]): void {
    for (const id of systemIds) this.detach(id);
    if (systemIds.length > 0) this.root?.send({ type: 'daemon.stopChildren', systemIds });
  }

  /** Instances first (observed), then their tracking actors, which start them. */
  spawnInstances(plans: InstancePlan[]): void {
    for (const p of plans) this.spawnedBase.set(p.name, p.input.basePriority);
    this.spawn(plans.map((p) => ({ src: 'instance' as const, systemId: instanceId(p.name), input: p.input })));
    this.spawn(plans.map((p) => ({ src: 'tracking' as const, systemId: trackingId(p.name), input: this.trackingInput(p, true) })));
  }

  trackingInput(p: InstancePlan, startInstance: boolean, extra: Partial<TrackingInput> = {}): TrackingInput {
    const base = this.spawnedBase.get(p.name) ?? p.input.basePriority;
    return {
      instance: p.name,
      systemId: trackingId(p.name),
      target: instanceId(p.name),
      basePriority: base,
      entries: p.entries,
      ignoreWeights: p.ignoreWeights,
      startInstance,
      fixedFaults: p.fixedFaults,
      ...(p.syncGroup ? { group: groupId(p.syncGroup) } : {}),
      ...(p.input.basePriority !== base ? { priorityOffset: p.input.basePriority - base } : {}),
      ...extra,
    };
  }

  private buildPlan(model: KeepalivedConfig): Plan {
    const plan = buildPlan(model, this.ports.net.interfaces(), { hostname: this.ports.hostname, vmac: this.ports.vmac !== undefined, ...(this.opts.notifyScriptTimeoutMs ? { notifyScriptTimeoutMs: this.opts.notifyScriptTimeoutMs } : {}) });
    for (const p of plan.problems) this.sink.log('warning', p);
    for (const p of plan.instances.values()) for (const f of Object.values(p.fixedFaults)) this.sink.log('warning', f);
    return plan;
  }

  private attach(c: ChildSpec, ref: AnyActorRef): void {
    const watch = { instance: watchInstance, syncGroup: watchGroup, tracker: watchTracker, tracking: watchTracking, notifier: watchNotifier }[c.src];
    this.subs.set(c.systemId, watch(ref, this.observer));
  }

  private detach(systemId: string): void {
    for (const u of this.subs.get(systemId) ?? []) u();
    this.subs.delete(systemId);
  }

  private whenNotifierIdle(fn: () => void): void {
    const n = this.child(NOTIFIER_ID);
    const snap = n?.getSnapshot() as { value?: unknown; context?: { queue: unknown[] } } | undefined;
    if (!n || (snap?.value === 'idle' && (snap.context?.queue.length ?? 0) === 0)) return fn();
    const sub = n.on('notify.idle', () => {
      sub.unsubscribe();
      fn();
    });
  }

  private finishStop(timedOut: boolean): void {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    if (timedOut) this.sink.log('warning', `stop timed out with ${this.addresses.pending()} address operations pending`);
    for (const id of [...this.subs.keys()]) this.detach(id);
    this.vrrp.close();
    this.addresses.cancelQueued();
    this.sink.log('info', 'Stopped');
    this.sink.emit({ type: 'runtime.stopped' });
  }
}
