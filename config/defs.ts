/**
 * keepalived's parameter definitions (lib/parser.c): `$NAME=value`, multi-line definitions ending
 * lines with `\`, use as `$NAME` (followed by blank, `,`, `)` or end of line) or `${NAME}`,
 * recursive substitution, undefined names left verbatim, built-ins `${_PWD}`, `${_INSTANCE}`,
 * `${_RANDOM [MIN [MAX]]}`. Also `~SEQ(var, [start,] [step,] end)` headers.
 * Substitution is bounded (count and length) so a self-referencing definition cannot hang us.
 */

import type { SeqRun } from './source.js';

export interface Definition {
  value: string;
  multiline: boolean;
}

export const MAX_SUBSTITUTIONS_PER_LINE = 256;
export const MAX_LINE_LENGTH = 65536;

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
/** `${NAME 1 2}` parameters, matched in place (sticky: no copy of the rest of the line per `$`). */
const PARAMS = /((?: +\d+)*)\}/y;

/** `$NAME=value` → [name, value, multiline]; anything else → undefined. */
export function parseDefinition(line: string): { name: string; value: string; multiline: boolean } | undefined {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/.exec(line);
  if (!m) return undefined;
  let value = m[2]!;
  const multiline = value.endsWith('\\');
  if (multiline) value = value.slice(0, -1).replace(/[ \t]+$/, '');
  return { name: m[1]!, value, multiline };
}

export interface Builtins {
  pwd: string;
  instance?: string;
  random: (min: number, max: number) => number;
}

export interface SubstResult {
  /** Characters built while substituting (the work done, for the reader's expansion budget). */
  work: number;
  /** The line after substitution (first line of a multi-line definition if one ended it). */
  text: string;
  /** Further lines contributed by a multi-line definition used at the end of the line. */
  more: string[];
  /** The multi-line definition that contributed `more`. */
  multilineName?: string;
  error?: string;
}

export function substitute(line: string, defs: Map<string, Definition>, builtins: Builtins): SubstResult {
  let text = line;
  let pos = text.indexOf('$');
  let count = 0;
  let more: string[] = [];
  let multilineName: string | undefined;
  let work = 0;
  while (pos >= 0 && pos < text.length - 1) {
    const ref = readReference(text, pos);
    const value = ref && lookup(ref, defs, builtins);
    if (!ref || value === undefined) {
      pos = text.indexOf('$', pos + 1);
      continue;
    }
    if (++count > MAX_SUBSTITUTIONS_PER_LINE) {
      return { text, more, work, error: `too many substitutions on one line (more than ${MAX_SUBSTITUTIONS_PER_LINE}; recursive definition of $${ref.name}?) - ignoring the line` };
    }
    let replacement = value;
    if (ref.multilineAllowed && defs.get(ref.name)?.multiline) {
      const lines = value.split('\n');
      replacement = lines[0] ?? '';
      // Lines of an inner definition come before those already collected.
      more = lines.slice(1).concat(more);
      multilineName = ref.name;
    }
    const length = text.length - ref.length + replacement.length;
    if (length > MAX_LINE_LENGTH) {
      // Refused before the string is built: a 64 KB value used twice costs nothing.
      return { text: '', more: [], work, error: `line longer than ${MAX_LINE_LENGTH} characters after substituting $${ref.name} - ignoring the line` };
    }
    work += length;
    text = text.slice(0, pos) + replacement + text.slice(pos + ref.length);
    // Rescan from the replacement: it may hold further references (recursive definitions).
    pos = text.indexOf('$', pos);
    if (/^[ \t]*~/.test(replacement)) break;
  }
  return multilineName === undefined ? { text, more, work } : { text, more, work, multilineName };
}

interface Reference {
  name: string;
  params?: number[];
  length: number;
  multilineAllowed: boolean;
}

