/** Cross-node lint: configs of one cluster must agree on every virtual router they share. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileText, formatDiagnostic, lintCluster, type ClusterNode } from '../../config/index.js';
import { compileFile, SEEDS_FIXTURES } from './helpers.js';

const node = (name: string, text: string): ClusterNode => ({ name, model: compileText(text, name).model });
const vi = (o: { name?: string; vrid?: number; prio?: number; state?: string; adv?: number; pass?: string; vips?: string[]; extra?: string }) =>
  `vrrp_instance ${o.name ?? 'VI_1'} {\n interface eth0\n state ${o.state ?? 'BACKUP'}\n virtual_router_id ${o.vrid ?? 51}\n priority ${o.prio ?? 100}\n advert_int ${o.adv ?? 1}\n` +
  (o.pass ? ` authentication {\n  auth_type PASS\n  auth_pass ${o.pass}\n }\n` : '') +
  ` virtual_ipaddress {\n${(o.vips ?? ['10.0.0.1']).map((v) => `  ${v}\n`).join('')} }\n${o.extra ?? ''}}\n`;

describe('lintCluster', () => {
  it('accepts a consistent pair (seed 001) and the seed 004 dual-master pair', () => {
    const s001 = ['001-node-185.conf', '001-node-186.conf'].map((f) => ({ name: f, model: compileFile(join(SEEDS_FIXTURES, f)).model }));
    expect(lintCluster(s001)).toEqual([]);
    const s004 = ['004-master1.conf', '004-master2.conf'].map((f) => ({ name: f, model: compileFile(join(SEEDS_FIXTURES, f)).model }));
    // VI_1 is MASTER (nopreempt cleared) on Master1 while Master2 keeps nopreempt: the lint says so.
    const d = lintCluster(s004);
    expect(d.map((x) => `${x.file.slice(SEEDS_FIXTURES.length + 1)}:${x.line} ${x.message.replace(`${SEEDS_FIXTURES}/`, '')}`)).toEqual([
      '004-master1.conf:19 VRID 151 (IPv4): nopreempt is set on some nodes (004-master2.conf:25:6) but VI_1@004-master1.conf is state MASTER',
      '004-master2.conf:39 VRID 152 (IPv4): nopreempt is set on some nodes (004-master1.conf:45:6) but VI_2@004-master2.conf is state MASTER',
    ]);
  });

  it('reports vrid, advert_int, version, auth and VIP disagreements, with file and line', () => {
    const a = node('a.conf', vi({ name: 'VI_1', vrid: 51, pass: 'secret1', vips: ['10.0.0.1', '10.0.0.2'] }) + vi({ name: 'VI_2', vrid: 60, prio: 90 }));
    const b = node('b.conf', vi({ name: 'VI_1', vrid: 51, adv: 2, pass: 'secret2', vips: ['10.0.0.1'], prio: 90 }) + vi({ name: 'VI_2', vrid: 61, extra: ' version 3\n' }));
    const msgs = lintCluster([a, b]).map(formatDiagnostic);
    // Each finding points at the keyword that differs on one side and names where the other side sets it.
    expect(msgs).toEqual([
      'b.conf:18:2: error: virtual_router_id of VI_2 differs between nodes: VI_2@b.conf has 61 here, VI_2@a.conf has 60 at a.conf:19:2 (fix: use the same virtual_router_id on every node)',
      'b.conf:6:2: error: advert_int of VRID 51 (IPv4) differs between nodes: VI_1@b.conf has 2s here, VI_1@a.conf has 1s at a.conf:6:2 (fix: use the same advert_int on every node (v2 drops adverts with another interval))',
      'b.conf:9:3: error: auth_pass of VRID 51 (IPv4) differs between nodes: VI_1@b.conf (here) and VI_1@a.conf (a.conf:9:3) use different passwords (not shown) (fix: use the same first 8 characters of auth_pass on every node)',
      'b.conf:11:2: error: virtual_ipaddress list of VRID 51 (IPv4) differs between nodes: VI_1@b.conf has 10.0.0.1/32 here, VI_1@a.conf has 10.0.0.1/32 10.0.0.2/32 at a.conf:11:2 (fix: list the same VIPs on every node (backups log and count mismatched adverts))',
    ]);
    // Passwords are never printed.
    for (const m of msgs) expect(m).not.toMatch(/secret/);
    // A keyword left at its default is named as such, at the vrrp_instance line.
    const d1 = node('d1.conf', vi({ vrid: 81 }).replace(' advert_int 1\n', ''));
    const d2 = node('d2.conf', vi({ vrid: 81, prio: 90, adv: 3 }));
    expect(lintCluster([d1, d2]).map(formatDiagnostic)).toEqual([
      'd2.conf:6:2: error: advert_int of VRID 81 (IPv4) differs between nodes: VI_1@d2.conf has 3s here, VI_1@d1.conf has 1s (default) at d1.conf:1:1 (fix: use the same advert_int on every node (v2 drops adverts with another interval))',
    ]);
    const t1 = node('t1.conf', vi({ vrid: 82, pass: 'topsecret' }));
    const t2 = node('t2.conf', vi({ vrid: 82, prio: 90 }));
    expect(lintCluster([t1, t2]).map(formatDiagnostic)).toEqual([
      't2.conf:1:1: error: authentication of VRID 82 (IPv4) differs between nodes: VI_1@t2.conf has none (default) here, VI_1@t1.conf has PASS at t1.conf:8:3 (fix: use the same auth_type on every node)',
    ]);
    const v2 = node('v2.conf', vi({ vrid: 80 }));
    const v3 = node('v3.conf', vi({ vrid: 80, prio: 90, extra: ' version 3\n' }));
    expect(lintCluster([v2, v3]).map((d) => d.message)).toEqual(['VRRP version of VRID 80 (IPv4) differs between nodes: VI_1@v3.conf has v3 here, VI_1@v2.conf has v2 (default) at v2.conf:1:1']);
  });

  it('reports duplicate priorities, several MASTERs with nopreempt, VRID collisions and missing unicast peers', () => {
    const a = node('a.conf', vi({ state: 'MASTER', extra: ' nopreempt\n' }) + vi({ name: 'WEB', vrid: 70, vips: ['10.1.0.1'] }));
    const b = node('b.conf', vi({ state: 'MASTER', extra: ' nopreempt\n' }) + vi({ name: 'DB', vrid: 70, vips: ['10.2.0.1'], prio: 90 }));
    const msgs = lintCluster([a, b]).map((d) => d.message);
    expect(msgs).toContain('VRID 51 (IPv4): VI_1@a.conf and VI_1@b.conf have the same priority 100 (also at a.conf:5:2); the higher primary IP address wins ties');
    expect(msgs).toContain('VRID 51 (IPv4): VI_1@a.conf and VI_1@b.conf all start as state MASTER (also at a.conf:3:2) with nopreempt (nopreempt is ignored with state MASTER)');
    expect(msgs).toContain('VRID collision: WEB, DB use VRID 70 (IPv4) on eth0 for different addresses (also at a.conf:15:2)');
    const u1 = node('u1.conf', vi({ extra: ' unicast_src_ip 198.51.100.1\n unicast_peer {\n  198.51.100.9\n }\n' }));
    const u2 = node('u2.conf', vi({ prio: 90, extra: ' unicast_src_ip 198.51.100.2\n unicast_peer {\n  198.51.100.1\n }\n' }));
    expect(lintCluster([u1, u2]).map((d) => d.message)).toEqual([
      "VRID 51 (IPv4): VI_1@u1.conf does not list VI_1@u2.conf's unicast_src_ip 198.51.100.2 (u2.conf:10:2) in unicast_peer",
    ]);
  });

  it('is linear: linting 2 nodes × 10,000 instances takes well under 5 s', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => vi({ name: `VI_${i}`, vrid: (i % 255) + 1, vips: [`10.${i >> 8}.${i & 255}.1`], extra: ` interface eth${Math.floor(i / 255)}\n` })).join('');
    const a = { name: 'a', model: compileText(text, 'a').model };
    const b = { name: 'b', model: compileText(text.replace(/priority 100/g, 'priority 90'), 'b').model };
    const t0 = performance.now();
    lintCluster([a, b]);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
