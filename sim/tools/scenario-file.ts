/**
 * A scenario YAML read from disk: the files it names (keepalived configs, their includes) are
 * read relative to the scenario's own folder, and a file that cannot be read is reported by
 * loadScenario, not thrown. Shared by `keepalived-ts sim`, the benches, the digest tool and the
 * tests that load the shipped examples.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { keepalivedModels, type ModelAdapter } from '../model.js';
import { compileKeepalived } from '../scenario/keepalived.js';
import { loadScenario, type LoadResult } from '../scenario/load.js';

/** A file's text, or undefined when it cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads files relative to `base` (absolute paths as they are). */
export const readRelativeTo =
  (base: string) =>
  (p: string): string | undefined =>
    readText(isAbsolute(p) ? p : resolve(base, p));

export interface ScenarioFileOptions {
  /** How the scenario is named in messages (default: the path). */
  name?: string;
  models?: ModelAdapter;
  /** Rewrite the YAML text before it is loaded (benches trim timelines this way). */
  edit?: (text: string) => string;
}

export function loadScenarioFile(path: string, opts: ScenarioFileOptions = {}): LoadResult {
  const text = readText(path);
  if (text === undefined) return { errors: [`cannot read scenario ${path}`] };
  const read = readRelativeTo(dirname(path));
  return loadScenario(opts.edit ? opts.edit(text) : text, opts.name ?? path, { readFile: read, compile: compileKeepalived(read), models: opts.models ?? keepalivedModels });
}
