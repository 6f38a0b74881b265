/**
 * Runs every bench/*.bench.ts in turn (in its own process, through tsx) and prints their figures.
 *
 *   npm run bench                      # all of them
 *   npm run bench -- codec sim         # only the benches whose file name contains one of the words
 *
 * Benches that need root (daemon-vs-keepalived) print a skip message themselves when not root.
 * Exit code: 0 when every bench exited 0, else 1 (the list of failures is printed at the end).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

const failed: string[] = [];
for (const file of benches) {
  console.log(`\n===== ${file} =====`);
  const started = Date.now();
  // --conditions: workspace packages (packages/*) run from their TypeScript sources, never a stale build.
  const r = spawnSync(process.execPath, ['--expose-gc', '--conditions=ipvs-netlink-source', '--import', 'tsx', join(here, file)], { stdio: 'inherit', cwd: join(here, '..') });
  const took = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) failed.push(`${file} (${r.signal ?? `exit ${r.status}`})`);
  console.log(`===== ${file}: ${r.status === 0 ? 'done' : 'FAILED'} in ${took} s =====`);
}
console.log(`\n${benches.length} benches run${failed.length ? `; failed: ${failed.join(', ')}` : ', all exited 0'}`);
process.exitCode = failed.length ? 1 : 0;
