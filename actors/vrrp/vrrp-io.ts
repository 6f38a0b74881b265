/**
 * VRRP packets in and out, for the instances: the per-instance state the protocol needs across
 * packets (IPv4 ID, AH sequence, the unicast checksum form learned from a peer, the last master,
 * drops already logged) and the sockets the socket actors opened (actors/vrrp/socket-actor.ts,
 * one per interface and family, shared by the instances on it as in keepalived).
 *
 * Receive (`receive`, called by a socket actor): decode (protocol/vrrp decodeVrrp) → demultiplex
 * by VRID → validate against the instance's expectations (validateAdvert, keepalived's order) →
 * the event for the instance (`net.advert`), or a counted drop by reason (and `net.invalid`, which
 * a MASTER uses to re-arm its timer, K-10), unless the instance's follower answered the advert
 * (a steady backup's Master_Down_Timer, which restarts itself on a repeat of the known master by
 * the chart's own guard: actors/vrrp/master-down-timer.ts). What an advert means, and the log
 * lines about that, are the instance machine's alone. Transmit (`sendAdvert`, from the instance's io actor): encode
 * the advert (v2/v3, PASS or AH, one packet per unicast peer) and send it on the open socket;
 * or hand a steady master's adverts to the socket to repeat (`repeatAdvert`, from the
 * Adver_Timer), counting what it sent when the counters are read and going on from its last IPv4 ID.
 */
import type { InstanceEvent, ReceivedAdvert } from '../../machines/vrrp/types.js';
import {
  AH_COUNTER_INITIAL,
  ahNextTxSequence,
  decodeVrrp,
  encodeVrrpIpv4Packet,
  encodeVrrpMessage,
  validateAdvert,
  type AhCounter,
  type VrrpAdvert,
  type VrrpAdvertSpec,
  type VrrpExpectations,
} from '../../protocol/vrrp/index.js';
import { setIpv4Id } from '../../protocol/ipv4.js';
import type { IpAddress } from '../../protocol/addr.js';
import type { RepeatState, VrrpRxPacket, VrrpSocket } from '../ports.js';
import type { InstanceIoConfig } from './plan-instance.js';
import { socketKey } from './names.js';
import type { RuntimeSink } from '../sink.js';

/** ENETUNREACH, as the daemon's socket reports it ("… Network is unreachable"). */
const UNREACHABLE = /network is unreachable|ENETUNREACH/i;

interface Member {
  io: InstanceIoConfig;
  ipId: number;
  ah: AhCounter;
  oldUnicastChecksum: boolean;
  lastMaster?: IpAddress;
  /** Drop reasons already logged since the last accepted advert (log once, count always). */
  loggedDrops: Set<string>;
  /** Adds one (or n) to the instance's adverts_sent (RuntimeSink.counter: no lookup per advert). */
  sent: (n?: number) => void;
  /** Adverts already encoded for `io`, by priority/destination/checksum form (see advertBytes). */
  encoded: { io: InstanceIoConfig; packets: Map<string, Uint8Array> };
  /** The last advert encoded or found in `encoded`, looked at first (a master sends the same one). */
  last?: { io: InstanceIoConfig; priority: number; src: string; dst: string; oldChecksum: boolean; packet: Uint8Array };
  /** The entry of the socket the instance sends on (set by configure; its socket comes and goes). */
  entry?: SocketEntry;
  /** Receive expectations for `io` (see expectations()). */
  expect?: { io: InstanceIoConfig; all: VrrpExpectations; skip: VrrpExpectations };
  /** The socket holding the instance's next advert for the backstop (VrrpSocket.backstop), if one does. */
  heldOn?: VrrpSocket;
  /** The held advert's IPv4 ID and priority. */
  heldId: number;
  heldPriority: number;
  /** The socket sends this instance's periodic adverts itself (repeatAdvert): at what priority and
   *  interval, and whom to tell when it stops on its own. */
  repeating?: { sock: VrrpSocket; priority: number; intervalMs: number; lost: (inMs: number) => void };
  /** The last advert sent from this thread failed: no repetition until one leaves. */
  sendFailed: boolean;
}

/** The instances one socket serves, and the socket once its actor opened it. */
interface SocketEntry {
  members: string[];
  socket?: VrrpSocket;
}

/** A delivery the socket actor makes: this event to this instance. */
export interface Delivery {
  instance: string;
  event: InstanceEvent;
}

