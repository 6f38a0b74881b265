/**
 * The `deladdr` fault (an operator's `ip addr del` on a simulated host): the MASTER hears
 * RTM_DELADDR, drops to BACKUP and, after Skew_Time, takes MASTER back and re-adds its VIP,
 * as keepalived 2.2.7 does (set_vrrp_backup). The peer stays BACKUP.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario, type RunResult } from '../../sim/run.js';
import { loadScenarioFile } from '../../sim/tools/scenario-file.js';

function node(name: string, priority: number): string {
  return `  ${name}:
    nics: { eth0: { segment: lan, address: 198.51.100.${priority === 150 ? 11 : 12}/24 } }
    config: |
      vrrp_instance VI_1 {
          state BACKUP
          interface eth0
          virtual_router_id 51
          priority ${priority}
          advert_int 1
          virtual_ipaddress {
              198.51.100.100/24 dev eth0
          }
      }
`;
}

function load(fault: string): { result?: RunResult; errors: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kts-deladdr-'));
  try {
    const path = join(dir, 's.yaml');
    writeFileSync(path, `name: deladdr\nseed: 1\nduration: 15s\nsegments:\n  lan: { delay: 0.05ms }\nhosts:\n${node('lb1', 150)}${node('lb2', 100)}timeline:\n  - at: 10s\n    deladdr: ${fault}\n`);
    const r = loadScenarioFile(path);
    return { result: r.scenario ? runScenario(r.scenario, { createRuntime: createDaemonRuntime }) : undefined, errors: r.errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
