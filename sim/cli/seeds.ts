/** Many seeds of one scenario: run each, keep only what a summary needs. */
import { runScenario, type RunOptions, type ViolationEvent } from '../run.js';
import type { Scenario } from '../scenario/types.js';

export interface SeedOutcome {
  seed: number;
  violations: ViolationEvent[];
  failedExpectations: string[];
  events: number;
}

export interface SeedsSummary {
  runs: number;
  failing: SeedOutcome[];
  events: number;
  /** Simulated ms over all runs. */
  simulatedMs: number;
}

export function runSeeds(
  scn: Scenario,
  range: { from: number; to: number },
  opts: RunOptions,
  onProgress?: (done: number, total: number, failing: number) => void,
): SeedsSummary {
  const total = range.to - range.from + 1;
  const summary: SeedsSummary = { runs: 0, failing: [], events: 0, simulatedMs: 0 };
  for (let seed = range.from; seed <= range.to; seed++) {
    const r = runScenario(scn, { ...opts, seed });
    summary.runs++;
    summary.events += r.stats.events;
    summary.simulatedMs += r.untilMs;
    if (!r.passed)
      summary.failing.push({
        seed,
        violations: r.violations,
        failedExpectations: r.expectations.filter((x) => !x.ok).map((x) => `${x.text} — ${x.detail}`),
        events: r.stats.events,
      });
    onProgress?.(summary.runs, total, summary.failing.length);
  }
  return summary;
}
