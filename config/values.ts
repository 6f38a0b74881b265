/**
 * Argument readers shared by the keyword handlers. Each reports its own diagnostic (at the
 * argument's column) and returns undefined when the value is unusable, so handlers keep the
 * default, as keepalived does.
 */
import type { Diags, Pos } from './diag.js';
import type { Token } from './lexer.js';
import type { Stmt } from './tree.js';

export function posOf(st: Stmt, i = 0): Pos {
  const t = st.words[i] ?? st.words[st.words.length - 1];
  return { file: st.file, line: st.line, col: t?.col };
}

export const kw = (st: Stmt): string => st.words[0]?.text ?? '';

/** The i-th word, or an 'abort' diagnostic like keepalived's "missing a parameter" (it exits 2). */
export function needArg(st: Stmt, i: number, d: Diags, what = 'value'): Token | undefined {
  const t = st.words[i];
  if (t) return t;
  d.error(posOf(st, i - 1), `'${kw(st)}' is missing a parameter (${what})`, `write: ${kw(st)} ${what.toUpperCase().replace(/ /g, '_')}`, 'abort');
  return undefined;
}

const INT_RE = /^[-+]?\d+$/;

/** Decimal integer within [min, max]. */
export function intArg(st: Stmt, i: number, d: Diags, min: number, max: number, what = 'number'): number | undefined {
  const t = needArg(st, i, d, what);
  if (!t) return undefined;
  return checkInt(t.text, { file: st.file, line: st.line, col: t.col }, d, min, max, kw(st));
}

export function checkInt(text: string, at: Pos, d: Diags, min: number, max: number, keyword: string): number | undefined {
  if (!INT_RE.test(text.trim())) {
    d.error(at, `${keyword}: invalid number '${text}'`, `use an integer in [${min}, ${max}]`);
    return undefined;
  }
  const v = Number(text.trim());
  if (v < min || v > max) {
    d.error(at, `${keyword}: number '${text}' outside range [${min}, ${max}]`, `use a value in [${min}, ${max}]`);
    return undefined;
  }
  return v;
}

const NUM_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Seconds with fractions (µs resolution) → microseconds, within [minUs, maxUs]. */
export function timerArg(st: Stmt, i: number, d: Diags, minUs: number, maxUs: number): number | undefined {
  const t = needArg(st, i, d, 'seconds');
  if (!t) return undefined;
  const at = { file: st.file, line: st.line, col: t.col };
  if (!NUM_RE.test(t.text)) {
    d.error(at, `${kw(st)}: invalid number '${t.text}'`, 'use seconds, e.g. 1 or 0.5');
    return undefined;
  }
  const us = Math.trunc(Number(t.text) * 1e6);
  if (us < minUs || us > maxUs) {
    d.error(at, `${kw(st)}: number '${t.text}' outside range [${minUs / 1e6}, ${maxUs / 1e6}]`, `use a value in [${minUs / 1e6}, ${maxUs / 1e6}] seconds`);
    return undefined;
  }
  return us;
}

/** Optional boolean (on|off|true|false|yes|no); a missing value means true. */
export function boolArg(st: Stmt, i: number, d: Diags): boolean | undefined {
  const t = st.words[i];
  if (!t) return true;
  if (t.text === 'on' || t.text === 'true' || t.text === 'yes') return true;
  if (t.text === 'off' || t.text === 'false' || t.text === 'no') return false;
  d.error({ file: st.file, line: st.line, col: t.col }, `${kw(st)}: invalid boolean '${t.text}'`, 'use on|off|true|false|yes|no');
  return undefined;
}

/** A string argument (required). */
export function strArg(st: Stmt, i: number, d: Diags, what = 'value'): string | undefined {
  return needArg(st, i, d, what)?.text;
}

/** Every word of a value block (`group { A B }`, `notification_email { … }`). */
export function blockWords(st: Stmt): Token[] {
  const out: Token[] = [];
  for (const line of st.block ?? []) append(out, line.words);
  return out;
}

/** `dst.push(...src)` without the spread, which overflows the stack past ~100,000 elements. */
export function append<T>(dst: T[], src: readonly T[]): void {
  for (const x of src) dst.push(x);
}

export const usToMs = (us: number): number => us / 1000;
