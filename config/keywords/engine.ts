/**
 * The keyword tree (seed 000: "a keyword tree maps each keyword to a handler; a recursive reader
 * walks the file into an in-memory model"). A Table maps each keyword of one block to its
 * handler; `walk` dispatches every statement of a block, reports unknown keywords with the
 * nearest known one, and checks that block keywords have a block and others do not.
 */
import type { Diags } from '../diag.js';
import { nearestKeyword } from '../suggest.js';
import type { Stmt } from '../tree.js';
import { posOf } from '../values.js';

export interface Cx {
  d: Diags;
}

export type Handler<T, C extends Cx = Cx> = (target: T, st: Stmt, cx: C) => void;

export interface Keyword<T, C extends Cx = Cx> {
  run: Handler<T, C>;
  /** 'sub': a block of keywords; 'values': a block of value lines; 'any': either; undefined: no block. */
  block?: 'sub' | 'values' | 'any';
  /** Deprecated spelling: accepted, reported like keepalived does ("… is deprecated"). */
  deprecated?: string;
  /** For a block of keywords: the keywords it accepts (to say where a misplaced keyword belongs). */
  accepts?: { has(keyword: string): boolean };
  /** The block's arguments as messages show them (`NAME` → `vrrp_script NAME { }`). */
  args?: string;
}

export type Table<T, C extends Cx = Cx> = Map<string, Keyword<T, C>>;

export function table<T, C extends Cx = Cx>(entries: Record<string, Keyword<T, C> | Handler<T, C>>): Table<T, C> {
  const m: Table<T, C> = new Map();
  for (const [k, v] of Object.entries(entries)) m.set(k, typeof v === 'function' ? { run: v } : v);
  return m;
}

/** Accept and ignore (keywords keepalived knows that the runtime has no use for yet). */
export const ignored: Keyword<unknown, never> = { run: () => undefined, block: 'any' };

/**
 * Makes a table accept exactly the keywords keepalived 2.2.7 accepts in that block (config/keywords/known.ts):
 * handlers for keywords 2.2.7 does not know are dropped (they become unknown keywords, as in 2.2.7),
 * and known keywords without a handler get `fallback` (default: accepted and ignored).
 */
export function restrict<T, C extends Cx>(tbl: Table<T, C>, known: readonly string[], fallback?: (name: string) => Keyword<T, C>): Table<T, C> {
  const allowed = new Set(known);
  for (const k of [...tbl.keys()]) if (!allowed.has(k)) tbl.delete(k);
  for (const n of known) if (!tbl.has(n)) tbl.set(n, fallback?.(n) ?? (ignored as Keyword<T, C>));
  return tbl;
}

export function walk<T, C extends Cx>(target: T, stmts: Stmt[] | undefined, tbl: Table<T, C>, cx: C, where: string): void {
  for (const st of stmts ?? []) {
    const word = st.words[0]!.text;
    const k = tbl.get(word);
    if (!k) {
      unknownKeyword(st, tbl.keys(), cx.d, where, tbl);
      continue;
    }
    if (k.block && k.block !== 'any' && !st.block) {
      cx.d.error(posOf(st), `'${word}' needs a { … } block`, `write: ${st.words.map((w) => w.text).join(' ')} { … }`);
      continue;
    }
    if (k.deprecated) cx.d.warn(posOf(st), `'${word}' is deprecated`, k.deprecated);
    k.run(target, st, cx);
    if (!k.block && st.block) {
      // keepalived ignores the '{' and reads what follows at the current level.
      cx.d.error(posOf(st), `unexpected '{' after '${word}' - ignoring it`, `remove the braces after ${word}`);
      walk(target, st.block, tbl, cx, where);
    }
  }
}

/** The sub-blocks of a table that accept `word`, as they are opened (`authentication`, `vrrp_script NAME`). */
export function subBlocksAccepting<T, C extends Cx>(word: string, tbl: Table<T, C>): string[] {
  const out: string[] = [];
  for (const [name, k] of tbl) if (k.accepts?.has(word)) out.push(k.args ? `${name} ${k.args}` : name);
  return out;
}

/** Keywords whose argument is a secret: diagnostics never repeat it (they end up in logs and CI output). */
const SECRET_KEYWORDS = new Set(['auth_pass']);
const MASK = '********';

/** The statement's words as a message may show them (secrets masked). */
export function shownWords(st: Stmt): string[] {
  const w = st.words.map((t) => t.text);
  return SECRET_KEYWORDS.has(w[0] ?? '') ? [w[0]!, ...w.slice(1).map(() => MASK)] : w;
}

/** `'a { }'`, `'a { }' or 'b { }'`, `'a { }', 'b { }' or 'c { }'`. */
function blockList(openers: string[]): string {
  const q = openers.map((o) => `'${o} { }'`);
  return q.length === 1 ? q[0]! : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]!}`;
}

/**
 * Reports an unknown keyword of a block, and where it belongs: a keyword that a sub-block of this
 * block accepts ("'auth_pass' belongs inside 'authentication { }'"), else the nearest keyword of
 * the block (a typo) or the keyword glued to its argument.
 */
export function unknownKeyword<T, C extends Cx>(st: Stmt, known: Iterable<string>, d: Diags, where: string, tbl?: Table<T, C>): void {
  const word = st.words[0]!.text;
  const inWhere = where ? ` in ${where}` : '';
  const homes = tbl && !d.full ? subBlocksAccepting(word, tbl) : [];
  if (homes.length) {
    const line = shownWords(st).join(' ') + (st.block ? ' { … }' : '');
    const fix = homes.length === 1 ? `move it into the block: ${homes[0]} { ${line} }` : `move it into one of those blocks: … { ${line} }`;
    d.warn(posOf(st), `unknown keyword '${word}'${inWhere} - '${word}' belongs inside ${blockList(homes)}${where ? ` of ${where}` : ''}`, fix);
    return;
  }
  const s = d.full ? undefined : nearestKeyword(word, known);
  if (s?.glued !== undefined) {
    const glued = SECRET_KEYWORDS.has(s.keyword) ? MASK : s.glued;
    const shown = SECRET_KEYWORDS.has(s.keyword) ? `${s.keyword}${MASK}` : word;
    d.warn(posOf(st), `unknown keyword '${shown}'${inWhere} - did you mean '${s.keyword} ${glued}'?`, `add a blank: ${s.keyword} ${glued}`);
  } else if (s) {
    d.warn(posOf(st), `unknown keyword '${word}'${inWhere} - did you mean ${s.keyword}?`, `replace '${word}' with '${s.keyword}'`);
  } else {
    d.warn(posOf(st), `unknown keyword '${word}'${inWhere}`, 'remove the line or check the keepalived.conf(5) spelling');
  }
}
