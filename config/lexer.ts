/**
 * Line-level lexing with keepalived's rules (lib/parser.c):
 *  - `decomment`: `#` or `!` outside double quotes start a comment; `\#` / `\!` escape them;
 *    a trailing `\` marks a continued (multi-line definition) line and stays in the text, as in
 *    keepalived (even after a comment); leading/trailing blanks go.
 *  - `splitAtBraces`: `{` and `}` outside double quotes become logical lines of their own, so a
 *    whole block may sit on one line (`group { A B }`).
 *  - `words`: blank-separated words; `"…"` is one word without its quotes (no escapes here,
 *    exactly like keepalived's alloc_strvec).
 *  - `scriptWords`: the command-line splitting keepalived uses for scripts: single and double
 *    quotes group, backslash escapes (\n \t \xHH \NNN \cC …).
 */

export interface Token {
  text: string;
  /** 1-based column in the physical line (approximate after $NAME substitution). */
  col: number;
  quoted: boolean;
}

export interface Decommented {
  text: string;
  /** Number of characters removed from the start (leading blanks), for column mapping. */
  offset: number;
  /** The line ended with a `\` (continuation of a multi-line definition). */
  continued: boolean;
  unterminatedQuote: boolean;
}

const BLANK = /[ \t\f\v\r\n]/;

const SPECIAL = /[#!"\\]/;

export function decomment(raw: string): Decommented {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  let start = 0;
  while (start < line.length && (line[start] === ' ' || line[start] === '\t')) start++;
  if (!SPECIAL.test(line)) {
    // Fast path: nothing to strip or unescape.
    let end = line.length;
    while (end > start && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
    return { text: line.slice(start, end), offset: start, continued: false, unterminatedQuote: false };
  }
  let out = '';
  let quote = false;
  let continued = false;
  let comment = false;
  for (let i = start; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) {
        // keepalived scans on through a comment for this: `x # note \` is `x\` continued.
        continued = true;
        break;
      }
      if (!comment) out += !quote && (next === '#' || next === '!') ? next : c + next;
      i++;
    } else if (comment) {
      continue;
    } else if (c === '"') {
      quote = !quote;
      out += c;
    } else if (!quote && (c === '#' || c === '!')) {
      comment = true;
    } else {
      out += c;
    }
  }
  // Like keepalived, a trailing backslash stays (after the blanks before it are removed).
  // A loop, not /[ \t]+$/: that regex is quadratic on a long run of inner blanks.
  const text = trimBlanksEnd(out) + (continued ? '\\' : '');
  return { text, offset: start, continued, unterminatedQuote: quote };
}

/** Without trailing blanks and tabs (a loop: /[ \t]+$/ is quadratic on long inner runs of blanks). */
export function trimBlanksEnd(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** One logical line: a run of text between braces, or a single brace. */
export interface Piece {
  raw: string;
  /** 0-based index of `raw` in the decommented text. */
  at: number;
  brace?: '{' | '}';
}

export function splitAtBraces(text: string): Piece[] {
  if (!text.includes('{') && !text.includes('}')) return [{ raw: text, at: 0 }];
  const pieces: Piece[] = [];
  let startAt = 0;
  let quote = false;
  const flush = (end: number) => {
    const seg = text.slice(startAt, end);
    const lead = seg.length - seg.trimStart().length;
    const trimmed = seg.trim();
    if (trimmed) pieces.push({ raw: trimmed, at: startAt + lead });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quote = !quote;
    else if (!quote && (c === '{' || c === '}')) {
      flush(i);
      pieces.push({ raw: c, at: i, brace: c });
      startAt = i + 1;
    }
  }
  flush(text.length);
  return pieces;
}

/** Blank as keepalived's WHITE_SPACE: space, \t, \n, \v, \f, \r. */
const isBlank = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** keepalived's alloc_strvec: blank-separated words, `"…"` kept as one word. */
export function words(raw: string, col: number): { tokens: Token[]; unmatchedQuote: boolean } {
  const tokens: Token[] = [];
  const n = raw.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(raw.charCodeAt(i))) i++;
    if (i >= n) break;
    if (raw.charCodeAt(i) === 34 /* " */) {
      const close = raw.indexOf('"', i + 1);
      if (close < 0) return { tokens, unmatchedQuote: true };
      tokens.push({ text: raw.slice(i + 1, close), col: col + i, quoted: true });
      i = close + 1;
      continue;
    }
    const s = i;
    for (let c = raw.charCodeAt(i); i < n && !isBlank(c) && c !== 34; c = raw.charCodeAt(++i));
    tokens.push({ text: raw.slice(s, i), col: col + s, quoted: false });
  }
  return { tokens, unmatchedQuote: false };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * keepalived's alloc_strvec_quoted_escaped, used for script command lines.
 * Returns undefined with a reason when a quote is left open or an escape is cut short.
 */
export function scriptWords(src: string): { words: string[] } | { error: string } {
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && BLANK.test(src[i]!)) i++;
    if (i >= src.length) break;
    let word = '';
    let quote = '';
    for (; i < src.length; i++) {
      const c = src[i]!;
      if (c === '\\') {
        i++;
        if (i >= src.length) return { error: `missing escape character at end of '${src}'` };
        const e = src[i]!;
        if (e === 'x' && /[0-9a-fA-F]/.test(src[i + 1] ?? '')) {
          let v = 0;
          while (/[0-9a-fA-F]/.test(src[i + 1] ?? '')) v = ((v << 4) | parseInt(src[++i]!, 16)) & 0xff;
          word += String.fromCharCode(v);
        } else if (e === 'c' && i + 1 < src.length) {
          word += String.fromCharCode(src.charCodeAt(++i) & 0x1f);
        } else if (e >= '0' && e <= '7') {
          let v = Number(e);
          for (let k = 0; k < 2 && /[0-7]/.test(src[i + 1] ?? ''); k++) v = v * 8 + Number(src[++i]);
          word += String.fromCharCode(v & 0xff);
        } else {
          word += SIMPLE_ESCAPES[e] ?? e;
        }
        continue;
      }
      if (quote) {
        if (c === quote) quote = '';
        else word += c;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        continue;
      }
      if (BLANK.test(c)) break;
      word += c;
    }
    if (quote) return { error: `string '${src}': missing terminating ${quote}` };
    out.push(word);
  }
  return { words: out };
}
