/**
 * The nftables load-balancer backend with real traffic (root, network namespaces).
 *
 *   client (203.0.113.2, .101-.112; 2001:db8:1::2) ── director (VIP 203.0.113.10, 2001:db8:1::10)
 *                                                       │ bridge 198.51.100.0/24, 2001:db8:2::/64
 *                                          s1 .21      s2 .22      s3 .23   (HTTP :8080, answer their name)
 *
 * The test programs the director through the LbTablePort (NftLbTable running nft in the
 * director's namespace) and counts who answers 1,000-odd requests from the client.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LbCommand, LbDestination, LbError, LbService } from '../../actors/lvs/lb-port.js';
import { NftLbTable } from '../../adapters/linux/nft/backend.js';
import { createNftRunner, type NftRunner } from '../../adapters/linux/nft/driver.js';
import { isRoot, mustRun, NetnsLab, rootTitle, type LabProcess } from '../helpers/netns.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLIENT = join(here, '../helpers/lb-client.mjs');
const SERVER = join(here, '../helpers/name-server.mjs');
const nftAvailable = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((p) => existsSync(p));

const VIP = '203.0.113.10';
const VIP6 = '2001:db8:1::10';
const SOURCES = Array.from({ length: 12 }, (_, i) => `203.0.113.${101 + i}`);
const SERVERS = ['s1', 's2', 's3'] as const;
const v4 = (s: string) => `198.51.100.${20 + Number(s.slice(1))}`;
const v6 = (s: string) => `2001:db8:2::${20 + Number(s.slice(1))}`;

const service = (port: number, scheduler: string, family: 4 | 6 = 4): LbService => ({
  family,
  protocol: 'tcp',
  address: family === 6 ? VIP6 : VIP,
  port,
  scheduler,
  flags: [],
  persistenceTimeoutS: 0,
});
const dest = (name: string, weight = 1, family: 4 | 6 = 4): LbDestination => ({
  family,
  address: family === 6 ? v6(name) : v4(name),
  port: 8080,
  method: 'NAT',
  weight,
  upperThreshold: 0,
  lowerThreshold: 0,
});

interface LoadResult {
  counts: Record<string, number>;
  perSource: Record<string, Record<string, number>>;
  failures: number;
  errors: Record<string, number>;
}

describe.skipIf(!isRoot || !nftAvailable)(rootTitle('nftables load balancing with real traffic'), () => {
  const lab = new NetnsLab('kts-n-');
  const tmp = mkdtempSync(join(tmpdir(), 'kts-nft-'));
  let cl = '';
  let lb = '';
  const servers = new Map<string, string>();
  const serverProcs: LabProcess[] = [];
  const notes: string[] = [];
  let table: NftLbTable;
  /** What the test has told the port so far, per service, in order: replayed after a restart. */
  const model = new Map<string, { service: LbService; dests: LbDestination[] }>();

  const apply = (t: NftLbTable, commands: LbCommand[]): Promise<LbError[]> => new Promise((resolve) => t.apply(commands, resolve));
  const track = (commands: LbCommand[]): LbCommand[] => {
    for (const c of commands) {
      const key = JSON.stringify([c.service.family, c.service.address, c.service.port, c.service.fwmark]);
      if (c.cmd === 'addService') model.set(key, model.get(key) ?? { service: c.service, dests: [] });
      else if (c.cmd === 'delService') model.delete(key);
      else {
        const m = model.get(key)!;
        const at = m.dests.findIndex((d) => d.address === c.dest.address);
        if (c.cmd === 'delDest') m.dests.splice(at, 1);
        else if (at >= 0) m.dests[at] = c.dest;
        else m.dests.push(c.dest);
      }
    }
    return commands;
  };
  const program = async (commands: LbCommand[]) => expect(await apply(table, track(commands))).toEqual([]);
  const replay = (): LbCommand[] =>
    [...model.values()].flatMap((m) => [{ cmd: 'addService' as const, service: m.service }, ...m.dests.map((dest) => ({ cmd: 'addDest' as const, service: m.service, dest }))]);

  const load = async (opts: Record<string, unknown>): Promise<LoadResult> => {
    const r = await lab.exec(cl, [process.execPath, CLIENT, JSON.stringify({ concurrency: 4, timeoutMs: 2000, ...opts })], { timeoutMs: 90_000 });
    if (r.code !== 0) throw new Error(`client failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as LoadResult;
  };
  const nftList = async (...args: string[]) => (await lab.exec(lb, ['nft', ...args])).stdout;

  beforeAll(async () => {
    cl = await lab.namespace('cl');
    lb = await lab.namespace('lb');
    const sw = await lab.namespace('sw');
    await lab.veth(
      { ns: cl, ifname: 'vc', addresses: ['203.0.113.2/24', ...SOURCES.map((a) => `${a}/24`), '2001:db8:1::2/64'] },
      { ns: lb, ifname: 'vl', addresses: ['203.0.113.1/24', `${VIP}/24`, '2001:db8:1::1/64', `${VIP6}/64`] },
    );
    await lab.bridge(sw, 'br0');
    await lab.attach(sw, 'br0', { ns: lb, ifname: 'lbs', addresses: ['198.51.100.1/24', '2001:db8:2::1/64'] });
    for (const s of SERVERS) {
      const ns = await lab.namespace(s);
      servers.set(s, ns);
      await lab.attach(sw, 'br0', { ns, ifname: `${s}e`, addresses: [`${v4(s)}/24`, `${v6(s)}/64`] });
      await mustRun(['ip', '-n', ns, 'route', 'add', 'default', 'via', '198.51.100.1']);
      await mustRun(['ip', '-n', ns, '-6', 'route', 'add', 'default', 'via', '2001:db8:2::1']);
      const p = lab.spawn(ns, [process.execPath, SERVER, s, '8080', '85']);
      serverProcs.push(p);
    }
    await mustRun(['ip', 'netns', 'exec', lb, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    for (const p of serverProcs) await p.waitFor(/listening/, 10_000);
    // A table that is not ours: it must come through every change untouched.
    await mustRun(['ip', 'netns', 'exec', lb, 'nft', 'add table ip other; add chain ip other c { type filter hook input priority 10; policy accept; }; add rule ip other c counter']);
    // The operator's fwmark rule for the fwmark service (keepalived leaves marking to the firewall).
    await mustRun(['ip', 'netns', 'exec', lb, 'nft', `add table ip marker; add chain ip marker pre { type filter hook prerouting priority mangle; }; add rule ip marker pre ip daddr ${VIP} tcp dport 85 meta mark set 7`]);
    table = new NftLbTable({ netns: lb, log: (l) => notes.push(l) });
  });

  afterAll(async () => {
    table?.close();
    await lab.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses what nftables cannot do and applies the rest of the same call', async () => {
    const wlc = service(90, 'wlc');
    const web = service(80, 'rr');
    const good: LbCommand[] = [{ cmd: 'addService', service: web }, ...SERVERS.map((s) => ({ cmd: 'addDest' as const, service: web, dest: dest(s) }))];
    const dr: LbCommand = { cmd: 'addDest', service: web, dest: { ...dest('s1'), address: '198.51.100.99', method: 'DR' } };
    const errors = await apply(table, [{ cmd: 'addService', service: wlc }, ...good, dr]);
    track(good);
    expect(errors.map((e) => e.message)).toEqual([
      "203.0.113.10:90/tcp: lvs_sched wlc needs IPVS (it counts each real server's connections); nftables can do rr, wrr, sh, dh, mh, fo: use wrr",
      '203.0.113.10:80/tcp: real server 198.51.100.99:8080: lvs_method DR needs IPVS; nftables can only forward by NAT (DNAT): use lvs_method NAT, with the real servers routing back through the director',
    ]);
    const text = await nftList('list', 'table', 'ip', 'keepalived_ts');
    expect(text).toContain('203.0.113.10 . tcp . 80 : goto vs_tcp_203.0.113.10_80');
    expect(text).not.toContain('198.51.100.99');
    expect(text).not.toContain(' 90 ');
  });

  it('rr spreads 1,000 requests evenly over three real servers', async () => {
    const r = await load({ url: `http://${VIP}:80/`, count: 1000 });
    expect(r.failures).toBe(0);
    for (const s of SERVERS) expect(Math.abs(r.counts[s]! - 1000 / 3)).toBeLessThanOrEqual(10);
  });

  it('wrr spreads by weight (1:2:3 over 1,200 requests)', async () => {
    const wrr = service(81, 'wrr');
    await program([{ cmd: 'addService', service: wrr }, ...SERVERS.map((s, i) => ({ cmd: 'addDest' as const, service: wrr, dest: dest(s, i + 1) }))]);
    const r = await load({ url: `http://${VIP}:81/`, count: 1200 });
    expect(r.failures).toBe(0);
    expect(Math.abs(r.counts.s1! - 200)).toBeLessThanOrEqual(12);
    expect(Math.abs(r.counts.s2! - 400)).toBeLessThanOrEqual(12);
    expect(Math.abs(r.counts.s3! - 600)).toBeLessThanOrEqual(12);
  });

  let shBefore: Record<string, string> = {};
  it('sh keeps every client on one server (12 client addresses × 20 requests)', async () => {
    const sh = service(82, 'sh');
    await program([{ cmd: 'addService', service: sh }, ...SERVERS.map((s) => ({ cmd: 'addDest' as const, service: sh, dest: dest(s) }))]);
    const r = await load({ url: `http://${VIP}:82/`, count: 240, sources: SOURCES });
    expect(r.failures).toBe(0);
    for (const src of SOURCES) {
      const seen = Object.keys(r.perSource[src] ?? {});
      expect(seen, `client ${src}`).toHaveLength(1);
      shBefore[src] = seen[0]!;
    }
    expect(new Set(Object.values(shBefore)).size).toBeGreaterThanOrEqual(2);
  });

  it('removing a destination: open connections keep their server, no new request reaches it, none fails', async () => {
    const go = join(tmp, 'go');
    const holder = lab.spawn(cl, [process.execPath, CLIENT, JSON.stringify({ url: `http://${VIP}:80/`, hold: 3, goFile: go, waitMs: 20_000 })]);
    const first = JSON.parse((await holder.waitFor(/\{"first".*\}/, 15_000))[0]) as { first: string[] };
    expect([...first.first].sort()).toEqual(['s1', 's2', 's3']);
    await program([{ cmd: 'delDest', service: service(80, 'rr'), dest: dest('s2') }]);
    writeFileSync(go, '');
    const second = JSON.parse((await holder.waitFor(/\{"second".*\}/, 15_000))[0]) as { second: string[]; reused: boolean[] };
    expect(second.second).toEqual(first.first); // conntrack keeps each connection's DNAT binding
    expect(second.reused).toEqual([true, true, true]);
    await holder.stop();
    const r = await load({ url: `http://${VIP}:80/`, count: 1000 });
    expect(r.failures).toBe(0);
    expect(r.counts.s2).toBeUndefined();
    expect(Math.abs(r.counts.s1! - 500)).toBeLessThanOrEqual(10);
  });

  it('sh: removing a server moves only its clients', async () => {
    const gone = Object.values(shBefore)[0]!;
    await program([{ cmd: 'delDest', service: service(82, 'sh'), dest: dest(gone) }]);
    const r = await load({ url: `http://${VIP}:82/`, count: 240, sources: SOURCES });
    expect(r.failures).toBe(0);
    for (const src of SOURCES) {
      const seen = Object.keys(r.perSource[src] ?? {});
      expect(seen, `client ${src}`).toHaveLength(1);
      if (shBefore[src] !== gone) expect(seen[0], `client ${src} stays`).toBe(shBefore[src]);
      else expect(seen[0]).not.toBe(gone);
    }
  });

  it('adding the destination back: it receives traffic again', async () => {
    await program([{ cmd: 'addDest', service: service(80, 'rr'), dest: dest('s2') }]);
    const r = await load({ url: `http://${VIP}:80/`, count: 999 });
    expect(r.failures).toBe(0);
    for (const s of SERVERS) expect(Math.abs(r.counts[s]! - 333)).toBeLessThanOrEqual(10);
  });

  it('a weight change moves the share (wrr 1:2:3 → 1:2:6)', async () => {
    await program([{ cmd: 'setDest', service: service(81, 'wrr'), dest: dest('s3', 6) }]);
    const r = await load({ url: `http://${VIP}:81/`, count: 900 });
    expect(r.failures).toBe(0);
    expect(Math.abs(r.counts.s1! - 100)).toBeLessThanOrEqual(10);
    expect(Math.abs(r.counts.s2! - 200)).toBeLessThanOrEqual(10);
    expect(Math.abs(r.counts.s3! - 600)).toBeLessThanOrEqual(10);
  });

  it('IPv6: rr spreads evenly through table ip6 keepalived_ts', async () => {
    const web6 = service(80, 'rr', 6);
    await program([{ cmd: 'addService', service: web6 }, ...SERVERS.map((s) => ({ cmd: 'addDest' as const, service: web6, dest: dest(s, 1, 6) }))]);
    const r = await load({ url: `http://[${VIP6}]:80/`, count: 999 });
    expect(r.failures).toBe(0);
    for (const s of SERVERS) expect(Math.abs(r.counts[s]! - 333)).toBeLessThanOrEqual(10);
    expect(await nftList('list', 'table', 'ip6', 'keepalived_ts')).toContain('2001:db8:1::10 . tcp . 80 : goto vs_tcp_2001.db8.1..10_80');
  });

  it('fo sends everything to the highest weight; mh keeps each client on one server; a fwmark service balances marked traffic', async () => {
    const fo = service(83, 'fo');
    await program([{ cmd: 'addService', service: fo }, ...SERVERS.map((s, i) => ({ cmd: 'addDest' as const, service: fo, dest: dest(s, [1, 3, 2][i]) }))]);
    const f = await load({ url: `http://${VIP}:83/`, count: 100 });
    expect(f).toMatchObject({ counts: { s2: 100 }, failures: 0 });

    const mh = service(84, 'mh');
    await program([{ cmd: 'addService', service: mh }, ...SERVERS.map((s) => ({ cmd: 'addDest' as const, service: mh, dest: dest(s) }))]);
    const m = await load({ url: `http://${VIP}:84/`, count: 120, sources: SOURCES });
    expect(m.failures).toBe(0);
    for (const src of SOURCES) expect(Object.keys(m.perSource[src] ?? {}), `client ${src}`).toHaveLength(1);
    expect(Object.keys(m.counts).length).toBeGreaterThanOrEqual(2);

    const fwm: LbService = { family: 4, fwmark: 7, scheduler: 'rr', flags: [], persistenceTimeoutS: 0 };
    await program([{ cmd: 'addService', service: fwm }, ...SERVERS.map((s) => ({ cmd: 'addDest' as const, service: fwm, dest: { ...dest(s), port: 0 } }))]);
    const w = await load({ url: `http://${VIP}:85/`, count: 300 });
    expect(w.failures).toBe(0);
    for (const s of SERVERS) expect(Math.abs(w.counts[s]! - 100)).toBeLessThanOrEqual(5);
  });

  it('a restarted backend reads the table back and rewrites nothing that is already right', async () => {
    table.close();
    const batches: unknown[][] = [];
    const inner = createNftRunner({ netns: lb });
    const runner: NftRunner = { ...inner, apply: (cmds, done) => (batches.push(cmds), inner.apply(cmds, done)) };
    table = new NftLbTable({ netns: lb, runner, log: (l) => notes.push(l) });
    expect(await apply(table, replay())).toEqual([]);
    expect(batches).toEqual([]); // same services, same slots (sh read back from the kernel): no batch at all
    const view = await new Promise<Parameters<Parameters<NftLbTable['view']>[0]>[0]>((r) => table.view(r));
    expect(view.services.map((s) => `${s.service.fwmark !== undefined ? `FWM ${s.service.fwmark}` : `${s.service.address}:${s.service.port}`} ${s.service.scheduler} ${s.destinations.length}`)).toEqual([
      '203.0.113.10:80 rr 3',
      '203.0.113.10:81 wrr 3',
      '203.0.113.10:82 sh 2',
      '2001:db8:1::10:80 rr 3',
      '203.0.113.10:83 fo 3',
      '203.0.113.10:84 mh 3',
      'FWM 7 rr 3',
    ]);
    const r = await load({ url: `http://${VIP}:82/`, count: 120, sources: SOURCES });
    expect(r.failures).toBe(0);
  });

  it('drift: a table deleted behind our back is rebuilt whole on the next change', async () => {
    await mustRun(['ip', 'netns', 'exec', lb, 'nft', 'delete', 'table', 'ip', 'keepalived_ts']);
    await program([{ cmd: 'setDest', service: service(81, 'wrr'), dest: dest('s3', 3) }]);
    expect(notes.join('\n')).toMatch(/batch on table keepalived_ts failed .*; reading it back and rebuilding/);
    const text = await nftList('list', 'table', 'ip', 'keepalived_ts');
    for (const port of [80, 81, 82]) expect(text).toContain(`203.0.113.10 . tcp . ${port} : goto`);
    const r = await load({ url: `http://${VIP}:80/`, count: 300 });
    expect(r.failures).toBe(0);
    expect(Object.keys(r.counts).sort()).toEqual(['s1', 's2', 's3']);
  });

  it('masquerade: real servers without a route back answer once the backend SNATs', async () => {
    for (const ns of servers.values()) await mustRun(['ip', '-n', ns, 'route', 'del', 'default']);
    const broken = await load({ url: `http://${VIP}:80/`, count: 3, concurrency: 3, timeoutMs: 700 });
    expect(broken.failures).toBe(3);
    table.close();
    table = new NftLbTable({ netns: lb, masquerade: true, log: (l) => notes.push(l) });
    expect(await apply(table, replay())).toEqual([]);
    const r = await load({ url: `http://${VIP}:80/`, count: 300 });
    expect(r.failures).toBe(0);
    expect(Object.keys(r.counts).sort()).toEqual(['s1', 's2', 's3']);
    expect(await nftList('list', 'chain', 'ip', 'keepalived_ts', 'postrouting')).toContain('ct status dnat ct original ip daddr @vips masquerade');
  });

  it('flush() removes our tables and nothing else', async () => {
    const other = await nftList('list', 'table', 'ip', 'other');
    expect(await new Promise((r) => table.flush(r))).toBeUndefined();
    const tables = await nftList('list', 'tables');
    expect(tables).not.toContain('keepalived_ts');
    expect(tables).toContain('table ip other');
    expect((await nftList('list', 'table', 'ip', 'other')).replace(/packets \d+ bytes \d+/g, '')).toBe(other.replace(/packets \d+ bytes \d+/g, ''));
    const r = await load({ url: `http://${VIP}:80/`, count: 3, concurrency: 3, timeoutMs: 700 });
    expect(r.failures).toBe(3); // nothing balances any more: the director itself refuses
  });
});
