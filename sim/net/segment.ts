/**
 * An L2 broadcast domain (a switch): floods group-addressed frames to every other NIC, sends
 * unicast frames to the NIC owning the destination MAC, and applies the segment's current
 * link profile (delay, jitter, loss, duplication, reordering) and partitions.
 *
 * Network randomness comes from one forked PRNG stream, drawn only when a knob is non-zero,
 * so a calm segment consumes no random numbers at all.
 */
import type { SimClock } from '../clock.js';
import type { Prng } from '../prng.js';
import { frameIsFor, type Frame } from './frame.js';
import type { Nic } from './nic.js';

export interface LinkProfile {
  /** Fixed one-way delay. */
  delayMs: number;
  /** Extra delay, uniform in [0, jitterMs). */
  jitterMs: number;
  /** Per-receiver drop probability, percent. */
  lossPct: number;
  /** Probability that a receiver gets a second copy, percent. */
  dupPct: number;
  /** Probability that a frame is held back by up to `reorderMs` (so later frames overtake it), percent. */
  reorderPct: number;
  reorderMs: number;
}

export const DEFAULT_PROFILE: LinkProfile = { delayMs: 0.1, jitterMs: 0, lossPct: 0, dupPct: 0, reorderPct: 0, reorderMs: 5 };

export type DropReason = 'loss' | 'partition' | 'link-down' | 'host-down' | 'no-route';

export interface SegmentEnv {
  clock: SimClock;
  prng: Prng;
  /** Every frame put on the wire, once (pcap, trace, wire checks). */
  onTransmit(segment: Segment, from: Nic, frame: Frame): void;
  onDrop(segment: Segment, from: Nic, to: Nic | undefined, frame: Frame, reason: DropReason): void;
}

export class Segment {
  readonly nics: Nic[] = [];
  profile: LinkProfile;
  /**
   * Directed host-name pairs "a>b" → how many active faults block them (frames from a never
   * reach b while > 0). Counting lets overlapping partitions and blocks end independently.
   */
  private readonly blocked = new Map<string, number>();
  framesSent = 0;
  framesDelivered = 0;
  framesDropped = 0;

  constructor(
    readonly name: string,
    profile: LinkProfile,
    private readonly env: SegmentEnv,
  ) {
    this.profile = { ...profile };
  }

  attach(nic: Nic): void {
    nic.segment = this;
    this.nics.push(nic);
  }

  /** Put a frame on the wire from `from`. */
  transmit(frame: Frame, from: Nic): void {
    this.framesSent++;
    this.env.onTransmit(this, from, frame);
    if (frame.group) {
      for (const nic of this.nics) if (nic !== from) this.deliver(frame, from, nic);
      return;
    }
    for (const nic of this.nics) {
      if (nic !== from && frameIsFor(frame, nic.macBytes)) {
        this.deliver(frame, from, nic);
        return;
      }
    }
    this.drop(frame, from, undefined, 'no-route');
  }

  /** The NIC on this segment that has `address` right now (for unicast next hops). */
  nicWithAddress(address: string): Nic | undefined {
    for (const nic of this.nics) if (nic.hasAddress(address)) return nic;
    return undefined;
  }

  canReach(fromHost: string, toHost: string): boolean {
    return !this.blocked.has(`${fromHost}>${toHost}`);
  }

  hasBlocks(): boolean {
    return this.blocked.size > 0;
  }

  /** True when some pair is blocked one way only. */
  hasAsymmetricBlocks(): boolean {
    for (const k of this.blocked.keys()) {
      const [a, b] = k.split('>');
      if (!this.blocked.has(`${b}>${a}`)) return true;
    }
    return false;
  }

  block(fromHost: string, toHost: string): void {
    const k = `${fromHost}>${toHost}`;
    this.blocked.set(k, (this.blocked.get(k) ?? 0) + 1);
  }

  unblock(fromHost: string, toHost: string): void {
    const k = `${fromHost}>${toHost}`;
    const n = (this.blocked.get(k) ?? 0) - 1;
    if (n > 0) this.blocked.set(k, n);
    else this.blocked.delete(k);
  }

