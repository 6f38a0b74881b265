/**
 * The `deladdr` fault (an operator's `ip addr del` on a simulated host): the MASTER hears
 * RTM_DELADDR, drops to BACKUP and, after Skew_Time, takes MASTER back and re-adds its VIP,
 * as keepalived 2.2.7 does (set_vrrp_backup). The peer stays BACKUP.
 */
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario, type RunResult } from '../../sim/run.js';
import { loadPairScenario } from './helpers/pair-scenario.js';

function load(fault: string): { result?: RunResult; errors: string[] } {
  const r = loadPairScenario({ name: 'deladdr', timeline: `  - at: 10s\n    deladdr: ${fault}\n` });
  return { result: r.scenario ? runScenario(r.scenario, { createRuntime: createDaemonRuntime }) : undefined, errors: r.errors };
}

type Ev = { t: number; type: string; host: string; to?: string; op?: string; address?: string };
const events = (r: RunResult, type: string, host: string) => (r.history as Ev[]).filter((e) => e.type === type && e.host === host);

describe('deladdr fault', () => {
  it('the MASTER re-adds its VIP after Skew_Time by going BACKUP and MASTER again', () => {
    const { result, errors } = load('lb1/eth0 198.51.100.100');
    expect(errors).toEqual([]);
    const r = result!;
    const states = events(r, 'state', 'lb1').filter((e) => e.t >= 10_000_000).map((e) => [Math.round((e.t - 10_000_000) / 1000), e.to]);
    // Skew_Time for priority 150: (256 − 150) / 256 s ≈ 414 ms.
    expect(states).toEqual([
      [0, 'BACKUP'],
      [414, 'MASTER'],
    ]);
    const vips = events(r, 'vip', 'lb1').filter((e) => e.t >= 10_000_000).map((e) => e.op);
    expect(vips[0]).toBe('remove');
    expect(vips.at(-1)).toBe('add');
    expect(events(r, 'state', 'lb2').filter((e) => e.t >= 10_000_000)).toEqual([]);
  });

  it('rejects a malformed entry', () => {
    expect(load('lb1 198.51.100.100').errors.join('\n')).toMatch(/HOST\/NIC ADDRESS/);
    expect(load('lb1/eth9 198.51.100.100').errors.join('\n')).toMatch(/no NIC "eth9"/);
  });
});
