/**
 * Invariants checked continuously while a scenario runs (vrrp.md §4.3).
 *
 * Per event: S1 legal transitions, S3 only masters advertise, S5 advert cadence, S6 a VIP only
 * on a master, S8 sync-group members agree, L5 no premature takeover, L11 no flapping after
 * convergence, X1 the runtime never throws and no actor fails (sim/world.ts), X3 a stopped daemon leaves no VIP.
 * Per router group (see groups.ts): L1/L8 dual masters heal, L5 failover in time.
 * After convergence (see snapshot.ts): L1, L2, L12, L13 and status/event agreement.
 * LVS (see lvs-monitor.ts): C1–C5.
 */
import type { InstanceStatus, VrrpStateName } from '../../actors/runtime-types.js';
import type { SimClock } from '../clock.js';
import type { Host } from '../host/host.js';
import { masterDownRangeMs } from '../model.js';
import { bytesEqual } from '../../protocol/bytes.js';
import { decodeVrrp, validateAdvert } from '../../protocol/vrrp/index.js';
import { peekVrrp, vrrpRx, type Frame, type VrrpPeek } from '../net/frame.js';
import type { Nic } from '../net/nic.js';
import { Conditions } from './conditions.js';
import { LvsMonitor } from './lvs-monitor.js';
import { evaluateGroups, convergeBoundMs, segmentCalm } from './groups.js';
import { snapshotChecks } from './snapshot.js';
import { wireKey, type InstanceTrack } from './track.js';

export interface CheckOptions {
  /** Slack added to every timing bound (scheduling, rounding). */
  toleranceMs: number;
  /** How long an ordering-dependent condition may hold (VIP removal after leaving MASTER…). */
  graceMs: number;
  /** Invariant ids to skip ("S5", "L2", …). */
  disable: string[];
}

export const DEFAULT_CHECKS: CheckOptions = { toleranceMs: 100, graceMs: 50, disable: [] };

export interface MonitoredWorld {
  readonly clock: SimClock;
  allHosts(): readonly Host[];
  violation(id: string, message: string, host?: string, instance?: string): void;
  status(host: Host): InstanceStatus[] | undefined;
  macOwner(mac: string): string | undefined;
  /** Whether the daemon on `host` runs the LVS subsystem (the LVS invariants judge only those). */
  lvsRuns?(host: Host): boolean;
}

const LEGAL: Record<VrrpStateName, VrrpStateName[]> = {
  INIT: ['BACKUP', 'MASTER', 'FAULT', 'STOP', 'DELETED'],
  BACKUP: ['MASTER', 'FAULT', 'INIT', 'STOP', 'DELETED'],
  MASTER: ['BACKUP', 'FAULT', 'INIT', 'STOP', 'DELETED'],
  FAULT: ['BACKUP', 'MASTER', 'INIT', 'STOP', 'DELETED'],
  STOP: ['INIT', 'DELETED'],
  DELETED: [],
};

export class InvariantMonitor {
  readonly conditions: Conditions;
  /** C1–C5: the LVS invariants (lvs-monitor.ts). */
  readonly lvs: LvsMonitor;
  lastPerturbationUs = 0;
  private snapshotTimer = 0;
  private readonly off: Set<string>;

  constructor(
    readonly world: MonitoredWorld,
    readonly opts: CheckOptions,
  ) {
    this.off = new Set(opts.disable);
    this.conditions = new Conditions(world.clock, (key, sinceUs, message) => {
      const [id, host] = key.split('|');
      const heldMs = (world.clock.nowMicros() - sinceUs) / 1000;
      this.report(id!, `${message} (for ${+heldMs.toFixed(3)} ms)`, host);
    });
    this.lvs = new LvsMonitor(world, opts, (id, message, host) => this.report(id, message, host));
  }

  enabled(id: string): boolean {
    return !this.off.has(id);
  }

  report(id: string, message: string, host?: string, instance?: string): void {
    if (this.enabled(id)) this.world.violation(id, message, host, instance);
  }

  private nowUs(): number {
    return this.world.clock.nowMicros();
  }

  /** Note a perturbation before applying it (its own transitions are not "flapping"). */
  markPerturbation(): void {
    this.lastPerturbationUs = this.nowUs();
  }

  /** A fault, a daemon start/stop, a reload: the cluster must converge again. */
  onPerturbation(): void {
    this.lastPerturbationUs = this.nowUs();
    this.regroup();
    this.world.clock.clearTimeout(this.snapshotTimer);
    this.snapshotTimer = this.world.clock.setTimeout(() => snapshotChecks(this), convergeBoundMs(this));
  }

