/**
 * The LVS example scenarios (in examples/, run by examples.test.ts for their expectations), as
 * `keepalived-ts sim` runs them: the daemon's own composition root on every host, so each
 * director runs the LVS subsystem (actors/lvs/) against the simulator's real servers, prober and
 * table. Here: the directors really run it (checker events, a programmed table), and the checker
 * chaos scenario holds its invariants over many seeds.
 */
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import type { Scenario } from '../../sim/scenario/types.js';
import { loadExample } from './helpers/examples.js';

const LVS_EXAMPLES = ['chaos-lvs-checkers.yaml', 'lvs-flapping-server-hysteresis.yaml', 'lvs-web-pool-sorry-server.yaml', 'seed-003-lvs-dr-checkers.yaml'];

const run = (scn: Scenario, seed?: number) => runScenario(scn, { createRuntime: createDaemonRuntime, ...(seed !== undefined ? { seed } : {}) });
const failures = (r: ReturnType<typeof run>) => [...r.violations.map((v) => `${v.id} at ${v.t / 1e6}: ${v.message}`), ...r.expectations.filter((x) => !x.ok).map((x) => `${x.text} — ${x.detail}`)];

/** How many seeds of the chaos scenario the test runs (docs/simulator.md gives a 1000-seed figure). */
const CHAOS_SEEDS = 100;

describe('LVS examples, through the LVS subsystem', () => {
  for (const name of LVS_EXAMPLES) {
    it(`${name}: every director runs its checkers (healthchecker lines, real-server events) and meets the expectations`, () => {
      const scn = loadExample(name);
      expect(scn.warnings.filter((w) => !/ports don't match - resetting/.test(w))).toEqual([]);
      const logs: string[] = [];
      const r = runScenario(scn, { createRuntime: createDaemonRuntime, digest: true, listen: (e) => e.type === 'log' && logs.push(`${e.host} ${e.message}`) });
      const directors = scn.world.hosts.filter((h) => ((h.model as { virtualServers?: unknown[] } | undefined)?.virtualServers?.length ?? 0) > 0).map((h) => h.name);
      expect(directors.length).toBeGreaterThan(0);
      for (const d of directors) {
        expect(r.history.some((e) => e.type === 'lvs-rs' && e.host === d)).toBe(true);
        expect(logs.some((l) => l.startsWith(`${d} `) && /Activating healthchecker for service/.test(l))).toBe(true);
        expect(logs.filter((l) => /no health-check prober|not checked|no load-balancer/.test(l))).toEqual([]);
      }
      expect(failures(r)).toEqual([]);
    });
  }

  it(`chaos-lvs-checkers.yaml: seeds 1..${CHAOS_SEEDS} pass with zero invariant violations`, () => {
    const scn = loadExample('chaos-lvs-checkers.yaml');
    const failing: string[] = [];
    for (let seed = 1; seed <= CHAOS_SEEDS; seed++) {
      const r = run(scn, seed);
      if (!r.passed || r.violations.length > 0) failing.push(`seed ${seed}: ${failures(r).slice(0, 3).join(' | ')}`);
    }
    expect(failing).toEqual([]);
  }, 600_000);
});