function readReference(text: string, pos: number): Reference | undefined {
  let i = pos + 1;
  const braces = text[i] === '{';
  if (braces) i++;
  if (!isNameStart(text.charCodeAt(i))) return undefined;
  const s = i;
  while (isNameChar(text.charCodeAt(i))) i++;
  const name = text.slice(s, i);
  if (braces) {
    PARAMS.lastIndex = i;
    const m = PARAMS.exec(text);
    if (!m) return undefined;
    const params = m[1]!.trim() ? m[1]!.trim().split(/ +/).map(Number) : undefined;
    const length = i + m[0].length - pos;
    return { name, params, length, multilineAllowed: pos + length === text.length };
  }
  const next = text[i];
  if (next !== undefined && !' \t,)'.includes(next)) return undefined;
  return { name, length: i - pos, multilineAllowed: next === undefined };
}

function lookup(ref: Reference, defs: Map<string, Definition>, b: Builtins): string | undefined {
  const d = defs.get(ref.name);
  if (d) {
    if (d.multiline && !ref.multilineAllowed) return undefined;
    return ref.params ? undefined : d.value;
  }
  if (ref.name === '_PWD' && !ref.params) return b.pwd;
  if (ref.name === '_INSTANCE' && !ref.params) return b.instance ?? '';
  if (ref.name === '_RANDOM') {
    const [min = 0, max = 32767] = ref.params ?? [];
    return String(b.random(min, max));
  }
  return undefined;
}

export const MAX_SEQ_VALUES = 100_000;

/**
 * `~SEQ(var, [start,] [step,] end) rest` / `~SEQx(…)` (hex). The number of values is worked out
 * before anything is generated, so an over-limit ~SEQ costs nothing; the reader generates the
 * values one at a time (config/source.ts).
 */
export function parseSeq(line: string): SeqRun | { error: string } {
  const m = /^~SEQ(x?)[ \t]*\([ \t]*([^ \t,)]+)[ \t]*,([^)]*)\)[ \t]*(.*)$/.exec(line);
  if (!m) return { error: `invalid ~SEQ specification '${line}'` };
  const hex = m[1] === 'x';
  const nums = m[3]!.split(',').map((s) => s.trim());
  if (nums.length > 3 || nums.some((n) => !/^[-+]?(0x[0-9a-fA-F]+|\d+)$/.test(n))) {
    return { error: `invalid ~SEQ definition '${line}'` };
  }
  const n = nums.map(cLong);
  if (n.some((v) => !Number.isSafeInteger(v))) return { error: `invalid ~SEQ values '${line}'` };
  let start: number;
  let step: number;
  let end: number;
  if (n.length === 1) {
    end = n[0]!;
    step = end < 1 ? -1 : 1;
    start = end < 0 ? -1 : 1;
  } else if (n.length === 2) {
    [start, end] = [n[0]!, n[1]!];
    step = start <= end ? 1 : -1;
  } else {
    [start, step, end] = [n[0]!, n[1]!, n[2]!];
    if (!step || (start < end && step < 0) || (start > end && step > 0)) return { error: `invalid ~SEQ values '${line}'` };
  }
  if (hex && (start < 0 || end < 0)) return { error: `~SEQx is only valid for positive numbers '${line}'` };
  const count = (step > 0 ? end >= start : end <= start) ? Math.floor((end - start) / step) + 1 : 0;
  if (count > MAX_SEQ_VALUES) return { error: `~SEQ produces ${count} lines, more than the limit of ${MAX_SEQ_VALUES} - ignoring it` };
  return { variable: m[2]!, start, step, count, hex, rest: m[4]! };
}

/** The values of a parsed ~SEQ (for tests and tools; the reader generates them lazily). */
export function seqValues(s: SeqRun): string[] {
  const out: string[] = [];
  for (let i = 0, v = s.start; i < s.count; i++, v += s.step) out.push(s.hex ? v.toString(16) : String(v));
  return out;
}

/** strtol(s, NULL, 0): optional sign, 0x hex, leading-0 octal, else decimal. */
function cLong(s: string): number {
  const neg = s.startsWith('-');
  const body = s.replace(/^[-+]/, '');
  const v = /^0x/i.test(body) ? parseInt(body.slice(2), 16) : /^0[0-7]+$/.test(body) ? parseInt(body, 8) : parseInt(body, 10);
  return neg ? -v : v;
}