  converged(): boolean {
    return this.nowUs() - this.lastPerturbationUs >= convergeBoundMs(this) * 1000;
  }

  regroup(): void {
    evaluateGroups(this);
    for (const h of this.world.allHosts()) this.checkHostVips(h);
    this.lvs.evaluate();
  }

  onState(track: InstanceTrack, from: VrrpStateName, to: VrrpStateName): void {
    const id = track.id;
    if (!LEGAL[from]?.includes(to)) this.report('S1', `${id}: illegal transition ${from} -> ${to}`, track.host.name, track.facts.name);
    if (from === 'BACKUP' && to === 'MASTER') this.checkEarlyTakeover(track);
    const seg = track.nic?.segment;
    if (this.converged() && seg && segmentCalm(this, seg) && !track.host.cpu.paused)
      this.report('L11', `${id}: ${from} -> ${to} after the cluster had converged with no fault since ${this.lastPerturbationUs / 1e6}s`, track.host.name, track.facts.name);
    this.regroup();
    this.checkSyncGroups(track.host);
  }

  /** L5: a Backup takes over no earlier than Master_Down_Interval after the last advert it accepted. */
  private checkEarlyTakeover(track: InstanceTrack): void {
    const f = track.facts;
    if (f.syncGroup || f.preemptDelayMs > 0 || track.effectivePriority >= 255 || track.lastBeatingRxUs < 0) return;
    const [loMs] = masterDownRangeMs(f, track.effectivePriority, track.lastBeatingIntervalCs || f.advertIntervalCs);
    const waitedMs = (this.nowUs() - track.lastBeatingRxUs) / 1000;
    const minMs = loMs / track.host.cpu.maxRateSince(track.lastBeatingRxUs) - this.opts.toleranceMs;
    if (waitedMs < minMs)
      this.report('L5', `${track.id} became MASTER only ${+waitedMs.toFixed(3)} ms after accepting an advert; Master_Down_Interval is ${+loMs.toFixed(3)} ms (at least ${+minMs.toFixed(3)} ms allowing for clock drift and tolerance)`, track.host.name, f.name);
  }

  /**
   * Bookkeeping for L5: adverts that must reset a Backup's down timer. Only those its runtime
   * accepts count: an advert dropped for a wrong auth_pass, advert_int, VIP list… resets nothing,
   * so the Backup rightly takes over (the dual master is L1's to report).
   */
  onVrrpIn(host: Host, nic: Nic, frame: Frame): void {
    const v = peekVrrp(frame);
    if (!v) return;
    const track = host.tracksByWire.get(wireKey(nic.index, frame.family, v.vrid));
    if (!track || v.version !== track.facts.version) return;
    if (v.version === 2 && v.intervalCs !== track.facts.advertIntervalCs) return;
    if (!this.accepts(track, frame, v)) return;
    if (v.priority === 0) track.lastBeatingRxUs = -1;
    else if (track.facts.nopreempt || v.priority >= track.effectivePriority) {
      track.lastBeatingRxUs = this.nowUs();
      track.lastBeatingIntervalCs = v.intervalCs;
    }
  }

  /** Would the instance's runtime accept this advert (validateAdvert against its config)? Repeats are not re-judged. */
  private accepts(track: InstanceTrack, frame: Frame, v: VrrpPeek): boolean {
    if (!track.expect) return true;
    const message = frame.bytes.subarray(v.offset, frame.payloadOffset + frame.payloadLength);
    const last = track.lastRx;
    if (last && last.src === frame.src && last.ttl === frame.ttl && bytesEqual(last.message, message)) return last.accepted;
    const decoded = decodeVrrp(vrrpRx(frame));
    const accepted = decoded.ok && validateAdvert(decoded.value, { ...track.expect, ahSequence: 0 }).ok;
    track.lastRx = { src: frame.src, ttl: frame.ttl, message: message.slice(), accepted };
    return accepted;
  }

  /** S3 (only masters speak) and S5 (cadence), from every advert put on the wire. */
  onVrrpOut(host: Host, nic: Nic, frame: Frame): void {
    const v = peekVrrp(frame);
    if (!v) return;
    const track = host.tracksByWire.get(wireKey(nic.index, frame.family, v.vrid));
    if (!track) return;
    const now = this.nowUs();
    this.checkWire(track, frame, v);
    if (v.priority === 0) return;
    if (track.state !== 'MASTER') {
      const graceUs = this.opts.graceMs * 1000;
      this.world.clock.setTimeout(() => {
        const near = (t: number) => t >= 0 && Math.abs(t - now) <= graceUs;
        if (!near(track.lastMasterStartUs) && !near(track.lastMasterEndUs))
          this.report('S3', `${track.id} sent a priority-${v.priority} advert while ${track.state}`, host.name, track.facts.name);
      }, this.opts.graceMs);
      return;
    }
    const last = track.lastAdvertTxUs;
    track.lastAdvertTxUs = now;
    if (last < 0 || host.cpu.lastResumeUs >= last) return;
    const limitUs = ((track.facts.advertIntervalCs * 10) / host.cpu.driftRate() + this.opts.toleranceMs) * 1000;
    if (now - last > limitUs)
      this.report('S5', `${track.id}: ${(now - last) / 1000} ms between adverts, interval is ${track.facts.advertIntervalCs * 10} ms`, host.name, track.facts.name);
  }

