/** Many seeds of one scenario: run each, keep only what a summary needs. */
import { runScenario, type RunOptions, type ViolationEvent } from '../run.js';
import type { Scenario } from '../scenario/types.js';

export interface SeedOutcome {
  seed: number;
  violations: ViolationEvent[];
  failedExpectations: string[];
  events: number;
}

/** What one seed's run leaves for the summary (plain data: it crosses worker threads). */
export interface SeedResult {
  seed: number;
  passed: boolean;
  events: number;
  simulatedMs: number;
  violations: ViolationEvent[];
  failedExpectations: string[];
}

export interface SeedsSummary {
  runs: number;
  failing: SeedOutcome[];
  events: number;
  /** Simulated ms over all runs. */
  simulatedMs: number;
}

/** Run one seed; a passing run keeps no violations or expectation texts. */
export function runSeed(scn: Scenario, seed: number, opts: RunOptions): SeedResult {
  const r = runScenario(scn, { ...opts, seed });
  const failedExpectations = r.passed ? [] : r.expectations.filter((x) => !x.ok).map((x) => `${x.text} — ${x.detail}`);
  return { seed, passed: r.passed, events: r.stats.events, simulatedMs: r.untilMs, violations: r.passed ? [] : r.violations, failedExpectations };
}

export function emptySummary(): SeedsSummary {
  return { runs: 0, failing: [], events: 0, simulatedMs: 0 };
}

/** Fold one seed's result into the summary (call in seed order). */
export function addSeedResult(summary: SeedsSummary, r: SeedResult): void {
  summary.runs++;
  summary.events += r.events;
  summary.simulatedMs += r.simulatedMs;
  if (!r.passed) summary.failing.push({ seed: r.seed, violations: r.violations, failedExpectations: r.failedExpectations, events: r.events });
}

export function runSeeds(
  scn: Scenario,
  range: { from: number; to: number },
  opts: RunOptions,
  onProgress?: (done: number, total: number, failing: number) => void,
): SeedsSummary {
  const total = range.to - range.from + 1;
  const summary = emptySummary();
  for (let seed = range.from; seed <= range.to; seed++) {
    addSeedResult(summary, runSeed(scn, seed, opts));
    onProgress?.(summary.runs, total, summary.failing.length);
  }
  return summary;
}
