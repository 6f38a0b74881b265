/**
 * InstanceInput.priorityRange from the trackers' weights: it bounds the Skew_Time marks the
 * instance arms at each Master_Down expiry (K-13). Without it every expiry armed 254 timers,
 * which made takeovers several ms late and cost CPU with many instances.
 */
import { describe, expect, it } from 'vitest';
import { planInstance } from '../../actors/vrrp/plan-instance.js';
import type { InterfaceInfo } from '../../actors/ports.js';
import { model, vi1 } from './two-nodes.js';

const ifs: InterfaceInfo[] = [{ name: 'eth0', index: 2, mac: '02:00:00:00:00:01', up: true, running: true, addresses: ['198.51.100.1/24'] }];
const rangeOf = (text: string) => {
  const m = model(text);
  return planInstance(m.vrrpInstances[0]!, m, ifs).input.priorityRange;
};

describe('priorityRange in the instance plan', () => {
  it('is the base priority alone without weighted trackers', () => {
    expect(rangeOf(vi1(100))).toEqual({ min: 100, max: 100 });
    expect(rangeOf(vi1(100, 'track_interface { eth0 }'))).toEqual({ min: 100, max: 100 });
  });

  it('spans base ± the sum of |weight|, clamped to 1..254', () => {
    const scripts = 'vrrp_script up { script "/bin/true"\n weight 30 }\nvrrp_script down { script "/bin/false"\n weight -60 }';
    expect(rangeOf(vi1(100, 'track_script { up\n down }', scripts))).toEqual({ min: 10, max: 190 });
    expect(rangeOf(vi1(240, 'track_script { up }', scripts))).toEqual({ min: 210, max: 254 });
  });

  it('is left open for a weighted track_file (value × weight) and for the owner', () => {
    const file = 'vrrp_track_file f { file "/tmp/kts-k-prio"\n weight 2 }';
    expect(rangeOf(vi1(100, 'track_file { f }', file))).toBeUndefined();
    expect(rangeOf(vi1(255))).toBeUndefined();
  });
});
