/**
 * NetConfig over rtnetlink inside a test namespace: interfaces(), addresses (v4 label/brd/scope,
 * v6 nodad), routes, rules, link/address events (down/up, delete/recreate with a new index) and
 * the runtime's start-up sweep of leftover VIPs over it. Every change is checked with `ip -j`. Root only.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressSpec, LinkEvent, Ports } from '../../actors/ports.js';
import { RuntimeSink } from '../../actors/sink.js';
import { buildPlan } from '../../actors/vrrp/plan.js';
import { sweepLeftoverVips } from '../../actors/vrrp/sweep.js';
import { createNodeClock } from '../../adapters/node/clock.js';
import { compileText } from '../../config/index.js';
import { createLinuxNetConfig, type LinuxNetConfig } from '../../adapters/linux/net-config.js';
import { LINKS_KEPT_MS, RtnlDump } from '../../adapters/linux/rtnl-dump.js';
import { NetnsLab, isRoot, rootTitle, waitFor } from '../helpers/netns.js';

type IpAddr = { ifname: string; ifindex: number; address: string; addr_info: { family: string; local: string; prefixlen: number; label?: string; broadcast?: string; scope: string; nodad?: boolean; tentative?: boolean }[] };

const call = (f: (done: (error?: string) => void) => void): Promise<string | undefined> => new Promise((resolve) => f(resolve));

describe.skipIf(!isRoot)(rootTitle('Linux NetConfig over rtnetlink'), () => {
  const lab = new NetnsLab('kts-d-');
  let a = '';
  let b = '';
  let rtnl: RtnlDump;
  let net: LinuxNetConfig;

  const addrs = async (): Promise<IpAddr['addr_info']> => (await lab.ipJson<IpAddr[]>(a, ['addr', 'show', 'dev', 'kd-n'])).flatMap((l) => l.addr_info);

  beforeAll(async () => {
    a = await lab.namespace('na');
    b = await lab.namespace('nb');
    await lab.veth({ ns: a, ifname: 'kd-n', addresses: ['198.51.100.1/24', '2001:db8:d::1/64'] }, { ns: b, ifname: 'kd-m', addresses: ['198.51.100.2/24'] });
    rtnl = new RtnlDump(a);
    net = createLinuxNetConfig(rtnl, a);
  });

  afterAll(async () => {
    net?.close();
    rtnl?.close();
    await lab.cleanup();
  });

  it('interfaces() reports the namespace\'s links with index, MAC, state and addresses', async () => {
    const [link] = await lab.ipJson<IpAddr[]>(a, ['addr', 'show', 'dev', 'kd-n']);
    const ifc = net.interfaces().find((i) => i.name === 'kd-n');
    expect(ifc).toMatchObject({ index: link!.ifindex, mac: link!.address, up: true, running: true });
    expect(ifc!.addresses).toEqual(expect.arrayContaining(['198.51.100.1/24', '2001:db8:d::1/64']));
    expect(ifc!.addresses.some((x) => x.startsWith('fe80:'))).toBe(true);
    expect(net.interfaces().map((i) => i.name).sort()).toEqual(['kd-n', 'lo']);
  });

  it('adds and removes an IPv4 VIP with label, broadcast and scope, as `ip -j addr` shows', async () => {
    const vip: AddressSpec = { address: '198.51.100.10', prefixLength: 24, family: 4, ifname: 'kd-n', label: 'kd-n:vip', broadcast: '198.51.100.255', scope: 'global' };
    expect(await call((d) => net.addAddress(vip, d))).toBeUndefined();
    const added = (await addrs()).find((x) => x.local === '198.51.100.10');
    expect(added).toMatchObject({ prefixlen: 24, label: 'kd-n:vip', broadcast: '198.51.100.255', scope: 'global' });
    expect(await call((d) => net.addAddress(vip, d))).toMatch(/EEXIST/);
    expect(await call((d) => net.removeAddress(vip, d))).toBeUndefined();
    expect((await addrs()).find((x) => x.local === '198.51.100.10')).toBeUndefined();

    const hostScoped: AddressSpec = { address: '198.51.100.11', prefixLength: 32, family: 4, ifname: 'kd-n', scope: 'host' };
    expect(await call((d) => net.addAddress(hostScoped, d))).toBeUndefined();
    expect((await addrs()).find((x) => x.local === '198.51.100.11')).toMatchObject({ scope: 'host', prefixlen: 32 });
    expect(await call((d) => net.removeAddress(hostScoped, d))).toBeUndefined();
  });

  it('adds an IPv6 VIP with nodad (usable at once, not tentative) and removes it', async () => {
    // DAD is on for this interface so that nodad matters.
    await lab.exec(a, ['sysctl', '-qw', 'net.ipv6.conf.kd-n.accept_dad=1']);
    const vip: AddressSpec = { address: '2001:db8:d::10', prefixLength: 64, family: 6, ifname: 'kd-n', noDad: true };
    expect(await call((d) => net.addAddress(vip, d))).toBeUndefined();
    const added = (await addrs()).find((x) => x.local === '2001:db8:d::10');
    expect(added).toMatchObject({ prefixlen: 64, nodad: true });
    expect(added?.tentative).toBeUndefined();
    expect(await call((d) => net.removeAddress(vip, d))).toBeUndefined();
    expect((await addrs()).find((x) => x.local === '2001:db8:d::10')).toBeUndefined();
  });

  it('reports bad input and missing interfaces as errors, not exceptions', async () => {
    expect(await call((d) => net.addAddress({ address: '198.51.100.12', prefixLength: 24, family: 4, ifname: 'nope0' }, d))).toMatch(/interface nope0 not found/);
    expect(await call((d) => net.addAddress({ address: 'not-an-ip', prefixLength: 24, family: 4, ifname: 'kd-n' }, d))).toMatch(/not an IPv4 address/);
    expect(await call((d) => net.removeAddress({ address: '198.51.100.13', prefixLength: 24, family: 4, ifname: 'kd-n' }, d))).toMatch(/EADDRNOTAVAIL/);
  });

  it('adds and removes routes (table, metric, gateway, IPv6, blackhole)', async () => {
    const r4 = { family: 4 as const, destination: '203.0.113.0/24', gateway: '198.51.100.2', ifname: 'kd-n', table: 100, metric: 5 };
    expect(await call((d) => net.addRoute(r4, d))).toBeUndefined();
    const t100 = await lab.ipJson<{ dst: string; gateway?: string; dev: string; metric?: number; protocol: string }[]>(a, ['route', 'show', 'table', '100']);
    expect(t100).toContainEqual(expect.objectContaining({ dst: '203.0.113.0/24', gateway: '198.51.100.2', dev: 'kd-n', metric: 5, protocol: 'keepalived' }));
    const r6 = { family: 6 as const, destination: '2001:db8:e::/48', gateway: '2001:db8:d::2', table: 1000 };
    expect(await call((d) => net.addRoute(r6, d))).toBeUndefined();
    expect(await lab.ipJson(a, ['-6', 'route', 'show', 'table', '1000'])).toContainEqual(expect.objectContaining({ dst: '2001:db8:e::/48', gateway: '2001:db8:d::2' }));
    const bh = { family: 4 as const, destination: '203.0.113.128/25', type: 'blackhole' as const, table: 100 };
    expect(await call((d) => net.addRoute(bh, d))).toBeUndefined();
    expect(await lab.ipJson(a, ['route', 'show', 'table', '100'])).toContainEqual(expect.objectContaining({ type: 'blackhole', dst: '203.0.113.128/25' }));
    for (const r of [r4, r6, bh]) expect(await call((d) => net.removeRoute(r, d))).toBeUndefined();
    expect(await lab.ipJson(a, ['route', 'show', 'table', '100'])).toEqual([]);
    expect(await lab.ipJson(a, ['-6', 'route', 'show', 'table', '1000'])).toEqual([]);
  });

  it('adds and removes policy rules (from, to, fwmark, iif, large table numbers)', async () => {
    const r1 = { family: 4 as const, from: '198.51.100.10/32', table: 100, priority: 1000 };
    const r2 = { family: 4 as const, to: '203.0.113.0/24', fwmark: 7, iif: 'kd-n', table: 300, priority: 1001 };
    const r3 = { family: 6 as const, from: '2001:db8:d::/64', table: 100, priority: 1002 };
    for (const r of [r1, r2, r3]) expect(await call((d) => net.addRule(r, d))).toBeUndefined();
    type Rule = { priority: number; src?: string; srclen?: number; dst?: string; dstlen?: number; table: string; fwmark?: string; iif?: string };
    const rules4 = await lab.ipJson<Rule[]>(a, ['rule', 'show']);
    expect(rules4).toContainEqual(expect.objectContaining({ priority: 1000, src: '198.51.100.10', table: '100' }));
    expect(rules4).toContainEqual(expect.objectContaining({ priority: 1001, dst: '203.0.113.0', dstlen: 24, table: '300', fwmark: '0x7', iif: 'kd-n' }));
    expect(await lab.ipJson<Rule[]>(a, ['-6', 'rule', 'show'])).toContainEqual(expect.objectContaining({ priority: 1002, src: '2001:db8:d::', srclen: 64 }));
    for (const r of [r1, r2, r3]) expect(await call((d) => net.removeRule(r, d))).toBeUndefined();
    expect((await lab.ipJson<Rule[]>(a, ['rule', 'show'])).map((r) => r.priority)).toEqual([0, 32766, 32767]);
  });

  it('watch(): link down/up, address added/removed, delete and recreate (new index)', async () => {
    const events: LinkEvent[] = [];
    const stop = net.watch((e) => events.push(e));
    const until = (what: string, pred: (e: LinkEvent) => boolean): Promise<LinkEvent> => waitFor(() => events.find(pred), { timeoutMs: 5000, what });
    try {
      const oldIndex = net.interfaces().find((i) => i.name === 'kd-n')!.index;
      await lab.exec(a, ['ip', 'link', 'set', 'kd-n', 'down']);
      await until('link.down', (e) => e.type === 'link.down' && e.ifname === 'kd-n');
      await lab.exec(a, ['ip', 'link', 'set', 'kd-n', 'up']);
      await until('link.up', (e) => e.type === 'link.up' && e.ifname === 'kd-n');
      // Carrier loss (the peer goes down) is a link down for VRRP too.
      events.length = 0;
      await lab.exec(b, ['ip', 'link', 'set', 'kd-m', 'down']);
      await until('link.down on carrier loss', (e) => e.type === 'link.down' && e.ifname === 'kd-n');
      await lab.exec(b, ['ip', 'link', 'set', 'kd-m', 'up']);
      await until('link.up on carrier', (e) => e.type === 'link.up' && e.ifname === 'kd-n');

      await lab.exec(a, ['ip', 'addr', 'add', '198.51.100.77/24', 'dev', 'kd-n']);
      await until('address.added', (e) => e.type === 'address.added' && e.address === '198.51.100.77/24' && e.ifname === 'kd-n');
      await lab.exec(a, ['ip', 'addr', 'del', '198.51.100.77/24', 'dev', 'kd-n']);
      await until('address.removed', (e) => e.type === 'address.removed' && e.address === '198.51.100.77/24');

      events.length = 0;
      await lab.exec(a, ['ip', 'link', 'del', 'kd-n']);
      const deleted = await until('link.deleted', (e) => e.type === 'link.deleted' && e.ifname === 'kd-n');
      expect(deleted).toMatchObject({ index: oldIndex });
      await lab.veth({ ns: a, ifname: 'kd-n', addresses: ['198.51.100.1/24'] }, { ns: b, ifname: 'kd-m', addresses: ['198.51.100.2/24'] });
      const added = await until('link.added', (e) => e.type === 'link.added' && e.ifname === 'kd-n');
      expect(added.type === 'link.added' && added.index).not.toBe(oldIndex);
      const up = await until('link.up after recreate', (e) => e.type === 'link.up' && e.ifname === 'kd-n');
      expect(up).toMatchObject({ index: net.interfaces().find((i) => i.name === 'kd-n')!.index });
    } finally {
      stop();
    }
    // After unsubscribing nothing more arrives.
    const count = events.length;
    await lab.exec(a, ['ip', 'link', 'set', 'kd-n', 'down']);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.length).toBe(count);
    await lab.exec(a, ['ip', 'link', 'set', 'kd-n', 'up']);
  });

  it('watchers share one monitor socket: each gets every event once, in subscription order; one subscribed mid-event waits for the next; the last one closes it', async () => {
    const isSocket = (fd: string): boolean => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
      } catch {
        return false; // closed since the listing
      }
    };
    const sockets = (): number => readdirSync('/proc/self/fd').filter(isSocket).length;
    const before = sockets();
    const seen: string[] = [];
    const late: LinkEvent[] = [];
    let stopLate: (() => void) | undefined;
    // Only this test's address: the link and link-local events of the test before may still come.
    const ours = (e: LinkEvent): boolean => (e.type === 'address.added' || e.type === 'address.removed') && e.address === '198.51.100.79/24';
    const addressOf = (e: LinkEvent): string => (e.type === 'address.added' || e.type === 'address.removed' ? `${e.type} ${e.address}` : e.type);
    const stops = [
      net.watch((e) => ours(e) && seen.push(`first ${addressOf(e)}`)),
      net.watch((e) => {
        if (!ours(e)) return;
        seen.push(`second ${addressOf(e)}`);
        // Subscribing while an event is handed out: that event is not this watcher's.
        stopLate ??= net.watch((x) => ours(x) && late.push(x));
      }),
      net.watch((e) => ours(e) && seen.push(`third ${addressOf(e)}`)),
    ];
    try {
      expect(sockets()).toBe(before + 1);
      await lab.exec(a, ['ip', 'addr', 'add', '198.51.100.79/24', 'dev', 'kd-n']);
      await waitFor(() => seen.length >= 3, { timeoutMs: 5000, what: 'the address event at the three watchers' });
      expect(seen).toEqual(['first address.added 198.51.100.79/24', 'second address.added 198.51.100.79/24', 'third address.added 198.51.100.79/24']);
      expect(late).toEqual([]);
      stops[0]!();
      await lab.exec(a, ['ip', 'addr', 'del', '198.51.100.79/24', 'dev', 'kd-n']);
      await waitFor(() => late.length >= 1 && seen.length >= 5, { timeoutMs: 5000, what: 'the removal at the remaining watchers' });
      expect(seen.slice(3)).toEqual(['second address.removed 198.51.100.79/24', 'third address.removed 198.51.100.79/24']);
      expect(late.map(addressOf)).toEqual(['address.removed 198.51.100.79/24']);
    } finally {
      for (const stop of stops) stop();
      stopLate?.();
    }
    expect(sockets()).toBe(before);
    // A watch after the last one stopped opens the monitor again.
    const again: LinkEvent[] = [];
    const stop = net.watch((e) => again.push(e));
    try {
      expect(sockets()).toBe(before + 1);
      await lab.exec(a, ['ip', 'addr', 'add', '198.51.100.79/24', 'dev', 'kd-n']);
      await waitFor(() => again.some((e) => e.type === 'address.added' && e.address === '198.51.100.79/24'), { timeoutMs: 5000, what: 'the event after re-watching' });
      await lab.exec(a, ['ip', 'addr', 'del', '198.51.100.79/24', 'dev', 'kd-n']);
    } finally {
      stop();
    }
    expect(sockets()).toBe(before);
  });

  it('a watched link list is reused across turns and dropped at the next link event (a MAC change shows at once)', async () => {
    const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
    // Unwatched: one link dump per event-loop turn, as before.
    net.interfaces();
    await nextTurn();
    let before = rtnl.dumps;
    net.interfaces();
    expect(rtnl.dumps).toBe(before + 1);
    const stop = net.watch(() => undefined);
    try {
      const kept = net.interfaces();
      await nextTurn();
      before = rtnl.dumps;
      for (let i = 0; i < 5; i++) {
        // The same list while the links are (AddressIo reads its MACs once by that identity).
        expect(net.interfaces()).toBe(kept);
        await nextTurn();
      }
      expect(rtnl.dumps).toBe(before); // five turns, no dump: the kept list
      // A MAC change is a link event: the next read dumps again and shows it well inside LINKS_KEPT_MS.
      const mac = '02:00:5e:10:20:31';
      await lab.exec(a, ['ip', 'link', 'set', 'kd-n', 'address', mac]);
      const started = performance.now();
      await waitFor(() => net.interfaces().find((i) => i.name === 'kd-n')?.mac === mac, { timeoutMs: 5000, what: `kd-n's new MAC ${mac}` });
      expect(performance.now() - started).toBeLessThan(LINKS_KEPT_MS / 2);
      expect(net.interfaces()).not.toBe(kept);
      // An address event leaves the link list alone but not the addresses, also of an
      // InterfaceInfo read before it.
      const held = net.interfaces().find((i) => i.name === 'kd-n')!;
      expect(held.addresses).not.toContain('198.51.100.78/24');
      before = rtnl.dumps;
      await lab.exec(a, ['ip', 'addr', 'add', '198.51.100.78/24', 'dev', 'kd-n']);
      await waitFor(() => net.interfaces().find((i) => i.name === 'kd-n')?.addresses.includes('198.51.100.78/24'), { timeoutMs: 5000, what: 'the added address' });
      expect(rtnl.dumps).toBeGreaterThan(before); // the address dump (the link list was kept)
      expect(held.addresses).toContain('198.51.100.78/24');
      await lab.exec(a, ['ip', 'addr', 'del', '198.51.100.78/24', 'dev', 'kd-n']);
    } finally {
      stop();
    }
  });

  it('the start-up sweep (actors/vrrp/sweep.ts) deletes configured VIPs a crashed run left, and nothing else', async () => {
    // Left with other prefix lengths than configured: the sweep matches addresses.
    await lab.exec(a, ['ip', 'addr', 'add', '198.51.100.20/32', 'dev', 'kd-n']);
    await lab.exec(a, ['ip', 'addr', 'add', '2001:db8:d::20/128', 'dev', 'kd-n', 'nodad']);
    const conf = `vrrp_instance VI_1 {
  interface kd-n
  virtual_router_id 7
  priority 100
  virtual_ipaddress { 198.51.100.20/24
    198.51.100.21/32 }
  virtual_ipaddress_excluded { 2001:db8:d:0::20/64 }
}`;
    const { plan } = buildPlan(compileText(conf).model, net.interfaces(), { hostname: 'a' });
    const clock = createNodeClock();
    const lines: string[] = [];
    const sink = new RuntimeSink(clock, { log: (_level, message) => lines.push(message) });
    await new Promise<void>((resolve) => sweepLeftoverVips({ net, clock } as unknown as Ports, sink, plan, resolve));
    // keepalived's start-up lines (-D): the interface's own address, then every list the instance removes
    expect(lines.filter((l) => !l.includes('removed leftover') && !l.startsWith('Assigned address'))).toEqual(['(VI_1) removing VIPs.', '(VI_1) removing E-VIPs.']);
    expect(lines.filter((l) => l.startsWith('Assigned address'))[0]).toMatch(/^Assigned address [\d.]+ for interface kd-n$/);
    expect(lines.filter((l) => l.includes('removed leftover')).sort()).toEqual([
      '(VI_1) removed leftover VIP 198.51.100.20/32 on kd-n',
      '(VI_1) removed leftover VIP 2001:db8:d::20/128 on kd-n',
    ]);
    const left = (await addrs()).map((x) => x.local);
    expect(left).toContain('198.51.100.1');
    expect(left).not.toContain('198.51.100.20');
    expect(left).not.toContain('2001:db8:d::20');
  });
});