export class VrrpIo {
  private readonly members = new Map<string, Member>();
  private readonly sockets = new Map<string, SocketEntry>();
  /** Who answers an instance's validated adverts before its chart (a steady backup's Master_Down_Timer). */
  private readonly followers = new Map<string, (advert: ReceivedAdvert) => boolean>();

  constructor(private readonly sink: RuntimeSink) {
    sink.hook({
      // What the sockets sent for the instances is counted when the counters are read.
      beforeSnapshot: () => {
        for (const m of this.members.values()) if (m.repeating) this.account(m, m.repeating.sock.repeatRead?.(m.io.name, false));
      },
      // A listener for every advert sent: the Adver_Timers send them again, each from its next due time.
      wantsChanged: () => {
        if (!sink.wants('advert.sent')) return;
        for (const m of this.members.values()) if (m.repeating) this.handBack(m);
      },
    });
  }

  /**
   * Apply the instances' I/O config; instances that stay keep their counters (IP ID, AH
   * sequence). The sockets themselves come and go with their actors (actors/vrrp/sockets.ts).
   */
  configure(ios: InstanceIoConfig[]): void {
    const names = new Set(ios.map((i) => i.name));
    for (const [name, m] of [...this.members]) {
      if (names.has(name)) continue;
      this.takeHeld(m);
      if (m.repeating) this.endRepeat(m);
      this.members.delete(name);
    }
    const changed: Member[] = [];
    for (const io of ios) {
      const m = this.members.get(io.name);
      // A held advert stays held through a reload: should it leave during the reload, it is the
      // advert that was due then (keepalived's timers, too, may fire before a reload is read),
      // and the next expiry finds it sent. Taking it back here would send that one twice.
      if (m) {
        if (m.repeating && m.io !== io) changed.push(m);
        m.io = io;
      } else
        this.members.set(io.name, {
          io,
          ipId: 0,
          ah: AH_COUNTER_INITIAL,
          oldUnicastChecksum: false,
          loggedDrops: new Set(),
          sent: this.sink.counter('adverts_sent', io.name),
          encoded: { io, packets: new Map() },
          heldId: 0,
          heldPriority: 0,
          sendFailed: false,
        });
    }
    const wanted = new Map<string, string[]>();
    for (const io of ios) {
      if (!io.vrrpIfname) {
        this.sink.log('warning', `(${io.name}) unicast instance without interface is not supported - no VRRP socket`);
        continue;
      }
      const key = socketKey(io.vrrpIfname, io.family);
      const names = wanted.get(key);
      if (names) names.push(io.name);
      else wanted.set(key, [io.name]);
    }
    for (const key of [...this.sockets.keys()]) if (!wanted.has(key)) this.sockets.delete(key);
    for (const [key, members] of wanted) {
      const e = this.sockets.get(key);
      if (e) e.members = members;
      else this.sockets.set(key, { members });
    }
    for (const m of this.members.values()) {
      const io = m.io;
      m.entry = io.vrrpIfname ? this.sockets.get(socketKey(io.vrrpIfname, io.family)) : undefined;
    }
    // A repeated advert whose configuration changed: the new bytes from the same due time on.
    for (const m of changed) this.rearmRepeat(m);
  }

  /** The socket actor for `key` opened its socket (or, with undefined, closed it). */
  attach(key: string, socket: VrrpSocket | undefined, previous?: VrrpSocket): void {
    const e = this.sockets.get(key);
    if (!e) return;
    if (socket) e.socket = socket;
    else if (e.socket === previous) delete e.socket;
  }

  /** The instance whose VMAC the socket `key` is on (the socket then waits for the VMAC to appear). */
  vmacMember(key: string, ifname: string): string | undefined {
    return this.sockets.get(key)?.members.find((n) => this.members.get(n)?.io.vmac?.name === ifname);
  }

