/**
 * The reader: turns the entry file (and its includes) into a flat stream of logical lines, doing
 * everything keepalived does before keyword dispatch (lib/parser.c read_line): comments,
 * `@id`/`@^id` conditional lines, `$NAME=value` definitions and substitution, `~SEQ` repetition,
 * `include` globs relative to the including file, and splitting at `{`/`}`.
 * Files are read through the injected `readFile`; directories are listed through `listDir`.
 *
 * Bounded whatever the input (docs/config.md, "Limits"): every budget below is checked before the
 * work it guards is done, and running out of one stops reading with one diagnostic that names the
 * limit, so no config can hang the reader or make it build more than a few hundred MB.
 */
import { MAX_LINE_LENGTH, parseDefinition, parseSeq, substitute, type Definition } from './defs.js';
import type { Diags, Pos } from './diag.js';
import type { MatchBudget } from './fnmatch.js';
import { expandGlobBounded, MAX_PATTERN_LENGTH, type ListDir } from './glob.js';
import { decomment, splitAtBraces, trimBlanksEnd, words } from './lexer.js';
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

/**
 * Nested includes. keepalived has no limit of its own: each level keeps its file open, so it stops
 * at the open-file limit (1,024 under systemd's default) with "open problem (Too many open files)".
 */
export const MAX_INCLUDE_DEPTH = 1000;
/** Upper bound on files read (an include fan-out doubles per level). */
export const MAX_FILES = 10_000;
/** Upper bound on the text read from all files together. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/**
 * Upper bound on lines read, after includes, definitions and ~SEQ (10,000 instances need ~300k;
 * 500k lines held in one block take ~170 MB and a few seconds).
 */
export const MAX_LINES = 500_000;
/** Upper bound on characters built by $NAME substitution, all lines together. */
export const MAX_EXPANDED_CHARS = 64 * 1024 * 1024;
/** Upper bound on words (the statements' memory; 10,000 instances need ~700k). */
export const MAX_WORDS = 1_500_000;

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

const STOP_FIX = 'split the configuration, or remove the runaway include, definition or ~SEQ';

