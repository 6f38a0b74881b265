/**
 * A tracker's subscribers (machines/track/tracker.machine.ts, actors/vrrp/plan.ts): the root
 * spawns each tracker with the tracking actors its plan says will subscribe, in the plan's order,
 * so start-up's subscriptions find themselves listed and copy nothing; a subscription not listed
 * is appended once; a repeat is answered with the status and adds nothing. Through the runtime,
 * one script tracked by several instances reaches each of them, in the plan's order.
 */
import { describe, expect, it } from 'vitest';
import { createActor, enqueueActions, fromCallback, sendTo, setup, spawnChild, type AnyActorRef, type EventObject, type InspectionEvent } from 'xstate';
import { buildPlan, trackerSubscribers } from '../../actors/vrrp/plan.js';
import { trackerMachine } from '../../machines/track/tracker.machine.js';
import { createRuntime } from '../../actors/runtime.js';
import { FakeLan } from './fake-ports.js';
import { eth0, model, twoNodes } from './two-nodes.js';

const SCRIPT = 'vrrp_script chk { script "/usr/local/bin/chk"\n interval 1 }';

/** `n` instances on eth0 (VRIDs 51…), each with `body`. */
const instances = (n: number, body: (k: number) => string): string =>
  Array.from(
    { length: n },
    (_, k) => `vrrp_instance VI_${k + 1} {
  interface eth0
  virtual_router_id ${51 + k}
  priority 150
  advert_int 1
  ${body(k)}
  virtual_ipaddress { 198.51.100.${100 + k}/32 }
}`,
  ).join('\n');

describe('trackerSubscribers (the plan)', () => {
  it("lists each tracker's tracking actors in the plan's order, each once, and only trackers the plan spawns", () => {
    // VI_2 names the script twice; VI_3 tracks no script and does not track its interface.
    const conf = `${SCRIPT}\n${instances(3, (k) => (k === 0 ? 'track_script { chk }' : k === 1 ? 'track_script { chk\nchk }' : 'dont_track_primary'))}`;
    const { plan } = buildPlan(model(conf), eth0(['198.51.100.1/24']), { hostname: 'a' });
    const subs = trackerSubscribers(plan);
    expect(Object.fromEntries(subs)).toEqual({
      'track/interface/eth0': ['tracking/VI_1', 'tracking/VI_2'],
      'track/script/chk': ['tracking/VI_1', 'tracking/VI_2'],
    });
    expect([...subs.keys()].every((id) => plan.trackers.has(id))).toBe(true);
    expect(trackerSubscribers(plan)).toBe(subs); // once per plan
  });
});

describe('tracker subscriptions (the machine)', () => {
  /** A root with the tracker and, per subscription, a recorder registered under the subscriber's id. */
  const start = (subscribers?: string[]) => {
    const replies: string[] = [];
    const recorder = fromCallback<EventObject, { id: string }>(({ input, receive }) => receive((e) => replies.push(`${input.id} ${e.type}`)));
    const tracker = trackerMachine.provide({ actors: { fileProbe: fromCallback(() => () => undefined) } });
    const root = setup({ types: { events: {} as { type: 'subscribe'; id: string } | { type: 'unsubscribe'; id: string } }, actors: { tracker, recorder } }).createMachine({
      entry: spawnChild('tracker', { id: 'tracker', systemId: 'track/file/f', input: { kind: 'file', name: 'f', probe: {}, ...(subscribers ? { subscribers } : {}) } }),
      on: {
        subscribe: {
          actions: enqueueActions(({ enqueue, event, system }) => {
            if (!system.get(event.id)) enqueue.spawnChild('recorder', { id: event.id, systemId: event.id, input: { id: event.id } });
            enqueue.sendTo(({ system: s }) => s.get('track/file/f') as AnyActorRef, { type: 'tracker.subscribe', subscriber: event.id });
          }),
        },
        unsubscribe: { actions: sendTo(({ system }) => system.get('track/file/f') as AnyActorRef, ({ event }) => ({ type: 'tracker.unsubscribe', subscriber: event.id })) },
      },
    });
    const actor = createActor(root).start();
    const list = (): readonly string[] => (actor.system.get('track/file/f') as AnyActorRef).getSnapshot().context.subscribers;
    return { replies, list, subscribe: (id: string) => actor.send({ type: 'subscribe', id }), unsubscribe: (id: string) => actor.send({ type: 'unsubscribe', id }) };
  };

  it('listed subscribers subscribing copy nothing; each gets the status', () => {
    const listed = Array.from({ length: 1000 }, (_, k) => `tracking/VI_${k + 1}`);
    const t = start(listed);
    const before = t.list();
    for (const id of listed) t.subscribe(id);
    expect(t.list()).toBe(before); // the same array: no copy per subscription
    expect(t.replies).toHaveLength(1000);
    expect(t.replies[999]).toBe('tracking/VI_1000 tracker.status');
  });

  it('an unlisted subscriber is appended once, in order; a repeat only gets the status again', () => {
    const t = start(['tracking/VI_1']);
    t.subscribe('tracking/VI_2');
    t.subscribe('tracking/VI_3');
    t.subscribe('tracking/VI_2');
    t.subscribe('tracking/VI_1');
    expect(t.list()).toEqual(['tracking/VI_1', 'tracking/VI_2', 'tracking/VI_3']);
    expect(t.replies).toEqual(['tracking/VI_2 tracker.status', 'tracking/VI_3 tracker.status', 'tracking/VI_2 tracker.status', 'tracking/VI_1 tracker.status']);
    // After an unsubscription the list is a new one; subscribing again appends once.
    t.unsubscribe('tracking/VI_2');
    t.subscribe('tracking/VI_2');
    t.subscribe('tracking/VI_2');
    expect(t.list()).toEqual(['tracking/VI_1', 'tracking/VI_3', 'tracking/VI_2']);
  });
});

