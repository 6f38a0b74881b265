/**
 * Interop smoke test and createNodePorts end to end: real keepalived 2.2.7 runs as MASTER in one
 * namespace; createNodePorts({ netns }) in the other receives its IPv4 (VRRPv2) and IPv6
 * (VRRPv3) adverts with TTL/hop limit 255, then sends a higher-priority advert through the same
 * adapter and keepalived steps down to BACKUP and removes its VIP. Also: scripts run inside the
 * daemon's namespace, and a missing namespace is a clear error. Root only.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptResult, VrrpRxPacket, VrrpSocket } from '../../actors/ports.js';
import { createNodePorts, type NodePorts } from '../../adapters/node/ports.js';
import { decodeVrrp } from '../../protocol/vrrp/index.js';
import { NetnsLab, isRoot, rootTitle, waitFor, type LabProcess } from '../helpers/netns.js';

const KEEPALIVED = '/usr/sbin/keepalived';
const haveKeepalived = existsSync(KEEPALIVED);

function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** VRRPv2 advert (no auth) for vrid/vip inside an IPv4 datagram to 224.0.0.18, TTL 255. */
function v2Advert(src: string, vrid: number, priority: number, vip: string): Buffer {
  const v4 = (s: string): number[] => s.split('.').map(Number);
  const vrrp = Buffer.from([0x21, vrid, priority, 1, 0, 1, 0, 0, ...v4(vip), 0, 0, 0, 0, 0, 0, 0, 0]);
  vrrp.writeUInt16BE(checksum(vrrp), 6);
  const ip = Buffer.from([0x45, 0xc0, 0, 20 + vrrp.length, 0, 0, 0, 0, 255, 112, 0, 0, ...v4(src), 224, 0, 0, 18]);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ip, vrrp]);
}

describe.skipIf(!isRoot || !haveKeepalived)(rootTitle(`keepalived 2.2.7 interop through createNodePorts${haveKeepalived ? '' : ' [skipped: /usr/sbin/keepalived not installed]'}`), () => {
  const lab = new NetnsLab('kts-d-');
  const work = mkdtempSync(join(tmpdir(), 'kts-d-ka-'));
  let k = '';
  let o = '';
  let ports: NodePorts;
  let keepalived: LabProcess;
  const sockets: VrrpSocket[] = [];
  const got: VrrpRxPacket[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    k = await lab.namespace('ka');
    o = await lab.namespace('ours');
    await lab.veth({ ns: k, ifname: 'kd-k', addresses: ['198.51.100.11/24'] }, { ns: o, ifname: 'kd-o', addresses: ['198.51.100.12/24'] });
    const conf = join(work, 'keepalived.conf');
    writeFileSync(
      conf,
      `global_defs {
  router_id kts_interop
}
vrrp_instance VI_4 {
  state MASTER
  interface kd-k
  virtual_router_id 71
  priority 150
  advert_int 1
  virtual_ipaddress {
    203.0.113.71/32
  }
}
vrrp_instance VI_6 {
  state MASTER
  interface kd-k
  virtual_router_id 72
  priority 150
  advert_int 1
  virtual_ipaddress {
    2001:db8:d::72/128
  }
}
`,
    );
    ports = createNodePorts({ netns: o, logger: { log: () => {} } });
    for (const [family, group] of [[4, '224.0.0.18'], [6, 'ff02::12']] as const) {
      const s = ports.vrrp.open({ family, ifname: 'kd-o', groups: [group], protocols: [112] }, (p) => got.push(p), (e) => errors.push(e));
      if ('error' in s) throw new Error(s.error);
      sockets.push(s);
    }
    keepalived = lab.spawn(k, [KEEPALIVED, '-n', '-l', '-D', '-P', '-f', conf, '-p', join(work, 'keepalived.pid'), '-r', join(work, 'vrrp.pid'), '-c', join(work, 'checkers.pid')]);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    ports?.close();
    await lab.cleanup(); // stops keepalived, kills anything left in the namespaces
    rmSync(work, { recursive: true, force: true });
  });

  it('receives keepalived\'s IPv4 VRRPv2 adverts with TTL 255', async () => {
    const p = await waitFor(() => got.find((x) => x.family === 4 && x.data[21] === 71), { timeoutMs: 15_000, what: `keepalived's IPv4 advert; keepalived said:\n${keepalived.output()}` });
    // IPv4: the decoder reads source and destination from the datagram's header, as the runtime does.
    const d = decodeVrrp(p);
    expect(d.ok && { src: d.value.src.text, dst: d.value.dst.text }).toEqual({ src: '198.51.100.11', dst: '224.0.0.18' });
    expect(p).toMatchObject({ ifname: 'kd-o', ttl: 255 });
    const vrrp = p.data.subarray(20);
    expect(vrrp[0]).toBe(0x21); // version 2, advertisement
    expect(vrrp[2]).toBe(150);
    expect(Array.from(vrrp.subarray(8, 12)).join('.')).toBe('203.0.113.71');
    expect(checksum(vrrp)).toBe(0);
  });

  it('receives keepalived\'s IPv6 VRRPv3 adverts with hop limit 255 from its link-local address', async () => {
    const p = await waitFor(() => got.find((x) => x.family === 6 && x.data[1] === 72), { timeoutMs: 15_000, what: `keepalived's IPv6 advert; keepalived said:\n${keepalived.output()}` });
    expect(p).toMatchObject({ ifname: 'kd-o', ttl: 255 });
    expect(p.dst?.text).toBe('ff02::12');
    expect(p.src?.text).toMatch(/^fe80:/);
    expect(p.data[0]).toBe(0x31);
    expect(p.data[2]).toBe(150);
    expect(errors).toEqual([]);
  });

  it('keepalived yields to a higher-priority advert sent through our adapter and removes its VIP', async () => {
    await keepalived.waitFor(/\(VI_4\) Entering MASTER STATE/, 15_000);
    const s = sockets[0]!;
    // Three adverts one second apart: enough for keepalived to see a better master.
    for (let i = 0; i < 3; i++) {
      expect(s.send(v2Advert('198.51.100.12', 71, 200, '203.0.113.71'), '224.0.0.18')).toBeUndefined();
      if (/\(VI_4\) Entering BACKUP STATE/.test(keepalived.output())) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await keepalived.waitFor(/\(VI_4\) Entering BACKUP STATE/, 5000);
    await waitFor(
      async () => !(await lab.exec(k, ['ip', '-o', 'addr', 'show', 'dev', 'kd-k'])).stdout.includes('203.0.113.71'),
      { timeoutMs: 5000, what: 'keepalived to remove 203.0.113.71' },
    );
  });

  it('createNodePorts sees only its namespace, and runs scripts inside it', async () => {
    expect(ports.net.interfaces().map((i) => i.name).sort()).toEqual(['kd-o', 'lo']);
    const out = join(work, 'links.txt');
    const r = await new Promise<ScriptResult>((resolve) => ports.scripts.run({ argv: ['/bin/sh', '-c', `ip -o link show > ${out}`], timeoutMs: 5000 }, resolve));
    expect(r).toEqual({ exitCode: 0, timedOut: false });
    const { readFileSync } = await import('node:fs');
    const names = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => l.split(': ')[1]!.split('@')[0]);
    expect(names.sort()).toEqual(['kd-o', 'lo']);
  });

  it('a missing namespace is a clear error', () => {
    expect(() => createNodePorts({ netns: 'kts-d-does-not-exist' })).toThrow(/network namespace "kts-d-does-not-exist" not found/);
  });
});
