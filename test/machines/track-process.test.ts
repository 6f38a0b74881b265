/** vrrp_track_process quorum with fork/terminate delays, on SimClock (K-13 inputs). */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type EventObject } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { trackerMachine } from '../../machines/track/tracker.machine.js';
import { processProbeMachine, type ProcessMatch } from '../../machines/track/process-probe.machine.js';

function run(counts: Array<[number, number]>, cfg: { quorum?: number; quorumMax?: number; forkDelayMs?: number; terminateDelayMs?: number } = {}) {
  const clock = new SimClock();
  const countProcesses = fromCallback<EventObject, { name: string; match: ProcessMatch }>(({ sendBack }) => {
    const ids = counts.map(([at, count]) => clock.at(at, () => sendBack({ type: 'process.count', count })));
    return () => ids.forEach((id) => clock.clearTimeout(id));
  });
  const m = trackerMachine.provide({ actors: { processProbe: processProbeMachine.provide({ actors: { countProcesses } }) } });
  const changes: Array<[number, boolean, string | undefined]> = [];
  const a = createActor(m, {
    clock,
    input: {
      kind: 'process',
      name: 'haproxy',
      probe: { match: { process: 'haproxy', params: [], paramMatch: 'exact', fullCommand: false }, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0, ...cfg },
    },
  });
  a.on('tracker.changed', (e) => changes.push([clock.now(), e.status.ok, e.note]));
  a.start();
  clock.runUntil(10_000);
  return changes;
}

describe('track_process', () => {
  it('reports the first count at once and each quorum change without delays', () => {
    expect(run([[0, 0], [1000, 2], [3000, 0]])).toEqual([
      [0, false, 'Quorum lost for tracked process haproxy'],
      [1000, true, 'Quorum gained for tracked process haproxy'],
      [3000, false, 'Quorum lost for tracked process haproxy'],
    ]);
  });

  it('terminate_delay rides out a restart; fork_delay delays a gained quorum', () => {
    const c = run(
      [
        [0, 1],
        [1000, 0],
        [1500, 1],
        [4000, 0],
        [7000, 1],
      ],
      { forkDelayMs: 500, terminateDelayMs: 1000 },
    );
    expect(c).toEqual([
      [0, true, 'Quorum gained for tracked process haproxy'],
      [5000, false, 'Quorum lost for tracked process haproxy'],
      [7500, true, 'Quorum gained for tracked process haproxy'],
    ]);
  });

  it('quorum_max: too many processes is a failure', () => {
    expect(run([[0, 1], [100, 2]], { quorumMax: 1 })).toEqual([
      [0, true, 'Quorum gained for tracked process haproxy'],
      [100, false, 'Quorum lost for tracked process haproxy'],
    ]);
  });
});
