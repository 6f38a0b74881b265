/** The root actor: spawning with deterministic systemIds, respawn (R11), crash isolation (R13), stop timeout. */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type AnyActorRef, type EventObject } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { daemonMachine } from '../../machines/daemon.machine.js';

function root(stopTimeoutMs = 1000) {
  const clock = new SimClock();
  const started: string[] = [];
  const stopped: string[] = [];
  const instance = fromCallback<EventObject, { name: string; crash?: boolean }>(({ input }) => {
    if (input.crash) throw new Error(`boom in ${input.name}`);
    started.push(input.name);
    return () => stopped.push(input.name);
  });
  const actor = createActor(daemonMachine.provide({ actors: { instance } }), { clock, input: { stopTimeoutMs } });
  const emitted: string[] = [];
  actor.on('*', (e) => emitted.push(JSON.stringify(e)));
  actor.start();
  return { clock, actor, started, stopped, emitted };
}

describe('daemon root actor', () => {
  it('spawns children under their systemIds and respawns one by stopping it first', () => {
    const r = root();
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'instance', systemId: 'vrrp/VI_1', input: { name: 'VI_1' } }, { src: 'instance', systemId: 'vrrp/VI_2', input: { name: 'VI_2' } }] });
    expect((r.actor.system.get('vrrp/VI_1') as AnyActorRef).id).toBe('vrrp/VI_1');
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'instance', systemId: 'vrrp/VI_1', input: { name: 'VI_1b' } }] });
    expect(r.started).toEqual(['VI_1', 'VI_2', 'VI_1b']);
    expect(r.stopped).toEqual(['VI_1']);
    r.actor.send({ type: 'daemon.stopChildren', systemIds: ['vrrp/VI_2'] });
    expect(r.stopped).toEqual(['VI_1', 'VI_2']);
    expect(r.actor.system.get('vrrp/VI_2')).toBeUndefined();
    expect(r.actor.getSnapshot().status).toBe('active');
  });

  it('a crashing child is reported and the node keeps running', () => {
    const r = root();
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'instance', systemId: 'vrrp/BAD', input: { name: 'BAD', crash: true } }] });
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'instance', systemId: 'vrrp/OK', input: { name: 'OK' } }] });
    expect(r.actor.getSnapshot().status).toBe('active');
    expect(r.emitted).toContain(JSON.stringify({ type: 'daemon.childError', child: 'vrrp/BAD', error: 'boom in BAD' }));
    expect(r.started).toEqual(['OK']);
  });

  it('stops when drained, or after stopTimeout; every child is stopped with it', () => {
    const r = root(2500);
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'instance', systemId: 'vrrp/VI_1', input: { name: 'VI_1' } }] });
    r.actor.send({ type: 'daemon.shutdown' });
    r.clock.runUntil(2499);
    expect(r.actor.getSnapshot().value).toBe('stopping');
    r.clock.runUntil(2500);
    expect(r.actor.getSnapshot().status).toBe('done');
    expect(r.emitted.at(-1)).toBe(JSON.stringify({ type: 'daemon.stopped', timedOut: true }));
    expect(r.stopped).toEqual(['VI_1']);
  });
});
