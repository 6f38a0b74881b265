/**
 * Loading what `keepalived-ts sim` runs: a scenario file or `--config` files (compiled, named,
 * linted as one cluster), and the run options every seed uses. Shared by the command and by the
 * worker threads of a `--seeds` sweep, which rebuild the same scenario from the same arguments.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreateRuntime } from '../../../actors/runtime-types.js';
import type { Diagnostic, KeepalivedConfig } from '../../../config/model.js';
import { lintCluster } from '../../../config/lint-cluster.js';
import { adhocScenarioYaml, commandLineErrors, nameConfigs, type AdhocHost } from '../../../sim/cli/adhoc.js';
import type { SimArgs } from '../../../sim/cli/args.js';
import type { ModelAdapter } from '../../../sim/model.js';
import type { RunOptions } from '../../../sim/run.js';
import { compileKeepalived } from '../../../sim/scenario/keepalived.js';
import { loadScenario } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { loadScenarioFile, readRelativeTo, readText } from '../../../sim/tools/scenario-file.js';

/** The bundled default scenario: examples/default.yaml next to the sources (or above dist/). */
export function defaultScenarioPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../examples/default.yaml'), resolve(here, '../../../../examples/default.yaml')];
  return candidates.find((p) => readText(p) !== undefined) ?? candidates[0]!;
}

export interface Loaded {
  scenario: Scenario;
  displayName: string;
  /** Findings of the cross-node lint (--config mode), already formatted. */
  lint: Diagnostic[];
}

/** A scenario with a director and its real servers, for configs with virtual_server blocks. */
const LVS_EXAMPLE = 'examples/lvs-web-pool-sorry-server.yaml';

/** `--config` files: compiled, named, linted as one cluster, turned into a scenario. */
function loadFromConfigs(args: SimArgs, cwd: string, models: ModelAdapter): Loaded | string[] {
  const named = nameConfigs(args.configs);
  if ('error' in named) return [named.error];
  const readCwd = readRelativeTo(cwd);
  const compile = compileKeepalived(readCwd);
  const hosts: AdhocHost[] = [];
  for (const { name, path } of named) {
    const text = readCwd(path);
    if (text === undefined) return [`--config ${path}: cannot read the file`];
    const c = compile(text, path, []);
    if (c.errors.length > 0) return c.errors;
    hosts.push({ name, path, model: c.model as KeepalivedConfig });
  }
  if (hosts.every((h) => h.model.vrrpInstances.length === 0)) {
    const lvs = hosts.reduce((n, h) => n + h.model.virtualServers.length, 0);
    return [
      `nothing to simulate: ${hosts.map((h) => h.path).join(', ')} ${hosts.length === 1 ? 'has' : 'have'} no vrrp_instance${lvs > 0 ? ` (only ${lvs} virtual_server block${lvs === 1 ? '' : 's'}: --config builds no real servers to check; declare them in a scenario file, as ${LVS_EXAMPLE} does)` : ''}`,
    ];
  }
  const lint = hosts.length > 1 ? lintCluster(hosts.map((h) => ({ name: h.name, model: h.model }))) : [];
  const yaml = adhocScenarioYaml(hosts, args.faults);
  if (typeof yaml !== 'string') return [yaml.error];
  const r = loadScenario(yaml, '(command line)', { readFile: readCwd, compile, models });
  if (!r.scenario) return commandLineErrors(r.errors, named, args.faults);
  for (const h of hosts) {
    const n = h.model.virtualServers.length;
    if (n > 0) r.scenario.warnings.push(`${h.name}: ${h.path}: ${n} virtual_server block${n === 1 ? '' : 's'} run${n === 1 ? 's' : ''} with no real servers behind ${n === 1 ? 'it' : 'them'} (--config builds none), so every check fails; declare them in a scenario file, as ${LVS_EXAMPLE} does`);
  }
  const shell = (a: string) => (/^[\w./=:@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const displayName = [...args.configs.map((c) => `--config ${shell(c)}`), ...args.faults.map((f) => `--fault ${shell(f)}`)].join(' ');
  return { scenario: r.scenario, displayName, lint };
}

export function loadFromArgs(args: SimArgs, cwd: string, models: ModelAdapter): Loaded | string[] {
  if (args.configs.length > 0) return loadFromConfigs(args, cwd, models);
  const path = args.scenario ? resolve(cwd, args.scenario) : defaultScenarioPath();
  const r = loadScenarioFile(path, { name: args.scenario ?? path, models });
  return r.scenario ? { scenario: r.scenario, displayName: args.scenario ?? path, lint: [] } : r.errors;
}

/** The options every run of `scn` uses: the runtime, the models, and reload's compiler. */
export function runOptionsFor(scn: Scenario, createRuntime: CreateRuntime, models: ModelAdapter): RunOptions {
  const reload = compileKeepalived((p) => readText(p));
  return {
    createRuntime,
    models,
    compile: (text, host) => reload(text, `${host} (reload)`, scn.world.hosts.find((h) => h.name === host)?.nics.map((n) => n.name) ?? []).model,
  };
}