describe('one script tracked by several instances, through the runtime', () => {
  it('the root spawns the tracker with its subscribers: start-up never copies its list', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    // Every list a tracker's snapshots held, by the tracker's systemId.
    const lists = new Map<string, Set<readonly string[]>>();
    const inspect = (e: InspectionEvent): void => {
      if (e.type !== '@xstate.snapshot') return;
      const id = (e.actorRef as { options?: { systemId?: string } }).options?.systemId;
      const context = (e.snapshot as { context?: { subscribers?: readonly string[] } }).context;
      if (!id?.startsWith('track/') || !context?.subscribers) return;
      if (!lists.has(id)) lists.set(id, new Set());
      lists.get(id)!.add(context.subscribers);
    };
    const rt = createRuntime(a.ports(), model(`${SCRIPT}\n${instances(3, () => 'track_script { chk }')}`), { name: 'a', inspect });
    rt.start();
    lan.clock.runUntil(5000);
    expect(rt.status().map((s) => s.state)).toEqual(['MASTER', 'MASTER', 'MASTER']);
    for (const id of ['track/script/chk', 'track/interface/eth0']) {
      expect([...lists.get(id)!]).toEqual([['tracking/VI_1', 'tracking/VI_2', 'tracking/VI_3']]);
    }
    rt.stop();
  });

  it("a failure faults every instance that tracks it, in the plan's order", () => {
    const conf = `${SCRIPT}\n${instances(3, () => 'track_script { chk }')}`;
    const t = twoNodes(conf, instances(1, () => ''), false);
    t.rtA.start();
    t.lan.clock.runUntil(5000);
    expect(t.rtA.status().map((s) => s.state)).toEqual(['MASTER', 'MASTER', 'MASTER']);
    t.a.scripts['/usr/local/bin/chk'] = { exitCode: 1 };
    t.lan.clock.runUntil(7000);
    const faults = t.states().filter(([, n, to]) => n === 'a' && to === 'FAULT');
    expect(faults.map((f) => f[0])).toEqual([faults[0]![0], faults[0]![0], faults[0]![0]]); // one instant
    expect(t.a.logLines().filter((l) => /Entering FAULT STATE/.test(l))).toEqual(['(VI_1) Entering FAULT STATE', '(VI_2) Entering FAULT STATE', '(VI_3) Entering FAULT STATE']);
  });

  it('a reload that changes the script keeps the instances that track it: the new tracker starts with them and its failure reaches them', () => {
    const two = (interval: number) => `vrrp_script chk { script "/usr/local/bin/chk"\n interval ${interval} }\n${instances(2, () => 'track_script { chk }')}`;
    const t = twoNodes(two(1), instances(1, () => ''), false);
    t.rtA.start();
    t.lan.clock.runUntil(5000);
    expect(t.rtA.status().map((s) => s.state)).toEqual(['MASTER', 'MASTER']);
    // Only the script's interval changes: the instances and their tracking actors stay.
    t.rtA.reload(model(two(2)));
    t.lan.clock.runUntil(6000);
    expect(t.states().filter(([at, n]) => n === 'a' && at > 5000)).toEqual([]);
    t.a.scripts['/usr/local/bin/chk'] = { exitCode: 1 };
    t.lan.clock.runUntil(10_000);
    expect(t.rtA.status().map((s) => s.state)).toEqual(['FAULT', 'FAULT']);
  });
});