  /**
   * One advert of `instance` at `priority`, to every destination. `nextInMs`, from the
   * Adver_Timer: the instance's next advert is due in that many ms, and is held for the socket's
   * backstop (VrrpSocket.backstop) where it has one. Returns the ms since this advert left when
   * the backstop already sent it (the Adver_Timer counts the next interval from then), else 0.
   */
  sendAdvert(instance: string, priority: number, nextInMs?: number): number {
    const m = this.members.get(instance);
    if (!m) return 0;
    // An advert outside the Adver_Timer (the first as master, priority 0, K-8/K-9's) while the
    // socket repeats: the timer sends from the next due time on (one IPv4 ID sequence).
    if (m.repeating) this.handBack(m);
    const io = m.io;
    const sock = m.entry?.socket;
    const heldOn = m.heldOn;
    const heldPriority = m.heldPriority;
    const ago = this.takeHeld(m);
    if (!sock || !io.src) {
      m.sendFailed = true;
      this.sink.count('send_errors', instance);
      this.dropOnce(m, 'send', `(${instance}) cannot send advert: ${!io.src ? 'no source address' : `no VRRP socket on ${io.vrrpIfname}`}`);
      return 0;
    }
    // The backstop sent this very advert while this thread was held up: it stands for this one
    // (takeHeld counted it). Otherwise it is sent now.
    const left = ago >= 0 && nextInMs !== undefined && heldOn === sock && heldPriority === priority;
    let failed = 0;
    // The multicast group without a list made for it: nothing is allocated per advert.
    if (!left && io.unicastPeers.length === 0) failed = this.sendTo(m, sock, priority, io.src, io.mcastGroup, false);
    else if (!left) for (const dst of io.unicastPeers) failed += this.sendTo(m, sock, priority, io.src, dst, true);
    if (failed === 0 && m.loggedDrops.size > 0) m.loggedDrops.delete('send');
    if (!left) m.sendFailed = failed > 0;
    if (priority === 0) {
      this.sink.count('priority_zero_sent', instance);
      this.sink.log('detail', `(${instance}) sent 0 priority`);
    }
    if (this.sink.wants('advert.sent')) this.sink.emit({ type: 'advert.sent', instance, priority });
    // The next one is due an interval after this one left (the Adver_Timer counts from then too).
    if (nextInMs !== undefined) this.hold(m, sock, priority, left ? Math.max(0, nextInMs - ago) : nextInMs);
    return left ? ago : 0;
  }

  /**
   * The Adver_Timer's hand-over outside an expiry: with `inMs`, `instance`'s next advert (at
   * `priority`, due in `inMs`) is held for the backstop; without, whatever it held is dropped.
   */
  holdAdvert(instance: string, priority: number, inMs?: number): void {
    const m = this.members.get(instance);
    if (!m || m.repeating) return;
    this.takeHeld(m);
    const sock = m.entry?.socket;
    if (inMs !== undefined && sock && m.io.src) this.hold(m, sock, priority, inMs);
  }

  /**
   * Hands `m`'s next advert (the bytes sendAdvert would send, with the next IPv4 ID) to the
   * socket's backstop, due in `inMs`. Only an advert to one destination without AH is held (AH's
   * sequence and ICV are the sender's to move; several unicast peers are several datagrams).
   */
  private hold(m: Member, sock: VrrpSocket, priority: number, inMs: number): void {
    const dst = this.threadDestination(m, priority);
    if (!sock.backstop || dst === undefined) return;
    const io = m.io;
    const src = io.src!;
    const unicast = io.unicastPeers.length === 1;
    const current = m.ipId;
    const next = current >= 0xffff ? 1 : current + 1;
    try {
      m.ipId = next;
      const bytes = this.advertBytes(m, priority, src, dst, unicast);
      sock.backstop(io.name, bytes, dst, io.family === 6 ? src : undefined, inMs);
    } catch {
      return; // an advert that cannot be encoded is reported when it is sent (sendOne)
    } finally {
      m.ipId = current;
    }
    m.heldOn = sock;
    m.heldId = next;
    m.heldPriority = priority;
  }

  /**
   * Where the advert the socket's thread may send for `m` at `priority` goes (held by the
   * backstop, or repeated): only an advert that is one datagram as it is (one destination, no
   * AH: AH's sequence and ICV are the sender's to move, several unicast peers are several
   * datagrams), with a source address, at a priority above 0; undefined otherwise.
   */
  private threadDestination(m: Member, priority: number): string | undefined {
    const io = m.io;
    if (!io.src || io.authKind === 'ah' || io.unicastPeers.length > 1 || priority === 0) return undefined;
    return io.unicastPeers.length === 1 ? io.unicastPeers[0]! : io.mcastGroup;
  }

  /**
   * Takes back `m`'s held advert, if any: -1 when it did not leave, else the ms since the backstop
   * sent it, which then counts as sent (adverts_sent, its IPv4 ID used).
   */
  private takeHeld(m: Member): number {
    const sock = m.heldOn;
    if (!sock) return -1;
    m.heldOn = undefined;
    const ago = sock.takeBackstop?.(m.io.name) ?? -1;
    if (ago >= 0) {
      m.ipId = m.heldId;
      m.sent();
      this.sink.count('adverts_backstop', m.io.name);
    }
    return ago;
  }

