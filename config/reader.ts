/**
 * The reader: turns the entry file (and its includes) into a flat stream of logical lines, doing
 * everything keepalived does before keyword dispatch (lib/parser.c read_line): comments,
 * `@id`/`@^id` conditional lines, `$NAME=value` definitions and substitution, `~SEQ` repetition,
 * `include` globs relative to the including file, and splitting at `{`/`}`.
 * Files are read through the injected `readFile`; directories are listed through `listDir`.
 */
import { parseDefinition, parseSeq, substitute, type Definition } from './defs.js';
import type { Diags } from './diag.js';
import { expandGlob, type ListDir } from './glob.js';
import { decomment, splitAtBraces, words, type Token } from './lexer.js';
import { dirname } from './paths.js';

export interface LogicalLine {
  file: string;
  line: number;
  /** Words of the line; a brace line has exactly one token `{` or `}`. */
  tokens: Token[];
  /** The logical line's text (after substitution), for keywords that re-split it (scripts). */
  raw: string;
  brace?: '{' | '}';
}

export interface ReadOptions {
  listDir?: ListDir;
  /** keepalived `-i`: the id matched by `@ID` lines. */
  configId?: string;
  /** Seed of ${_RANDOM} (keepalived seeds from the clock; we stay deterministic). */
  randomSeed?: number;
}

export const MAX_INCLUDE_DEPTH = 32;

/** `include` and its strictness variants (which differ only in how missing files are reported). */
export const INCLUDE_KEYWORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);

interface Item {
  text: string;
  file: string;
  line: number;
  depth: number;
  /** Already decommented (comes from a definition or a ~SEQ expansion). */
  processed: boolean;
  /** A marker: read this file now (keeps `files` in reading order). */
  load?: string;
  define?: [string, string];
}

export function readConfig(
  entry: string,
  readFile: (path: string) => string | undefined,
  opts: ReadOptions,
  diags: Diags,
): { lines: LogicalLine[]; files: string[] } {
  const files: string[] = [];
  const out: LogicalLine[] = [];
  const defs = new Map<string, Definition>();
  const stack: Item[] = [];
  let rng = (opts.randomSeed ?? 1) >>> 0;
  const random = (min: number, max: number) => {
    rng = (rng + 0x6d2b79f5) >>> 0;
    let t = Math.imul(rng ^ (rng >>> 15), 1 | rng);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return min + Math.floor(r * (Math.max(max, min) - min + 1));
  };

  const pushFile = (path: string, depth: number, at?: { file: string; line: number }) => {
    stack.push({ text: '', file: at?.file ?? path, line: at?.line ?? 0, depth, processed: true, load: path });
  };
  const loadFile = (path: string, depth: number, at?: { file: string; line: number }) => {
    const text = readFile(path);
    if (text === undefined) {
      if (at) diags.lint('warning', at, `cannot read included file ${path}`, 'check the path and permissions');
      else diags.error({ file: path, line: 0 }, `cannot read configuration file ${path}`, 'check the -f path', 'fatal');
      return;
    }
    files.push(path);
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      stack.push({ text: lines[i]!, file: path, line: i + 1, depth, processed: false });
    }
  };
  loadFile(entry, 0);

  let pendingDef: Definition | undefined;
  while (stack.length) {
    const item = stack.pop()!;
    if (item.load !== undefined) {
      loadFile(item.load, item.depth, item.line ? { file: item.file, line: item.line } : undefined);
      continue;
    }
    if (item.define) defs.set(item.define[0], { value: item.define[1], multiline: false });
    const at = { file: item.file, line: item.line };
    let text = item.text.replace(/\r$/, '');
    let colBase = 1;
    let continued = false;
    if (!item.processed) {
      const d = decomment(text);
      if (d.unterminatedQuote) diags.error(at, `unterminated quote in '${d.text}'`, 'close the double quote');
      text = d.text;
      colBase = d.offset + 1;
      continued = d.continued;
    }
    if (pendingDef) {
      if (text) pendingDef.value += (pendingDef.value ? '\n' : '') + text;
      if (!continued || !text) pendingDef = undefined;
      continue;
    }
    if (!text) continue;

    for (let guard = 0; guard < 8; guard++) {
      if (text.startsWith('@')) {
        const m = /^@(\^?)([^ \t]*)[ \t]+(.*)$/.exec(text);
        const matches = m !== null && opts.configId !== undefined && m[2] === opts.configId;
        if (!m || matches === (m[1] === '^')) {
          text = '';
          break;
        }
        text = m[3]!;
        colBase = 1;
      }
      const def = text.startsWith('$') ? parseDefinition(text) : undefined;
      if (def) {
        const multiline = def.multiline || continued;
        const entryDef: Definition = { value: def.value, multiline };
        defs.set(def.name, entryDef);
        if (multiline) pendingDef = entryDef;
        text = '';
        break;
      }
      if (text.startsWith('~SEQ')) {
        const seq = parseSeq(text);
        if ('error' in seq) diags.error(at, seq.error, 'use ~SEQ(var, start, step, end) rest-of-line');
        else {
          for (let i = seq.values.length - 1; i >= 0; i--) {
            stack.push({ ...item, text: seq.rest, processed: true, define: [seq.variable, seq.values[i]!] });
          }
        }
        text = '';
        break;
      }
      if (text.startsWith('~') || !text.includes('$')) break;
      const before = text;
      const r = substitute(text, defs, { pwd: dirname(item.file), instance: opts.configId, random });
      if (r.error) diags.error(at, r.error, 'make the definition non-recursive');
      for (let i = r.more.length - 1; i >= 0; i--) stack.push({ ...item, text: r.more[i]!, processed: true, define: undefined });
      text = r.text;
      colBase = 1;
      if (text === before || !(text.startsWith('@') || text.includes('$'))) break;
    }
    if (!text) continue;

    if (text.includes('include')) {
      const w = words(text, colBase).tokens;
      if (w.length === 2 && INCLUDE_KEYWORDS.has(w[0]!.text)) {
        includeFiles(w[1]!.text, item, at);
        continue;
      }
    }
    emitLine(text, colBase, at);
  }
  return { lines: out, files };

  function includeFiles(pattern: string, item: Item, at: { file: string; line: number }) {
    if (item.depth + 1 > MAX_INCLUDE_DEPTH) {
      diags.error(at, `include nesting deeper than ${MAX_INCLUDE_DEPTH} (include loop?)`, 'remove the recursive include', 'fatal');
      return;
    }
    const matches = expandGlob(pattern, dirname(item.file), opts.listDir);
    if (!matches.length) {
      diags.lint('warning', at, `include '${pattern}' matched no files`, 'check the path (relative to this file)');
      return;
    }
    // The stack pops last-pushed first: push the last file first so the files are read in order.
    for (let i = matches.length - 1; i >= 0; i--) pushFile(matches[i]!, item.depth + 1, at);
  }

  function emitLine(text: string, colBase: number, at: { file: string; line: number }) {
    for (const piece of splitAtBraces(text)) {
      if (piece.brace) {
        out.push({ ...at, tokens: [{ text: piece.brace, col: colBase + piece.at, quoted: false }], raw: piece.brace, brace: piece.brace });
        continue;
      }
      const w = words(piece.raw, colBase + piece.at);
      if (w.unmatchedQuote) diags.error({ ...at, col: colBase + piece.at }, `unmatched quote: '${piece.raw}'`, 'close the double quote');
      if (w.tokens.length) out.push({ ...at, tokens: w.tokens, raw: piece.raw });
    }
  }
}
