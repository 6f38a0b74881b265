/**
 * Start-up and reaction latency (sim/host/latency.ts): off unless asked, `latency: measured`
 * gives every host the measured figures, a host's `startup:` / `reaction:` set its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { MEASURED_LATENCY } from '../../sim/host/latency.js';
import { runScenario, type RunResult } from '../../sim/run.js';
import { loadScenarioFile } from '../../sim/tools/scenario-file.js';

function node(name: string, priority: number, extra: string): string {
  return `  ${name}:
${extra}    nics: { eth0: { segment: lan, address: 198.51.100.${priority === 150 ? 11 : 12}/24 } }
    config: |
      vrrp_instance VI_1 {
          state BACKUP
          interface eth0
          virtual_router_id 51
          priority ${priority}
          advert_int 1
          virtual_ipaddress {
              198.51.100.100/24 dev eth0
          }
      }
`;
}

function load(top: string, lb1 = '', lb2 = '', timeline = '  - at: 10s\n    stop: lb1\n'): { run: () => RunResult; errors: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kts-lat-'));
  try {
    const path = join(dir, 's.yaml');
    writeFileSync(path, `name: latency\nseed: 1\nduration: 15s\n${top}segments:\n  lan: { delay: 0.05ms }\nhosts:\n${node('lb1', 150, lb1)}${node('lb2', 100, lb2)}timeline:\n${timeline}`);
    const r = loadScenarioFile(path);
    return { run: () => runScenario(r.scenario!, { createRuntime: createDaemonRuntime }), errors: r.errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    const a = runScenario(loadScenarioFileText('latency: measured\n'), { createRuntime: createDaemonRuntime, digest: true });
    const b = runScenario(loadScenarioFileText('latency: measured\n'), { createRuntime: createDaemonRuntime, digest: true });
    expect(a.traceDigest).toBe(b.traceDigest);
    expect(load('latency: fast\n').errors.join('\n')).toMatch(/latency.*expected measured or none/);
    expect(load('', '    startup: soon\n').errors.length).toBeGreaterThan(0);
  });
});

function loadScenarioFileText(top: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kts-lat-'));
  try {
    const path = join(dir, 's.yaml');
    writeFileSync(path, `name: latency\nseed: 1\nduration: 15s\n${top}segments:\n  lan: { delay: 0.05ms }\nhosts:\n${node('lb1', 150, '')}${node('lb2', 100, '')}timeline:\n  - at: 10s\n    stop: lb1\n`);
    return loadScenarioFile(path).scenario!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
