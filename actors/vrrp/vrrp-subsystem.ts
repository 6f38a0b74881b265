/**
 * VRRP as a subsystem of the root (actors/subsystem.ts): keepalived's VRRP process. Its actors are
 * one socket per interface and family, the notifier, one tracker per tracked object, the sync
 * groups, and per vrrp_instance the instance statechart and its tracking actor. Its I/O glue is
 * VrrpIo (adverts), AddressIo (VIPs, routes, rules, GARP/NA), StaticIo (static_*) and VmacIo
 * (use_vmac); the actors reach it through their input (`env`), never through a lookup.
 *
 * Start-up spawns in phases: sockets, the notifier, trackers, sync groups and instances (observers
 * attach to each as it starts), then each instance's tracking actor, which sends `vrrp.startup`
 * once its unweighted trackers have reported (keepalived's INIT hold).
 */
import type { AnyActorRef } from 'xstate';
import type { ChildSpec } from '../../machines/daemon.machine.js';
import { syncGroupMachine } from '../../machines/vrrp/sync-group.machine.js';
import { trackingMachine, type TrackingInput, type TrackingVerdict } from '../../machines/track/tracking.machine.js';
import type { InstanceContext } from '../../machines/vrrp/instance.context.js';
import type { InstanceEmitted } from '../../machines/vrrp/types.js';
import type { KeepalivedConfig } from '../../config/model.js';
import type { IoEnv } from '../io-env.js';
import { NOTIFIER_ID } from '../names.js';
import { notifierLogic } from '../notify-io.js';
import type { RehearsalResult, SubsystemStatus } from '../runtime-types.js';
import type { RuntimeSink } from '../sink.js';
import type { ChildKind, Step, Subsystem, SubsystemHost } from '../subsystem.js';
import { trackerLogic } from '../track-io.js';
import { AddressIo, sameAddress } from './address-io.js';
import { instanceIoEnv, instanceLogic, type InstanceIoEnv } from './instance-io.js';
import { groupId, instanceId, socketId, trackingId } from './names.js';
import { watchGroup, watchInstance, watchNotifier, watchTracker, watchTracking, type ObserverContext } from './observers.js';
import type { InstancePlan } from './plan-instance.js';
import { buildPlan, trackerSubscribers, vipAddresses, vipKey, vipOwners, type VrrpPlan } from './plan.js';
import { reloadSteps, type ReloadParts } from './reload.js';
import { vrrpSocketLogic, type SocketActorInput } from './socket-actor.js';
import { socketSpecs } from './sockets.js';
import { StaticIo } from './static-io.js';
import { TransitionBook, vrrpStatus, watchMaster } from './status.js';
import { rehearseTakeover } from './takeover-rehearsal.js';
import { sweepLeftoverVips } from './sweep.js';
import { VmacIo } from './vmac-io.js';
import { VrrpIo } from './vrrp-io.js';

/** The context of a running child, or undefined (a snapshot read, for status and reload only). */
function contextOf<T>(ref: AnyActorRef | undefined): T | undefined {
  return (ref?.getSnapshot() as { context?: T } | undefined)?.context;
}

export function vrrpSubsystem(host: SubsystemHost): Subsystem<VrrpPlan> {
  return new VrrpSubsystem(host);
}
vrrpSubsystem.subsystemName = 'vrrp';
vrrpSubsystem.label = 'VRRP';

class VrrpSubsystem implements Subsystem<VrrpPlan>, ReloadParts {
  readonly children: Readonly<Record<string, ChildKind>>;
  readonly sink: RuntimeSink;
  readonly vrrp: VrrpIo;
  readonly addresses: AddressIo;
  readonly statics: StaticIo;
  readonly vmacs: VmacIo;
  /** The plan the I/O looks instances up in, and the one whose script policy applies. */
  private io: VrrpPlan | undefined;
  private policy: VrrpPlan | undefined;
  private readonly instanceEnv: InstanceIoEnv;
  private readonly probeEnv: IoEnv;
  private readonly transitions: TransitionBook;
  private unwatchNet: (() => void) | undefined;

