/**
 * A steady backup's repeat adverts answered by its Master_Down_Timer (actors/vrrp/master-down-timer.ts,
 * `followAdverts` in its env): the timer evaluates the chart's `repeatsKnownMaster` on the chart's
 * current context and restarts itself, so such an advert costs the instance no event. Everything
 * the instance does must be the same as when every advert goes to the chart: each script below runs
 * twice, once with a follower and once without, and the io commands, emitted events, sync-group
 * messages (with their times) and the clock's pending timers must match.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type InspectionEvent } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import type { MasterDownTimerEnv } from '../../actors/vrrp/master-down-timer.js';
import type { InstanceEvent, InstanceInput, IoCommand, MemberEvent, ReceivedAdvert } from '../../machines/vrrp/types.js';
import { BASE_INPUT, ip, timerEnv, withIo } from './instance-harness.js';

/** One step of a script: at `at` ms, an advert (through the follower when there is one) or another event. */
type Step = { at: number; advert: { priority: number; src?: string; intervalCs?: number } } | { at: number; event: InstanceEvent };

function run(overrides: Partial<InstanceInput>, steps: Step[], follow: boolean, untilMs: number, withGroup = false) {
  const clock = new SimClock();
  const journal: string[] = [];
  const stamp = (s: string) => journal.push(`${clock.now()} ${s}`);
  let follower: ((a: ReceivedAdvert) => boolean) | undefined;
  let follows = 0;
  const env: MasterDownTimerEnv & ReturnType<typeof timerEnv> = {
    ...timerEnv(clock, (_, p) => stamp(`advert ${p}`)),
    ...(follow
      ? {
          followAdverts: (_instance: string, answer: (a: ReceivedAdvert) => boolean) => {
            follower = answer;
            follows++;
            return () => {
              if (follower === answer) follower = undefined;
            };
          },
        }
      : {}),
  };
  const machine = withIo(fromCallback<IoCommand, InstanceInput>(({ receive }) => receive((c) => void stamp(`io ${JSON.stringify(c)}`))));
  let input: InstanceInput = { ...BASE_INPUT, ...overrides, env };
  if (withGroup) {
    const g = createActor(fromCallback<MemberEvent>(({ receive }) => receive((e) => void stamp(`group ${JSON.stringify(e)}`))), { clock }).start();
    input = { ...input, syncGroup: g };
  }
  const advertsToChart: number[] = [];
  let self: unknown;
  const inspect = (e: InspectionEvent) => {
    if (e.actorRef === self && e.type === '@xstate.event' && e.event.type === 'net.advert') advertsToChart.push(clock.now());
  };
  const actor = createActor(machine, { clock, input, inspect });
  self = actor;
  actor.on('*', (e) => void stamp(`emit ${JSON.stringify(e)}`));
  actor.start();
  actor.send({ type: 'vrrp.startup' });
  for (const s of steps) {
    clock.runUntil(s.at);
    if ('event' in s) actor.send(s.event);
    else {
      const a: ReceivedAdvert = { vrid: 51, priority: s.advert.priority, maxAdvertIntervalCs: s.advert.intervalCs ?? 100, src: ip(s.advert.src ?? '198.51.100.3'), receivedAtMs: clock.now() - 0.25 };
      if (!(follower?.(a) ?? false)) actor.send({ type: 'net.advert', advert: a });
    }
    stamp(`state ${JSON.stringify(actor.getSnapshot().value)} pending ${clock.pending()}`);
  }
  clock.runUntil(untilMs);
  stamp(`end ${JSON.stringify(actor.getSnapshot().value)} pending ${clock.pending()}`);
  actor.stop();
  return { journal, advertsToChart, follows };
}

