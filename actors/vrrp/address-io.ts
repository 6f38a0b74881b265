/**
 * Addresses and announcements for the instances, over ports.net and ports.vrrp.sendFrame:
 * VIPs (virtual_ipaddress and virtual_ipaddress_excluded), virtual_routes and virtual_rules are
 * added when the instance machine says `io.addVips` and removed on `io.removeVips`; gratuitous
 * ARPs / unsolicited NAs are built by protocol/ (byte-identical to keepalived's) and sent on the
 * VIP's interface with that interface's MAC (keepalived's default, no VMAC).
 */
import { buildGratuitousArpFrame } from '../../protocol/arp.js';
import { buildUnsolicitedNaFrame } from '../../protocol/ndisc.js';
import { parseIp, parseMac } from '../../protocol/addr.js';
import type { AddressSpec, Ports } from '../ports.js';
import type { InstanceIoConfig } from './plan-instance.js';
import type { RuntimeSink } from '../sink.js';

const cidr = (a: AddressSpec) => `${a.address}/${a.prefixLength}`;
/** rtnetlink answers EEXIST for an address that is already there: that is what we wanted. */
export const alreadyThere = (e: string) => /exist/i.test(e);
/** Frames kept by AddressIo (a few per VIP; 64 to 86 bytes each). */
const MAX_CACHED_FRAMES = 16_384;
export const alreadyGone = (e: string) => /cannot assign|eaddrnotavail|not found|no such|does not exist/i.test(e);

/** The same IP address however it is written (IPv6 text has more than one form). */
export function sameAddress(a: string, b: string): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  return !!x && !!y && x.bytes.length === y.bytes.length && x.bytes.every((v, i) => v === y.bytes[i]);
}

/** keepalived's -D lines when an instance's addresses go (vrrp_restore_interface), one per non-empty list. */
export function removalLines(io: Pick<InstanceIoConfig, 'name' | 'vips' | 'excludedVips' | 'routes' | 'rules'>): string[] {
  const out: string[] = [];
  if (io.rules.length > 0) out.push(`(${io.name}) removing Virtual Rules`);
  if (io.routes.length > 0) out.push(`(${io.name}) removing Virtual Routes`);
  if (io.vips.length > 0) out.push(`(${io.name}) removing VIPs.`);
  if (io.excludedVips.length > 0) out.push(`(${io.name}) removing E-VIPs.`);
  return out;
}

