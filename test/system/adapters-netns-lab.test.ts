/**
 * The namespace lab itself (test/helpers/netns.ts), which other system tests build on: three
 * hosts on a bridge inside a switch namespace reach each other, VRRP multicast from one host
 * reaches the other two through the Linux adapter, cleanup() removes namespaces and kills
 * processes, and sweep() removes namespaces left by dead test processes. Root only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VrrpRxPacket } from '../../actors/ports.js';
import { createNodePorts, type NodePorts } from '../../adapters/node/ports.js';
import { NetnsLab, isRoot, rootTitle, run, waitFor } from '../helpers/netns.js';

describe.skipIf(!isRoot)(rootTitle('NetnsLab: bridges, processes, cleanup'), () => {
  const lab = new NetnsLab('kts-d-');
  const hosts: string[] = [];
  let sw = '';
  const ports: NodePorts[] = [];

  beforeAll(async () => {
    sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    for (const [i, name] of ['h1', 'h2', 'h3'].entries()) {
      const ns = await lab.namespace(name);
      hosts.push(ns);
      await lab.attach(sw, 'br0', { ns, ifname: `kd-${name}`, addresses: [`203.0.113.${i + 1}/24`, `2001:db8:b::${i + 1}/64`] });
    }
  });

  afterAll(async () => {
    for (const p of ports) p.close();
    await lab.cleanup();
  });

  it('three hosts on one bridge reach each other over IPv4 and IPv6', async () => {
    for (const target of ['203.0.113.2', '203.0.113.3', '2001:db8:b::3']) {
      const r = await lab.exec(hosts[0]!, ['ping', '-c1', '-W2', target], { timeoutMs: 5000 });
      expect(r.code, `${target}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const ports0 = await lab.ipJson<{ ifname: string; master?: string }[]>(sw, ['link', 'show', 'master', 'br0']);
    expect(ports0.map((l) => l.ifname).sort()).toEqual(['kd-h1-p', 'kd-h2-p', 'kd-h3-p']);
  });

  it('a VRRP multicast advert from one host reaches both others through the bridge', async () => {
    const got: Record<string, VrrpRxPacket[]> = {};
    const sockets = hosts.map((ns, i) => {
      const p = createNodePorts({ netns: ns, logger: { log: () => {} } });
      ports.push(p);
      got[ns] = [];
      const s = p.vrrp.open({ family: 6, ifname: `kd-h${i + 1}`, groups: ['ff02::12'], protocols: [112] }, (x) => got[ns]!.push(x), () => {});
      if ('error' in s) throw new Error(s.error);
      return s;
    });
    expect(sockets[0]!.send(Buffer.from([0x31, 90, 100, 0, 0, 100, 0, 0]), 'ff02::12')).toBeUndefined();
    for (const ns of hosts.slice(1)) {
      const p = await waitFor(() => got[ns]!.find((x) => x.data[1] === 90), { timeoutMs: 3000, what: `advert in ${ns}` });
      expect(p.ttl).toBe(255);
    }
    expect(got[hosts[0]!]!.filter((x) => x.data[1] === 90)).toEqual([]);
  });

  it('spawn(): output, waitFor and stop', async () => {
    const p = lab.spawn(hosts[1]!, ['sh', '-c', 'echo ready; exec sleep 30']);
    await p.waitFor(/ready/, 3000);
    const pids = (await run(['ip', 'netns', 'pids', hosts[1]!])).stdout.trim().split(/\s+/);
    expect(pids.length).toBeGreaterThan(0);
    expect(await p.stop(500)).toContain('ready');
    await expect(lab.spawn(hosts[1]!, ['sh', '-c', 'exit 3']).waitFor(/never/, 3000)).rejects.toThrow(/exited \(3\) before printing/);
  });

  it('refuses namespaces it did not create', async () => {
    await expect(lab.exec('some-other-ns', ['true'])).rejects.toThrow(/was not created by this lab/);
  });

  it('cleanup() kills what runs inside and deletes the namespaces; sweep() removes a dead run\'s leftovers', async () => {
    const other = new NetnsLab('kts-d-');
    const ns = await other.namespace('tmp');
    // A process not started through spawn(): cleanup must still kill it (ip netns pids).
    const r = await other.exec(ns, ['sh', '-c', 'setsid sleep 60 >/dev/null 2>&1 < /dev/null & echo $!']);
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await other.cleanup();
    expect(existsSync(`/run/netns/${ns}`)).toBe(false);
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 3000, what: 'the stray sleep to die' });

    let dead = 4_000_000;
    while (dead > 3_900_000) {
      try {
        process.kill(dead, 0);
        dead--;
      } catch {
        break;
      }
    }
    const stale = `kts-d-${dead.toString(36)}-old`;
    execFileSync('ip', ['netns', 'add', stale]);
    expect(NetnsLab.sweep('kts-d-')).toContain(stale);
    expect(existsSync(`/run/netns/${stale}`)).toBe(false);
  });
});
