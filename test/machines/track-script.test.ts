/**
 * vrrp_script tracking on SimClock: interval/timeout/rise/fall/init_fail with exact timing
 * (K-13: a script's status feeds the instance's effective priority or FAULT).
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type EventObject } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { trackerMachine } from '../../machines/track/tracker.machine.js';
import { scriptProbeMachine, stepScriptResult, type ScriptRunInput } from '../../machines/track/script-probe.machine.js';

type Run = { exitCode: number | null; durationMs: number };

function startScriptTracker(runs: Run[], cfg: Partial<{ intervalMs: number; timeoutMs: number; rise: number; fall: number; initFail: boolean }> = {}) {
  const clock = new SimClock();
  const started: number[] = [];
  const cancelled: number[] = [];
  let i = 0;
  const runScript = fromCallback<EventObject, ScriptRunInput>(({ sendBack }) => {
    const run = runs[Math.min(i++, runs.length - 1)]!;
    started.push(clock.now());
    let done = false;
    const id = clock.setTimeout(() => {
      done = true;
      sendBack({ type: 'script.exited', exitCode: run.exitCode });
    }, run.durationMs);
    return () => {
      if (!done) cancelled.push(clock.now());
      clock.clearTimeout(id);
    };
  });
  const machine = trackerMachine.provide({ actors: { scriptProbe: scriptProbeMachine.provide({ actors: { runScript } }) } });
  const changes: Array<[number, boolean, string | undefined]> = [];
  const logs: Array<[number, string]> = [];
  const actor = createActor(machine, {
    clock,
    input: {
      kind: 'script',
      name: 'chk',
      probe: { argv: ['/bin/chk'], intervalMs: 2000, timeoutMs: 2000, rise: 1, fall: 1, initFail: false, ...cfg },
    },
  });
  actor.on('tracker.changed', (e) => changes.push([clock.now(), e.status.ok, e.note]));
  actor.on('tracker.log', (e) => logs.push([clock.now(), e.message]));
  actor.start();
  return { clock, actor, changes, logs, started, cancelled };
}

describe('vrrp_script rise/fall counter (keepalived vrrp_script_child_thread)', () => {
  it('from INIT one success is enough and one failure is reported at once', () => {
    expect(stepScriptResult({ result: 2, rise: 3, fall: 2, initState: 'init' }, true)).toEqual({ result: 4, report: 'ok' });
    expect(stepScriptResult({ result: 2, rise: 3, fall: 2, initState: 'init' }, false)).toEqual({ result: 0, report: 'failed' });
  });
  it('needs `fall` failures to go KO and `rise` successes to come back', () => {
    let c = { result: 4, rise: 3, fall: 2, initState: 'done' as const };
    let s = stepScriptResult(c, false);
    expect(s).toEqual({ result: 3 });
    s = stepScriptResult({ ...c, result: s.result }, false);
    expect(s).toEqual({ result: 0, report: 'failed' });
    c = { ...c, result: 0 };
    expect(stepScriptResult(c, true)).toEqual({ result: 1 });
    expect(stepScriptResult({ ...c, result: 1 }, true)).toEqual({ result: 2 });
    expect(stepScriptResult({ ...c, result: 2 }, true)).toEqual({ result: 4, report: 'ok' });
  });
});

describe('script tracker on SimClock (K-13)', () => {
  it('runs at 0, interval, 2·interval and reports the first result when the run ends', () => {
    const t = startScriptTracker([{ exitCode: 0, durationMs: 100 }]);
    t.clock.runUntil(6500);
    expect(t.started).toEqual([0, 2000, 4000, 6000]);
    expect(t.changes).toEqual([[100, true, 'VRRP_Script(chk) succeeded']]);
    expect(t.actor.getSnapshot().context.status).toMatchObject({ known: true, ok: true });
  });

  it('fall 2 / rise 2: KO after the second consecutive failure, OK after two successes', () => {
    const codes = [0, 1, 1, 1, 0, 0, 0];
    const t = startScriptTracker(codes.map((exitCode) => ({ exitCode, durationMs: 50 })), { rise: 2, fall: 2 });
    t.clock.runUntil(13_000);
    expect(t.changes).toEqual([
      [50, true, 'VRRP_Script(chk) succeeded'],
      [4050, false, 'VRRP_Script(chk) failed (exited with status 1)'],
      [10050, true, 'VRRP_Script(chk) succeeded'],
    ]);
    expect(t.logs.map((l) => l[1])).toContain('Script `chk` now returning 1');
  });

  it('a run longer than timeout is killed and counts as timed_out; the next tick starts a new run', () => {
    const t = startScriptTracker([{ exitCode: 0, durationMs: 10 }, { exitCode: 0, durationMs: 60_000 }, { exitCode: 0, durationMs: 10 }], {
      timeoutMs: 1500,
    });
    t.clock.runUntil(4100);
    expect(t.changes).toEqual([
      [10, true, 'VRRP_Script(chk) succeeded'],
      [3500, false, 'VRRP_Script(chk) timed_out'],
      [4010, true, 'VRRP_Script(chk) succeeded'],
    ]);
    expect(t.cancelled).toEqual([3500]);
  });

  it('timeout == interval: the timed-out run ends before the next run starts at the same instant', () => {
    const t = startScriptTracker([{ exitCode: 0, durationMs: 60_000 }]);
    t.clock.runUntil(4000);
    expect(t.started).toEqual([0, 2000, 4000]);
    expect(t.changes).toEqual([[2000, false, 'VRRP_Script(chk) timed_out']]);
  });

  it('a tick that finds the script still running is skipped (timeout longer than interval)', () => {
    const t = startScriptTracker([{ exitCode: 0, durationMs: 3000 }, { exitCode: 0, durationMs: 10 }], { timeoutMs: 5000 });
    t.clock.runUntil(4500);
    expect(t.started).toEqual([0, 4000]);
    expect(t.logs).toContainEqual([2000, 'Track script chk is already running, expect idle - skipping run']);
  });

  it('init_fail starts KO at t=0 and needs `rise` successes', () => {
    const t = startScriptTracker([{ exitCode: 0, durationMs: 100 }], { initFail: true, rise: 2 });
    expect(t.changes).toEqual([[0, false, 'VRRP_Script(chk) init_fail']]);
    t.clock.runUntil(3000);
    expect(t.changes).toEqual([
      [0, false, 'VRRP_Script(chk) init_fail'],
      [2100, true, 'VRRP_Script(chk) succeeded'],
    ]);
  });

  it('a script that cannot start counts as a failure', () => {
    const clock = new SimClock();
    const runScript = fromCallback<EventObject, ScriptRunInput>(({ sendBack }) => {
      const id = clock.setTimeout(() => sendBack({ type: 'script.exited', exitCode: null, error: 'ENOENT' }), 0);
      return () => clock.clearTimeout(id);
    });
    const m = trackerMachine.provide({ actors: { scriptProbe: scriptProbeMachine.provide({ actors: { runScript } }) } });
    const a = createActor(m, { clock, input: { kind: 'script', name: 'x', probe: { argv: ['/nope'], intervalMs: 1000, timeoutMs: 1000, rise: 1, fall: 1, initFail: false } } });
    const notes: string[] = [];
    a.on('tracker.changed', (e) => notes.push(e.note ?? ''));
    a.start();
    clock.runUntil(10);
    expect(notes).toEqual(['VRRP_Script(x) failed (could not run: ENOENT)']);
  });
});
