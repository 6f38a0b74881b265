/**
 * Delta debugging (Zeller's ddmin) over a fault list: find a small sub-list that still makes
 * the run fail the same way. Each probe is a full deterministic re-run, so `budget` bounds the
 * number of runs.
 */

export interface ShrinkResult<T> {
  items: T[];
  runs: number;
}

function split<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / n);
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function ddmin<T>(items: readonly T[], fails: (subset: T[]) => boolean, budget = 120): ShrinkResult<T> {
  let runs = 0;
  const probe = (s: T[]) => {
    runs++;
    return fails(s);
  };
  if (items.length === 0 || probe([])) return { items: [], runs };
  let cur = items.slice();
  let n = 2;
  while (cur.length >= 2 && runs < budget) {
    const parts = split(cur, n);
    let next: T[] | undefined;
    for (const p of parts) {
      if (runs >= budget) break;
      if (probe(p)) {
        next = p;
        n = 2;
        break;
      }
    }
    if (!next && parts.length > 2) {
      for (let i = 0; i < parts.length && runs < budget; i++) {
        const complement = parts.filter((_, j) => j !== i).flat();
        if (probe(complement)) {
          next = complement;
          n = Math.max(n - 1, 2);
          break;
        }
      }
    }
    if (next) cur = next;
    else if (n >= cur.length) break;
    else n = Math.min(cur.length, n * 2);
  }
  return { items: cur, runs };
}
