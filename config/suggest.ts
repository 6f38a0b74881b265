/**
 * "Did you mean …?" for unknown keywords: the known keyword with the smallest
 * Damerau–Levenshtein distance, or the keyword the word starts with (a missing blank, as in
 * `auth_typePASS`).
 */

export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

export interface Suggestion {
  keyword: string;
  /** The word is a known keyword glued to its argument (`auth_typePASS` → `auth_type PASS`). */
  glued?: string;
}

export function nearestKeyword(word: string, known: Iterable<string>): Suggestion | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  let glued: string | undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const k of known) {
    if (k.length >= 3 && word.length > k.length && word.startsWith(k) && (!glued || k.length > glued.length)) glued = k;
    const d = editDistance(word, k, Math.min(limit, bestD));
    if (d < bestD || (d === bestD && best !== undefined && k < best)) {
      bestD = d;
      best = k;
    }
  }
  if (glued) return { keyword: glued, glued: word.slice(glued.length) };
  if (best !== undefined && bestD <= limit) return { keyword: best };
  return undefined;
}
