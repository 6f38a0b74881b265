/**
 * Dump formats. Unit tests pin the layouts observed from keepalived 2.2.7; the root-only test
 * runs the real /usr/sbin/keepalived in a namespace on the same configuration, makes it write
 * its dumps (USR1, USR2, JSON signal) and checks that ours have the same shape: identical
 * stats text apart from the numbers, our data lines a subsequence of keepalived's (same keys,
 * same order, per section), and our JSON keys and value types a subset of keepalived's.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InterfaceInfo } from '../../actors/ports.js';
import type { InstanceStatus } from '../../actors/runtime-types.js';
import { compileConfig } from '../../config/index.js';
import { formatJson, formatParentData, formatStats, formatVrrpData, transitionStamp, type InstanceDump } from '../../adapters/node/daemon/dumps.js';
import { VrrpStatsTracker, statForDropReason, zeroStats } from '../../adapters/node/daemon/vrrp-stats.js';
import { isRoot, NetnsLab } from '../helpers/netns.js';
import { TWO_INSTANCES, model, tempDir, until } from './fixtures/harness.js';

const STATS_SAMPLE = `VRRP Instance: VI_1
  Advertisements:
    Received: 0
    Sent: 4
  Became master: 1
  Released master: 0
  Packet Errors:
    Length: 0
    TTL: 0
    Invalid Type: 0
    Advertisement Interval: 0
    Address List: 0
  Authentication Errors:
    Invalid Type: 0
    Type Mismatch: 0
    Failure: 0
  Priority Zero:
    Received: 0
    Sent: 0
`;

function masterStatus(name: string, m = model(TWO_INSTANCES)): InstanceStatus {
  const c = m.vrrpInstances.find((v) => v.name === name)!;
  return {
    name,
    vrid: c.vrid,
    family: 4,
    ifname: c.interface!,
    state: 'MASTER',
    basePriority: c.priority,
    effectivePriority: c.priority,
    vipsInstalled: c.vips.map((a) => `${a.address}/${a.prefixLength}`),
    masterAddress: '',
    masterAdverIntervalCs: c.advertIntervalCs,
  };
}

const IFS: InterfaceInfo[] = [
  { name: 'lo', index: 1, mac: '00:00:00:00:00:00', up: true, running: true, addresses: ['127.0.0.1/8'] },
  { name: 'veth0', index: 3, mac: 'fa:23:0f:74:40:64', up: true, running: true, addresses: ['198.51.100.1/24', 'fe80::f823:fff:fe74:4064/64'] },
];

describe('dump layouts (keepalived 2.2.7)', () => {
  it('/tmp/keepalived.stats is byte-identical to keepalived\'s layout', () => {
    expect(formatStats([{ name: 'VI_1', stats: { ...zeroStats(), advertSent: 4, becomeMaster: 1 } }])).toBe(STATS_SAMPLE);
    expect(formatStats([])).toBe('');
  });

  it('/tmp/keepalived.data instance block', () => {
    const m = model(TWO_INSTANCES);
    const dumps: InstanceDump[] = m.vrrpInstances.map((config) => ({
      config,
      status: masterStatus(config.name, m),
      lastTransitionMs: Date.UTC(2026, 10, 22, 1, 24, 0, 979),
      stats: zeroStats(),
    }));
    const text = formatVrrpData({ model: m, hostName: 'h', umask: 0o177 }, dumps, IFS);
    expect(text.startsWith('------< Global definitions >------\n Network namespace = (default)\n Router ID = kts_test\n')).toBe(true);
    const block = text.slice(text.indexOf(' VRRP Instance = VI_1'), text.indexOf(' VRRP Instance = VI_2'));
    expect(block).toMatch(/^ VRRP Instance = VI_1\n   VRRP Version = 2\n   State = MASTER\n   Flags: none\n   Last transition = \d+\.979000 \(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.979000 2026\)\n   Interface = veth0\n   Using src_ip = 198\.51\.100\.1\n   Multicast address 224\.0\.0\.18\n/);
    for (const line of [
      '   Virtual Router ID = 51',
      '   Priority = 100',
      '   Effective priority = 100',
      '   Advert interval = 1 sec',
      '   Accept = enabled',
      '   Preempt = enabled',
      '   Authentication type = SIMPLE_PASSWORD',
      '   Password = secret',
      '   Virtual IP (1):',
      '     198.51.100.100/24 dev veth0 scope global set',
      '   Notify deleted = Fault',
    ]) {
      expect(block).toContain(`${line}\n`);
    }
    expect(text).toContain(' Name = veth0\n   index = 3\n   IPv4 address = 198.51.100.1\n   IPv6 address = fe80::f823:fff:fe74:4064\n   MAC = fa:23:0f:74:40:64\n   State = UP, RUNNING\n   Tracking VRRP instances :\n     VI_1, weight 0\n     VI_2, weight 0\n');
    expect(formatParentData({ model: m, hostName: 'h', umask: 0o177 })).toMatch(/^------< Global definitions >------\n[\s\S]* umask = 0177\n$/);
  });

  it('v3 intervals are printed in milli-sec, and a backup shows its master', () => {
    const m = model(TWO_INSTANCES.replace('advert_int 1\n  authentication {\n    auth_type PASS\n    auth_pass secret\n  }', 'version 3\n  advert_int 0.5'));
    const c = m.vrrpInstances[0]!;
    const st: InstanceStatus = { ...masterStatus('VI_1', m), state: 'BACKUP', masterAddress: '198.51.100.2', masterAdverIntervalCs: 50, vipsInstalled: [] };
    const text = formatVrrpData({ model: m, hostName: 'h', umask: 0o177 }, [{ config: c, status: st, stats: zeroStats() }], IFS);
    expect(text).toContain('   State = BACKUP\n   Master router = 198.51.100.2\n   Master advert int = 0.50 sec\n');
    expect(text).toContain('   Advert interval = 500 milli-sec\n   Master advert interval = 500 milli-sec\n');
    expect(text).toContain('     198.51.100.100/24 dev veth0 scope global\n');
    expect(text).not.toContain('Authentication type');
  });

  it('/tmp/keepalived.json has keepalived-exporter\'s shape', () => {
    const m = model(TWO_INSTANCES);
    const dumps: InstanceDump[] = m.vrrpInstances.map((config) => ({
      config,
      status: masterStatus(config.name, m),
      lastTransitionMs: 1795310640979.391,
      stats: { ...zeroStats(), advertSent: 5, becomeMaster: 1 },
    }));
    const text = formatJson({ model: m, hostName: 'h', umask: 0o177 }, dumps);
    expect(text).toContain('"last_transition":1795310640.979391,');
    expect(text).toContain('"vips":["198.51.100.100\\/24 dev veth0 scope global set"]');
    const parsed = JSON.parse(text) as Array<{ data: Record<string, unknown>; stats: Record<string, unknown> }>;
    expect(parsed[0]!.data).toMatchObject({ iname: 'VI_1', vrid: 51, state: 2, wantstate: 2, base_priority: 100, auth_type: 1, auth_data: 'secret', vipset: true, adver_int: 1 });
    expect(parsed[1]!.data).toMatchObject({ iname: 'VI_2', vrid: 52, auth_type: 0 });
    expect(Object.keys(parsed[0]!.stats)).toEqual([
      'advert_rcvd', 'advert_sent', 'become_master', 'release_master', 'packet_len_err', 'advert_interval_err', 'ip_ttl_err',
      'invalid_type_rcvd', 'addr_list_err', 'invalid_authtype', 'authtype_mismatch', 'auth_failure', 'pri_zero_rcvd', 'pri_zero_sent',
    ]);
    expect(parsed[0]!.stats).toMatchObject({ advert_sent: 5, become_master: 1 });
  });

  it('transition stamps', () => {
    const ms = new Date(2026, 10, 22, 1, 24, 0, 979).getTime();
    expect(transitionStamp(ms)).toBe(`${Math.floor(ms / 1000)}.979000 (Sun Nov 22 01:24:00.979000 2026)`);
  });

  it('stats are counted from runtime events, taken from counters when present, and can be cleared', () => {
    const t = new VrrpStatsTracker();
    const at = 0;
    t.observe({ type: 'instance.state', at, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, reason: '' });
    t.observe({ type: 'advert.sent', at, instance: 'VI_1', priority: 100 });
    t.observe({ type: 'advert.sent', at, instance: 'VI_1', priority: 0 });
    t.observe({ type: 'advert.dropped', at, instance: 'VI_1', reason: 'bad-ttl' });
    t.observe({ type: 'advert.dropped', at, instance: 'VI_1', reason: 'bad-checksum' });
    t.observe({ type: 'instance.state', at, instance: 'VI_1', from: 'MASTER', to: 'BACKUP', priority: 100, reason: '' });
    expect(t.stats('VI_1', {})).toMatchObject({ becomeMaster: 1, releaseMaster: 1, advertSent: 2, priZeroSent: 1, ipTtlErr: 1 });
    expect(t.stats('VI_1', { 'VI_1:adverts_received': 12 }).advertRcvd).toBe(12);
    expect(t.stats('VI_1', { 'VI_1:adverts_sent': 40 }).advertSent).toBe(40);
    // The daemon's host takes no advert.sent events: both sent counters come from the runtime's.
    expect(t.stats('VI_1', { 'VI_1:adverts_sent': 40, 'VI_1:priority_zero_sent': 3 })).toMatchObject({ advertSent: 40, priZeroSent: 3 });
    t.clear(['VI_1'], { 'VI_1:adverts_received': 12 });
    t.observe({ type: 'advert.sent', at, instance: 'VI_1', priority: 100 });
    expect(t.stats('VI_1', { 'VI_1:adverts_received': 15 })).toMatchObject({ advertSent: 1, advertRcvd: 3, becomeMaster: 0, ipTtlErr: 0 });
    expect(['bad-ttl', 'too-short', 'interval-mismatch', 'auth-mismatch', 'bad-type', 'addr-count-mismatch', 'bad-checksum', 'bad-version'].map(statForDropReason)).toEqual([
      'ipTtlErr', 'packetLenErr', undefined, 'authFailure', 'invalidTypeRcvd', 'addrListErr', undefined, undefined,
    ]);
  });

  it('counts as keepalived 2.2.7: a wrong address was received, priority 0 received, a v2 interval mismatch is nothing', () => {
    const t = new VrrpStatsTracker();
    const at = 0;
    for (const reason of ['addr-list-mismatch', 'interval-mismatch', 'unicast-src-unknown']) t.observe({ type: 'advert.dropped', at, instance: 'VI_1', reason });
    const counters = { 'VI_1:adverts_received': 5, 'VI_1:priority_zero_received': 2, 'VI_1:drop.addr-list-mismatch': 1, 'VI_1:drop.interval-mismatch': 1, 'VI_1:drop.unicast-src-unknown': 1 };
    expect(t.stats('VI_1', counters)).toEqual({ ...zeroStats(), advertRcvd: 7, addrListErr: 1, priZeroRcvd: 2 });
  });
});

/** keys of a dump line, with values and numbers blanked: " Router ID = x" → " Router ID =". */
const keyOf = (line: string): string => line.replace(/ = .*$/, ' =').replace(/\d+/g, 'N');

