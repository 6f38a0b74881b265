/**
 * Health-check probes and client connections, modelled at the transport level.
 *
 * VRRP adverts, ARP and ND are real encoded frames on the wire. Probes and client connections
 * are not (no TCP segments, no pcap entries): each packet is an event carried from one NIC to
 * another by `Segment.carry`, which applies exactly the rules a frame meets on that segment —
 * partitions and one-way blocks, loss, delay, jitter, reordering, the receiver's power and link
 * — from a random stream of its own (so adding probe traffic never shifts the VRRP run). A
 * packet is handled on the receiving host's CPU: a paused host answers when it runs again.
 *
 * On top of single packets, `exchange` is one request and its answer. Over TCP the sender
 * retransmits, as Linux does, at an RTO doubling from 1 s for a SYN and 200 ms for data
 * (TCP_TIMEOUT_INIT, TCP_RTO_MIN), at most six times; the answering side retransmits its answer
 * the same way. Over UDP and ICMP each side sends once.
 *
 * Routing is on-link only (the simulator has no routers): an address some NIC on one of the
 * sender's segments holds is reached through that segment; an address inside a NIC's prefix that
 * nobody holds fails neighbour resolution after 3 s (EHOSTUNREACH); anything else has no route
 * (ENETUNREACH, at once). An address the sender holds itself goes through its loopback.
 */
import { parseIp } from '../../protocol/addr.js';
import type { SimClock } from '../clock.js';
import type { Host } from '../host/host.js';
import type { ProcessLife } from '../host/host-clock.js';
import type { Nic } from '../net/nic.js';
import type { DropReason } from '../net/segment.js';
import type { Prng } from '../prng.js';

/** Linux's neighbour resolution gives up after 3 probes 1 s apart (mcast_solicit × retrans_time). */
export const NEIGHBOUR_TIMEOUT_MS = 3000;
/** TCP_TIMEOUT_INIT (a SYN's first retransmission) and TCP_RTO_MIN (data). */
export const SYN_RTO_MS = 1000;
export const DATA_RTO_MS = 200;
/** tcp_syn_retries is 6; data gets as many here (the attempt's deadline comes much earlier). */
export const MAX_RETRANSMITS = 6;

export type Route =
  | { kind: 'peer'; nic: Nic; peer: Nic }
  | { kind: 'local'; host: Host }
  /** On a NIC's prefix, but no NIC holds the address: neighbour resolution fails. */
  | { kind: 'no-neighbour'; nic: Nic }
  | { kind: 'no-route' };

function inPrefix(address: Uint8Array, prefix: Uint8Array, length: number): boolean {
  if (address.length !== prefix.length) return false;
  for (let bit = 0; bit < length; bit++) {
    const mask = 0x80 >> (bit & 7);
    if ((address[bit >> 3]! & mask) !== (prefix[bit >> 3]! & mask)) return false;
  }
  return true;
}

/** Whether `host` holds `address` on a NIC or on its loopback (LVS-DR real servers). */
export function holds(host: Host, address: string): boolean {
  for (const n of host.nics) if (n.hasAddress(address)) return true;
  return host.services.loopback.has(address);
}

/** How `host` reaches `address` (through `ifname` only, for bind_if). */
export function route(host: Host, address: string, ifname?: string): Route {
  if (ifname === undefined && holds(host, address)) return { kind: 'local', host };
  const nics = ifname === undefined ? host.nics : host.nics.filter((n) => n.name === ifname);
  for (const nic of nics) {
    const peer = nic.segment?.nicWithAddress(address);
    if (peer && peer.owner !== host) return { kind: 'peer', nic, peer };
  }
  const bytes = parseIp(address)?.bytes;
  if (bytes) {
    for (const nic of nics) {
      if (!nic.segment) continue;
      for (const a of nic.addresses) {
        const p = parseIp(a.address)?.bytes;
        if (p && a.prefixLength < p.length * 8 && inPrefix(bytes, p, a.prefixLength)) return { kind: 'no-neighbour', nic };
      }
    }
  }
  return { kind: 'no-route' };
}

/** A packet lost on the way, for the trace: where, between whom, why, and what it was. */
export type TransportDrop = (segment: string, from: string, to: string, reason: DropReason, what: string) => void;