  /**
   * The socket sends `instance`'s periodic adverts at `priority` itself (VrrpSocket.repeat), every
   * `intervalMs`, the first in `firstInMs`; undefined: when the one it repeats now is due (a
   * priority change, K-13: the running interval is left alone). False when it does not: the
   * socket cannot (no repeat, the daemon's backstop off), the advert is not one datagram as it is
   * (AH, several unicast peers), priority 0, the last advert sent failed, or a listener takes
   * every advert sent (advert.sent); the Adver_Timer then sends them. `lost(inMs)` is told when
   * the socket stops on its own (its send failed, it closed; a reload, an advert sent outside
   * the timer, a listener for every advert): the next advert is due in `inMs`, the timer's again.
   * The adverts the socket sends count in adverts_sent when the counters are read.
   */
  repeatAdvert(instance: string, priority: number, intervalMs: number, firstInMs: number | undefined, lost: (inMs: number) => void): boolean {
    const m = this.members.get(instance);
    if (!m) return false;
    let first = firstInMs;
    if (m.repeating) {
      const due = this.endRepeat(m);
      first ??= due;
    }
    if (first === undefined) return false;
    if (this.startRepeat(m, priority, intervalMs, first, lost)) return true;
    if (firstInMs === undefined) lost(first);
    return false;
  }

  /** `instance`'s socket stops repeating its adverts (the Adver_Timer's end); they are counted. */
  stopRepeat(instance: string): void {
    const m = this.members.get(instance);
    if (m?.repeating) this.endRepeat(m);
  }

  private startRepeat(m: Member, priority: number, intervalMs: number, firstInMs: number, lost: (inMs: number) => void): boolean {
    const sock = m.entry?.socket;
    const dst = this.threadDestination(m, priority);
    if (!sock?.repeat || dst === undefined || m.sendFailed || this.sink.wants('advert.sent')) return false;
    const io = m.io;
    const src = io.src!;
    const unicast = io.unicastPeers.length === 1;
    // The backstop already sent the advert due next (this thread was held up past it): the one after counts from then.
    const ago = this.takeHeld(m);
    const first = ago >= 0 ? Math.max(0, intervalMs - ago) : firstInMs;
    let bytes: Uint8Array;
    try {
      bytes = this.advertBytes(m, priority, src, dst, unicast);
    } catch {
      return false; // an advert that cannot be encoded is reported when it is sent (sendOne)
    }
    const v4 = io.family === 4;
    const started = sock.repeat(io.name, bytes, dst, v4 ? undefined : src, first, intervalMs, v4 ? m.ipId : undefined, (r) => this.repeatStopped(m, r));
    if (started) m.repeating = { sock, priority, intervalMs, lost };
    return started;
  }

  /** Stops `m`'s repetition and counts what it sent; ms until its next advert was due. */
  private endRepeat(m: Member): number {
    const r = m.repeating!.sock.repeatRead?.(m.io.name, true);
    m.repeating = undefined;
    this.account(m, r);
    return r?.dueInMs ?? 0;
  }

  /** Adds what the socket sent for `m` to adverts_sent; its IPv4 ID sequence goes on from the last. */
  private account(m: Member, r: RepeatState | undefined): void {
    if (!r) return;
    if (r.sent > 0) {
      m.sent(r.sent);
      this.sink.count('adverts_repeated', undefined, r.sent);
    }
    if (m.io.family === 4) m.ipId = r.ipId;
  }

  /** The socket stopped repeating `m`'s adverts on its own: the Adver_Timer sends from the next due time (at once after a failed send). */
  private repeatStopped(m: Member, r: RepeatState): void {
    if (!m.repeating) return;
    const lost = m.repeating.lost;
    m.repeating = undefined;
    this.account(m, r);
    lost(r.failed ? 0 : r.dueInMs);
  }

  /** Stops `m`'s repetition and hands its adverts back to the Adver_Timer, from the next due time. */
  private handBack(m: Member): void {
    const lost = m.repeating!.lost;
    lost(this.endRepeat(m));
  }

  /** `m`'s repeated advert again from what it is now (a reload changed it, or its checksum form), from the same due time. */
  private rearmRepeat(m: Member): void {
    const { priority, intervalMs, lost } = m.repeating!;
    this.repeatAdvert(m.io.name, priority, intervalMs, undefined, lost);
  }

