/**
 * The config fuzzer at full size: 100,000 seeded mutations of the sample and seed configs
 * (test/config/fuzz-harness.ts; the test suite runs the first 5,000), each compiled among three
 * neighbour files, printed and compiled again. Then a 16 MB config of each worst kind (a plain
 * config, one block of 16 MB, one line per word…) in a child process, for its time and peak RSS.
 *
 *   npx tsx bench/config-fuzz.bench.ts [count] [--no-16mb]
 *
 * Prints the count, the time, the slowest mutation and every failure; exits 1 on a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOne, corpus, FUZZ_SEED, mulberry32, mutate } from '../test/config/fuzz-harness.js';
import { generateConfig } from './config.bench.js';

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const texts = corpus();
const rnd = mulberry32(FUZZ_SEED);
const failures: string[] = [];
const times: number[] = [];
let slowest = { ms: 0, i: -1 };
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  const text = mutate(texts[i % texts.length]!, rnd);
  const stats = { ms: 0, printedMs: 0 };
  const problems = checkOne(text, [1, 2, 3].map((k) => texts[(i + k) % texts.length]!), stats);
  const ms = stats.ms + stats.printedMs;
  times.push(ms);
  if (ms > slowest.ms) slowest = { ms, i };
  if (problems.length) {
    failures.push(`mutation ${i}: ${problems.join('; ')}`);
    console.log(`  FAIL mutation ${i}: ${problems.join('; ').slice(0, 400)}`);
  }
  if ((i + 1) % 10_000 === 0) console.log(`  ${i + 1} mutations, ${((performance.now() - t0) / 1000).toFixed(0)} s, ${failures.length} failures`);
}
const total = (performance.now() - t0) / 1000;
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))]!.toFixed(1);
console.log(`fuzz: ${count} mutations in ${total.toFixed(0)} s; per mutation (compile + print + compile): median ${pct(0.5)} ms, p99 ${pct(0.99)} ms, slowest ${slowest.ms.toFixed(0)} ms (#${slowest.i}); failures: ${failures.length}`);

/** 16 MB configs, each compiled by `check` in a fresh process: wall time, exit code, peak RSS. */
function sixteen(): void {
  const dir = mkdtempSync(join(tmpdir(), 'kts-fuzz16-'));
  try {
    const MB16 = 16 * 1024 * 1024;
    const plain = generateConfig(33_000, 1_000);
    const kinds: Record<string, string> = {
      'realistic (33,000 instances)': plain.length > MB16 ? plain.slice(0, plain.lastIndexOf('\n}\n', MB16) + 3) : plain,
      'one block of short lines': `global_defs {\n notification_email {\n${'  a@example.com\n'.repeat(Math.floor(MB16 / 16))} }\n}\n`,
      'one word per line, no block': 'x\n'.repeat(MB16 / 2),
      'long lines of words': `${'a '.repeat(32_000)}\n`.repeat(Math.floor(MB16 / 64_001)),
      'nested ~SEQ and doubling definitions': `$A=${'y'.repeat(1000)}\n$B=$A $A\n$C=$B $B\n~SEQ(i,0,1,2000) ~SEQ(j,0,1,2000) $C\n`.padEnd(MB16, '\n'),
    };
    for (const [name, text] of Object.entries(kinds)) {
      const f = join(dir, 'k.conf');
      writeFileSync(f, text);
      const started = performance.now();
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, '--import', 'tsx', 'adapters/node/cli.ts', 'check', '--no-host', '-f', f], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const ms = performance.now() - started;
      const rssKb = Number(r.stderr.trim().split('\n').pop());
      console.log(`16 MB, ${name}: ${(text.length / 1024 / 1024).toFixed(1)} MB, check exit ${r.status}, ${(ms / 1000).toFixed(1)} s (with ~1 s of tsx start-up), peak RSS ${(rssKb / 1024).toFixed(0)} MB`);
      if (r.status === 1 || r.status === null) failures.push(`16 MB ${name}: exit ${r.status ?? r.signal}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (!process.argv.includes('--no-16mb')) sixteen();
console.log(`machine: ${cpus().length} cpus, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared; times scale with load)`);
process.exitCode = failures.length ? 1 : 0;
