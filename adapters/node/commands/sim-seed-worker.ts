/**
 * A worker thread of a `keepalived-ts sim --seeds` sweep (see sim/cli/seed-pool.ts): rebuilds the
 * scenario from the command's own arguments once, then runs the chunks of seeds it is given with
 * the same options as the serial loop.
 */
import { parseSimArgs } from '../../../sim/cli/args.js';
import type { SeedTask } from '../../../sim/cli/seed-pool.js';
import { runSeed, type SeedResult } from '../../../sim/cli/seeds.js';
import { createDaemonRuntime } from '../../../sim/daemon-runtime.js';
import { keepalivedModels } from '../../../sim/model.js';
import type { RunOptions } from '../../../sim/run.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { loadFromArgs, runOptionsFor } from './sim-load.js';

/** What the command passes: its arguments and working directory. */
export interface SeedWorkerSpec {
  argv: string[];
  cwd: string;
}

let prepared: { key: string; scn: Scenario; opts: RunOptions } | undefined;

function prepare(spec: SeedWorkerSpec): { scn: Scenario; opts: RunOptions } {
  const key = JSON.stringify(spec);
  if (prepared?.key === key) return prepared;
  const args = parseSimArgs(spec.argv);
  if ('error' in args) throw new Error(args.error);
  const loaded = loadFromArgs(args, spec.cwd, keepalivedModels);
  if (Array.isArray(loaded)) throw new Error(loaded.join('; '));
  const opts = runOptionsFor(loaded.scenario, createDaemonRuntime, keepalivedModels);
  prepared = { key, scn: loaded.scenario, opts: { ...opts, ...(args.untilMs !== undefined ? { untilMs: args.untilMs } : {}) } };
  return prepared;
}

export default function runSeedTask(task: SeedTask<SeedWorkerSpec>): SeedResult[] {
  const { scn, opts } = prepare(task.spec);
  const out: SeedResult[] = [];
  for (let seed = task.from; seed <= task.to; seed++) out.push(runSeed(scn, seed, opts));
  return out;
}
