/**
 * X1 sees the bugs the runtime survives: an actor that throws inside a lifecycle phase is caught
 * (the phase moves on, `actor … failed` is logged), and the simulator still reports it.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../actors/runtime.js';
import type { CreateRuntime } from '../../actors/runtime-types.js';
import type { Subsystem, SubsystemFactory } from '../../actors/subsystem.js';
import { SUBSYSTEMS } from '../../actors/subsystems.js';
import type { KeepalivedConfig } from '../../config/model.js';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import { loadExample } from './helpers/examples.js';

/** A subsystem whose start-up step throws on one host: a bug inside `starting.spawning`. */
const crashOnStart = (host: string): SubsystemFactory => (h) => {
  const sub: Subsystem<null> = {
    children: {},
    plan: () => ({ plan: null, problems: [] }),
    sweep: () => [],
    start: () => [{ run: () => { if (h.options.name === host) throw new Error('start step exploded'); } }],
    reload: () => [],
    release: () => [],
    drain: () => [],
    close: () => undefined,
  };
  return sub as Subsystem;
};

describe('X1: actor errors', () => {
  it('a crash inside a lifecycle phase is a violation, though the daemon carries on', () => {
    const scn = loadExample('default.yaml');
    const withCrash: CreateRuntime = (ports, model, opts) => createRuntime(ports, model as KeepalivedConfig, opts, [...SUBSYSTEMS, crashOnStart('lb1')]);
    const r = runScenario(scn, { createRuntime: withCrash, seed: 1, untilMs: 10_000 });
    const x1 = r.violations.filter((v) => v.id === 'X1');
    expect(x1.map((v) => v.message)).toEqual(['actor startSubsystems on lb1 failed: start step exploded']);
    // The same scenario without the crash has no X1.
    const clean = runScenario(scn, { createRuntime: createDaemonRuntime, seed: 1, untilMs: 10_000 });
    expect(clean.violations.filter((v) => v.id === 'X1')).toEqual([]);
  });
});