  /**
   * Encode ahead the adverts `instance` would send at `priority` (a BACKUP's, at its own priority):
   * its first advert as master is then a cache hit, and the encoder's code has already run in this
   * process. Nothing is sent; no IPv4 ID, AH sequence or counter moves.
   */
  prepare(instance: string, priority: number): void {
    const m = this.members.get(instance);
    const src = m?.io.src;
    if (!m || !src) return;
    const unicast = m.io.unicastPeers.length > 0;
    try {
      for (const dst of unicast ? m.io.unicastPeers : [m.io.mcastGroup]) this.advertBytes(m, priority, src, dst, unicast);
    } catch {
      // an advert that cannot be encoded is reported when it is sent (sendOne)
    }
  }

  /** One advert to `dst`, counted (adverts_sent or send_errors, the error logged once); 1 if it failed. */
  private sendTo(m: Member, sock: VrrpSocket, priority: number, src: string, dst: string, unicast: boolean): number {
    const error = this.sendOne(m, sock, priority, src, dst, unicast);
    if (!error) {
      m.sent();
      return 0;
    }
    const instance = m.io.name;
    this.sink.count('send_errors', instance);
    // keepalived says nothing when a priority-0 advert cannot leave a link that went down (vrrp_send_adv)
    if (priority !== 0 || !UNREACHABLE.test(error)) this.dropOnce(m, `send:${error}`, `(${instance}) advert to ${dst} failed: ${error}`);
    return 1;
  }

