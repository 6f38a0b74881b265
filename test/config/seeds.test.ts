/** The models of the seed configurations (001–004), field by field. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VrrpInstanceConfig } from '../../config/index.js';
import { compileFile, SEEDS_FIXTURES } from './helpers.js';

const seed = (name: string) => compileFile(join(SEEDS_FIXTURES, name));
const vip = (address: string, prefixLength: number, extra: Record<string, unknown> = {}) =>
  expect.objectContaining({ address, prefixLength, family: 4, ...extra });

/** Fields every instance of these seeds shares (keepalived defaults, nothing set explicitly). */
function expectDefaults(i: VrrpInstanceConfig) {
  expect(i).toMatchObject({
    version: 2,
    family: 4,
    advertIntervalCs: 100,
    mcastDstIp: '224.0.0.18',
    unicastPeers: [],
    unicastTtl: 255,
    excludedVips: [],
    virtualRoutes: [],
    virtualRules: [],
    preemptDelayMs: 0,
    garpMasterDelayMs: 5000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    garpMasterRefreshRepeat: 1,
    garpLowerPrioDelayMs: 5000,
    garpLowerPrioRepeat: 5,
    accept: true,
    strict: false,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    downTimerAdverts: 3,
    trackInterfaces: [],
    dontTrackPrimary: false,
  });
}

describe('seed 001 (two nodes, two instances each, PASS auth, // comments)', () => {
  it('node .185: global_defs and both instances', () => {
    const { model, diagnostics } = seed('001-node-185.conf');
    expect(model.globalDefs).toMatchObject({
      notificationEmail: ['ops@yidian-inc.com'],
      smtpServer: { host: '10.101.1.139', port: 25 },
      smtpConnectTimeoutMs: 30_000,
      // keepalived takes the first word; the `// …` remark is extra words on the same line.
      routerId: '101-1-185-lg-201-l10.yidian.com',
    });
    const [a, b] = model.vrrpInstances;
    expect(model.vrrpInstances).toHaveLength(2);
    expectDefaults(a!);
    expect(a).toMatchObject({
      name: 'ha-internal-1', state: 'MASTER', interface: 'eth0', vrid: 1, priority: 100, nopreempt: false,
      authentication: { type: 'PASS', pass: '1-intern' },
      vips: [vip('10.101.0.101', 22, { dev: 'eth0' }), vip('10.101.0.102', 22, { dev: 'eth0' })],
      smtpAlert: false,
    });
    expect(b).toMatchObject({
      name: 'ha-internal-2', state: 'BACKUP', interface: 'eth0', vrid: 2, priority: 99,
      authentication: { type: 'PASS', pass: '2-intern' },
      vips: [vip('10.101.0.107', 22, { dev: 'eth0' }), vip('10.101.0.108', 22, { dev: 'eth0' })],
    });
    // `// …` lines are unknown keywords (warnings), as keepalived reports them; passwords are truncated.
    expect(diagnostics.map((d) => [d.line, d.severity, d.message.split(' - ')[0]])).toEqual([
      [22, 'warning', 'Truncating auth_pass to 8 characters'],
      [24, 'warning', "unknown keyword '//' in vrrp_instance ha-internal-1"],
      [25, 'warning', "unknown keyword '//' in vrrp_instance ha-internal-1"],
      [40, 'warning', 'Truncating auth_pass to 8 characters'],
    ]);
  });

  it('node .186 mirrors the roles', () => {
    const { model } = seed('001-node-186.conf');
    expect(model.globalDefs.routerId).toBe('101-1-186-lg-201-l10.yidian.com');
    expect(model.vrrpInstances.map((i) => [i.name, i.state, i.vrid, i.priority])).toEqual([
      ['ha-internal-1', 'BACKUP', 1, 99],
      ['ha-internal-2', 'MASTER', 2, 100],
    ]);
  });
});

