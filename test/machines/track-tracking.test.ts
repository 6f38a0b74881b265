/**
 * K-13 effective priority / FAULT from tracked objects and K-14's sync-group weight rule, first as
 * pure arithmetic, then as actors: trackers → tracking actor → instance, on SimClock.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, setup, enqueueActions, type AnyActorRef, type EventObject } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { computeTracking, trackingMachine, type TrackEntry } from '../../machines/track/tracking.machine.js';
import { trackerMachine } from '../../machines/track/tracker.machine.js';
import type { TrackerStatus } from '../../machines/track/types.js';
import { parseTrackFileValue } from '../../machines/track/file-value.js';

const st = (kind: TrackerStatus['kind'], name: string, ok: boolean, value = ok ? 1 : 0): TrackerStatus => ({ kind, name, known: true, ok, value });
const map = (...ss: TrackerStatus[]) => Object.fromEntries(ss.map((s) => [`${s.kind}/${s.name}`, s]));

describe('K-13 tracking arithmetic', () => {
  const script = (weight: number, reverse = false): TrackEntry => ({ kind: 'script', name: 'chk', weight, reverse });

  it('weighted script: +w while OK when w > 0, −|w| while failed when w < 0', () => {
    expect(computeTracking({ basePriority: 100, entries: [script(20)], ignoreWeights: false }, map(st('script', 'chk', true))).priority).toBe(120);
    expect(computeTracking({ basePriority: 100, entries: [script(20)], ignoreWeights: false }, map(st('script', 'chk', false))).priority).toBe(100);
    expect(computeTracking({ basePriority: 100, entries: [script(-20)], ignoreWeights: false }, map(st('script', 'chk', true))).priority).toBe(100);
    expect(computeTracking({ basePriority: 100, entries: [script(-20)], ignoreWeights: false }, map(st('script', 'chk', false))).priority).toBe(80);
  });

  it('reverse negates the adjustment; weight 0 reverse faults while the object is OK', () => {
    expect(computeTracking({ basePriority: 100, entries: [script(20, true)], ignoreWeights: false }, map(st('script', 'chk', true))).priority).toBe(80);
    const v = computeTracking({ basePriority: 100, entries: [script(0, true)], ignoreWeights: false }, map(st('script', 'chk', true)));
    expect(v.faults).toEqual({ 'script/chk': 'script chk succeeded (reverse)' });
  });

  it('unweighted failure is FAULT; unknown unweighted holds INIT; unknown weighted counts 0', () => {
    expect(computeTracking({ basePriority: 100, entries: [script(0)], ignoreWeights: false }, map(st('script', 'chk', false)))).toEqual({
      delta: 0,
      priority: 100,
      faults: { 'script/chk': 'script chk failed' },
      waiting: [],
    });
    expect(computeTracking({ basePriority: 100, entries: [script(0)], ignoreWeights: false }, {})).toMatchObject({ faults: {}, waiting: ['script/chk'] });
    expect(computeTracking({ basePriority: 100, entries: [script(-30)], ignoreWeights: false }, {})).toMatchObject({ priority: 100, delta: 0, waiting: [] });
  });

  it('effective priority is clamped to 1..254 and an owner (255) never moves', () => {
    const entries: TrackEntry[] = [
      { kind: 'interface', name: 'eth1', weight: -253, reverse: false },
      { kind: 'process', name: 'haproxy', weight: 200, reverse: false },
    ];
    expect(computeTracking({ basePriority: 100, entries, ignoreWeights: false }, map(st('interface', 'eth1', false), st('process', 'haproxy', false))).priority).toBe(1);
    expect(computeTracking({ basePriority: 100, entries, ignoreWeights: false }, map(st('interface', 'eth1', true), st('process', 'haproxy', true))).priority).toBe(254);
    expect(computeTracking({ basePriority: 255, entries, ignoreWeights: false }, map(st('interface', 'eth1', false), st('process', 'haproxy', false))).priority).toBe(255);
  });

  it('track_file: value × weight, ≤ −254 is FAULT, weight 0 faults on any non-zero value', () => {
    const file = (weight: number, reverse = false): TrackEntry => ({ kind: 'file', name: 'f', weight, reverse });
    const val = (v: number) => map({ kind: 'file', name: 'f', known: true, ok: true, value: v });
    expect(computeTracking({ basePriority: 100, entries: [file(3)], ignoreWeights: false }, val(-5))).toMatchObject({ priority: 85, delta: -15 });
    expect(computeTracking({ basePriority: 100, entries: [file(3, true)], ignoreWeights: false }, val(-5)).priority).toBe(115);
    expect(computeTracking({ basePriority: 100, entries: [file(2)], ignoreWeights: false }, val(-127))).toMatchObject({ faults: { 'file/f': expect.any(String) } });
    expect(computeTracking({ basePriority: 100, entries: [file(2)], ignoreWeights: false }, val(-126))).toMatchObject({ faults: {}, priority: 1 });
    expect(computeTracking({ basePriority: 100, entries: [file(0)], ignoreWeights: false }, val(7))).toMatchObject({ faults: { 'file/f': expect.any(String) } });
    expect(computeTracking({ basePriority: 100, entries: [file(0)], ignoreWeights: false }, val(0))).toMatchObject({ faults: {}, priority: 100 });
    expect(computeTracking({ basePriority: 100, entries: [file(0, true)], ignoreWeights: false }, val(0))).toMatchObject({ faults: { 'file/f': expect.any(String) } });
  });

  it('K-14: sync-group members without sync_group_tracking_weight have weights forced to 0', () => {
    const v = computeTracking({ basePriority: 100, entries: [script(-20)], ignoreWeights: true }, map(st('script', 'chk', false)));
    expect(v).toMatchObject({ priority: 100, delta: 0, faults: { 'script/chk': 'script chk failed' } });
  });

  it('track_file values are read like strtol(…, 0) and clamped to ±254', () => {
    expect([' 12\n', '-7', '0x1f', '010', 'abc', '', '999', '-999', '+3x', '0x'].map(parseTrackFileValue)).toEqual([12, -7, 31, 8, 0, 0, 254, -254, 3, 0]);
    expect(parseTrackFileValue(undefined)).toBe(0);
  });
});

/** A tiny system: trackers with scripted link probes, one tracking actor, a recording instance. */
function harness(entries: TrackEntry[], links: Record<string, Array<[number, boolean]>>, basePriority = 100) {
  const clock = new SimClock();
  const received: Array<[number, unknown]> = [];
  const linkProbe = fromCallback<EventObject, { name: string; parent: AnyActorRef }>(({ input }) => {
    const ids = (links[input.name] ?? []).map(([at, up]) => clock.at(at, () => input.parent.send({ type: 'tracker.update', ok: up, value: up ? 1 : 0 })));
    return () => ids.forEach((id) => clock.clearTimeout(id));
  });
  const toGroup: Array<[number, unknown]> = [];
  const recorder = fromCallback<EventObject>(({ receive }) => {
    receive((e) => received.push([clock.now(), e]));
  });
  const groupRecorder = fromCallback<EventObject>(({ receive }) => {
    receive((e) => toGroup.push([clock.now(), e]));
  });
  const tracker = trackerMachine.provide({ actors: { linkProbe } });
  const root = setup({ actors: { tracker, tracking: trackingMachine, recorder, groupRecorder } }).createMachine({
    entry: enqueueActions(({ enqueue }) => {
      enqueue.spawnChild('recorder', { id: 'vi1', systemId: 'vrrp/VI_1' });
      enqueue.spawnChild('groupRecorder', { id: 'g', systemId: 'group/G' });
      for (const name of Object.keys(links)) {
        enqueue.spawnChild('tracker', { id: `t-${name}`, systemId: `track/interface/${name}`, input: { kind: 'interface', name, probe: {} } });
      }
      enqueue.spawnChild('tracking', {
        id: 'tracking',
        systemId: 'tracking/VI_1',
        input: { instance: 'VI_1', systemId: 'tracking/VI_1', target: 'vrrp/VI_1', basePriority, entries, ignoreWeights: false, startInstance: true, group: 'group/G' },
      });
    }),
  });
  const actor = createActor(root, { clock }).start();
  return { clock, received, toGroup, actor };
}

