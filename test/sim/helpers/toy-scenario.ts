/** Loading scenario YAML whose host `config:` is a JSON toy model (see toy-runtime.ts). */
import { loadScenario } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { toyModels } from './toy-runtime.js';

export function loadToyScenario(yaml: string, file = 'toy.yaml'): Scenario {
  const r = loadScenario(yaml, file, {
    readFile: () => undefined,
    compile: (text) => ({ model: JSON.parse(text), errors: [], warnings: [] }),
    models: toyModels,
  });
  if (!r.scenario) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

export function toyHosts(opts: { bugs?: string } = {}): string {
  const inst = (prio: number) => `'{"instances":[{"name":"VI_1","vrid":51,"ifname":"eth0","priority":${prio},"vips":["198.51.100.100"]}]${opts.bugs ? `,"bugs":${opts.bugs}` : ''}}'`;
  return `
hosts:
  a:
    nics: { eth0: { segment: lan, address: 198.51.100.11/24 } }
    config: ${inst(150)}
  b:
    nics: { eth0: { segment: lan, address: 198.51.100.12/24 } }
    config: ${inst(100)}
  client:
    nics: { eth0: { segment: lan, address: 198.51.100.200/24 } }
`;
}
