/**
 * 1,000 vrrp_instances in one keepalived-ts daemon (the real CLI, forked VRRP child): four veth
 * links of 250 VRIDs each from a node namespace to a sink namespace, every instance `state
 * MASTER` with one /32 VIP. All 1,000 VIPs must come up and stay up, and the VRRP child must not
 * die on the way. Before the fix, the burst of 1,000 address adds overran a netlink socket's
 * receive buffer and the `netlink` addon aborted the child (SIGABRT, "terminate called after
 * throwing an instance of 'Napi::Error'"); the parent respawned it again and again. Root only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, NetnsLab, rootTitle, waitFor, type LabProcess } from '../helpers/netns.js';
import { footprintConf } from '../../bench/lib/footprint.js';

const LINKS = 4;
const PER_LINK = 250;
const INSTANCES = LINKS * PER_LINK;
const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;


describe.skipIf(!isRoot)(rootTitle('daemon with 1,000 VRRP instances'), () => {
  const lab = new NetnsLab('kts-k-');
  let node = '';
  let dir = '';
  let daemon: LabProcess | undefined;

  const vipCount = async (): Promise<number> => {
    const r = await lab.exec(node, ['ip', '-4', '-o', 'addr', 'show', 'to', '203.0.113.0/24']);
    return r.stdout.split('\n').filter((l) => l.includes('203.0.113.')).length;
  };

  beforeAll(async () => {
    node = await lab.namespace('node');
    const sink = await lab.namespace('sink');
    for (let i = 0; i < LINKS; i++) {
      await lab.veth({ ns: node, ifname: `n${i}`, addresses: [`198.51.100.${64 * i + 1}/26`] }, { ns: sink, ifname: `s${i}`, addresses: [`198.51.100.${64 * i + 2}/26`] });
    }
    dir = mkdtempSync(join(tmpdir(), 'kts-k-scale-'));
    writeFileSync(join(dir, 'keepalived.conf'), footprintConf(INSTANCES));
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop(3000);
    await lab.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('brings up all 1,000 VIPs and holds them with no child death', async () => {
    const p = (name: string) => join(dir, name);
    daemon = lab.spawn(node, [process.execPath, '--import', 'tsx', CLI, '-n', '-l', '-P', '-f', p('keepalived.conf'), '-p', p('k.pid'), '-r', p('v.pid'), '-c', p('c.pid')], { TMPDIR: dir });
    const d = daemon;
    await waitFor(async () => (await vipCount()) >= INSTANCES, { timeoutMs: 40_000, intervalMs: 500, what: `${INSTANCES} VIPs (log tail: see the assertion below)` }).catch(() => undefined);
    expect(await vipCount(), d.output().split('\n').slice(-5).join('\n')).toBe(INSTANCES);
    // Hold: a few advert intervals and the 5 s garp_master_delay refresh burst.
    await new Promise((r) => setTimeout(r, 7000));
    expect(await vipCount()).toBe(INSTANCES);
    const log = d.output();
    expect(log).not.toMatch(/died: Respawning|exited due to signal|Napi::Error|did not answer/);
    expect(log.match(/Entering MASTER STATE/g)?.length).toBe(INSTANCES);
  }, 58_000);
});
