/** Entry points of the compiler (see config/index.ts). */
import { emptyConfig } from './defaults.js';
import type { Diagnostic, KeepalivedConfig } from './model.js';

export interface CompileOptions {
  /** Entries (file and directory names) of a directory, or undefined when it cannot be read. Used for include globs. */
  listDir?: (dir: string) => string[] | undefined;
  /** The config id matched by `@ID` lines (keepalived `-i`; keepalived's default is the short host name). */
  configId?: string;
  /** Environment for `${_ENV NAME}`. */
  env?: Record<string, string>;
}

export interface CompileResult {
  model: KeepalivedConfig;
  diagnostics: Diagnostic[];
}

export function compileConfig(
  entryPath: string,
  readFile: (path: string) => string | undefined,
  opts: CompileOptions = {},
): CompileResult {
  void readFile;
  void opts;
  // Interface commit: the reader and keyword tree land in the next commits.
  return {
    model: emptyConfig([entryPath]),
    diagnostics: [{ file: entryPath, line: 0, column: 0, severity: 'error', message: 'compiler not implemented yet' }],
  };
}

export function compileText(text: string, fileName = 'keepalived.conf', opts: CompileOptions = {}): CompileResult {
  return compileConfig(fileName, (p) => (p === fileName ? text : undefined), opts);
}
