/** Loading the shipped example scenarios the way the CLI does. */
import { dirname, join, resolve } from 'node:path';
import { loadScenarioFile } from '../../../sim/tools/scenario-file.js';
import type { Scenario } from '../../../sim/scenario/types.js';

export const EXAMPLES_DIR = resolve(dirname(new URL(import.meta.url).pathname), '../../../examples');

export function loadExample(name: string): Scenario {
  const r = loadScenarioFile(join(EXAMPLES_DIR, name), { name: `examples/${name}` });
  if (!r.scenario) throw new Error(r.errors.join('\n'));
  return r.scenario;
}