/** Adverts from `src` at `priority` every `everyMs` in [from, to). */
function adverts(from: number, to: number, priority: number, everyMs = 1000, src?: string, intervalCs?: number): Step[] {
  const out: Step[] = [];
  for (let t = from; t < to; t += everyMs) out.push({ at: t, advert: { priority, ...(src ? { src } : {}), ...(intervalCs ? { intervalCs } : {}) } });
  return out;
}

function both(overrides: Partial<InstanceInput>, steps: Step[], untilMs: number, withGroup = false) {
  const chart = run(overrides, steps, false, untilMs, withGroup);
  const followed = run(overrides, steps, true, untilMs, withGroup);
  expect(followed.journal).toEqual(chart.journal);
  expect(followed.follows).toBeGreaterThan(0);
  return { chart, followed };
}

describe('VRRP instance: repeat adverts answered by the Master_Down_Timer', () => {
  it('R-24 a steady backup: the same journal, and the repeats after the first advert never reach the chart', () => {
    const steps = adverts(500, 20_500, 150);
    const { chart, followed } = both({}, steps, 30_000);
    expect(chart.advertsToChart).toHaveLength(20);
    // The first advert teaches the chart the master (not a repeat); the rest are the timer's.
    expect(followed.advertsToChart).toEqual([500]);
    // The backup became master MDI after the last advert, in both.
    expect(followed.journal.some((l) => l.includes('"to":"MASTER"'))).toBe(true);
  });

  it('priority changes of the master, of our own (K-13), a release (R-23), another master, a lower one (R-25): the same journal', () => {
    const steps: Step[] = [
      ...adverts(500, 5_500, 150),
      ...adverts(5_500, 9_500, 120),
      { at: 9_700, event: { type: 'track.priority', delta: 10 } },
      ...adverts(10_500, 14_500, 120),
      { at: 14_600, event: { type: 'track.priority', delta: 0 } },
      ...adverts(15_500, 18_500, 120, 1000, '198.51.100.4'),
      { at: 18_700, advert: { priority: 0, src: '198.51.100.4' } },
      ...adverts(19_000, 25_000, 200, 1000, '198.51.100.9'),
      ...adverts(25_000, 28_000, 90, 1000, '198.51.100.9'),
    ];
    both({}, steps, 40_000);
  });

  it('a lower-priority master that we do not preempt (nopreempt), then one we overtake after a tracker raises us', () => {
    const steps: Step[] = [...adverts(500, 8_500, 90), { at: 8_700, event: { type: 'track.priority', delta: 20 } }, ...adverts(9_500, 15_500, 90)];
    both({ preempt: false }, steps, 25_000);
    both({}, steps, 25_000);
  });

  it('K-15 preempt_delay: lower-priority adverts start it, it runs out, a higher one stops it: the same journal', () => {
    const steps: Step[] = [...adverts(500, 3_500, 150), ...adverts(3_500, 12_500, 90), ...adverts(12_500, 16_500, 150), ...adverts(16_500, 20_500, 90)];
    both({ preemptDelayMs: 5000 }, steps, 30_000);
  });

  it('VRRPv3: the master changes its advert interval (R-24 learns it), then repeats at the new one: the same journal', () => {
    const steps: Step[] = [...adverts(500, 6_500, 150, 1000, undefined, 100), ...adverts(6_500, 20_500, 150, 2000, undefined, 200), ...adverts(20_500, 22_500, 150, 500, undefined, 50)];
    both({ version: 3 }, steps, 30_000);
  });

  it('a sync-group member: member.want and the group start timer, then steady repeats: the same journal', () => {
    const steps: Step[] = [...adverts(300, 6_300, 150), { at: 6_500, event: { type: 'group.goMaster' } }, ...adverts(7_000, 9_000, 200), { at: 9_100, event: { type: 'group.goBackup' } }, ...adverts(9_500, 14_500, 200)];
    both({ syncGroup: undefined, initialState: 'MASTER', basePriority: 120 }, steps, 20_000);
    both({ initialState: 'MASTER', basePriority: 120 }, steps, 20_000, true);
  });
});