  constructor(private readonly host: SubsystemHost) {
    const { ports } = host;
    this.sink = host.sink;
    this.addresses = new AddressIo(ports, this.sink);
    this.statics = new StaticIo(this.addresses, ports.net, this.sink);
    this.vmacs = new VmacIo(ports, this.addresses, this.sink);
    this.vrrp = new VrrpIo(this.sink);
    this.instanceEnv = instanceIoEnv(ports.clock, this.vrrp, this.addresses, (n) => this.io?.instances.get(n)?.io);
    this.probeEnv = { ports, scriptPolicy: () => this.policy?.scriptPolicy, isVirtualAddress: (a) => this.isVip(a) };
    this.transitions = new TransitionBook(this.sink);
    const obs: ObserverContext = { sink: this.sink };
    const watching = (watch: (ref: AnyActorRef, c: ObserverContext) => unknown) => (ref: AnyActorRef) => void watch(ref, obs);
    this.children = {
      'vrrp.socket': { logic: vrrpSocketLogic },
      'vrrp.notifier': { logic: notifierLogic, observe: watching(watchNotifier) },
      'vrrp.tracker': { logic: trackerLogic, observe: watching(watchTracker) },
      'vrrp.syncGroup': { logic: syncGroupMachine, observe: watching(watchGroup) },
      'vrrp.instance': { logic: instanceLogic, observe: (ref) => void (watchInstance(ref, obs, (e) => this.onInstanceEvent(e)), watchMaster(ref, this.sink)) },
      'vrrp.tracking': { logic: trackingMachine, observe: watching(watchTracking) },
    };
  }

  plan(model: KeepalivedConfig): { plan: VrrpPlan; problems: string[] } {
    const { ports, options } = this.host;
    return buildPlan(model, ports.net.interfaces(), {
      hostname: ports.hostname,
      vmac: ports.vmac !== undefined,
      ...(options.notifyScriptTimeoutMs ? { notifyScriptTimeoutMs: options.notifyScriptTimeoutMs } : {}),
    });
  }

  sweep(plan: VrrpPlan): Step[] {
    return [{ wait: (done) => sweepLeftoverVips(this.host.ports, this.sink, plan, done) }];
  }

  start(plan: VrrpPlan): Step[] {
    const ios = () => [...plan.instances.values()].map((p) => p.io);
    const instances = [...plan.instances.values()];
    return [
      {
        run: () => {
          this.useIo(plan);
          this.usePolicy(plan);
          this.statics.apply(plan.statics);
          this.addresses.setPacing(plan.garpIntervalMs, plan.gnaIntervalMs);
          this.vrrp.configure(ios());
          this.unwatchNet ??= this.host.ports.net.watch((e) => {
            if (e.type === 'address.removed') this.onAddressRemoved(e.ifname, e.address);
          });
        },
      },
      { spawn: () => socketSpecs(ios()).map((s) => this.socketChild(plan, s.key)) },
      { run: () => this.vmacs.configure(ios()) },
      { spawn: () => [{ src: 'vrrp.notifier', systemId: NOTIFIER_ID, input: { ...plan.notifier, env: this.probeEnv } }] },
      { spawn: () => [...plan.trackers.keys()].map((id) => this.trackerChild(plan, id, trackerSubscribers(plan).get(id))) },
      { spawn: () => [...plan.groups.values()].map((g) => ({ src: 'vrrp.syncGroup', systemId: groupId(g.name), input: g })) },
      // Instances wait in INIT (adverts ignored) until their tracking child sends vrrp.startup, so
      // they can be spawned in batches: nothing they do depends on which batch they came in.
      { spawn: () => this.instanceChildren(instances), inBatches: true },
      // Tracking children start their instances. Without sync groups every instance starts on its
      // own, so batches are fine; a sync group's members start together, as keepalived starts them.
      { spawn: () => instances.map((p) => this.trackingChild(p, true)), inBatches: plan.groups.size === 0 },
    ];
  }

