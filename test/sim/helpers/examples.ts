/** Loading the shipped example scenarios the way the CLI does. */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { keepalivedModels } from '../../../sim/model.js';
import { compileKeepalived } from '../../../sim/scenario/keepalived.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';

export const EXAMPLES_DIR = resolve(dirname(new URL(import.meta.url).pathname), '../../../examples');

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function loadExample(name: string): Scenario {
  const path = join(EXAMPLES_DIR, name);
  const read = (p: string) => readText(isAbsolute(p) ? p : join(dirname(path), p));
  const r = loadScenario(readFileSync(path, 'utf8'), `examples/${name}`, { readFile: read, compile: compileKeepalived(read), models: keepalivedModels });
  if (!r.scenario) throw new Error(r.errors.join('\n'));
  return r.scenario;
}