function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    const h = /^------< (.+) >------$/.exec(line);
    if (h) out.set((current = h[1]!), []);
    else if (line && current) out.get(current)!.push(line);
  }
  return out;
}

/** The lines of `ours` that keepalived does not have at that point (subsequence check). */
function notASubsequence(ours: string[], theirs: string[]): string[] {
  const missing: string[] = [];
  let j = 0;
  for (const line of ours) {
    const k = keyOf(line);
    let found = -1;
    for (let i = j; i < theirs.length; i++) if (keyOf(theirs[i]!) === k) {
      found = i;
      break;
    }
    if (found < 0) missing.push(line);
    else j = found + 1;
  }
  return missing;
}

describe.skipIf(!isRoot)('dumps side by side with keepalived 2.2.7 (root: network namespace)', () => {
  const KEEPALIVED = '/usr/sbin/keepalived';
  const lab = new NetnsLab('kts-g-');
  const tmp = tempDir('kts-g-dumps-');
  afterAll(async () => {
    await lab.cleanup();
    tmp.remove();
  });

  it.skipIf(!existsSync(KEEPALIVED))('same stats text, data keys in keepalived\'s order, JSON keys', async () => {
    const ns = await lab.namespace('dump');
    const peer = await lab.namespace('dpeer');
    await lab.veth({ ns, ifname: 'veth0', addresses: ['198.51.100.1/24'] }, { ns: peer, ifname: 'veth1', addresses: ['198.51.100.2/24'] });
    const conf = join(tmp.dir, 'keepalived.conf');
    writeFileSync(conf, TWO_INSTANCES);
    const k = lab.spawn(ns, [KEEPALIVED, '-n', '-l', '-f', conf, '-p', join(tmp.dir, 'k.pid'), '-r', join(tmp.dir, 'v.pid'), '-c', join(tmp.dir, 'c.pid')], { TMPDIR: tmp.dir });
    await k.waitFor(/\(VI_1\) Entering MASTER STATE[\s\S]*\(VI_2\) Entering MASTER STATE|\(VI_2\) Entering MASTER STATE[\s\S]*\(VI_1\) Entering MASTER STATE/, 15_000);
    const pid = Number(readFileSync(join(tmp.dir, 'k.pid'), 'utf8'));
    for (const sig of ['SIGUSR1', 'SIGUSR2', 36] as const) process.kill(pid, sig);
    const files = ['keepalived.data', 'keepalived.stats', 'keepalived.json'].map((f) => join(tmp.dir, f));
    await until(() => files.every((f) => existsSync(f) && readFileSync(f, 'utf8').length > 0), 'keepalived\'s dumps');
    await new Promise((r) => setTimeout(r, 300));
    const [theirData, theirStats, theirJson] = files.map((f) => readFileSync(f, 'utf8')) as [string, string, string];
    await k.stop();

    const { model: m } = compileConfig(conf, (p) => (p === conf ? TWO_INSTANCES : undefined));
    const links = await lab.ipJson<Array<{ ifname: string; ifindex: number; address: string; flags: string[]; addr_info: Array<{ local: string; prefixlen: number }> }>>(ns, ['addr', 'show']);
    const ifs: InterfaceInfo[] = links.map((l) => ({
      name: l.ifname,
      index: l.ifindex,
      mac: l.address,
      up: l.flags.includes('UP'),
      running: l.flags.includes('LOWER_UP'),
      addresses: l.addr_info.map((a) => `${a.local}/${a.prefixlen}`),
    }));
    const dumps: InstanceDump[] = m.vrrpInstances.map((config) => ({ config, status: masterStatus(config.name, m), lastTransitionMs: Date.now(), stats: zeroStats() }));
    const ctx = { model: m, hostName: 'h', umask: 0o177 };

    expect(formatStats(dumps.map((d) => ({ name: d.config.name, stats: d.stats }))).replace(/\d+/g, 'N')).toBe(theirStats.replace(/\d+/g, 'N'));

    const ours = sections(formatVrrpData(ctx, dumps, ifs));
    const theirs = sections(theirData);
    for (const [title, lines] of ours) {
      expect(theirs.has(title), `section ${title}`).toBe(true);
      expect(notASubsequence(lines, theirs.get(title)!), `section ${title}`).toEqual([]);
    }

    type Entry = { data: Record<string, unknown>; stats: Record<string, unknown> };
    const theirEntries = JSON.parse(theirJson) as Entry[];
    const ourEntries = JSON.parse(formatJson(ctx, dumps)) as Entry[];
    expect(ourEntries.map((e) => e.data.iname)).toEqual(theirEntries.map((e) => e.data.iname));
    ourEntries.forEach((e, i) => {
      const t = theirEntries[i]!;
      expect(Object.keys(e.stats)).toEqual(Object.keys(t.stats));
      for (const [key, value] of Object.entries(e.data)) {
        expect(Object.hasOwn(t.data, key), `data.${key}`).toBe(true);
        expect(typeof value, `data.${key}`).toBe(typeof t.data[key]);
      }
      for (const key of ['iname', 'vrid', 'base_priority', 'effective_priority', 'state', 'version', 'vips', 'auth_type', 'adver_int', 'accept', 'nopreempt']) {
        expect(e.data[key], `data.${key}`).toEqual(t.data[key]);
      }
    });
  }, 60_000);
});