describe('seed 002 (nginx pair, the shipped default global_defs with vrrp_strict)', () => {
  it('machine 1: strict mode drops auth, forces BACKUP and no_accept', () => {
    const { model, diagnostics } = seed('002-machine-1.conf');
    expect(model.globalDefs).toMatchObject({
      notificationEmail: ['[email', 'protected]', '[email', 'protected]', '[email', 'protected]'],
      notificationEmailFrom: '[email',
      smtpServer: { host: '192.168.200.1', port: 25 },
      routerId: 'LVS_DEVEL',
      vrrpSkipCheckAdvAddr: true,
      vrrpStrict: true,
      vrrpGarpIntervalMs: 0,
      vrrpGnaIntervalMs: 0,
    });
    const [i] = model.vrrpInstances;
    expect(i).toMatchObject({
      name: 'VI_1', interface: 'ens33', vrid: 51, priority: 150, advertIntervalCs: 100, version: 2,
      state: 'BACKUP', strict: true, accept: false, lowerPrioNoAdvert: true, ownerIgnoreAdverts: true, skipCheckAdvAddr: true,
      vips: [vip('192.168.168.110', 24, { dev: 'ens33', label: 'ens33:1' })],
    });
    expect(i!.authentication).toBeUndefined();
    expect(diagnostics.map((d) => d.line)).toEqual([15, 16, 24, 19]);
  });

  it('machine 2: VI_2 on the same VRID', () => {
    const { model } = seed('002-machine-2.conf');
    expect(model.vrrpInstances.map((i) => [i.name, i.state, i.vrid, i.priority, i.accept])).toEqual([['VI_2', 'BACKUP', 51, 100, false]]);
  });
});

describe('seed 003 (LVS-DR behind a sync group)', () => {
  it('LVS-DR: sync group, two nopreempt instances, four virtual servers with TCP_CHECKs', () => {
    const { model } = seed('003-lvs-dr.conf');
    expect(model.vrrpSyncGroups).toEqual([expect.objectContaining({ name: 'GOP', members: ['VI_PRI_CONNECT', 'VI_PRI_AUTH'], smtpAlert: false })]);
    expect(model.vrrpInstances.map((i) => [i.name, i.state, i.interface, i.vrid, i.priority, i.nopreempt, i.syncGroup, i.authentication?.pass])).toEqual([
      ['VI_PRI_CONNECT', 'BACKUP', 'bond0', 128, 100, true, 'GOP', '1111'],
      ['VI_PRI_AUTH', 'BACKUP', 'bond0', 129, 100, true, 'GOP', '1111'],
    ]);
    expect(model.vrrpInstances[0]!.vips).toEqual([vip('10.65.32.28', 23, { dev: 'bond0' })]);
    expect(model.virtualServers).toHaveLength(4);
    const vs = model.virtualServers[1]!;
    expect(vs).toMatchObject({
      target: { kind: 'ip', address: '10.65.32.28', port: 443, family: 4 },
      delayLoopMs: 6000, lvsSched: 'rr', lvsMethod: 'DR', protocol: 'TCP', quorum: 1, connectTimeoutMs: 5000,
    });
    // DR needs the real server port to be the virtual server port: keepalived resets 80 to 443.
    expect(vs.realServers.map((r) => [r.address, r.port, r.weight])).toEqual([['10.65.32.13', 443, 100], ['10.65.32.14', 443, 100]]);
    expect(vs.realServers[0]!.checkers).toEqual([
      expect.objectContaining({ kind: 'TCP_CHECK', connectTimeoutMs: 3000, retry: 3, delayBeforeRetryMs: 3000, connectPort: 443, delayLoopMs: 6000 }),
    ]);
  });

  it('DR/TUN mix and the active-active variant', () => {
    const mix = seed('003-dr-tun.conf').model;
    expect(mix.virtualServers.map((v) => v.lvsMethod)).toEqual(['DR', 'TUN']);
    expect(mix.vrrpSyncGroups[0]!.members).toEqual(['VI_PRI_AUTH']);
    const aa = seed('003-active-active.conf').model;
    expect(aa.vrrpScripts).toEqual([
      expect.objectContaining({
        name: 'maint-xxx', intervalMs: 2000, timeoutMs: 2000, fall: 2, rise: 2, weight: 0,
        command: expect.objectContaining({ argv: ['/bin/bash', '-c', '[[ -e /etc/keepalived/xxx ]]', '&&', 'exit', '1', '||', 'exit', '0'] }),
      }),
    ]);
    expect(aa.vrrpSyncGroups[0]).toMatchObject({ name: 'VI_GROUP_xxx', members: ['VI_PRI_1', 'VI_PRI_2', 'VI_PUB_1', 'VI_PUB_2'], notify: { notify: { argv: ['/etc/keepalived/notify.sh'] } } });
    expect(aa.vrrpInstances.map((i) => [i.name, i.vrid, i.trackScripts.map((t) => [t.name, t.weight])])).toEqual([
      ['VI_PRI_1', 138, [['maint-xxx', 0]]], ['VI_PRI_2', 139, [['maint-xxx', 0]]], ['VI_PUB_1', 101, [['maint-xxx', 0]]], ['VI_PUB_2', 102, [['maint-xxx', 0]]],
    ]);
  });
});

