/**
 * Start-up and reaction latency (sim/host/latency.ts): off unless asked, `latency: measured`
 * gives every host the measured figures, a host's `startup:` / `reaction:` set its own.
 */
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { MEASURED_LATENCY } from '../../sim/host/latency.js';
import { runScenario, type RunResult } from '../../sim/run.js';
import { loadPairScenario } from './helpers/pair-scenario.js';

const STOP_LB1 = '  - at: 10s\n    stop: lb1\n';

function load(top: string, lb1 = '', lb2 = '', timeline = STOP_LB1): { run: () => RunResult; errors: string[] } {
  const r = loadPairScenario({ name: 'latency', top, lb1, lb2, timeline });
  return { run: () => runScenario(r.scenario!, { createRuntime: createDaemonRuntime }), errors: r.errors };
}

const transitions = (r: RunResult, host: string, to: string): number[] =>
  r.history.filter((e) => e.type === 'state' && e.host === host && e.to === to).map((e) => (e as { t: number }).t / 1000);

describe('start-up and reaction latency', () => {
  it('is off by default: the daemon is in BACKUP at 0 and hands over at once on SIGTERM', () => {
    const r = load('').run();
    expect(transitions(r, 'lb1', 'BACKUP')[0]).toBe(0);
    // lb2 (100) takes over after its skew time, (256 − 100) / 256 s, from the priority-0 advert at 10 s
    expect(transitions(r, 'lb2', 'MASTER')[0]).toBeCloseTo(10_000 + 609.375, 0);
  });

  it('latency: measured delays the start and the reaction to SIGTERM by the measured figures', () => {
    const r = load('latency: measured\n').run();
    expect(transitions(r, 'lb1', 'BACKUP')[0]).toBe(MEASURED_LATENCY.startupMs);
    expect(transitions(r, 'lb2', 'BACKUP')[0]).toBe(MEASURED_LATENCY.startupMs);
    expect(transitions(r, 'lb2', 'MASTER')[0]).toBeCloseTo(10_000 + MEASURED_LATENCY.reactionMs + 609.375, 0);
  });

  it('per host: a slower start decides a close election', () => {
    // lb2 starts 0.5 s sooner than lb1 can: it becomes master first and lb1 preempts it later.
    const r = load('', '    startup: 600ms\n', '    startup: 100ms\n').run();
    expect(transitions(r, 'lb1', 'BACKUP')[0]).toBe(600);
    expect(transitions(r, 'lb2', 'MASTER')[0]).toBeLessThan(transitions(r, 'lb1', 'MASTER')[0]!);
    expect(transitions(r, 'lb2', 'BACKUP')).toHaveLength(2);
  });

  it('a carrier loss reaches the daemon after its reaction time', () => {
    const r = load('', '    reaction: 40ms\n', '', '  - at: 10s\n    link: lb1/eth0 down\n').run();
    expect(transitions(r, 'lb1', 'FAULT')[0]).toBe(10_040);
  });

  it('a stop during start-up ends the process without a runtime', () => {
    const r = load('', '    startup: 2s\n', '', '  - at: 1s\n    stop: lb1\n').run();
    expect(transitions(r, 'lb1', 'BACKUP')).toEqual([]);
    expect(r.history.some((e) => e.type === 'daemon' && e.host === 'lb1' && e.what === 'stopped')).toBe(true);
    expect(r.violations.map((v) => v.id)).toEqual([]);
  });

  it('is deterministic and rejects a bad value', () => {
    const a = runScenario(loadPairScenario({ name: 'latency', top: 'latency: measured\n', timeline: STOP_LB1 }).scenario!, { createRuntime: createDaemonRuntime, digest: true });
    const b = runScenario(loadPairScenario({ name: 'latency', top: 'latency: measured\n', timeline: STOP_LB1 }).scenario!, { createRuntime: createDaemonRuntime, digest: true });
    expect(a.traceDigest).toBe(b.traceDigest);
    expect(load('latency: fast\n').errors.join('\n')).toMatch(/latency.*expected measured or none/);
    expect(load('', '    startup: soon\n').errors.length).toBeGreaterThan(0);
  });
});
