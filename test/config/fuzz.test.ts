/**
 * Fuzz: the first 5,000 of the seeded mutations that bench/config-fuzz.bench.ts runs 100,000 of
 * (test/config/fuzz-harness.ts). Every mutation compiles to diagnostics only (no exception, no
 * internal error, a keepalived -t exit code, at most the diagnostic cap, no line 0), and its
 * `--print` output compiles to the same model. Same seed, same inputs, every run.
 */
import { describe, expect, it } from 'vitest';
import { checkOne, corpus, FUZZ_SEED, mulberry32, mutate } from './fuzz-harness.js';

const COUNT = 5_000;

describe('fuzz', () => {
  it(`${COUNT.toLocaleString('en')} seeded mutations of the sample and seed configs give diagnostics only, and print back to the same model`, () => {
    const texts = corpus();
    const rnd = mulberry32(FUZZ_SEED);
    const failures: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const text = mutate(texts[i % texts.length]!, rnd);
      const problems = checkOne(text, [1, 2, 3].map((k) => texts[(i + k) % texts.length]!));
      if (problems.length) failures.push(`mutation ${i}: ${problems.join('; ')}\n--- input ---\n${text.slice(0, 2000)}`);
      if (failures.length >= 5) break;
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
