/**
 * Turning a failing run into something a person can replay: the seed, the simulated time of
 * the first violation, and the smallest fault list (by delta debugging) that still produces a
 * violation of the same invariant — printed as a scenario `timeline:` block.
 */
import { stringify } from 'yaml';
import { entryToData, type TimelineEntry } from './faults.js';
import { runScenario, type RunOptions, type RunResult, type ViolationEvent } from './run.js';
import { ddmin } from './shrink.js';
import { formatMicros } from './time.js';

export interface Reproduction {
  seed: number;
  violation: ViolationEvent;
  faults: TimelineEntry[];
  /** Re-runs the shrinking took. */
  runs: number;
  /** The shrunk fault list as scenario YAML (`timeline:` with every fault as data). */
  yaml: string;
}

/** `timeline:` with one block entry per fault and the fault's parameters in flow style. */
export function faultsYaml(entries: readonly TimelineEntry[]): string {
  const lines = ['timeline:'];
  for (const e of entries) {
    const data = entryToData(e);
    const keys = Object.keys(data);
    keys.forEach((k, i) => {
      const value = stringify(data[k], { collectionStyle: 'flow', flowCollectionPadding: true, lineWidth: 0 }).trimEnd();
      lines.push(`${i === 0 ? '  - ' : '    '}${k}: ${value}`);
    });
  }
  return lines.join('\n');
}

export function shrinkFailure(result: RunResult, opts: RunOptions, budget = 60): Reproduction | undefined {
  const first = result.violations.find((v) => !result.scenario.expectViolations.includes(v.id));
  if (!first) return undefined;
  const fails = (subset: TimelineEntry[]) =>
    runScenario(result.scenario, { createRuntime: opts.createRuntime, ...(opts.models ? { models: opts.models } : {}), ...(opts.compile ? { compile: opts.compile } : {}), seed: result.seed, untilMs: result.untilMs, timeline: subset }).violations.some(
      (v) => v.id === first.id,
    );
  const shrunk = ddmin(result.timeline, fails, budget);
  return { seed: result.seed, violation: first, faults: shrunk.items, runs: shrunk.runs, yaml: faultsYaml(shrunk.items) };
}

export function describeReproduction(r: Reproduction, scenarioFile: string): string {
  return [
    `violation ${r.violation.id} at ${formatMicros(r.violation.t)} with seed ${r.seed}: ${r.violation.message}`,
    `reproduce: keepalived-ts sim ${scenarioFile} --seed ${r.seed}`,
    `smallest fault list that still fails (${r.faults.length} fault${r.faults.length === 1 ? '' : 's'}, ${r.runs} re-runs):`,
    r.faults.length > 0 ? r.yaml.replace(/^/gm, '  ') : '  timeline: []   # fails without any fault',
  ].join('\n');
}
