/**
 * Builds the statement tree while the reader streams logical lines: a `{` opens a block attached
 * to the statement on the logical line just before it; `}` closes the innermost block. Brace
 * errors are reported the way keepalived does (unexpected '{', extra '}', missing '}' at the end).
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

export class TreeBuilder implements LineSink {
  readonly root: Stmt[] = [];
  private readonly stack: Stmt[][] = [this.root];
  private previous: Stmt | undefined;
  private lastFile = '';
  private lastLine = 0;

  constructor(private readonly diags: Diags) {}

  brace(brace: '{' | '}', file: string, line: number, col: number): void {
    this.lastFile = file;
    this.lastLine = line;
    if (brace === '{') {
      if (this.previous && !this.previous.block) {
        this.previous.block = [];
        this.stack.push(this.previous.block);
      } else {
        this.diags.error({ file, line, col }, "unexpected '{' - ignoring", "put '{' right after the keyword that opens the block");
      }
    } else if (this.stack.length > 1) {
      this.stack.pop();
    } else {
      this.diags.error({ file, line, col }, "extra '}' found", "remove the '}' or add the missing '{'");
    }
    this.previous = undefined;
  }

  words(tokens: Token[], raw: string, file: string, line: number): void {
    const st: Stmt = { words: tokens, file, line, raw };
    this.stack[this.stack.length - 1]!.push(st);
    this.previous = st;
    this.lastFile = file;
    this.lastLine = line;
  }

  /** Reports unclosed blocks and returns the top-level statements. */
  finish(): Stmt[] {
    const open = this.stack.length - 1;
    if (open > 0) {
      this.diags.error(
        { file: this.lastFile, line: this.lastLine },
        `there ${open === 1 ? "is 1 missing '}'" : `are ${open} missing '}'s`} at end of input`,
        "close every '{' with a '}'",
      );
    }
    return this.root;
  }
}
