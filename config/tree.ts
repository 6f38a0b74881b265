/**
 * Builds the statement tree from logical lines: a `{` opens a block attached to the statement
 * on the logical line just before it; `}` closes the innermost block. Brace errors are reported
 * the way keepalived does (unexpected '{', extra '}', missing '}' at end of input).
 */
import type { Diags } from './diag.js';
import type { Token } from './lexer.js';
import type { LogicalLine } from './reader.js';

export interface Stmt {
  words: Token[];
  file: string;
  line: number;
  raw: string;
  block?: Stmt[];
}

export function buildTree(lines: LogicalLine[], diags: Diags): Stmt[] {
  const root: Stmt[] = [];
  const stack: Stmt[][] = [root];
  let previous: Stmt | undefined;
  for (const l of lines) {
    const current = stack[stack.length - 1]!;
    const at = { file: l.file, line: l.line, col: l.tokens[0]?.col };
    if (l.brace === '{') {
      if (previous && !previous.block) {
        previous.block = [];
        stack.push(previous.block);
      } else {
        diags.error(at, "unexpected '{' - ignoring", "put '{' right after the keyword that opens the block");
      }
      previous = undefined;
      continue;
    }
    if (l.brace === '}') {
      if (stack.length > 1) stack.pop();
      else diags.error(at, "extra '}' found", "remove the '}' or add the missing '{'");
      previous = undefined;
      continue;
    }
    const st: Stmt = { words: l.tokens, file: l.file, line: l.line, raw: l.raw };
    current.push(st);
    previous = st;
  }
  if (stack.length > 1) {
    const last = lines[lines.length - 1];
    const open = stack.length - 1;
    diags.error(
      { file: last?.file ?? '', line: last?.line ?? 0 },
      `there ${open === 1 ? "is 1 missing '}'" : `are ${open} missing '}'s`} at end of input`,
      "close every '{' with a '}'",
    );
  }
  return root;
}
