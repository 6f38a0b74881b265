/** The file-system side of config/'s compileConfig: the readers it is injected with. */
import { readdirSync, readFileSync, statSync } from 'node:fs';

/** A regular file's text, or undefined when it is missing, unreadable or not a file. */
export function readConfigText(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A directory's entry names (for `include` globs), or undefined when it cannot be read. */
export function listConfigDir(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}
