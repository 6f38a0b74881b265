/** The JSON-lines trace: each event once, and `--trace -` keeps stdout pure JSON. */
import { describe, expect, it } from 'vitest';
import type { Ports } from '../../actors/ports.js';
import type { CreateRuntime } from '../../actors/runtime-types.js';
import { run } from '../../adapters/node/commands/sim.js';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import { loadScenarioFile } from '../../sim/tools/scenario-file.js';
import { EXAMPLES_DIR } from './helpers/examples.js';

describe('trace', () => {
  it('records each log line once (the Logger port), not again as a runtime event', () => {
    let logged = 0;
    const counting: CreateRuntime = (ports: Ports, model, opts) =>
      createDaemonRuntime({ ...ports, logger: { log: (level, message) => (logged++, ports.logger.log(level, message)) } }, model, opts);
    const scn = loadScenarioFile(`${EXAMPLES_DIR}/split-brain.yaml`).scenario!;
    const lines: string[] = [];
    runScenario(scn, { createRuntime: counting, traceLine: (l) => lines.push(l) });
    const logEvents = lines.map((l) => JSON.parse(l)).filter((e) => e.type === 'log');
    expect(logged).toBeGreaterThan(10);
    expect(logEvents).toHaveLength(logged);
  });
});

async function sim(args: string[]): Promise<{ code: number; out: string[]; err: string[]; raw: Array<Uint8Array | string> }> {
  const out: string[] = [];
  const err: string[] = [];
  const raw: Array<Uint8Array | string> = [];
  const code = await run(args, { stdout: (s) => out.push(...s.split('\n')), stderr: (s) => err.push(...s.split('\n')), stdoutRaw: (d) => raw.push(d), isTTY: false, cwd: EXAMPLES_DIR });
  return { code, out, err, raw };
}

describe('sim --trace -', () => {
  it('writes pure JSON lines on stdout; the timeline and summary go to stderr', async () => {
    const r = await sim(['split-brain.yaml', '--trace', '-']);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(100);
    for (const line of r.out) expect(() => JSON.parse(line), line).not.toThrow();
    expect(r.err.join('\n')).toContain('BACKUP → MASTER');
    expect(r.err.join('\n')).toMatch(/expectations met, 0 invariant violations/);
  });

  it('stays pure JSON with --quiet and with --seeds', async () => {
    for (const args of [['--quiet'], ['--seeds', '1..2', '--quiet'], ['--seeds', '1..2']]) {
      const r = await sim(['split-brain.yaml', '--trace', '-', ...args]);
      expect(r.code).toBe(0);
      expect(r.out.length).toBeGreaterThan(100);
      for (const line of r.out) expect(() => JSON.parse(line), `${args.join(' ')}: ${line}`).not.toThrow();
      expect(r.err.join('\n')).toMatch(/expectations met|2 seeds, 0 failing/);
    }
  });

  it('--svg - writes the SVG alone on stdout; two outputs on stdout are refused', async () => {
    const r = await sim(['split-brain.yaml', '--svg', '-', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([]);
    expect(String(r.raw[0])).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const both = await sim(['split-brain.yaml', '--svg', '-', '--trace', '-']);
    expect(both.code).toBe(2);
    expect(both.err.join('\n')).toContain('only one output can go to stdout (-), got --trace and --svg');
  });
});
