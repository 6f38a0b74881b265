/**
 * One line of sim/tools/example-digests.ts: the digests of one example's trace and pcap for one
 * seed. The tool runs it in process or, as a worker thread's default export, on a pool.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createDaemonRuntime } from '../daemon-runtime.js';
import { runScenario } from '../run.js';
import type { Scenario } from '../scenario/types.js';
import { loadScenarioFile } from './scenario-file.js';

export interface DigestItem {
  dir: string;
  file: string;
  seed: number;
}

let loaded: { path: string; scenario: Scenario | undefined; errors: string[] } | undefined;

/** `{ line }`, or `{ error }` when the example cannot load (the tool prints it and exits 1). */
export default function exampleDigest(item: DigestItem): { line: string; failed: boolean } {
  const path = join(item.dir, item.file);
  if (loaded?.path !== path) {
    const r = loadScenarioFile(path, { name: `examples/${item.file}` });
    loaded = { path, scenario: r.scenario, errors: r.scenario ? [] : r.errors };
  }
  if (!loaded.scenario) return { line: `${item.file} cannot load: ${loaded.errors.join('; ')}`, failed: true };
  const trace = createHash('sha256');
  const r = runScenario(loaded.scenario, { createRuntime: createDaemonRuntime, seed: item.seed, traceLine: (l) => trace.update(`${l}\n`), pcap: true });
  const pcap = createHash('sha256').update(r.pcap ?? new Uint8Array(0));
  const failed = r.expectations.filter((e) => !e.ok).length;
  return {
    line: `${item.file} seed ${item.seed} trace ${trace.digest('hex').slice(0, 16)} pcap ${pcap.digest('hex').slice(0, 16)} violations ${r.violations.length} failed-expectations ${failed}`,
    failed: false,
  };
}