export class AddressIo {
  /** Per instance: addresses we put on an interface and have not removed (CIDR). */
  private readonly installed = new Map<string, Set<string>>();
  /** Instances whose VIPs were asked for and not yet given up (an addition still on its way included). */
  private readonly holding = new Set<string>();
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];
  /** vrrp_garp_interval / vrrp_gna_interval: minimum gap between two frames on one interface. */
  private readonly intervalMs: Record<4 | 6, number> = { 4: 0, 6: 0 };
  /** Per `ifname/family`: the earliest time the next paced frame may leave. */
  private readonly nextFreeAt = new Map<string, number>();
  /** Frames waiting for their turn, by instance (cancelled when its VIPs go or the runtime stops). */
  private readonly queued = new Map<string, Set<unknown>>();
  /** GARP / NA frames by "ifname MAC address", built ahead by prepare() or at their first use. */
  private frames = new Map<string, Uint8Array>();
  /** The last interface list read and its MACs by name: a port that hands back the same list
   *  until a link changes (the daemon's) is read into a Map once, not once per burst. */
  private macsOf: { list: readonly { name: string; mac: string }[]; byName: Map<string, string> } | undefined;

  constructor(
    private readonly ports: Pick<Ports, 'clock' | 'net' | 'vrrp'>,
    private readonly sink: RuntimeSink,
  ) {}

  installedFor(instance: string): string[] {
    return [...(this.installed.get(instance) ?? [])];
  }

  /** Whether `instance`'s VIPs were added (or are being added) and not removed since. */
  holds(instance: string): boolean {
    return this.holding.has(instance) || (this.installed.get(instance)?.size ?? 0) > 0;
  }

  /** Net operations still waiting for their callback (graceful stop waits for 0). */
  pending(): number {
    return this.inFlight;
  }

  whenIdle(fn: () => void): void {
    if (this.inFlight === 0) fn();
    else this.idleWaiters.push(fn);
  }

  /** keepalived paces gratuitous ARPs and unsolicited NAs per interface; 0 sends a burst back to back. */
  setPacing(garpIntervalMs: number, gnaIntervalMs: number): void {
    this.intervalMs[4] = Math.max(0, garpIntervalMs);
    this.intervalMs[6] = Math.max(0, gnaIntervalMs);
  }

  /** Drop queued announcements (of one instance, or all on stop). */
  cancelQueued(instance?: string): void {
    for (const [name, timers] of this.queued) {
      if (instance !== undefined && name !== instance) continue;
      for (const t of timers) this.ports.clock.clearTimeout(t);
      this.queued.delete(name);
    }
  }

  /** keepalived's order and -D lines (vrrp_state_become_master): VIPs, E-VIPs, routes, rules; a line per non-empty list. */
  addVips(io: InstanceIoConfig): void {
    this.holding.add(io.name);
    for (const [list, what] of [[io.vips, 'VIPs.'], [io.excludedVips, 'E-VIPs.']] as const) {
      if (list.length === 0) continue;
      this.sink.log('detail', `(${io.name}) setting ${what}`);
      for (const a of list) this.add(io.name, a);
    }
    if (io.routes.length > 0) this.sink.log('detail', `(${io.name}) setting Virtual Routes`);
    for (const r of io.routes) this.op(io.name, `add route ${r.destination}`, (done) => this.ports.net.addRoute(r, done));
    if (io.rules.length > 0) this.sink.log('detail', `(${io.name}) setting Virtual Rules`);
    for (const r of io.rules) this.op(io.name, 'add rule', (done) => this.ports.net.addRule(r, done));
  }

  /** keepalived's order and -D lines (vrrp_restore_interface): rules, routes, VIPs, E-VIPs. */
  removeVips(io: InstanceIoConfig): void {
    this.holding.delete(io.name);
    this.cancelQueued(io.name);
    for (const line of removalLines(io)) this.sink.log('detail', line);
    for (const r of io.rules) this.op(io.name, 'remove rule', (done) => this.ports.net.removeRule(r, done), alreadyGone);
    for (const r of io.routes) this.op(io.name, `remove route ${r.destination}`, (done) => this.ports.net.removeRoute(r, done), alreadyGone);
    for (const a of [...io.vips, ...io.excludedVips]) this.remove(io.name, a);
  }

  /** Reload of a MASTER whose VIP list changed: add the new ones, remove the dropped ones, announce the new. */
  changeVips(before: InstanceIoConfig, after: InstanceIoConfig, isMaster: boolean, garpRepeat: number): void {
    const keyOf = (a: AddressSpec) => `${a.ifname} ${cidr(a)}`;
    const now = new Set([...after.vips, ...after.excludedVips].map(keyOf));
    const was = new Set([...before.vips, ...before.excludedVips].map(keyOf));
    if (!isMaster) return;
    for (const a of [...before.vips, ...before.excludedVips]) if (!now.has(keyOf(a))) this.remove(before.name, a);
    const added = [...after.vips, ...after.excludedVips].filter((a) => !was.has(keyOf(a)));
    for (const a of added) this.add(after.name, a);
    if (added.length > 0) this.announce(after.name, added, garpRepeat);
  }

  /** One burst: `repeat` GARPs (IPv4) or unsolicited NAs (IPv6) per VIP (K-16). */
  sendGarp(io: InstanceIoConfig, repeat: number): void {
    this.announce(io.name, [...io.vips, ...io.excludedVips], repeat);
  }

  /** K-12: a unicast instance leaving FAULT announces its own source address once. */
  announceSource(io: InstanceIoConfig): void {
    if (!io.src || !io.ifname) return;
    this.sink.log('detail', `${io.name}: sending gratuitous ${io.family === 4 ? 'ARP' : 'NA'} for ${io.src}`);
    this.announce(io.name, [{ address: io.src, prefixLength: io.family === 4 ? 32 : 128, family: io.family, ifname: io.ifname }], 1, false);
  }

  /**
   * Build ahead the frames of the instance's next burst (a BACKUP's, for when it becomes master):
   * its first gratuitous ARP then only looks its frame up. Nothing is sent. The frames are kept
   * for the instance's current VIPs on their interfaces' current MACs; a MAC that changes later
   * gets its frame built when it is sent.
   */
  prepare(io: InstanceIoConfig): void {
    const macs = this.macsByName();
    for (const a of [...io.vips, ...io.excludedVips]) this.frameFor(a, macs.get(a.ifname));
  }

  private macsByName(): Map<string, string> {
    const list = this.ports.net.interfaces();
    if (this.macsOf?.list !== list) this.macsOf = { list, byName: new Map(list.map((i) => [i.name, i.mac])) };
    return this.macsOf.byName;
  }

  /** The GARP (IPv4) or unsolicited NA (IPv6) frame for `a` from `mac`, or undefined if either is unusable. */
  private frameFor(a: AddressSpec, mac: string | undefined): Uint8Array | undefined {
    if (mac === undefined) return undefined;
    const key = `${a.ifname} ${mac} ${a.address}`;
    const known = this.frames.get(key);
    if (known) return known;
    const macBytes = parseMac(mac);
    const ip = parseIp(a.address);
    if (!macBytes || !ip) return undefined;
    const frame = a.family === 4 ? buildGratuitousArpFrame(macBytes, ip.bytes) : buildUnsolicitedNaFrame({ mac: macBytes, vip: ip.bytes, router: false });
    // Bounded: VIPs dropped by reloads and MACs changed since must not pile up.
    if (this.frames.size >= MAX_CACHED_FRAMES) this.frames = new Map();
    this.frames.set(key, frame);
    return frame;
  }

  /**
   * keepalived's vrrp_send_link_update: `repeat` rounds over the addresses (a1 a2 a1 a2 …, not
   * a1 a1 a2 a2), each address's "Sending/queueing" line in the first round (-D).
   */
  private announce(instance: string, addrs: AddressSpec[], repeat: number, queueLines = true): void {
    if (repeat <= 0 || addrs.length === 0) return;
    const macs = this.macsByName();
    const frames: Array<{ a: AddressSpec; frame: Uint8Array }> = [];
    for (const a of addrs) {
      const frame = this.frameFor(a, macs.get(a.ifname));
      if (!frame) {
        this.sink.count('garp_errors', instance);
        continue;
      }
      frames.push({ a, frame });
    }
    // The -D lines are built only when written: a burst is 6 of them per address.
    const lines = this.sink.logs('detail');
    for (let round = 0; round < repeat; round++) {
      for (const { a, frame } of frames) {
        if (round === 0 && queueLines && lines) {
          const what = a.family === 4 ? 'gratuitous ARPs' : 'Unsolicited Neighbour Adverts';
          this.sink.log('detail', `(${instance}) Sending/queueing ${what} on ${a.ifname} for ${a.address}`);
        }
        this.paced(instance, a, frame, lines);
        if (round === 0 && this.sink.wants('garp.sent')) this.sink.emit({ type: 'garp.sent', instance, address: a.address });
      }
    }
  }

  /** Send now, or queue behind the interface's previous frame by the configured interval. */
  private paced(instance: string, a: AddressSpec, frame: Uint8Array, lines: boolean): void {
    const interval = this.intervalMs[a.family];
    if (interval <= 0) return this.sendFrame(instance, a, frame, lines);
    const now = this.ports.clock.now();
    const key = `${a.ifname}/${a.family}`;
    const at = Math.max(now, this.nextFreeAt.get(key) ?? now);
    this.nextFreeAt.set(key, at + interval);
    if (at <= now) return this.sendFrame(instance, a, frame, lines);
    const timers = this.queued.get(instance) ?? new Set<unknown>();
    this.queued.set(instance, timers);
    const t = this.ports.clock.setTimeout(() => {
      timers.delete(t);
      this.sendFrame(instance, a, frame, this.sink.logs('detail'));
    }, at - now);
    timers.add(t);
  }

  private sendFrame(instance: string, a: AddressSpec, frame: Uint8Array, lines: boolean): void {
    if (lines) this.sink.log('detail', `Sending ${a.family === 4 ? 'gratuitous ARP' : 'unsolicited Neighbour Advert'} on ${a.ifname} for ${a.address}`);
    const err = this.ports.vrrp.sendFrame(a.ifname, frame);
    if (err) this.sink.count('garp_errors', instance);
    else this.sink.count(a.family === 4 ? 'garp_sent' : 'na_sent', instance);
  }

  private add(instance: string, a: AddressSpec): void {
    this.op(
      instance,
      `add ${cidr(a)} on ${a.ifname}`,
      (done) => this.ports.net.addAddress(a, done),
      alreadyThere,
      () => {
        const set = this.installed.get(instance) ?? new Set<string>();
        set.add(cidr(a));
        this.installed.set(instance, set);
        this.sink.count('vip_added', instance);
        this.sink.emit({ type: 'vip.added', instance, address: cidr(a) });
      },
    );
  }

  private remove(instance: string, a: AddressSpec): void {
    this.op(
      instance,
      `remove ${cidr(a)} from ${a.ifname}`,
      (done) => this.ports.net.removeAddress(a, done),
      alreadyGone,
      () => {
        this.installed.get(instance)?.delete(cidr(a));
        this.sink.count('vip_removed', instance);
        this.sink.emit({ type: 'vip.removed', instance, address: cidr(a) });
      },
    );
  }

  /** One net operation, counted for pending()/whenIdle(); errors are logged and counted, never thrown. */
  op(instance: string, what: string, run: (done: (error?: string) => void) => void, benign?: (e: string) => boolean, onOk?: () => void): void {
    this.inFlight++;
    let finished = false;
    run((error) => {
      if (finished) return;
      finished = true;
      this.inFlight--;
      if (error && !benign?.(error)) {
        this.sink.count('net_errors', instance);
        this.sink.log('error', `(${instance}) cannot ${what}: ${error}`);
      } else {
        onOk?.();
      }
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }
}
