/**
 * The root actor: the node lifecycle (starting.sweeping → starting.spawning → running ⇄ reloading →
 * stopping.releasing → stopping.draining → stopped), spawning with deterministic systemIds,
 * respawn (R11), acknowledgements to the phase that asked, crash isolation (R13), stop timeout.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type AnyActorRef, type EventObject } from 'xstate';
import { childHostLogic } from '../../actors/child-host.js';
import { SimClock } from '../../sim/clock.js';
import { daemonMachine, type DaemonEvent, type PhaseInput } from '../../machines/daemon.machine.js';

type Phase = 'sweepLeftovers' | 'startSubsystems' | 'reloadSubsystems' | 'releaseSubsystems' | 'drainSubsystems';

/**
 * A root whose phase actors record that they ran and wait for the test to finish them
 * (`finish(phase)`), so each state can be observed.
 */
function root(stopTimeoutMs = 1000) {
  const clock = new SimClock();
  const started: string[] = [];
  const stopped: string[] = [];
  const ran: Array<[Phase, PhaseInput]> = [];
  const phases = new Map<Phase, (e: DaemonEvent) => void>();
  const instance = fromCallback<EventObject, { name: string; crash?: boolean }>(({ input }) => {
    if (input.crash) throw new Error(`boom in ${input.name}`);
    started.push(input.name);
    return () => stopped.push(input.name);
  });
  const phase = (name: Phase) =>
    fromCallback<EventObject, PhaseInput>(({ input, sendBack }) => {
      ran.push([name, input]);
      phases.set(name, sendBack as (e: DaemonEvent) => void);
      return () => phases.delete(name);
    });
  const logic = daemonMachine.provide({
    actors: {
      'test.instance': instance,
      sweepLeftovers: phase('sweepLeftovers'),
      startSubsystems: phase('startSubsystems'),
      reloadSubsystems: phase('reloadSubsystems'),
      releaseSubsystems: phase('releaseSubsystems'),
      drainSubsystems: phase('drainSubsystems'),
      childHost: childHostLogic,
    } as never,
  });
  const actor = createActor(logic, { clock, input: { stopTimeoutMs, plans: ['plan-1'] } });
  const emitted: string[] = [];
  actor.on('*', (e) => emitted.push(JSON.stringify(e)));
  actor.start();
  const finish = (name: Phase, e: DaemonEvent) => phases.get(name)!(e);
  const value = () => JSON.stringify(actor.getSnapshot().value);
  const running = () => {
    finish('sweepLeftovers', { type: 'daemon.swept' });
    finish('startSubsystems', { type: 'daemon.started' });
  };
  return { clock, actor, started, stopped, emitted, ran, finish, value, running };
}

