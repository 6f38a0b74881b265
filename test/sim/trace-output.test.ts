/** The JSON-lines trace: each event once, and `--trace -` keeps stdout pure JSON. */
import { describe, expect, it } from 'vitest';
import type { Ports } from '../../actors/ports.js';
import type { CreateRuntime } from '../../actors/runtime-types.js';
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