describe('seed 004 (nginx + keepalived, typos kept)', () => {
  it('both-backup config: typos are warnings, the auth block loses its type', () => {
    const { model, diagnostics } = seed('004-both-backup.conf');
    expect(model.globalDefs).toMatchObject({ notificationEmail: ['support@jfedu.net'], notificationEmailFrom: '183363009@163.com', smtpServer: { host: '127.0.0.1', port: 25 }, routerId: 'LVS_DEVEL' });
    expect(model.vrrpScripts).toEqual([expect.objectContaining({ name: 'chk_nginx', intervalMs: 2000, weight: 2, reverse: false, command: expect.objectContaining({ argv: ['/data/sh/check_nginx.sh'] }) })]);
    const [i] = model.vrrpInstances;
    expect(i).toMatchObject({
      name: 'VI_1', state: 'BACKUP', interface: 'ens33', vrid: 151, priority: 100, advertIntervalCs: 500, nopreempt: true,
      vips: [vip('192.168.0.188', 32)], trackScripts: [expect.objectContaining({ name: 'chk_nginx', weight: 2, weightOverridden: false })],
    });
    // `auth_typePASS` is unknown, so the block has a password but no type: no authentication.
    expect(i!.authentication).toBeUndefined();
    const warnings = diagnostics.filter((d) => d.severity === 'warning').map((d) => [d.line, d.message]);
    expect(warnings).toEqual([
      [22, "unknown keyword 'lvs_sync_daemon_inteface' in vrrp_instance VI_1 - did you mean lvs_sync_daemon_interface?"],
      [28, "unknown keyword 'auth_typePASS' in authentication - did you mean 'auth_type PASS'?"],
    ]);
  });

  it('dual master: VI_1 MASTER on Master1 loses nopreempt, VI_2 keeps it', () => {
    const m1 = seed('004-master1.conf').model;
    expect(m1.vrrpInstances.map((i) => [i.name, i.state, i.vrid, i.priority, i.nopreempt, i.wantedNopreempt, i.authentication?.pass, i.vips[0]!.address])).toEqual([
      ['VI_1', 'MASTER', 151, 100, false, true, '1111', '192.168.0.188'],
      ['VI_2', 'BACKUP', 152, 90, true, true, '2222', '192.168.0.199'],
    ]);
    const m2 = seed('004-master2.conf').model;
    expect(m2.vrrpInstances.map((i) => [i.name, i.state, i.priority, i.nopreempt])).toEqual([
      ['VI_1', 'BACKUP', 90, true],
      ['VI_2', 'MASTER', 100, false],
    ]);
  });
});
