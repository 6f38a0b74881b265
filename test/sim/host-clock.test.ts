import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim/clock.js';
import { HostClock, HostCpu } from '../../sim/host/host-clock.js';

describe('HostCpu / HostClock', () => {
  it('queues everything due during a pause and runs it at resume, in order', () => {
    const sim = new SimClock();
    const cpu = new HostCpu(sim);
    const life = { alive: true };
    const clock = new HostClock(cpu, life, 0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`t1@${sim.now()}`), 1000);
    clock.setTimeout(() => seen.push(`t2@${sim.now()}`), 2000);
    sim.at(500, () => cpu.pause());
    sim.at(1500, () => cpu.exec(() => seen.push(`pkt@${sim.now()}`)));
    sim.at(4000, () => cpu.resume());
    sim.runUntil(5000);
    expect(seen).toEqual(['t1@4000', 'pkt@4000', 't2@4000']);
  });

  it('a timer cancelled while queued never runs; a dead process never runs', () => {
    const sim = new SimClock();
    const cpu = new HostCpu(sim);
    const life = { alive: true };
    const clock = new HostClock(cpu, life, 0);
    const seen: string[] = [];
    cpu.pause();
    const id = clock.setTimeout(() => seen.push('cancelled'), 10);
    clock.setTimeout(() => seen.push('dead'), 20);
    sim.at(30, () => {
      clock.clearTimeout(id);
      life.alive = false;
      cpu.resume();
    });
    sim.runUntil(100);
    expect(seen).toEqual([]);
  });

  it('a fast clock fires its timers early in global time and reads ahead', () => {
    const sim = new SimClock();
    const cpu = new HostCpu(sim);
    const clock = new HostClock(cpu, { alive: true }, 0);
    cpu.setDriftPpm(100_000); // 10 % fast
    let firedAt = 0;
    clock.setTimeout(() => (firedAt = sim.now()), 1100);
    sim.runUntil(2000);
    expect(firedAt).toBeCloseTo(1000, 6);
    expect(clock.now()).toBeCloseTo(2200, 6);
  });

  it('reports what a callback throws instead of unwinding the simulation', () => {
    const sim = new SimClock();
    const cpu = new HostCpu(sim);
    const errors: unknown[] = [];
    cpu.onError = (e) => errors.push(e);
    new HostClock(cpu, { alive: true }, 0).setTimeout(() => {
      throw new Error('boom');
    }, 1);
    sim.runUntil(10);
    expect(errors).toHaveLength(1);
  });
});
