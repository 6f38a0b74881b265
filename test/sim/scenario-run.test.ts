import { describe, expect, it } from 'vitest';
import { readPcap } from '../../protocol/pcap.js';
import { parseFrame } from '../../protocol/frame.js';
import { describeReproduction, shrinkFailure } from '../../sim/reproduce.js';
import { runScenario } from '../../sim/run.js';
import { createToyRuntime, toyModels } from './helpers/toy-runtime.js';
import { loadToyScenario, toyHosts } from './helpers/toy-scenario.js';

const opts = { createRuntime: createToyRuntime, models: toyModels };

const SPLIT = `
name: toy split brain
duration: 40s
segments:
  lan: { delay: 0.2ms, jitter: 0.3ms }
${toyHosts()}
timeline:
  - at: 10s
    for: 10s
    partition: [[a, client], [b]]
expect:
  - at: 8s
    expect: { host: a, instance: VI_1, state: MASTER }
  - at: 18s
    expect: { masters: 2, vrid: 51 }
  - at: 30s
    expect: { masters: 1, vrid: 51 }
  - at: 30s
    expect: { observer: client, vip: 198.51.100.100, host: a }
  - from: 20s
    to: 22s
    expect: { garp: 198.51.100.100, host: a }
  - from: 25s
    to: 40s
    expect: { transitions: 0 }
`;

describe('scenario runs', () => {
  it('passes its expectations and reports no violation', () => {
    const r = runScenario(loadToyScenario(SPLIT), opts);
    expect(r.expectations.filter((x) => !x.ok)).toEqual([]);
    expect(r.expectations).toHaveLength(6);
    expect(r.violations).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('same seed ⇒ byte-identical trace; another seed ⇒ a different one (jitter draws)', () => {
    const scn = loadToyScenario(SPLIT);
    const lines = (seed: number) => {
      const out: string[] = [];
      runScenario(scn, { ...opts, seed, traceLine: (l) => out.push(l) });
      return out.join('\n');
    };
    const a = lines(7);
    expect(a.length).toBeGreaterThan(1000);
    expect(lines(7)).toBe(a);
    expect(lines(8)).not.toBe(a);
    const d1 = runScenario(scn, { ...opts, seed: 7, digest: true }).traceDigest;
    expect(d1).toBe(runScenario(scn, { ...opts, seed: 7, digest: true }).traceDigest);
  });

  it('writes a pcap our own parser reads back as VRRP and ARP', () => {
    const r = runScenario(loadToyScenario(SPLIT), { ...opts, pcap: true });
    const file = readPcap(r.pcap!);
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    const kinds = new Set(file.value.records.map((rec) => parseFrame(rec.data).kind));
    expect(kinds).toEqual(new Set(['vrrp', 'arp']));
    expect(file.value.records.length).toBe(r.stats.frames);
  });

  it('renders an SVG with a panel row per host and the fault marked', () => {
    const svg = runScenario(loadToyScenario(SPLIT), opts).svg();
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a · VI_1');
    expect(svg).toContain('b · VI_1');
    expect(svg).toContain('partition lan');
    expect(svg).toContain('#2e7d32');
  });

  it('shrinks a failing chaos run to the fault that matters', () => {
    const yaml = `
name: toy chaos
duration: 60s
${toyHosts({ bugs: '{"keepVips":true}' })}
chaos: { faults: 6, kinds: [pause, drift, delay], from: 5s, to: 40s, maxDuration: 5s }
timeline:
  - at: 20s
    for: 5s
    partition: [[a, client], [b]]
`;
    const scn = loadToyScenario(yaml);
    const r = runScenario(scn, { ...opts, seed: 3 });
    expect(r.violations.length).toBeGreaterThan(0);
    expect(r.timeline.length).toBeGreaterThan(1);
    const repro = shrinkFailure(r, opts)!;
    expect(repro.faults.length).toBeLessThan(r.timeline.length);
    const again = runScenario(scn, { ...opts, seed: 3, timeline: repro.faults });
    expect(again.violations.some((v) => v.id === repro.violation.id)).toBe(true);
    const text = describeReproduction(repro, 'toy.yaml');
    expect(text).toContain('--seed 3');
    expect(text).toContain('timeline:');
  });

  it('rejects a scenario with a typo, naming file and line', () => {
    expect(() => loadToyScenario(`${toyHosts()}\ntimeline:\n  - at: 5s\n    crash: c\n`)).toThrow(/toy.yaml:\d+: timeline.0.crash: unknown host "c"/);
    expect(() => loadToyScenario(`${toyHosts()}\ntimeline:\n  - at: 5s\n    explode: a\n`)).toThrow(/unknown fault "explode"/);
  });
});