describe('tracking actors on SimClock (K-13)', () => {
  it('an unweighted interface holds the instance until its first status, then link flaps become FAULT/OK', () => {
    const h = harness([{ kind: 'interface', name: 'eth0', weight: 0, reverse: false }], {
      eth0: [
        [5, true],
        [1000, false],
        [2500, true],
      ],
    });
    h.clock.runUntil(3000);
    expect(h.received).toEqual([
      [5, { type: 'track.priority', delta: 0 }],
      [5, { type: 'vrrp.startup' }],
      [1000, { type: 'track.fault', source: 'interface/eth0' }],
      [2500, { type: 'track.ok', source: 'interface/eth0' }],
    ]);
    expect(h.toGroup).toEqual([
      [1000, { type: 'member.trackFault', member: 'VI_1', faulted: true }],
      [2500, { type: 'member.trackFault', member: 'VI_1', faulted: false }],
    ]);
    expect(h.actor.getSnapshot().status).toBe('active');
  });

  it('an object that fails before the first start-up goes to the instance before vrrp.startup', () => {
    const h = harness([{ kind: 'interface', name: 'eth0', weight: 0, reverse: false }], { eth0: [[0, false]] });
    h.clock.runUntil(10);
    expect(h.received.map(([, e]) => e)).toEqual([
      { type: 'track.priority', delta: 0 },
      { type: 'track.fault', source: 'interface/eth0' },
      { type: 'vrrp.startup' },
    ]);
  });

  it('weighted interfaces do not hold start-up and move the priority with exact timing', () => {
    const h = harness(
      [
        { kind: 'interface', name: 'eth1', weight: -30, reverse: false },
        { kind: 'interface', name: 'eth2', weight: 10, reverse: false },
      ],
      { eth1: [[100, true], [700, false]], eth2: [[200, true]] },
    );
    h.clock.runUntil(1000);
    expect(h.received).toEqual([
      [0, { type: 'track.priority', delta: 0 }],
      [0, { type: 'vrrp.startup' }],
      [200, { type: 'track.priority', delta: 10 }],
      [700, { type: 'track.priority', delta: -20 }],
    ]);
  });
});
