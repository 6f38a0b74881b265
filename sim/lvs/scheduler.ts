/**
 * Picking a destination for a new connection, the way the Linux IPVS schedulers do
 * (net/netfilter/ipvs/ip_vs_*.c), deterministically:
 *
 *   rr    round robin over destinations with weight > 0, continuing after the last one used
 *   wrr   interleaved weighted round robin (current weight stepping down by the weights' gcd)
 *   lc    fewest active connections; wlc: fewest active connections per weight
 *   sed   shortest expected delay, (active + 1) / weight; nq: an idle destination first, else sed
 *   sh    source hashing: 256 buckets, each destination `weight` consecutive buckets in list
 *         order, bucket = hash_32(client address [+ port with sh-port]); a bucket whose
 *         destination has weight 0 gives no destination, unless sh-fallback tries the next ones
 *   dh    destination hashing: 256 buckets, one destination each in turn, bucket = hash of the VIP
 *   fo    weighted failover: the first destination with the highest weight
 *
 * A destination with weight 0 gets no new connection from any scheduler; one with an upper
 * connection threshold is skipped while it has that many active connections. Persistence
 * (persistence_timeout) sends a client, masked by persistence_granularity, back to the
 * destination of its template while the template lives and the destination is still in the
 * table, even at weight 0: IPVS keeps such "quiescent" templates (expire_quiescent_template = 0,
 * the kernel default).
 */
import type { LbDestination, LbService } from '../../actors/lvs/lb-port.js';
import { parseIp } from '../../protocol/addr.js';

export const MODELLED_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'fo'] as const;

const BUCKETS = 256;

export interface SchedulerState {
  /** rr: the destination used last. */
  rrLast?: string;
  /** wrr: list position and current weight. */
  wrr: { i: number; cw: number };
  /** sh / dh: bucket → destination key. */
  buckets?: Array<string | undefined>;
}

export function newSchedulerState(): SchedulerState {
  return { wrr: { i: -1, cw: 0 } };
}

export function destKey(d: Pick<LbDestination, 'address' | 'port'>): string {
  return d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
}

/** What the scheduler sees of a service in the kernel table. */
export interface SchedView {
  service: LbService;
  /** In list order (IPVS puts a new destination at the head). */
  dests: readonly LbDestination[];
  /** Active connections per destination key. */
  active: ReadonlyMap<string, number>;
  state: SchedulerState;
}

function overloaded(v: SchedView, d: LbDestination): boolean {
  return d.upperThreshold > 0 && (v.active.get(destKey(d)) ?? 0) >= d.upperThreshold;
}

function available(v: SchedView, d: LbDestination): boolean {
  return d.weight > 0 && !overloaded(v, d);
}

/** hash_32(value, 8) with the kernel's GOLDEN_RATIO_32. */
function hash8(value: number): number {
  return (Math.imul(value >>> 0, 0x61c88647) >>> 0) >>> 24;
}

/** The kernel's address fold: the IPv4 address as a number, IPv6 words XORed. */
function fold(address: string): number {
  const b = parseIp(address)?.bytes;
  if (!b) return 0;
  const word = (i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  return b.length === 4 ? word(0) : (word(0) ^ word(4) ^ word(8) ^ word(12)) >>> 0;
}

/** ip_vs_sh_reassign / ip_vs_dh_reassign: the bucket table for the current list. */
export function buildBuckets(dests: readonly LbDestination[], weighted: boolean): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  let p = 0;
  let count = 0;
  for (let i = 0; i < BUCKETS; i++) {
    if (dests.length === 0) {
      out.push(undefined);
      continue;
    }
    const d = dests[p % dests.length]!;
    out.push(destKey(d));
    if (!weighted || ++count >= d.weight) {
      p++;
      count = 0;
    }
  }
  return out;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The scheduler's state is rebuilt when the destinations change (IPVS's update_service hook). */
export function destinationsChanged(v: SchedView): void {
  v.state.wrr = { i: -1, cw: 0 };
  v.state.buckets = undefined;
}