export function readConfig(
  entry: string,
  readFile: (path: string) => string | undefined,
  opts: ReadOptions,
  diags: Diags,
  out: LineSink,
): { files: string[]; stopped: boolean } {
  const files: string[] = [];
  const defs = new Map<string, Definition>();
  const random = seededRandom(opts.randomSeed ?? 1);
  const globBudget: MatchBudget = { steps: 0 };
  let bytes = 0;
  let lines = 0;
  let expanded = 0;
  let wordCount = 0;
  /** Set when a budget ran out: reading stops at the next line. */
  let stopped = false;

  const stop = (at: Pos, what: string) => {
    if (stopped) return;
    stopped = true;
    diags.add('error', at, `${what} - stopped reading the configuration`, STOP_FIX, 'fatal', true);
  };

  const src = new LineSource((path, from) => {
    if (bytes > MAX_INPUT_BYTES) return undefined;
    const text = readFile(path);
    if (text === undefined) {
      if (from) diags.lint('warning', from, `cannot read included file ${path}`, 'check the path and permissions');
      else diags.error({ file: path, line: 0 }, `cannot read configuration file ${path}`, 'check the -f path', 'fatal');
      return undefined;
    }
    bytes += text.length;
    if (bytes > MAX_INPUT_BYTES) {
      stop(from ?? { file: path, line: 1 }, `configuration files larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB in total (reading ${path})`);
      return undefined;
    }
    files.push(path);
    return text;
  }, MAX_LINE_LENGTH);
  src.pushFile(entry, 0);

  let pendingDef: Definition | undefined;
  while (!stopped && src.next()) {
    const at = { file: src.file, line: src.line };
    if (++lines > MAX_LINES) {
      stop(at, `configuration expands to more than ${MAX_LINES} lines (recursive include, definition or ~SEQ?)`);
      break;
    }
    if (src.tooLong) {
      diags.error(at, `line of ${src.tooLong} characters is longer than the limit of ${MAX_LINE_LENGTH} - ignoring it`, 'split the line');
      continue;
    }
    if (src.define) defs.set(src.define[0], { value: src.define[1], multiline: false });
    let text = src.text;
    let colBase = 1;
    let continued = false;
    if (!src.processed) {
      const d = decomment(text);
      if (d.unterminatedQuote) diags.error(at, `unterminated quote in '${shorten(d.text)}'`, 'close the double quote');
      text = d.text;
      colBase = d.offset + 1;
      continued = d.continued;
    }
    if (pendingDef) {
      const part = continued ? trimBlanksEnd(text.slice(0, -1)) : text;
      if (part) pendingDef.value += (pendingDef.value ? '\n' : '') + part;
      if (!continued || !part) pendingDef = undefined;
      continue;
    }
    if (!text) continue;
    const c0 = text.charCodeAt(0);
    if (c0 === 0x40 /* @ */ || c0 === 0x24 /* $ */ || c0 === 0x7e /* ~ */ || text.includes('$')) {
      const r = preprocess(text, continued, at);
      if (r === undefined) continue;
      if (r !== text) colBase = 1;
      text = r;
    }
    if (text.includes('include')) {
      const w = words(text, colBase).tokens;
      // keepalived matches `include` at the start of the raw line: a quoted "include" is a word.
      if (w.length === 2 && !w[0]!.quoted && INCLUDE_KEYWORDS.has(w[0]!.text)) {
        includeFiles(w[1]!.text, at);
        continue;
      }
    }
    emitLine(text, colBase, at);
  }
  return { files, stopped };

  /** @id lines, $definitions, ~SEQ and substitution; undefined when the line is consumed. */
  function preprocess(line: string, continued: boolean, at: Pos): string | undefined {
    let text = line;
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
        else src.pushSeq(seq, src.file, src.line, src.depth);
        return undefined;
      }
      if (text.startsWith('~') || !text.includes('$')) return text;
      const before = text;
      const r = substitute(text, defs, { pwd: dirname(src.file), instance: opts.configId, random });
      expanded += r.work;
      if (expanded > MAX_EXPANDED_CHARS) {
        stop(at, `definitions expand to more than ${MAX_EXPANDED_CHARS / 1024 / 1024} MB of text`);
        return undefined;
      }
      if (r.error) {
        diags.error(at, r.error, 'make the definition shorter or non-recursive');
        return undefined;
      }
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

  function includeFiles(pattern: string, at: Pos) {
    if (src.pushed >= MAX_FILES) {
      stop(at, `more than ${MAX_FILES} files included (include loop or fan-out?)`);
      return;
    }
    if (src.depth + 1 > MAX_INCLUDE_DEPTH) {
      diags.error(at, `include nesting deeper than ${MAX_INCLUDE_DEPTH} files - skipping '${pattern}'`, 'flatten the includes', 'fatal');
      return;
    }
    if (pattern.length > MAX_PATTERN_LENGTH) {
      // glob(3) cannot match it either (ENAMETOOLONG): keepalived reads nothing for it.
      diags.error(at, `include pattern of ${pattern.length} characters is longer than the limit of ${MAX_PATTERN_LENGTH} (PATH_MAX) - skipping it`, 'use a shorter pattern');
      return;
    }
    const g = expandGlobBounded(pattern, dirname(src.file), opts.listDir, globBudget);
    if (g.limit) {
      // Part of what keepalived would read is missing: refuse to run it.
      diags.error(at, `include '${shorten(pattern)}': ${g.limit} - ${g.paths.length ? 'reading only the first matches' : 'skipping it'}`, 'use a simpler pattern, or fewer files', 'fatal');
    }
    if (!g.paths.length) {
      if (!g.limit) diags.lint('warning', at, `include '${pattern}' matched no files`, 'check the path (relative to this file)');
      return;
    }
    const matches = g.paths.filter((p) => {
      if (!src.reading(p)) return true;
      const chain = src.chain();
      const via = chain.slice(Math.max(0, chain.indexOf(p))).concat(p).join(' -> ');
      diags.error(at, `include loop: ${p} is already being read (${via}) - skipping it`, "narrow the pattern so it does not match the including file, or remove the include");
      return false;
    });
    if (src.pushed + matches.length > MAX_FILES) {
      stop(at, `more than ${MAX_FILES} files included (include loop or fan-out?)`);
      return;
    }
    // Frames pop last-pushed first: push the last file first so the files are read in order.
    for (let i = matches.length - 1; i >= 0; i--) src.pushFile(matches[i]!, src.depth + 1, at);
  }

  function emitLine(text: string, colBase: number, at: Pos) {
    for (const piece of splitAtBraces(text)) {
      if (piece.brace) {
        out.brace(piece.brace, at.file, at.line, colBase + piece.at);
        continue;
      }
      const w = words(piece.raw, colBase + piece.at);
      if (w.unmatchedQuote) diags.error({ ...at, col: colBase + piece.at }, `unmatched quote: '${shorten(piece.raw)}'`, 'close the double quote');
      wordCount += w.tokens.length;
      if (wordCount > MAX_WORDS) {
        stop(at, `configuration has more than ${MAX_WORDS} words`);
        return;
      }
      if (w.tokens.length) out.words(w.tokens, piece.raw, at.file, at.line);
    }
  }
}

/** Long text in a message: its first 80 characters. */
export function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
