import { describe, expect, it } from 'vitest';
import { runToy, stateOf, toyPair, violations } from './helpers/toy-world.js';

describe('World with a toy runtime', () => {
  it('elects the higher priority, installs the VIP there and points the client ARP cache at it', () => {
    const w = runToy(toyPair(), [], 10_000);
    expect(stateOf(w, 'a')).toBe('MASTER');
    expect(stateOf(w, 'b')).toBe('BACKUP');
    expect(w.hosts.get('a')!.nic('eth0')!.hasAddress('198.51.100.100')).toBe(true);
    expect(w.hosts.get('b')!.nic('eth0')!.hasAddress('198.51.100.100')).toBe(false);
    expect(w.hosts.get('client')!.neighbours.get('198.51.100.100')).toBe(w.hosts.get('a')!.nic('eth0')!.mac);
    expect(violations(w)).toEqual([]);
  });

  it('fails over within Master_Down_Interval after a crash and back after restart', () => {
    const w = runToy(toyPair(), [{ atMs: 10_000, fault: { kind: 'crash', host: 'a' }, forMs: 10_000 }], 30_000);
    const states = w.recorder.of('state').filter((e) => e.to === 'MASTER').map((e) => [e.host, e.t] as const);
    // a first, b after a's crash at 10 s (b's MDI = 3 s + 0.609 s after a's last advert), a again after restart.
    expect(states.map((s) => s[0])).toEqual(['a', 'b', 'a']);
    const bTook = states[1]![1];
    expect(bTook).toBeGreaterThan(12_600_000);
    expect(bTook).toBeLessThan(13_700_000);
    expect(w.hosts.get('client')!.neighbours.get('198.51.100.100')).toBe(w.hosts.get('a')!.nic('eth0')!.mac);
    expect(violations(w)).toEqual([]);
  });

  it('shows two masters during a partition and one after heal', () => {
    const w = runToy(toyPair(), [{ atMs: 10_000, fault: { kind: 'partition', segment: 'lan', groups: [['a', 'client'], ['b']] }, forMs: 10_000 }], 30_000);
    const masters = w.recorder.of('state').map((e) => `${e.host}:${e.to}`);
    expect(masters).toContain('b:MASTER');
    expect(masters.at(-1)).toBe('b:BACKUP');
    expect(stateOf(w, 'a')).toBe('MASTER');
    expect(violations(w)).toEqual([]);
  });

  it('a 4 s pause of the master makes the backup take over, then the master wins back', () => {
    const w = runToy(toyPair(), [{ atMs: 10_000, fault: { kind: 'pause', host: 'a' }, forMs: 4_000 }], 30_000);
    const seq = w.recorder.of('state').map((e) => `${e.host}:${e.to}`);
    expect(seq).toEqual(['a:BACKUP', 'b:BACKUP', 'a:MASTER', 'b:MASTER', 'b:BACKUP']);
    expect(violations(w)).toEqual([]);
  });

  it('catches a runtime that takes over too early (L5) and one that keeps VIPs (S6)', () => {
    const early = runToy(toyPair({ bugs: { earlyTakeover: true } }), [], 10_000);
    expect(violations(early).some((v) => v.startsWith('L5:'))).toBe(true);
    const sticky = runToy(toyPair({ bugs: { keepVips: true } }), [{ atMs: 10_000, fault: { kind: 'partition', segment: 'lan', groups: [['a', 'client'], ['b']] }, forMs: 10_000 }], 30_000);
    const v = violations(sticky);
    expect(v.some((x) => x.startsWith('S6:'))).toBe(true);
    expect(v.some((x) => x.startsWith('L12:'))).toBe(true);
  });
});

describe('overlapping faults compose', () => {
  it('loss layers end independently and restore the baseline', () => {
    const w = runToy(
      toyPair(),
      [
        { atMs: 1000, fault: { kind: 'net', segment: 'lan', profile: { lossPct: 50 } }, forMs: 4000 },
        { atMs: 2000, fault: { kind: 'net', segment: 'lan', profile: { lossPct: 30 } }, forMs: 5000 },
      ],
      10_000,
    );
    const seg = w.segments.get('lan')!;
    expect(seg.profile.lossPct).toBe(0);
    const w2 = runToy(toyPair(), [{ atMs: 1000, fault: { kind: 'net', segment: 'lan', profile: { lossPct: 50 } }, forMs: 4000 }, { atMs: 2000, fault: { kind: 'net', segment: 'lan', profile: { lossPct: 30 } }, forMs: 5000 }], 5500);
    expect(w2.segments.get('lan')!.profile.lossPct).toBe(30);
  });

  it('a host paused twice runs again only when both pauses are over', () => {
    const w = runToy(
      toyPair(),
      [
        { atMs: 1000, fault: { kind: 'pause', host: 'a' }, forMs: 5000 },
        { atMs: 2000, fault: { kind: 'pause', host: 'a' }, forMs: 1000 },
      ],
      4000,
    );
    expect(w.hosts.get('a')!.cpu.paused).toBe(true);
  });

  it('two overlapping partitions: ending one keeps the other', () => {
    const w = runToy(
      toyPair(),
      [
        { atMs: 1000, fault: { kind: 'partition', segment: 'lan', groups: [['a'], ['b', 'client']] }, forMs: 10_000 },
        { atMs: 2000, fault: { kind: 'partition', segment: 'lan', groups: [['a', 'b'], ['client']] }, forMs: 2000 },
      ],
      5000,
    );
    const seg = w.segments.get('lan')!;
    expect(seg.canReach('a', 'b')).toBe(false);
    expect(seg.canReach('b', 'client')).toBe(true);
  });

  it('a stop arriving while the host is paused is handled when it runs again', () => {
    const w = runToy(
      toyPair(),
      [
        { atMs: 10_000, fault: { kind: 'pause', host: 'a' }, forMs: 3000 },
        { atMs: 11_000, fault: { kind: 'stop', host: 'a' }, forMs: 500 },
      ],
      20_000,
    );
    const daemon = w.recorder.of('daemon').filter((e) => e.host === 'a').map((e) => `${e.what}@${e.t / 1e6}`);
    expect(daemon).toEqual(['start@0', 'stopping@13', 'stopped@13.001', 'start@13.001']);
  });
});