function byOverhead(v: SchedView, overhead: (active: number) => number, weighted: boolean): LbDestination | undefined {
  let best: LbDestination | undefined;
  let bestOverhead = 0;
  for (const d of v.dests) {
    if (!available(v, d)) continue;
    const oh = overhead(v.active.get(destKey(d)) ?? 0);
    // IPVS compares loh * dw > doh * lw to avoid divisions.
    if (!best || (weighted ? bestOverhead * d.weight > oh * best.weight : bestOverhead > oh)) {
      best = d;
      bestOverhead = oh;
    }
  }
  return best;
}

export interface Client {
  address: string;
  port: number;
}

/** The destination the service's scheduler picks for a new connection (undefined: none available). */
export function pick(v: SchedView, client: Client): LbDestination | undefined {
  const dests = v.dests;
  switch (v.service.scheduler) {
    case 'rr': {
      const n = dests.length;
      const last = v.state.rrLast === undefined ? -1 : dests.findIndex((d) => destKey(d) === v.state.rrLast);
      for (let k = 1; k <= n; k++) {
        const d = dests[(last + k + n) % n]!;
        if (available(v, d)) {
          v.state.rrLast = destKey(d);
          return d;
        }
      }
      return undefined;
    }
    case 'wrr': {
      const weights = dests.map((d) => (overloaded(v, d) ? 0 : Math.max(0, d.weight)));
      const mw = Math.max(0, ...weights);
      if (mw === 0) return undefined;
      const di = weights.filter((w) => w > 0).reduce(gcd);
      const s = v.state.wrr;
      for (let guard = 0; guard < dests.length * (mw / di + 2); guard++) {
        s.i = (s.i + 1) % dests.length;
        if (s.i === 0) {
          s.cw -= di;
          if (s.cw <= 0) s.cw = mw;
        }
        if (weights[s.i]! >= s.cw) return dests[s.i];
      }
      return undefined;
    }
    case 'lc':
      return byOverhead(v, (a) => a * 256, false);
    case 'wlc':
      return byOverhead(v, (a) => a * 256, true);
    case 'sed':
      return byOverhead(v, (a) => a + 1, true);
    case 'nq':
      return dests.find((d) => available(v, d) && (v.active.get(destKey(d)) ?? 0) === 0) ?? byOverhead(v, (a) => a + 1, true);
    case 'fo': {
      let best: LbDestination | undefined;
      for (const d of dests) if (available(v, d) && (!best || d.weight > best.weight)) best = d;
      return best;
    }
    case 'sh':
    case 'dh': {
      const sh = v.service.scheduler === 'sh';
      v.state.buckets ??= buildBuckets(dests, sh);
      const flags = v.service.flags;
      const key = sh ? fold(client.address) + (flags.includes('sh-port') ? client.port : 0) : fold(v.service.address ?? '');
      const base = hash8(key);
      const tries = sh && flags.includes('sh-fallback') ? BUCKETS : 1;
      for (let r = 0; r < tries; r++) {
        const k = v.state.buckets[(base + r) % BUCKETS];
        if (k === undefined) return undefined;
        const d = dests.find((x) => destKey(x) === k);
        if (d && available(v, d)) return d;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A client address masked by persistence_granularity (IPv4 netmask text, IPv6 prefix length). */
export function persistenceKey(client: string, netmask: string | number | undefined): string {
  const b = parseIp(client)?.bytes;
  if (!b) return client;
  let bits: number;
  if (netmask === undefined) bits = b.length * 8;
  else if (typeof netmask === 'number') bits = netmask;
  else {
    const m = parseIp(netmask)?.bytes;
    bits = m ? [...m].reduce((s, x) => s + (x.toString(2).match(/1/g)?.length ?? 0), 0) : b.length * 8;
  }
  const out = Uint8Array.from(b);
  for (let i = 0; i < out.length * 8; i++) if (i >= bits) out[i >> 3]! &= ~(0x80 >> (i & 7));
  return [...out].join('.');
}
