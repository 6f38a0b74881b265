/**
 * The whole runtime, a steady backup: VrrpIo hands each validated advert to the backup's
 * Master_Down_Timer first (actors/vrrp/master-down-timer.ts), which answers the known master's
 * repeats by the chart's own guard; only the adverts that change something reach the instance
 * chart as net.advert. Counted with XState's inspection API on the real composition root.
 */
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createRuntime } from '../../actors/runtime.js';
import { FakeLan } from './fake-ports.js';
import { model, vi1 } from './two-nodes.js';

const conf = (priority: number) => vi1(priority, 'state BACKUP', 'global_defs { router_id lb }');

function pair() {
  const lan = new FakeLan();
  const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  const b = lan.node('b', '198.51.100.2', '02:00:00:00:00:02');
  const toChart: Array<[number, number]> = [];
  const inspect = (e: InspectionEvent) => {
    if (e.type !== '@xstate.event' || e.event.type !== 'net.advert') return;
    if ((e.actorRef as { systemId?: string }).systemId !== 'vrrp/VI_1') return;
    toChart.push([lan.clock.now(), (e.event as unknown as { advert: { priority: number } }).advert.priority]);
  };
  const rtA = createRuntime(a.ports(), model(conf(150)), { name: 'a' });
  const rtB = createRuntime(b.ports(), model(conf(100)), { name: 'b', inspect });
  rtA.start();
  rtB.start();
  return { lan, rtA, rtB, toChart };
}

describe('a steady backup answers repeat adverts without its chart', () => {
  it('R-24 after the first advert of the new master, its repeats restart the timer without a net.advert; a release still reaches the chart', () => {
    const t = pair();
    t.lan.clock.runUntil(30_000);
    expect(t.rtB.counters()['VI_1:adverts_received']).toBe(27); // 3414.062 ms, then every second
    expect(t.toChart).toEqual([[3414.162, 150]]); // A's first advert, 0.1 ms on the fake wire
    expect(t.rtB.status()[0]).toMatchObject({ state: 'BACKUP', masterAddress: '198.51.100.1' });
    t.rtA.stop(); // priority 0: not a repeat, so the chart's; B takes over after Skew_Time
    t.lan.clock.runUntil(31_000);
    expect(t.toChart.slice(1).map(([, p]) => p)).toEqual([0]);
    expect(t.rtB.status()[0]).toMatchObject({ state: 'MASTER' });
  });
});
