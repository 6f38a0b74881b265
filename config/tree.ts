/**
 * Builds the statement tree while the reader streams logical lines: a `{` opens a block attached
 * to the statement on the logical line just before it; `}` closes the innermost block. Brace
 * errors are reported the way keepalived does (unexpected '{', extra '}', missing '}' at the end),
 * with the position of the block that is left open.
 *
 * Each top-level statement is handed to `onTop` as soon as it is complete (its block closed, or
 * the next statement started), so only the block being read is held in memory. Blocks nest at
 * most MAX_BLOCK_DEPTH deep: a deeper '{' is ignored (keepalived ignores a '{' after a keyword
 * that takes none, too), so nothing that walks the tree can run out of stack.
 */
import type { Diags } from './diag.js';
import type { Token } from './lexer.js';

export interface Stmt {
  words: Token[];
  file: string;
  line: number;
  raw: string;
  block?: Stmt[];
}

/** What the reader feeds: logical lines, either a brace or a run of words. */
export interface LineSink {
  brace(brace: '{' | '}', file: string, line: number, col: number): void;
  words(tokens: Token[], raw: string, file: string, line: number): void;
}

/** keepalived's deepest real nesting is 4 (virtual_server → real_server → HTTP_GET → url). */
export const MAX_BLOCK_DEPTH = 64;

interface Open {
  stmt: Stmt;
  body: Stmt[];
}

export class TreeBuilder implements LineSink {
  readonly root: Stmt[] = [];
  private readonly open: Open[] = [];
  private previous: Stmt | undefined;
  private lastFile = '';
  private lastLine = 0;
  /** '{' ignored past MAX_BLOCK_DEPTH that still wait for their '}'. */
  private ignoredOpen = 0;
  /** The first block whose '}' is indented unlike its opening line (the likely missing '}'). */
  private suspect: { stmt: Stmt; closeLine: number; closeFile: string } | undefined;

  /** With `onTop`, top-level statements are handed over when complete instead of kept in `root`. */
  constructor(
    private readonly diags: Diags,
    private readonly onTop?: (st: Stmt) => void,
  ) {}

  private body(): Stmt[] {
    return this.open.length ? this.open[this.open.length - 1]!.body : this.root;
  }

  /** Hands the top-level statements over once nothing can attach to them any more. */
  private flushTop(): void {
    if (!this.onTop || this.open.length !== 0 || !this.root.length) return;
    const done = this.root.splice(0);
    for (const st of done) this.onTop(st);
  }

  brace(brace: '{' | '}', file: string, line: number, col: number): void {
    this.lastFile = file;
    this.lastLine = line;
    if (brace === '{') {
      if (this.open.length >= MAX_BLOCK_DEPTH) {
        if (this.ignoredOpen++ === 0) {
          this.diags.error({ file, line, col }, `blocks nested deeper than the limit of ${MAX_BLOCK_DEPTH} levels - ignoring '{' here and in any deeper block`, 'remove the stray braces');
        }
      } else if (this.previous && !this.previous.block) {
        this.previous.block = [];
        this.open.push({ stmt: this.previous, body: this.previous.block });
      } else {
        this.diags.error({ file, line, col }, "unexpected '{' - ignoring", "put '{' right after the keyword that opens the block");
      }
    } else if (this.ignoredOpen > 0) {
      this.ignoredOpen--;
    } else if (this.open.length) {
      const closed = this.open.pop()!;
      const opener = closed.stmt.words[0];
      if (!this.suspect && opener && line !== closed.stmt.line && file === closed.stmt.file && col !== opener.col) {
        this.suspect = { stmt: closed.stmt, closeLine: line, closeFile: file };
      }
      this.previous = undefined;
      this.flushTop();
      return;
    } else {
      this.diags.error({ file, line, col }, "extra '}' found", "remove the '}' or add the missing '{'");
    }
    this.previous = undefined;
  }

  words(tokens: Token[], raw: string, file: string, line: number): void {
    if (this.open.length === 0) this.flushTop();
    const st: Stmt = { words: tokens, file, line, raw };
    this.body().push(st);
    this.previous = st;
    this.lastFile = file;
    this.lastLine = line;
  }

  /**
   * Reports unclosed blocks (at the line that opened each) and returns the statements kept.
   * `stopped`: the reader gave up early (a limit), so open blocks are no mistake of the config.
   */
  finish(stopped = false): Stmt[] {
    const end = `${this.lastFile}:${this.lastLine}`;
    const missing = stopped ? 0 : this.open.length + this.ignoredOpen;
    if (stopped) this.open.length = 0;
    this.open.forEach((o, i) => {
      const w = o.stmt.words;
      const what = w.slice(0, 2).map((t) => t.text).join(' ');
      const inner = i === this.open.length - 1 ? '' : ` (${this.open.length - 1 - i} more inside it)`;
      this.diags.error(
        { file: o.stmt.file, line: o.stmt.line, col: w[0]?.col },
        `missing '}': the block of '${what}' opened here is still open at the end of the input (${end})${inner}`,
        missing === 1 ? "close the block with a '}'" : `add the ${missing} missing '}'`,
      );
    });
    if (missing && this.suspect) {
      const s = this.suspect;
      const w = s.stmt.words[0]!;
      this.diags.lint(
        'info',
        { file: s.stmt.file, line: s.stmt.line, col: w.col },
        `'${w.text}' may be the block without its '}': the '}' at ${s.closeFile}:${s.closeLine} that closes it is indented like an outer block`,
        `add a '}' for '${w.text}' before line ${s.closeLine}`,
      );
    }
    this.open.length = 0;
    this.previous = undefined;
    this.flushTop();
    return this.root;
  }
}