describe('daemon root actor', () => {
  it('spawns children under their systemIds and respawns one by stopping it first', () => {
    const r = root();
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'test.instance', systemId: 'vrrp/VI_1', input: { name: 'VI_1' } }, { src: 'test.instance', systemId: 'vrrp/VI_2', input: { name: 'VI_2' } }] });
    expect((r.actor.system.get('vrrp/VI_1') as AnyActorRef).id).toBe('vrrp/VI_1');
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'test.instance', systemId: 'vrrp/VI_1', input: { name: 'VI_1b' } }] });
    expect(r.started).toEqual(['VI_1', 'VI_2', 'VI_1b']);
    expect(r.stopped).toEqual(['VI_1']);
    r.actor.send({ type: 'daemon.stopChildren', systemIds: ['vrrp/VI_2'] });
    expect(r.stopped).toEqual(['VI_1', 'VI_2']);
    expect(r.actor.system.get('vrrp/VI_2')).toBeUndefined();
    expect(r.actor.getSnapshot().status).toBe('active');
  });

  it('answers the phase that asked once its children have started or stopped', () => {
    const r = root();
    const seen: string[] = [];
    const asker = createActor(fromCallback<EventObject>(({ receive }) => receive((e) => seen.push(`${e.type} after ${r.started.join(',')}/${r.stopped.join(',')}`)))).start();
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'test.instance', systemId: 'vrrp/VI_1', input: { name: 'VI_1' } }], replyTo: asker });
    r.actor.send({ type: 'daemon.stopChildren', systemIds: ['vrrp/VI_1'], replyTo: asker });
    expect(seen).toEqual(['daemon.applied after VI_1/', 'daemon.applied after VI_1/VI_1']);
  });

  it('a crashing child is reported and the node keeps running', () => {
    const r = root();
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'test.instance', systemId: 'vrrp/BAD', input: { name: 'BAD', crash: true } }] });
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'test.instance', systemId: 'vrrp/OK', input: { name: 'OK' } }] });
    expect(r.actor.getSnapshot().status).toBe('active');
    expect(r.emitted).toContain(JSON.stringify({ type: 'daemon.childError', child: 'vrrp/BAD', error: 'boom in BAD' }));
    expect(r.started).toEqual(['OK']);
  });

  it('starts by sweeping, then spawning; a reload during start-up waits and is applied once running', () => {
    const r = root();
    expect(r.value()).toBe('{"starting":"sweeping"}');
    r.actor.send({ type: 'daemon.reload', model: 'model-2' });
    r.finish('sweepLeftovers', { type: 'daemon.swept' });
    expect(r.value()).toBe('{"starting":"spawning"}');
    r.finish('startSubsystems', { type: 'daemon.started' });
    expect(r.value()).toBe('"reloading"');
    expect(r.ran.map(([p, i]) => `${p}:${JSON.stringify(i)}`)).toEqual([
      'sweepLeftovers:{"plans":["plan-1"]}',
      'startSubsystems:{"plans":["plan-1"]}',
      'reloadSubsystems:{"plans":["plan-1"],"model":"model-2"}',
    ]);
    r.finish('reloadSubsystems', { type: 'daemon.reloaded', plans: ['plan-2'] });
    expect(r.value()).toBe('"running"');
    expect(r.actor.getSnapshot().context.plans).toEqual(['plan-2']);
  });

  it('reloads only while running: running ⇄ reloading, the new plans replace the running ones', () => {
    const r = root();
    r.running();
    r.actor.send({ type: 'daemon.reload', model: 'm2' });
    expect(r.value()).toBe('"reloading"');
    r.finish('reloadSubsystems', { type: 'daemon.reloaded', plans: ['p2'] });
    r.actor.send({ type: 'daemon.reload', model: 'm3' });
    r.finish('reloadSubsystems', { type: 'daemon.reloaded', plans: ['p3'] });
    expect(r.value()).toBe('"running"');
    expect(r.ran.filter(([p]) => p === 'reloadSubsystems').map(([, i]) => i.model)).toEqual(['m2', 'm3']);
    expect(r.actor.getSnapshot().context.plans).toEqual(['p3']);
    r.actor.send({ type: 'daemon.shutdown' });
    r.actor.send({ type: 'daemon.reload', model: 'm4' });
    expect(r.value()).toBe('{"stopping":"releasing"}');
  });

  it('stops in two steps, releasing then draining, and every child is stopped with it', () => {
    const r = root();
    r.running();
    r.actor.send({ type: 'daemon.spawn', children: [{ src: 'test.instance', systemId: 'vrrp/VI_1', input: { name: 'VI_1' } }] });
    r.actor.send({ type: 'daemon.shutdown' });
    expect(r.emitted).toContain(JSON.stringify({ type: 'daemon.stopping' }));
    expect(r.value()).toBe('{"stopping":"releasing"}');
    r.finish('releaseSubsystems', { type: 'daemon.released' });
    expect(r.value()).toBe('{"stopping":"draining"}');
    expect(r.stopped).toEqual([]);
    r.finish('drainSubsystems', { type: 'daemon.drained' });
    expect(r.actor.getSnapshot().status).toBe('done');
    expect(r.emitted.at(-1)).toBe(JSON.stringify({ type: 'daemon.stopped', timedOut: false }));
    expect(r.stopped).toEqual(['VI_1']);
  });

  it('a stop during the sweep skips start-up; stopTimeout bounds the stop', () => {
    const r = root(2500);
    r.actor.send({ type: 'daemon.shutdown' });
    expect(r.value()).toBe('{"stopping":"releasing"}');
    expect(r.ran.map(([p]) => p)).toEqual(['sweepLeftovers', 'releaseSubsystems']);
    r.clock.runUntil(2499);
    expect(r.actor.getSnapshot().status).toBe('active');
    r.clock.runUntil(2500);
    expect(r.actor.getSnapshot().status).toBe('done');
    expect(r.emitted.at(-1)).toBe(JSON.stringify({ type: 'daemon.stopped', timedOut: true }));
  });
});