  /** The directed pairs a partition into `groups` cuts. Unlisted hosts form one more group. */
  private cutPairs(groups: string[][]): Array<[string, string]> {
    const groupOf = new Map<string, number>();
    groups.forEach((g, i) => g.forEach((h) => groupOf.set(h, i)));
    const hosts = [...new Set(this.nics.map((n) => n.owner.name))];
    const out: Array<[string, string]> = [];
    for (const a of hosts) for (const b of hosts) if (a !== b && (groupOf.get(a) ?? -1) !== (groupOf.get(b) ?? -1)) out.push([a, b]);
    return out;
  }

  /** Split the segment: hosts in different groups cannot talk. */
  partition(groups: string[][]): void {
    for (const [a, b] of this.cutPairs(groups)) this.block(a, b);
  }

  /** Undo one partition (other partitions and blocks stay), or with no groups, every cut. */
  heal(groups?: string[][]): void {
    if (groups === undefined) this.blocked.clear();
    else for (const [a, b] of this.cutPairs(groups)) this.unblock(a, b);
  }

  /** Worst-case one-way delay under the current profile. */
  maxDelayMs(): number {
    const p = this.profile;
    return p.delayMs + p.jitterMs + (p.reorderPct > 0 ? p.reorderMs : 0);
  }

  /**
   * The one-way fate of one packet from `from` to `to` under the current cuts and link profile:
   * dropped (partition, loss) or delivered after a delay. Frames and the simulator's transport-
   * level messages (health-check probes, client connections: sim/lvs/transport.ts) both go
   * through here, each with its own random stream, so they meet exactly the same network.
   */
  private transit(from: Nic, to: Nic, rng: Prng): number | 'partition' | 'loss' {
    if (!this.canReach(from.owner.name, to.owner.name)) return 'partition';
    const p = this.profile;
    if (p.lossPct > 0 && rng.chance(p.lossPct / 100)) return 'loss';
    let delayMs = p.delayMs;
    if (p.jitterMs > 0) delayMs += rng.between(0, p.jitterMs);
    if (p.reorderPct > 0 && rng.chance(p.reorderPct / 100)) delayMs += rng.between(0, p.reorderMs);
    return delayMs;
  }

  /** Why a packet that reached `to` after its delay is lost there (host off, link down), if it is. */
  private static lostAt(to: Nic): DropReason | undefined {
    if (!to.owner.powered) return 'host-down';
    if (!to.adminUp || !to.carrier) return 'link-down';
    return undefined;
  }

  private deliver(frame: Frame, from: Nic, to: Nic): void {
    const rng = this.env.prng;
    const fate = this.transit(from, to, rng);
    if (typeof fate === 'string') return this.drop(frame, from, to, fate);
    const p = this.profile;
    this.env.clock.setTimeout(() => this.arrive(frame, from, to), fate);
    if (p.dupPct > 0 && rng.chance(p.dupPct / 100)) {
      this.env.clock.setTimeout(() => this.arrive(frame, from, to), fate + rng.between(0, p.delayMs + p.jitterMs + 0.01));
    }
  }

  private arrive(frame: Frame, from: Nic, to: Nic): void {
    const lost = Segment.lostAt(to);
    if (lost) return this.drop(frame, from, to, lost);
    this.framesDelivered++;
    to.owner.receiveFrame(to, frame);
  }

  /**
   * Carry one transport-level packet (a SYN, an HTTP answer, a DNS reply…) from `from` to `to`,
   * both on this segment, under the same rules as a frame: partitions and one-way blocks, loss,
   * delay, jitter and reordering, the receiver's power and link. No duplicates (the transports
   * above would discard them). `arrived` runs at the receiving instant; `dropped` says why not.
   * The sender's own link is the caller's to check (a frame is not sent from a NIC that is down).
   */
  carry(from: Nic, to: Nic, rng: Prng, arrived: () => void, dropped: (reason: DropReason) => void): void {
    const fate = this.transit(from, to, rng);
    if (typeof fate === 'string') return dropped(fate);
    this.env.clock.setTimeout(() => {
      const lost = Segment.lostAt(to);
      if (lost) dropped(lost);
      else arrived();
    }, fate);
  }

  private drop(frame: Frame, from: Nic, to: Nic | undefined, reason: DropReason): void {
    this.framesDropped++;
    this.env.onDrop(this, from, to, frame, reason);
  }
}
