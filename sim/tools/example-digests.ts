/**
 * Digests of every shipped example's trace and pcap, per seed: a quick check that a change meant
 * to be invisible (a faster path, a refactor) leaves every simulated run byte-identical.
 *
 *   npx tsx sim/tools/example-digests.ts > before.txt   # on the old commit
 *   npx tsx sim/tools/example-digests.ts > after.txt    # on the new one
 *   diff before.txt after.txt
 *
 * Seeds 1..3 for each example, 1..12 for the chaos example (its faults come from the seed).
 * Each line also shows how many invariant violations and failed expectations the run had.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createDaemonRuntime } from '../daemon-runtime.js';
import { runScenario } from '../run.js';
import { loadScenarioFile } from './scenario-file.js';

const examples = resolve(dirname(new URL(import.meta.url).pathname), '../../examples');

for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml')).sort()) {
  const loaded = loadScenarioFile(join(examples, file), { name: `examples/${file}` });
  if (!loaded.scenario) {
    console.log(`${file} cannot load: ${loaded.errors.join('; ')}`);
    process.exitCode = 1;
    continue;
  }
  const seeds = file.startsWith('chaos') ? 12 : 3;
  for (let seed = 1; seed <= seeds; seed++) {
    const trace = createHash('sha256');
    const r = runScenario(loaded.scenario, { createRuntime: createDaemonRuntime, seed, traceLine: (l) => trace.update(`${l}\n`), pcap: true });
    const pcap = createHash('sha256').update(r.pcap ?? new Uint8Array(0));
    const failed = r.expectations.filter((e) => !e.ok).length;
    console.log(`${file} seed ${seed} trace ${trace.digest('hex').slice(0, 16)} pcap ${pcap.digest('hex').slice(0, 16)} violations ${r.violations.length} failed-expectations ${failed}`);
  }
}