  /** S4: the advert reaches peers' sockets (no kernel drop), decodes with our codec and a peer with the same config would accept it. */
  private checkWire(track: InstanceTrack, frame: Frame, v: VrrpPeek): void {
    if (frame.kernelDrop) return this.report('S4', `${track.id} sent an advert every receiving kernel discards: ${frame.kernelDrop === 'bad-ip-checksum' ? 'wrong IPv4 header checksum' : 'an IP fragment'}`, track.host.name, track.facts.name);
    const message = frame.bytes.subarray(v.offset, frame.payloadOffset + frame.payloadLength);
    if (track.lastValidMessage && track.lastValidTtl === frame.ttl && bytesEqual(message, track.lastValidMessage)) return;
    const decoded = decodeVrrp(vrrpRx(frame));
    if (!decoded.ok) return this.report('S4', `${track.id} sent an advert our decoder rejects: ${decoded.reason} (${decoded.detail})`, track.host.name, track.facts.name);
    if (track.expect) {
      const verdict = validateAdvert(decoded.value, { ...track.expect, ahSequence: 0 });
      if (!verdict.ok) return this.report('S4', `${track.id} sent an advert its peers would drop: ${verdict.reason} (${verdict.detail})`, track.host.name, track.facts.name);
    }
    track.lastValidMessage = message.slice();
    track.lastValidTtl = frame.ttl;
  }

  onAddressChange(host: Host): void {
    this.checkHostVips(host);
    this.lvs.evaluate();
  }

  /** S6: a VIP sits on a host only while an instance owning it is MASTER there. */
  checkHostVips(host: Host): void {
    const wanted = new Map<string, [number, string]>();
    const running = host.proc !== undefined;
    for (const nic of host.nics) {
      for (const a of nic.addresses) {
        if (!a.dynamic) continue;
        let owners = 0;
        let master = false;
        for (const t of host.tracks.values()) {
          if (!t.facts.vips.includes(a.address)) continue;
          owners++;
          if (t.state === 'MASTER') master = true;
        }
        if (owners === 0 || (running && master)) continue;
        const why = running ? 'no instance owning it is MASTER' : 'no daemon is running';
        wanted.set(`S6|${host.name}|${a.address}`, [this.opts.graceMs, `VIP ${a.address} is on ${host.name}/${nic.name} but ${why}`]);
      }
    }
    this.conditions.sync(`S6|${host.name}|`, wanted);
  }

  /** S8: members of one sync group on one host are all MASTER or all not. */
  checkSyncGroups(host: Host): void {
    const classes = new Map<string, Set<boolean>>();
    for (const t of host.tracks.values()) {
      const g = t.facts.syncGroup;
      if (!g) continue;
      let s = classes.get(g);
      if (!s) classes.set(g, (s = new Set()));
      s.add(t.state === 'MASTER');
    }
    const wanted = new Map<string, [number, string]>();
    for (const [g, s] of classes)
      if (s.size > 1 && host.proc) wanted.set(`S8|${host.name}|${g}`, [this.opts.graceMs, `sync group ${g} on ${host.name} has MASTER and non-MASTER members`]);
    this.conditions.sync(`S8|${host.name}|`, wanted);
  }

  /** X3: a daemon that finished stopping has removed every VIP. */
  onStopped(host: Host): void {
    for (const nic of host.nics)
      for (const a of nic.addresses)
        if (a.dynamic && [...host.tracks.values()].some((t) => t.facts.vips.includes(a.address)))
          this.report('X3', `daemon on ${host.name} stopped but left VIP ${a.address} on ${nic.name}`, host.name);
  }

  onStopRequested(host: Host, limitMs: number): void {
    const proc = host.proc;
    this.world.clock.setTimeout(() => {
      if (host.proc === proc && proc?.state === 'stopping') this.report('X3', `daemon on ${host.name} did not finish stopping within ${limitMs} ms`, host.name);
    }, limitMs);
  }
}
