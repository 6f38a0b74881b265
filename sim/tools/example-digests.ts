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
 * The runs go to worker threads (`--jobs N`, default one per core; `--jobs 1`: in this process);
 * the lines come out in the same order either way. A load failure or a failed worker exits 1.
 */
import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultJobs, poolMapInOrder } from '../cli/seed-pool.js';
import exampleDigest, { type DigestItem } from './example-digest-run.js';

const here = fileURLToPath(import.meta.url);
const examples = resolve(dirname(here), '../../examples');
const i = process.argv.indexOf('--jobs');
const jobs = i >= 0 ? Number(process.argv[i + 1]) : defaultJobs();
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`--jobs wants a positive integer, got ${process.argv[i + 1]}`);
  process.exit(2);
}

const items: DigestItem[] = [];
for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml')).sort()) {
  const seeds = file.startsWith('chaos') ? 12 : 3;
  for (let seed = 1; seed <= seeds; seed++) items.push({ dir: examples, file, seed });
}

const printed = new Set<string>();
const print = (r: { line: string; failed: boolean }) => {
  if (r.failed) {
    process.exitCode = 1;
    // A file that cannot load says so once, as the serial loop always did.
    if (printed.has(r.line)) return;
    printed.add(r.line);
  }
  console.log(r.line);
};

if (jobs === 1) for (const item of items) print(exampleDigest(item));
else
  await poolMapInOrder(
    {
      worker: new URL(`./example-digest-run${here.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
      items,
      jobs,
      onFailure: (item, e) => ({ line: `${item.file} seed ${item.seed}: the worker thread failed: ${e instanceof Error ? e.message : String(e)}`, failed: true }),
    },
    print,
  );