export class Transport {
  packetsSent = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly rng: Prng,
    private readonly onDrop: TransportDrop,
  ) {}

  /** One packet from `from` to `to` (same segment); `arrived` runs on the receiving host's CPU. */
  packet(from: Nic, to: Nic, what: string, arrived: () => void): void {
    this.packetsSent++;
    const seg = from.segment;
    const sender = from.owner as Host;
    if (!seg || to.segment !== seg) return this.onDrop(seg?.name ?? '?', sender.name, to.owner.name, 'no-route', what);
    // A frame is not sent from a NIC without carrier (or from a host that is off).
    if (!from.running) return this.onDrop(seg.name, sender.name, to.owner.name, 'link-down', what);
    seg.carry(
      from,
      to,
      this.rng,
      () => (to.owner as Host).cpu.exec(arrived),
      (reason) => this.onDrop(seg.name, sender.name, to.owner.name, reason, what),
    );
  }

  /** A packet to an address the host holds itself: through loopback, on its own CPU. */
  loopback(host: Host, arrived: () => void): void {
    this.packetsSent++;
    this.clock.setTimeout(() => {
      if (host.powered) host.cpu.exec(arrived);
    }, 0);
  }
}

/** One way of a path: sends one copy and calls `arrived` if (when) it gets there. */
export type Send = (arrived: () => void) => void;

export interface ExchangeOptions<R> {
  /** Where the initiator's retransmission timers run, and for how long (the probing process). */
  initiator: Host;
  initiatorLife: ProcessLife;
  /** Who answers: its answer is delayed and retransmitted on its CPU, while it stays powered. */
  responder: Host;
  /** Retransmission timeout (TCP), doubling; undefined for a datagram (one copy each way). */
  rtoMs?: number;
  forward: Send;
  /** The first copy of the request reached the responder: answer (after `afterMs`) or never. */
  serve(respond: (answer: R, afterMs?: number) => void): void;
  backward(answer: R): Send;
  /** The answer reached the initiator. */
  done(answer: R): void;
}

export interface Exchange {
  /** Stop: nothing more is sent, late arrivals are ignored. */
  abandon(): void;
}

/** A request and its answer, with TCP-style retransmission when `rtoMs` is set (see the file header). */
export function exchange<R>(o: ExchangeOptions<R>): Exchange {
  let state: 'waiting' | 'serving' | 'answered' | 'done' | 'abandoned' = 'waiting';
  let answer: R;

  const sendAnswer = (): void =>
    o.backward(answer)(() => {
      if (state !== 'answered') return;
      state = 'done';
      o.done(answer);
    });

  const sendRequest = (): void =>
    o.forward(() => {
      if (state !== 'waiting') return;
      state = 'serving';
      const life = o.responder.kernelLife;
      o.serve((r, afterMs = 0) => {
        o.responder.cpu.schedule(
          () => {
            if (state !== 'serving') return;
            state = 'answered';
            answer = r;
            sendAnswer();
            if (o.rtoMs !== undefined) retransmit(o.responder, life, o.rtoMs, () => state === 'answered', sendAnswer);
          },
          afterMs,
          life,
        );
      });
    });

  sendRequest();
  if (o.rtoMs !== undefined) retransmit(o.initiator, o.initiatorLife, o.rtoMs, () => state === 'waiting', sendRequest);
  return {
    abandon: () => {
      if (state !== 'done') state = 'abandoned';
    },
  };
}

/** Resend while `pending()`: after rto, 2·rto, 4·rto … (at most MAX_RETRANSMITS times). */
function retransmit(host: Host, life: ProcessLife, rtoMs: number, pending: () => boolean, send: () => void, n = 0): void {
  if (n >= MAX_RETRANSMITS) return;
  host.cpu.schedule(
    () => {
      if (!pending()) return;
      send();
      retransmit(host, life, rtoMs * 2, pending, send, n + 1);
    },
    rtoMs,
    life,
  );
}

/** One direction of a route as a `Send` (loopback, or a packet between two NICs). */
export function oneWay(t: Transport, r: Extract<Route, { kind: 'peer' | 'local' }>, back: boolean, what: string): Send {
  if (r.kind === 'local') return (arrived) => t.loopback(r.host, arrived);
  return back ? (arrived) => t.packet(r.peer, r.nic, what, arrived) : (arrived) => t.packet(r.nic, r.peer, what, arrived);
}
