/**
 * glob(3) with GLOB_BRACE, as keepalived uses for `include`: `*`, `?`, `[set]`, `{a,b}`.
 * Directories are listed through an injected function, so this stays pure.
 */
import { normalize } from './paths.js';

export type ListDir = (dir: string) => string[] | undefined;

const MAX_BRACE_EXPANSIONS = 4096;

/** `a{b,c{d,e}}f` → [abf, acdf, acef]. Unbalanced braces are left as literal text. */
export function expandBraces(pattern: string): string[] {
  const open = findTopBrace(pattern);
  if (!open) return [pattern];
  const { start, end, alternatives } = open;
  const head = pattern.slice(0, start);
  const tail = pattern.slice(end + 1);
  const out: string[] = [];
  for (const alt of alternatives) {
    for (const e of expandBraces(head + alt + tail)) {
      out.push(e);
      if (out.length >= MAX_BRACE_EXPANSIONS) return out;
    }
  }
  return out;
}

function findTopBrace(p: string): { start: number; end: number; alternatives: string[] } | undefined {
  for (let s = 0; s < p.length; s++) {
    if (p[s] !== '{') continue;
    let depth = 0;
    let last = s + 1;
    const alts: string[] = [];
    for (let i = s; i < p.length; i++) {
      const c = p[i];
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) {
          alts.push(p.slice(last, i));
          if (alts.length > 1) return { start: s, end: i, alternatives: alts };
          break;
        }
      } else if (c === ',' && depth === 1) {
        alts.push(p.slice(last, i));
        last = i + 1;
      }
    }
  }
  return undefined;
}

const hasMagic = (seg: string) => /[*?[]/.test(seg);

/** Translate one path segment's wildcard pattern into an anchored RegExp. */
export function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Expand `pattern` (already absolute or relative to `baseDir`). Literal paths are returned even if
 * they do not exist (the reader reports them); wildcard segments only match listed entries, and
 * never hidden entries unless the pattern segment starts with a dot. Results per brace
 * alternative are sorted, as glob(3) does.
 */
export function expandGlob(pattern: string, baseDir: string, listDir: ListDir | undefined): string[] {
  const out: string[] = [];
  for (const alt of expandBraces(pattern)) {
    const norm = normalize(alt.startsWith('/') ? alt : `${baseDir}/${alt}`);
    const segs = norm.split('/').filter((seg) => seg !== '');
    let paths = [norm.startsWith('/') ? '' : '.'];
    const join = (p: string, seg: string) => (p === '.' ? seg : `${p}/${seg}`);
    for (const [si, seg] of segs.entries()) {
      const last = si === segs.length - 1;
      const next: string[] = [];
      for (const p of paths) {
        if (!hasMagic(seg)) {
          next.push(join(p, seg));
          continue;
        }
        const entries = listDir?.(p === '' ? '/' : p) ?? [];
        const re = segmentRegExp(seg);
        for (const e of [...entries].sort()) {
          if (e.startsWith('.') && !seg.startsWith('.')) continue;
          // A wildcard that is not the last segment only matches directories.
          if (re.test(e) && (last || listDir?.(join(p, e)) !== undefined)) next.push(join(p, e));
        }
      }
      paths = next;
    }
    out.push(...paths.map((p) => (p === '' ? '/' : p)));
  }
  return out;
}
