/**
 * Slot tables: how a scheduler's choice becomes an nftables map from a small integer (a counter or
 * a hash, taken modulo the table size) to a real server. Pure.
 *
 *  - rr:  one slot per live server, in order; `numgen inc` walks them.
 *  - wrr: slots in proportion to weight, interleaved (smooth weighted round robin, so weights
 *         3:1 give a a b a, not a a a b); weight 0 gets no slot.
 *  - fo:  one slot: the live server with the highest weight (the first of equals, as IPVS).
 *  - sh, dh: a fixed table of HASH_SLOTS slots indexed by a hash of the source (or destination)
 *         address. Shares follow weight. A change moves as few slots as it can: when a server
 *         dies only its slots are given to others, so every other client stays where it was;
 *         when one joins, it takes slots only from servers holding more than their share.
 *
 * A live server is one with weight > 0 (weight 0 keeps a destination for draining, with no new
 * connections). A table with no live server is empty; the rule then refuses new connections.
 */

/** A destination as the slot builders see it: a stable key and its weight. */
export interface SlotDest {
  key: string;
  weight: number;
}

/** sh/dh table size, IPVS's default (IP_VS_SH_TAB_BITS 8). */
export const HASH_SLOTS = 256;
/** Upper bound of a wrr table; larger weight sums are scaled down (proportions kept to 1/1024). */
export const MAX_WRR_SLOTS = 1024;

const live = (dests: SlotDest[]) => dests.filter((d) => d.weight > 0);

export function rrSlots(dests: SlotDest[]): string[] {
  return live(dests).map((d) => d.key);
}

export function foSlots(dests: SlotDest[]): string[] {
  let best: SlotDest | undefined;
  for (const d of live(dests)) if (!best || d.weight > best.weight) best = d;
  return best ? [best.key] : [];
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Slot counts per live server for a wrr table: weights divided by their gcd, scaled into the cap. */
export function wrrCounts(dests: SlotDest[], cap = MAX_WRR_SLOTS): number[] {
  const ws = live(dests).map((d) => d.weight);
  if (!ws.length) return [];
  const g = ws.reduce(gcd);
  let counts = ws.map((w) => w / g);
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum > cap) counts = apportion(Math.max(cap, counts.length), ws).map((n) => Math.max(1, n));
  return counts;
}

/** Smooth weighted round robin over `counts`: a sequence of indexes, each appearing counts[i]
 *  times, spread as evenly as the counts allow. */
export function interleave(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const current = counts.map(() => 0);
  const out: number[] = [];
  for (let n = 0; n < total; n++) {
    let best = -1;
    for (let i = 0; i < counts.length; i++) {
      current[i]! += counts[i]!;
      if (counts[i]! > 0 && (best < 0 || current[i]! > current[best]!)) best = i;
    }
    current[best]! -= total;
    out.push(best);
  }
  return out;
}

export function wrrSlots(dests: SlotDest[], cap = MAX_WRR_SLOTS): string[] {
  const l = live(dests);
  return interleave(wrrCounts(dests, cap)).map((i) => l[i]!.key);
}

/** Split `size` slots in proportion to `weights` (largest remainder; ties to the earlier one). */
export function apportion(size: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!total) return weights.map(() => 0);
  const exact = weights.map((w) => (size * w) / total);
  const out = exact.map(Math.floor);
  let left = size - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

/**
 * A fixed-size hash table of `size` slots for sh/dh, built from the previous one so that as few
 * clients as possible change server. Each live server's exact share q = size·w/Σw lies between
 * lo = floor(q) and hi = ceil(q). A server keeps up to lo of its old slots; the size − Σlo slots
 * left for rounding let servers holding more keep one extra (largest fraction first). Freed slots
 * then go to servers below lo, then below hi, most short (relative to share) first, which also
 * interleaves a fresh table. Removing a server only raises the others' shares, so no surviving
 * server loses a slot; a server joining takes slots only from those above their share.
 */
export function hashSlots(previous: ReadonlyArray<string | undefined> | undefined, dests: SlotDest[], size = HASH_SLOTS): Array<string | undefined> {
  const l = live(dests);
  const out: Array<string | undefined> = new Array<string | undefined>(size).fill(undefined);
  if (!l.length) return out;
  const total = l.reduce((a, d) => a + d.weight, 0);
  const exact = l.map((d) => (size * d.weight) / total);
  const lo = exact.map((x) => Math.floor(x + 1e-9));
  const hi = exact.map((x, i) => Math.max(lo[i]!, Math.ceil(x - 1e-9)));
  const index = new Map(l.map((d, i) => [d.key, i]));
  const owner = (s: number) => index.get(previous?.[s] ?? '');
  // Who may keep one slot beyond lo: those that held more, largest fraction first, within budget.
  const held = l.map(() => 0);
  for (let s = 0; s < size; s++) {
    const i = owner(s);
    if (i !== undefined) held[i]!++;
  }
  let budget = size - lo.reduce((a, b) => a + b, 0);
  const limit = [...lo];
  const extra = l
    .map((_, i) => i)
    .filter((i) => held[i]! > lo[i]! && hi[i]! > lo[i]!)
    .sort((a, b) => exact[b]! - lo[b]! - (exact[a]! - lo[a]!) || a - b);
  for (const i of extra) {
    if (budget <= 0) break;
    limit[i] = hi[i]!;
    budget--;
  }
  const count = l.map(() => 0);
  for (let s = 0; s < size; s++) {
    const i = owner(s);
    if (i !== undefined && count[i]! < limit[i]!) {
      out[s] = l[i]!.key;
      count[i]!++;
    }
  }
  // Fill free slots: below lo first, the most short relative to its share first (this also
  // interleaves a fresh table); then the rounding slots, largest fraction first (as apportion()).
  const belowLo = (): number => {
    let best = -1;
    let bestGap = 0;
    for (let i = 0; i < l.length; i++) {
      const gap = (lo[i]! - count[i]!) / (exact[i]! || 1);
      if (lo[i]! > count[i]! && gap > bestGap + 1e-12) (best = i), (bestGap = gap);
    }
    return best;
  };
  const byFraction = l.map((_, i) => i).sort((a, b) => exact[b]! - lo[b]! - (exact[a]! - lo[a]!) || a - b);
  for (let s = 0; s < size; s++) {
    if (out[s] !== undefined) continue;
    let i = belowLo();
    if (i < 0) i = byFraction.find((j) => count[j]! < hi[j]!) ?? -1;
    if (i < 0) break; // cannot happen: Σhi ≥ size
    out[s] = l[i]!.key;
    count[i]!++;
  }
  return out;
}