  reload(running: VrrpPlan, next: VrrpPlan): Step[] {
    return reloadSteps(this, running, next);
  }

  /** Instances send priority-0 adverts and remove their VIPs; groups report STOP; statics go. */
  release(plan: VrrpPlan): Step[] {
    return [
      {
        run: () => {
          for (const name of plan.instances.keys()) this.child(instanceId(name))?.send({ type: 'vrrp.shutdown', meaning: 'STOP' });
          for (const g of plan.groups.keys()) this.child(groupId(g))?.send({ type: 'group.shutdown' });
          this.statics.removeAll();
        },
      },
      { wait: (done) => this.addresses.whenIdle(done) },
    ];
  }

  /** The VMACs go once their VIPs are gone; then the queued notifications (STOP) finish. */
  drain(_plan: VrrpPlan): Step[] {
    return [{ run: () => this.vmacs.removeAll() }, { wait: (done) => this.addresses.whenIdle(done) }, { wait: (done) => this.whenNotifierIdle(done) }];
  }

  close(timedOut: boolean): void {
    this.unwatchNet?.();
    this.unwatchNet = undefined;
    if (timedOut) this.sink.log('warning', `stop timed out with ${this.addresses.pending()} address operations pending`);
    this.addresses.cancelQueued();
  }

  status(plan: VrrpPlan): SubsystemStatus {
    return vrrpStatus(plan, { child: (id) => this.child(id), addresses: this.addresses, transitions: this.transitions });
  }

  /**
   * A takeover rehearsed with no effect (takeover-rehearsal.ts) for the first instance of each
   * address family and VRRP version: their adverts and announcements take different code (IPv4
   * datagram or IPv6 message, GARP or NA, v2 or v3).
   */
  rehearse(plan: VrrpPlan): RehearsalResult[] {
    const firstOfKind = new Map<string, InstancePlan>();
    for (const p of plan.instances.values()) {
      const kind = `${p.io.family}/${p.io.version}`;
      if (!firstOfKind.has(kind)) firstOfKind.set(kind, p);
    }
    if (firstOfKind.size === 0) return [];
    const interfaces = this.host.ports.net.interfaces();
    return [...firstOfKind.values()].map((p) => rehearseTakeover(p, this.host.ports.clock, interfaces));
  }

  // ---- what the steps use (ReloadParts) ---------------------------------------------------

  child(systemId: string): AnyActorRef | undefined {
    return this.host.child(systemId);
  }

  log(message: string): void {
    this.sink.log('info', message);
  }

  useIo(plan: VrrpPlan): void {
    this.io = plan;
  }

  usePolicy(plan: VrrpPlan): void {
    this.policy = plan;
  }

  instanceState(name: string) {
    return contextOf<InstanceContext>(this.child(instanceId(name)))?.state;
  }

  trackingVerdict(name: string): TrackingVerdict | undefined {
    return contextOf<{ verdict: TrackingVerdict }>(this.child(trackingId(name)))?.verdict;
  }

  socketChild(plan: VrrpPlan, key: string): ChildSpec {
    const spec = socketSpecs([...plan.instances.values()].map((p) => p.io)).find((s) => s.key === key)!;
    const input: SocketActorInput = { spec, io: this.vrrp, ports: this.host.ports, sink: this.sink };
    return { src: 'vrrp.socket', systemId: socketId(key), input };
  }

  trackerChild(plan: VrrpPlan, id: string, subscribers?: readonly string[]): ChildSpec {
    const t = plan.trackers.get(id)!;
    return { src: 'vrrp.tracker', systemId: id, input: { ...t, probe: { ...t.probe, env: this.probeEnv }, ...(subscribers ? { subscribers } : {}) } };
  }

  instanceChildren(plans: InstancePlan[]): ChildSpec[] {
    // Object.assign, not a spread: in node 20's V8 `{ ...a, b }` gives every copy a hidden class of
    // its own (about 500 bytes an instance here); assigning onto `{}` shares one.
    return plans.map((p) => ({ src: 'vrrp.instance', systemId: instanceId(p.name), input: Object.assign({}, p.input, { env: this.instanceEnv }) }));
  }

