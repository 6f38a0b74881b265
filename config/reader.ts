/**
 * The reader: turns the entry file (and its includes) into a flat stream of logical lines, doing
 * everything keepalived does before keyword dispatch (lib/parser.c read_line): comments,
 * `@id`/`@^id` conditional lines, `$NAME=value` definitions and substitution, `~SEQ` repetition,
 * `include` globs relative to the including file, and splitting at `{`/`}`.
 * Files are read through the injected `readFile`; directories are listed through `listDir`.
 * Expansion is bounded (include depth, total lines, diagnostics) so no input can hang it.
 */
import { parseDefinition, parseSeq, substitute, type Definition } from './defs.js';
import type { Diags } from './diag.js';
import { expandGlob, type ListDir } from './glob.js';
import { decomment, splitAtBraces, words } from './lexer.js';
import { dirname } from './paths.js';
import { LineSource } from './source.js';
import type { LineSink } from './tree.js';

export interface ReadOptions {
  listDir?: ListDir;
  /** keepalived `-i`: the id matched by `@ID` lines. */
  configId?: string;
  /** Seed of ${_RANDOM} (keepalived seeds from the clock; we stay deterministic). */
  randomSeed?: number;
}

export const MAX_INCLUDE_DEPTH = 32;
/** Upper bound on files read (an include fan-out doubles per level). */
export const MAX_FILES = 10_000;
/** Upper bound on lines read, after includes, definitions and ~SEQ (10,000 instances need ~300k). */
export const MAX_LINES = 1_000_000;

/** `include` and its strictness variants (which differ only in how missing files are reported). */
export const INCLUDE_KEYWORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);

function seededRandom(seed: number): (min: number, max: number) => number {
  let rng = seed >>> 0;
  return (min, max) => {
    rng = (rng + 0x6d2b79f5) >>> 0;
    let t = Math.imul(rng ^ (rng >>> 15), 1 | rng);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return min + Math.floor(r * (Math.max(max, min) - min + 1));
  };
}

export function readConfig(
  entry: string,
  readFile: (path: string) => string | undefined,
  opts: ReadOptions,
  diags: Diags,
  out: LineSink,
): { files: string[] } {
  const files: string[] = [];
  const defs = new Map<string, Definition>();
  const random = seededRandom(opts.randomSeed ?? 1);
  const src = new LineSource((path, from) => {
    const text = readFile(path);
    if (text === undefined) {
      if (from) diags.lint('warning', from, `cannot read included file ${path}`, 'check the path and permissions');
      else diags.error({ file: path, line: 0 }, `cannot read configuration file ${path}`, 'check the -f path', 'fatal');
      return undefined;
    }
    files.push(path);
    return text.split('\n');
  });
  src.pushFile(entry, 0);

  let pendingDef: Definition | undefined;
  let budget = MAX_LINES;
  while (src.next()) {
    if (--budget < 0) {
      const msg = `configuration expands to more than ${MAX_LINES} lines - stopped reading (recursive include, definition or ~SEQ?)`;
      diags.add('error', { file: src.file, line: src.line }, msg, 'remove the recursion', 'fatal', true);
      break;
    }
    if (src.define) defs.set(src.define[0], { value: src.define[1], multiline: false });
    const at = { file: src.file, line: src.line };
    let text = src.text;
    let colBase = 1;
    let continued = false;
    if (!src.processed) {
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
    const c0 = text.charCodeAt(0);
    if (c0 === 0x40 /* @ */ || c0 === 0x24 /* $ */ || c0 === 0x7e /* ~ */ || text.includes('$')) {
      const r = preprocess(text, continued);
      if (r === undefined) continue;
      if (r !== text) colBase = 1;
      text = r;
    }
    if (text.includes('include')) {
      const w = words(text, colBase).tokens;
      if (w.length === 2 && INCLUDE_KEYWORDS.has(w[0]!.text)) {
        includeFiles(w[1]!.text, at);
        continue;
      }
    }
    emitLine(text, colBase, at);
  }
  return { files };

  /** @id lines, $definitions, ~SEQ and substitution; undefined when the line is consumed. */
  function preprocess(line: string, continued: boolean): string | undefined {
    let text = line;
    const at = { file: src.file, line: src.line };
    for (let guard = 0; guard < 8; guard++) {
      if (text.startsWith('@')) {
        const m = /^@(\^?)([^ \t]*)[ \t]+(.*)$/.exec(text);
        const matches = m !== null && opts.configId !== undefined && m[2] === opts.configId;
        if (!m || matches === (m[1] === '^')) return undefined;
        text = m[3]!;
      }
      const def = text.startsWith('$') ? parseDefinition(text) : undefined;
      if (def) {
        const multiline = def.multiline || continued;
        const entryDef: Definition = { value: def.value, multiline };
        defs.set(def.name, entryDef);
        if (multiline) pendingDef = entryDef;
        return undefined;
      }
      if (text.startsWith('~SEQ')) {
        const seq = parseSeq(text);
        if ('error' in seq) diags.error(at, seq.error, 'use ~SEQ(var, start, step, end) rest-of-line');
        else src.pushInjected(seq.values.map((v) => ({ text: seq.rest, define: [seq.variable, v] })), src.file, src.line, src.depth);
        return undefined;
      }
      if (text.startsWith('~') || !text.includes('$')) return text;
      const before = text;
      const r = substitute(text, defs, { pwd: dirname(src.file), instance: opts.configId, random });
      if (r.error) diags.error(at, r.error, 'make the definition non-recursive');
      if (r.multilineName !== undefined && src.expanding(r.multilineName)) {
        diags.error(at, `multi-line definition $${r.multilineName} is used inside itself - not expanding it again`, 'make the definition non-recursive');
        return undefined;
      }
      src.pushInjected(r.more.map((t) => ({ text: t })), src.file, src.line, src.depth, r.multilineName);
      text = r.text;
      if (text === before || !(text.startsWith('@') || text.includes('$'))) return text;
    }
    return text;
  }

  function includeFiles(pattern: string, at: { file: string; line: number }) {
    if (src.loads >= MAX_FILES) {
      diags.add('error', at, `more than ${MAX_FILES} files included - stopped including (include loop?)`, 'remove the recursive include', 'fatal', true);
      return;
    }
    if (src.depth + 1 > MAX_INCLUDE_DEPTH) {
      diags.error(at, `include nesting deeper than ${MAX_INCLUDE_DEPTH} (include loop?)`, 'remove the recursive include', 'fatal');
      return;
    }
    const matches = expandGlob(pattern, dirname(src.file), opts.listDir);
    if (!matches.length) {
      diags.lint('warning', at, `include '${pattern}' matched no files`, 'check the path (relative to this file)');
      return;
    }
    // Frames pop last-pushed first: push the last file first so the files are read in order.
    for (let i = matches.length - 1; i >= 0; i--) src.pushFile(matches[i]!, src.depth + 1, at);
  }

  function emitLine(text: string, colBase: number, at: { file: string; line: number }) {
    for (const piece of splitAtBraces(text)) {
      if (piece.brace) {
        out.brace(piece.brace, at.file, at.line, colBase + piece.at);
        continue;
      }
      const w = words(piece.raw, colBase + piece.at);
      if (w.unmatchedQuote) diags.error({ ...at, col: colBase + piece.at }, `unmatched quote: '${piece.raw}'`, 'close the double quote');
      if (w.tokens.length) out.words(w.tokens, piece.raw, at.file, at.line);
    }
  }
}
