/** S9: the same scenario and seed give a byte-identical trace; another seed changes a random scenario. */
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import { loadExample } from './helpers/examples.js';

function trace(name: string, seed: number): { text: string; digest: string | undefined } {
  const lines: string[] = [];
  const r = runScenario(loadExample(name), { createRuntime: createDaemonRuntime, seed, traceLine: (l) => lines.push(l) });
  return { text: lines.join('\n'), digest: r.traceDigest };
}

describe('determinism', () => {
  it('two runs of one seed are byte-identical, adverts, drops and logs included', () => {
    const a = trace('split-brain.yaml', 1);
    const b = trace('split-brain.yaml', 1);
    expect(a.text.length).toBeGreaterThan(10_000);
    expect(a.text).toContain('"type":"advert"');
    expect(a.text).toContain('"type":"drop"');
    expect(b.text).toBe(a.text);
    expect(b.digest).toBe(a.digest);
  });

  it('a chaos scenario with another seed runs other faults and gives another trace', () => {
    const a = trace('chaos-three-node.yaml', 11);
    const again = trace('chaos-three-node.yaml', 11);
    const other = trace('chaos-three-node.yaml', 12);
    expect(again.text).toBe(a.text);
    expect(other.text).not.toBe(a.text);
    expect(other.digest).not.toBe(a.digest);
  });

  it('jitter alone is enough to change the trace between seeds', () => {
    expect(trace('split-brain.yaml', 2).text).not.toBe(trace('split-brain.yaml', 1).text);
  });
});
