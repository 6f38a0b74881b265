/** The simulated hosts drop what a Linux kernel drops before a VRRP socket sees it (issue 9, "judge what the kernel would have dropped"). */
import { describe, expect, it } from 'vitest';
import type { WorldSpec } from '../../sim/world.js';
import type { ToyModel } from './helpers/toy-runtime.js';
import { runToy, stateOf, violations } from './helpers/toy-world.js';

function pair(bugs: ToyModel['bugs']): WorldSpec {
  const inst = (priority: number, b?: ToyModel['bugs']): ToyModel => ({
    instances: [{ name: 'VI_1', vrid: 51, ifname: 'eth0', priority, vips: ['198.51.100.100'], nopreempt: false }],
    ...(b ? { bugs: b } : {}),
  });
  return {
    segments: [{ name: 'lan' }],
    hosts: [
      { name: 'a', nics: [{ name: 'eth0', segment: 'lan', addresses: ['198.51.100.11/24'] }], model: inst(150, bugs) },
      { name: 'b', nics: [{ name: 'eth0', segment: 'lan', addresses: ['198.51.100.12/24'] }], model: inst(100) },
    ],
  };
}

describe('kernel drops in the simulator', () => {
  it('a master whose adverts carry a wrong IPv4 header checksum is not heard: the backup takes over, S4 names the cause', () => {
    const w = runToy(pair({ badIpChecksum: true }), [], 10_000);
    expect(stateOf(w, 'a')).toBe('MASTER');
    expect(stateOf(w, 'b')).toBe('MASTER');
    const v = violations(w);
    expect(v).toContain('S4: a/VI_1 sent an advert every receiving kernel discards: wrong IPv4 header checksum');
    expect(v.some((x) => x.startsWith('L1:'))).toBe(true);
  });

  it('fragmented adverts are not delivered either', () => {
    const w = runToy(pair({ fragment: true }), [], 10_000);
    expect(stateOf(w, 'b')).toBe('MASTER');
    expect(violations(w)).toContain('S4: a/VI_1 sent an advert every receiving kernel discards: an IP fragment');
  });

  it('the same pair without the bug elects one master and reports nothing', () => {
    const w = runToy(pair(undefined), [], 10_000);
    expect(stateOf(w, 'a')).toBe('MASTER');
    expect(stateOf(w, 'b')).toBe('BACKUP');
    expect(violations(w)).toEqual([]);
  });
});
