/**
 * glob(3) with GLOB_BRACE, as keepalived uses for `include`: `*`, `?`, `[set]`, `{a,b}`.
 * Directories are listed through an injected function, so this stays pure.
 *
 * Bounded whatever the pattern: patterns longer than PATH_MAX are refused, brace expansion is
 * linear per alternative and stops at MAX_BRACE_EXPANSIONS, segments are matched by
 * config/fnmatch.ts (no RegExp, no backtracking blow-up) and all matching shares one step budget.
 */
import { compileSegment, matchSegment, type CompiledSegment, type MatchBudget } from './fnmatch.js';
import { normalize } from './paths.js';

export type ListDir = (dir: string) => string[] | undefined;

/** Linux PATH_MAX: glob(3) cannot match a longer path either. */
export const MAX_PATTERN_LENGTH = 4096;
export const MAX_BRACE_EXPANSIONS = 4096;
/** Total matching work of one config (steps of config/fnmatch.ts plus directory entries listed). */
export const MAX_GLOB_STEPS = 20_000_000;

interface BraceGroup {
  start: number;
  end: number;
  alternatives: string[];
}

/**
 * The first `{…}` group with at least two top-level alternatives, found in one pass: a stack
 * pairs the braces, and each open brace remembers whether a comma was seen at its own level.
 */
function firstBraceGroup(p: string): BraceGroup | undefined {
  const stack: Array<{ at: number; commas: number[] }> = [];
  let best: { at: number; end: number; commas: number[] } | undefined;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) i++;
    else if (c === '{') stack.push({ at: i, commas: [] });
    else if (c === ',' && stack.length) stack[stack.length - 1]!.commas.push(i);
    else if (c === '}' && stack.length) {
      const open = stack.pop()!;
      if (open.commas.length && (!best || open.at < best.at)) best = { at: open.at, end: i, commas: open.commas };
    }
  }
  if (!best) return undefined;
  const alternatives: string[] = [];
  let from = best.at + 1;
  for (const comma of best.commas) {
    alternatives.push(p.slice(from, comma));
    from = comma + 1;
  }
  alternatives.push(p.slice(from, best.end));
  return { start: best.at, end: best.end, alternatives };
}

/**
 * `a{b,c{d,e}}f` → [abf, acdf, acef]. Unbalanced braces are left as literal text. Stops after
 * MAX_BRACE_EXPANSIONS results (`truncated`), without recursion.
 */
export function expandBracesBounded(pattern: string): { out: string[]; truncated: boolean } {
  const out: string[] = [];
  const todo = [pattern];
  while (todo.length) {
    const p = todo.pop()!;
    const g = firstBraceGroup(p);
    if (!g) {
      out.push(p);
      if (out.length >= MAX_BRACE_EXPANSIONS) return { out, truncated: todo.length > 0 };
      continue;
    }
    const head = p.slice(0, g.start);
    const tail = p.slice(g.end + 1);
    for (let i = g.alternatives.length - 1; i >= 0; i--) todo.push(head + g.alternatives[i]! + tail);
    if (todo.length > MAX_BRACE_EXPANSIONS * 4) return { out, truncated: true };
  }
  return { out, truncated: false };
}

export function expandBraces(pattern: string): string[] {
  return expandBracesBounded(pattern).out;
}

export interface GlobResult {
  paths: string[];
  /** Why expansion stopped early, as a diagnostic phrase (the limit is named). */
  limit?: string;
}

/** The segment without its escapes, when it has no wildcard; undefined when it has one. */
function literalOf(seg: CompiledSegment): string | undefined {
  let out = '';
  for (const t of seg.tokens) {
    if (t.t !== 'lit') return undefined;
    out += t.c;
  }
  return out;
}

/**
 * Expand `pattern` (already absolute or relative to `baseDir`). Literal paths are returned even if
 * they do not exist (the reader reports them); wildcard segments only match listed entries, and
 * never hidden entries unless the pattern segment starts with a dot. Results per brace
 * alternative are sorted, as glob(3) does. `budget` is shared by every include of one config.
 */
export function expandGlobBounded(pattern: string, baseDir: string, listDir: ListDir | undefined, budget: MatchBudget = { steps: 0 }): GlobResult {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { paths: [], limit: `the pattern is longer than ${MAX_PATTERN_LENGTH} characters (PATH_MAX)` };
  }
  const out: string[] = [];
  const { out: alternatives, truncated } = expandBracesBounded(pattern);
  const overBudget = () => budget.steps > MAX_GLOB_STEPS;
  for (const alt of alternatives) {
    const norm = normalize(alt.startsWith('/') ? alt : `${baseDir}/${alt}`);
    const segs = norm.split('/').filter((seg) => seg !== '');
    let paths = [norm.startsWith('/') ? '' : '.'];
    const join = (p: string, seg: string) => (p === '.' ? seg : `${p}/${seg}`);
    const list = (dir: string) => {
      const entries = listDir?.(dir === '' ? '/' : dir);
      budget.steps += 1 + (entries?.length ?? 0);
      return entries;
    };
    for (const [si, seg] of segs.entries()) {
      const last = si === segs.length - 1;
      const compiled = compileSegment(seg);
      const literal = literalOf(compiled);
      const next: string[] = [];
      for (const p of paths) {
        if (literal !== undefined) {
          next.push(join(p, literal));
          continue;
        }
        const entries = [...(list(p) ?? [])].sort();
        for (const e of entries) {
          if (e.startsWith('.') && !seg.startsWith('.')) continue;
          // A wildcard that is not the last segment only matches directories.
          if (matchSegment(compiled, e, budget) && (last || list(join(p, e)) !== undefined)) next.push(join(p, e));
          if (overBudget()) return { paths: out, limit: `matching took more than ${MAX_GLOB_STEPS} steps` };
        }
        if (next.length > MAX_BRACE_EXPANSIONS) return { paths: out, limit: `it matches more than ${MAX_BRACE_EXPANSIONS} paths` };
      }
      paths = next;
    }
    for (const p of paths) out.push(p === '' ? '/' : p);
    if (out.length > MAX_BRACE_EXPANSIONS) return { paths: out.slice(0, MAX_BRACE_EXPANSIONS), limit: `it matches more than ${MAX_BRACE_EXPANSIONS} paths` };
  }
  return truncated ? { paths: out, limit: `it expands to more than ${MAX_BRACE_EXPANSIONS} brace alternatives` } : { paths: out };
}

/** expandGlobBounded without the limit report (paths only). */
export function expandGlob(pattern: string, baseDir: string, listDir: ListDir | undefined): string[] {
  return expandGlobBounded(pattern, baseDir, listDir).paths;
}