  trackingChild(p: InstancePlan, startInstance: boolean, extra: Partial<TrackingInput> = {}): ChildSpec {
    const base = p.spawnedBase;
    const input: TrackingInput = {
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
    return { src: 'vrrp.tracking', systemId: trackingId(p.name), input };
  }

  /**
   * keepalived netlink_if_address_filter / address_is_ours: an address deleted from an interface
   * that is a VIP or E-VIP of an instance in MASTER sends that instance to BACKUP (set_vrrp_backup),
   * from where it takes MASTER back after Skew_Time and re-adds its VIPs. The reflector line is -D.
   */
  private onAddressRemoved(ifname: string, cidr: string): void {
    const address = cidr.split('/')[0]!;
    const key = vipKey(ifname, address);
    if (!this.io || key === undefined) return;
    // The first MASTER, in the plan's order, with this VIP on this interface (vipOwners).
    for (const p of vipOwners(this.io).get(key) ?? []) {
      if (this.instanceState(p.name) !== 'MASTER') continue;
      if (p.io.noTrackVips?.some((v) => sameAddress(v, address))) return;
      this.sink.log('detail', `Netlink reflector reports IP ${address} removed from ${ifname}`);
      this.child(instanceId(p.name))?.send({ type: 'net.vipDeleted', address });
      return;
    }
  }

  /** The subsystem's own reactions to an instance's events, after the observer's. */
  private onInstanceEvent(e: InstanceEmitted): void {
    if (e.type === 'vrrp.actorFailed' && e.actor === 'io') this.releaseAfterIoFailure(e.instance);
    else this.prepareWhileBackup(e);
  }

  /**
   * An instance whose io actor threw (a bug) is in FAULT for good, and its commands to leave
   * MASTER (priority 0, VIPs removed) went to an actor that is gone. The subsystem sends them
   * itself, once, if its VIPs were added and not removed since (AddressIo.holds): a FAULT
   * instance never keeps a VIP. Each step is guarded: the same bug may be in the path it takes.
   */
  private releaseAfterIoFailure(instance: string): void {
    const io = this.io?.instances.get(instance)?.io;
    const held = this.addresses.holds(instance);
    if (!io || !held) return;
    const guarded = (what: string, step: () => void): void => {
      try {
        step();
      } catch (err) {
        this.sink.count('actor_errors');
        this.sink.log('error', `(${instance}) ${what} after the io actor failed: ${String(err)}`);
      }
    };
    guarded('sending priority 0', () => this.instanceEnv.sendAdvert(instance, 0));
    guarded('removing VIPs', () => this.addresses.removeVips(io));
  }

  /**
   * A BACKUP's takeover path, ready before it is needed: its first advert as master encoded at its
   * current priority and its gratuitous ARP / NA frames built, on entering BACKUP and when its
   * priority changes there. Nothing is sent. Between the Master_Down_Timer's expiry and the first
   * gratuitous ARP the backup then runs code that has already run in this process, on bytes that
   * are ready (docs/benchmarks.md, "Failover: where the takeover time went").
   */
  private prepareWhileBackup(e: InstanceEmitted): void {
    const priority = e.type === 'vrrp.state' && e.to === 'BACKUP' ? e.priority : e.type === 'vrrp.priority' && this.instanceState(e.instance) === 'BACKUP' ? e.to : undefined;
    if (priority === undefined) return;
    const io = this.io?.instances.get(e.instance)?.io;
    if (!io) return;
    this.vrrp.prepare(e.instance, priority);
    this.addresses.prepare(io);
  }

  /** Whether `address` is a VIP or E-VIP of the running plan. Asked once per address event on a
   *  tracked interface (1,000 times when 1,000 masters add their VIPs): a Set made once per plan
   *  (vipAddresses), not a walk over every instance's lists per question. */
  private isVip(address: string): boolean {
    return this.io !== undefined && vipAddresses(this.io).has(address);
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
}