  private sendOne(m: Member, sock: VrrpSocket, priority: number, src: string, dst: string, unicast: boolean): string | undefined {
    const io = m.io;
    try {
      if (io.family === 6) return sock.send(this.advertBytes(m, priority, src, dst, unicast), dst, src);
      m.ipId = m.ipId >= 0xffff ? 1 : m.ipId + 1;
      if (io.authKind === 'ah') m.ah = ahNextTxSequence(m.ah);
      return sock.send(this.advertBytes(m, priority, src, dst, unicast), dst);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /**
   * The bytes of one advert. Between two adverts of one configuration only the priority, the
   * destination and the checksum form can change, plus the IPv4 ID, which is patched into the
   * packet encoded earlier, in place: nothing is allocated per advert (the socket is done with the
   * bytes when send returns, VrrpSocket.send). AH packets (sequence and ICV change) are always encoded.
   */
  private advertBytes(m: Member, priority: number, src: string, dst: string, unicast: boolean): Uint8Array {
    const io = m.io;
    const ah = io.authKind === 'ah';
    const last = m.last;
    if (!ah && last && last.io === io && last.priority === priority && last.dst === dst && last.src === src && last.oldChecksum === m.oldUnicastChecksum) {
      return io.family === 6 ? last.packet : setIpv4Id(last.packet, m.ipId);
    }
    if (m.encoded.io !== io) m.encoded = { io, packets: new Map() };
    const key = `${priority} ${src} ${dst} ${m.oldUnicastChecksum}`;
    const cached = ah ? undefined : m.encoded.packets.get(key);
    if (cached) {
      m.last = { io, priority, src, dst, oldChecksum: m.oldUnicastChecksum, packet: cached };
      return io.family === 6 ? cached : setIpv4Id(cached, m.ipId);
    }
    const spec: VrrpAdvertSpec = {
      version: io.version,
      family: io.family,
      vrid: io.vrid,
      priority,
      advertIntervalCs: io.advertIntervalCs,
      addresses: io.vips.filter((v) => v.family === io.family).map((v) => v.address),
      authKind: io.authKind,
      ...(io.authKey ? { authKey: io.authKey } : {}),
    };
    const data =
      io.family === 6
        ? encodeVrrpMessage(spec, { src, dst })
        : encodeVrrpIpv4Packet(spec, {
            src,
            dst,
            v3Ipv4Checksum: io.v3ChecksumAsV2 ? 'message-only' : 'pseudo-header',
            ...(m.oldUnicastChecksum ? { pseudoHeaderDst: io.mcastGroup } : {}),
            ipId: m.ipId,
            ttl: unicast ? io.unicastTtl : 255,
            ...(io.authKind === 'ah' ? { ahSequence: m.ah.sequence } : {}),
            unicast,
          });
    if (!ah) {
      m.encoded.packets.set(key, data);
      m.last = { io, priority, src, dst, oldChecksum: m.oldUnicastChecksum, packet: data };
    }
    return data;
  }

  /**
   * Hand `instance`'s validated adverts to `answer` before its chart: one it answers (returns
   * true for) is delivered to nobody. Everything else about the advert (counters, drops logged,
   * AH sequence, checksum form, last master) has happened by then. One follower per instance;
   * the returned function removes this one (and not a later one).
   */
  follow(instance: string, answer: (advert: ReceivedAdvert) => boolean): () => void {
    this.followers.set(instance, answer);
    return () => {
      if (this.followers.get(instance) === answer) this.followers.delete(instance);
    };
  }

  /** One packet from the socket `key`: the event for the instance it is for, if any (none when
   *  its follower answered it, see follow). `receivedAtMs`
   *  (the clock's reading when the socket handed it over) goes into net.advert: the
   *  Master_Down_Timer runs from the advert's arrival (ReceivedAdvert.receivedAtMs). */
  receive(key: string, p: VrrpRxPacket, receivedAtMs?: number): Delivery | undefined {
    const entry = this.sockets.get(key);
    if (!entry) return undefined;
    this.sink.count('packets_received');
    const d = decodeVrrp(p);
    if (!d.ok) {
      this.sink.count(`drop.${d.reason}`);
      this.sink.emit({ type: 'advert.dropped', instance: '', reason: d.reason });
      return undefined;
    }
    const advert = d.value;
    let first: Member | undefined;
    let peer: Member | undefined;
    for (const name of entry.members) {
      const c = this.members.get(name)!;
      if (c.io.vrid !== advert.vrid || c.io.family !== advert.family) continue;
      first ??= c;
      if (!peer && c.io.unicastPeers.length > 0 && c.io.unicastPeers.includes(advert.src.text)) peer = c;
    }
    if (!first) {
      this.sink.count('drop.vrid-unknown');
      return undefined;
    }
    return this.judge(peer ?? first, advert, receivedAtMs);
  }

  private judge(m: Member, advert: VrrpAdvert, receivedAtMs: number | undefined): Delivery | undefined {
    const name = m.io.name;
    const skip = m.io.skipCheckAdvAddr && advert.src.equals(m.lastMaster);
    const v = validateAdvert(advert, this.expectations(m, skip));
    if (!v.ok) {
      this.sink.count(`drop.${v.reason}`, name);
      this.sink.emit({ type: 'advert.dropped', instance: name, reason: v.reason });
      this.dropOnce(m, v.reason, `(${name}) ${v.detail ?? v.reason} - dropping advert from ${advert.src}`);
      return { instance: name, event: { type: 'net.invalid', reason: v.reason } };
    }
    this.sink.count('adverts_received', name);
    if (advert.priority === 0) this.sink.count('priority_zero_received', name);
    if (m.loggedDrops.size > 0) m.loggedDrops.clear();
    if (v.value.ahSequence !== undefined) m.ah = { ...m.ah, sequence: v.value.ahSequence };
    if (v.value.useOldUnicastChecksum && !m.oldUnicastChecksum) {
      m.oldUnicastChecksum = true;
      this.sink.log('info', `(${name}) Setting unicast VRRPv3 checksum to old version`);
      if (m.repeating) this.rearmRepeat(m);
    }
    for (const w of v.value.warnings) this.dropOnce(m, `warn:${w.code}`, `(${name}) ${w.detail}`, 'info');
    m.lastMaster = advert.src;
    const { vrid, priority, advertIntervalCs: maxAdvertIntervalCs, src } = advert;
    const received: ReceivedAdvert = receivedAtMs === undefined ? { vrid, priority, maxAdvertIntervalCs, src } : { vrid, priority, maxAdvertIntervalCs, src, receivedAtMs };
    const answer = this.followers.get(name);
    if (answer !== undefined && answer(received)) return undefined;
    return { instance: name, event: { type: 'net.advert', advert: received } };
  }

  /** The instance's expectations for this packet; built once per configuration unless AH (sequence). */
  private expectations(m: Member, skipAddresses: boolean): VrrpExpectations {
    const io = m.io;
    if (io.authKind === 'ah') return { ...io.expectations, ahSequence: m.ah.sequence, ...(skipAddresses ? { checkAddresses: false } : {}) };
    let e = m.expect;
    if (e?.io !== io) m.expect = e = { io, all: io.expectations, skip: { ...io.expectations, checkAddresses: false } };
    return skipAddresses ? e.skip : e.all;
  }

  private dropOnce(m: Member, key: string, message: string, level: 'info' | 'warning' = 'warning'): void {
    if (m.loggedDrops.has(key)) return;
    m.loggedDrops.add(key);
    this.sink.log(level, message);
  }
}
