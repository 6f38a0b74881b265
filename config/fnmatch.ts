/**
 * fnmatch(3) for one path segment, as glob(3) applies it to each directory entry: `*`, `?`,
 * `[set]` (`[!…]`/`[^…]` negate, `a-z` ranges, `[:class:]`, `]` first is literal, `\` escapes),
 * and a `\` outside a set escapes the next character. A `[` without its `]` is a literal `[`; a
 * reversed range (`[z-a]`) matches nothing.
 *
 * Not a RegExp: a pattern is compiled to a token list and matched with the classic
 * one-backtrack-point loop, so the cost is at most (name length × pattern length) steps whatever
 * the pattern (`*a*a*a…` against `aaaa…b` is not exponential, 50,000 `*` collapse into one).
 * Every step is counted in `budget.steps` so a caller can bound the total work.
 */

type Token =
  | { t: 'lit'; c: string }
  | { t: 'any' }
  | { t: 'star' }
  | { t: 'set'; negate: boolean; ranges: Array<[number, number]>; classes: Array<(c: string) => boolean> };

const CLASSES: Record<string, (c: string) => boolean> = {
  alnum: (c) => /[A-Za-z0-9]/.test(c),
  alpha: (c) => /[A-Za-z]/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  cntrl: (c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
  digit: (c) => c >= '0' && c <= '9',
  graph: (c) => c.charCodeAt(0) > 32 && c.charCodeAt(0) < 127,
  lower: (c) => c >= 'a' && c <= 'z',
  print: (c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) < 127,
  punct: (c) => /[!-/:-@[-`{-~]/.test(c),
  space: (c) => /[ \t\n\v\f\r]/.test(c),
  upper: (c) => c >= 'A' && c <= 'Z',
  xdigit: (c) => /[0-9A-Fa-f]/.test(c),
};

export interface MatchBudget {
  /** Steps taken so far (incremented by every match). */
  steps: number;
}

export interface CompiledSegment {
  tokens: Token[];
  /** Characters a name needs at least (non-star tokens). */
  minLength: number;
}

/** Parses a bracket expression starting at `[` (index i); undefined when it has no closing `]`. */
function parseSet(p: string, i: number): { token: Token; end: number } | undefined {
  let j = i + 1;
  let negate = false;
  if (p[j] === '!' || p[j] === '^') {
    negate = true;
    j++;
  }
  const ranges: Array<[number, number]> = [];
  const classes: Array<(c: string) => boolean> = [];
  let first = true;
  while (j < p.length) {
    let c = p[j]!;
    if (c === ']' && !first) return { token: { t: 'set', negate, ranges, classes }, end: j };
    first = false;
    if (c === '[' && p[j + 1] === ':') {
      const close = p.indexOf(':]', j + 2);
      const fn = close > 0 ? CLASSES[p.slice(j + 2, close)] : undefined;
      if (fn) {
        classes.push(fn);
        j = close + 2;
        continue;
      }
    }
    if (c === '\\' && j + 1 < p.length) c = p[++j]!;
    let lo = c.charCodeAt(0);
    let hi = lo;
    if (p[j + 1] === '-' && j + 2 < p.length && p[j + 2] !== ']') {
      let e = p[j + 2]!;
      j += 2;
      if (e === '\\' && j + 1 < p.length) e = p[++j]!;
      hi = e.charCodeAt(0);
      if (hi < lo) [lo, hi] = [1, 0]; // a reversed range matches nothing
    }
    ranges.push([lo, hi]);
    j++;
  }
  return undefined;
}

export function compileSegment(p: string): CompiledSegment {
  const tokens: Token[] = [];
  let minLength = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.t !== 'star') tokens.push({ t: 'star' });
      continue;
    }
    minLength++;
    if (c === '?') tokens.push({ t: 'any' });
    else if (c === '[') {
      const set = parseSet(p, i);
      if (set) {
        tokens.push(set.token);
        i = set.end;
      } else tokens.push({ t: 'lit', c });
    } else if (c === '\\' && i + 1 < p.length) tokens.push({ t: 'lit', c: p[++i]! });
    else tokens.push({ t: 'lit', c });
  }
  return { tokens, minLength };
}

function one(tok: Token, c: string): boolean {
  if (tok.t === 'lit') return tok.c === c;
  if (tok.t === 'any') return true;
  if (tok.t === 'star') return false;
  const code = c.charCodeAt(0);
  let hit = false;
  for (const [lo, hi] of tok.ranges) if (code >= lo && code <= hi) hit = true;
  if (!hit) for (const fn of tok.classes) if (fn(c)) hit = true;
  return hit !== tok.negate;
}

/** Does `name` match the compiled segment? Adds the steps taken to `budget`. */
export function matchSegment(seg: CompiledSegment, name: string, budget: MatchBudget = { steps: 0 }): boolean {
  const { tokens } = seg;
  if (name.length < seg.minLength) return false;
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  let steps = 0;
  try {
    while (s < name.length) {
      steps++;
      const tok = tokens[p];
      if (tok?.t === 'star') {
        starP = p++;
        starS = s;
      } else if (tok && one(tok, name[s]!)) {
        p++;
        s++;
      } else if (starP >= 0) {
        p = starP + 1;
        s = ++starS;
      } else return false;
    }
    while (tokens[p]?.t === 'star') p++;
    return p === tokens.length;
  } finally {
    budget.steps += steps;
  }
}

/** True when the segment has wildcards (`*`, `?` or a complete `[set]`). */
export function hasWildcards(p: string): boolean {
  return compileSegment(p).tokens.some((t) => t.t !== 'lit');
}
