/**
 * Maglev hashing (Eisenbud et al., NSDI 2016) for the mh scheduler, computed here and loaded into
 * nftables as a slot map indexed by `jhash(source) mod MAGLEV_SLOTS`. Pure.
 *
 * Every live server walks its own permutation of the table (offset and skip from two hashes of
 * its key) and takes the next free slot in turn, `turns` slots per round in proportion to weight
 * (as IPVS's ip_vs_mh does). The result depends only on the set of servers and their weights, not
 * on the order they were added, so two directors build the same table. Removing a server leaves
 * most other slots where they were.
 */
import type { SlotDest } from './slots.js';

/** IPVS's default mh table size (CONFIG_IP_VS_MH_TAB_INDEX 12): a prime. */
export const MAGLEV_SLOTS = 4093;

/** FNV-1a, 32 bits, over the UTF-16 code units of `s`, from a chosen basis. */
function fnv1a(s: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so near-identical keys spread.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Where a server starts in the table and how far it steps. skip ∈ [1, size-1], so with a prime
 *  size the walk visits every slot exactly once. */
export function maglevPermutation(key: string, size = MAGLEV_SLOTS): { offset: number; skip: number } {
  return { offset: fnv1a(key, 0x811c9dc5) % size, skip: (fnv1a(key, 0x9e3779b9) % (size - 1)) + 1 };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The Maglev table: slot → server key (empty array when no server is live). */
export function maglevSlots(dests: SlotDest[], size = MAGLEV_SLOTS): string[] {
  const live = dests.filter((d) => d.weight > 0).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (!live.length) return [];
  const g = live.map((d) => d.weight).reduce(gcd);
  let turns = live.map((d) => d.weight / g);
  // Keep a round shorter than the table (IPVS shifts weights right for the same reason).
  const maxTurns = Math.max(...turns);
  if (maxTurns > 64) turns = turns.map((t) => Math.max(1, Math.round((t * 64) / maxTurns)));
  const perm = live.map((d) => maglevPermutation(d.key, size));
  const next = live.map(() => 0);
  const table: number[] = new Array<number>(size).fill(-1);
  let filled = 0;
  while (filled < size) {
    for (let i = 0; i < live.length && filled < size; i++) {
      for (let t = 0; t < turns[i]! && filled < size; t++) {
        const p = perm[i]!;
        let c = (p.offset + next[i]! * p.skip) % size;
        while (table[c]! >= 0) {
          next[i]!++;
          c = (p.offset + next[i]! * p.skip) % size;
        }
        table[c] = i;
        next[i]!++;
        filled++;
      }
    }
  }
  return table.map((i) => live[i]!.key);
}
