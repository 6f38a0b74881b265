/**
 * VRRP sockets and raw frames through the Linux adapters, across two namespaces joined by a
 * veth pair: IPv4 multicast/unicast (TTL seen), AH, IPv6 with the hop limit seen, gratuitous ARP
 * and unsolicited NA (built by protocol/arp.ts and protocol/ndisc.ts) seen by the peer, and the
 * advert backstop sending a held advert while the JavaScript thread is busy. Root only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VrrpRxPacket, VrrpSocket } from '../../actors/ports.js';
import { BACKSTOP_GRACE_MS } from '../../adapters/linux/advert-backstop.js';
import { RtnlDump } from '../../adapters/linux/rtnl-dump.js';
import { buildGratuitousArpFrame } from '../../protocol/arp.js';
import { buildUnsolicitedNaFrame } from '../../protocol/ndisc.js';
import { decodeVrrp } from '../../protocol/vrrp/index.js';
import { createLinuxVrrpNet, type LinuxVrrpNet } from '../../adapters/linux/vrrp-net.js';
import { NetnsLab, isRoot, rootTitle, waitFor } from '../helpers/netns.js';

function checksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const p of parts)
    for (const byte of p) {
      sum += odd ? byte : byte << 8;
      odd = !odd;
    }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
const v4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));

/** A VRRPv3 advert for one IPv4 VIP inside an IPv4 datagram (protocol 112 or a fake AH 51). */
function ipv4Advert(src: string, dst: string, vrid: number, priority: number, ttl = 255, protocol = 112): Buffer {
  const vrrp = Buffer.from([0x31, vrid, priority, 1, 0, 100, 0, 0, ...v4('203.0.113.100')]);
  const pseudo = Buffer.concat([v4(src), v4(dst), Buffer.from([0, 112, 0, vrrp.length])]);
  vrrp.writeUInt16BE(checksum(pseudo, vrrp), 6);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip[1] = 0xc0;
  ip.writeUInt16BE(20 + vrrp.length, 2);
  ip[8] = ttl;
  ip[9] = protocol;
  v4(src).copy(ip, 12);
  v4(dst).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ip, vrrp]);
}

function v6(s: string): Buffer {
  const [l = '', r = ''] = s.split('::');
  const g = (x: string): number[] => (x ? x.split(':').map((h) => parseInt(h, 16)) : []);
  const words = [...g(l), ...new Array<number>(8 - g(l).length - g(r).length).fill(0), ...g(r)];
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

const macBytes = (m: string): Buffer => Buffer.from(m.split(':').map((x) => parseInt(x, 16)));
/** protocol/'s gratuitous ARP and unsolicited NA builders, as the runtime uses them. */
const garp = (mac: string, vip: string): Uint8Array => buildGratuitousArpFrame(macBytes(mac), v4(vip));
const unsolicitedNa = (mac: string, vip: string): Uint8Array => buildUnsolicitedNaFrame({ mac: macBytes(mac), vip: v6(vip), router: false });

describe.skipIf(!isRoot)(rootTitle('Linux VRRP adapter across namespaces'), () => {
  const lab = new NetnsLab('kts-d-');
  let a = '';
  let b = '';
  let rtA: RtnlDump;
  let rtB: RtnlDump;
  let netA: LinuxVrrpNet;
  let netB: LinuxVrrpNet;
  const open: VrrpSocket[] = [];
  let macA = '';

  beforeAll(async () => {
    a = await lab.namespace('va');
    b = await lab.namespace('vb');
    await lab.veth({ ns: a, ifname: 'kd-a', addresses: ['198.51.100.1/24', '2001:db8:d::1/64'] }, { ns: b, ifname: 'kd-b', addresses: ['198.51.100.2/24', '2001:db8:d::2/64'] });
    rtA = new RtnlDump(a);
    rtB = new RtnlDump(b);
    netA = createLinuxVrrpNet(rtA, a);
    netB = createLinuxVrrpNet(rtB, b);
    macA = rtA.links().find((l) => l.name === 'kd-a')!.mac;
  });

  afterAll(async () => {
    for (const s of open) s.close();
    netA?.close();
    netB?.close();
    rtA?.close();
    rtB?.close();
    await lab.cleanup();
  });

  /** A received packet as the runtime sees it: the decoder reads an IPv4 datagram's addresses
   *  from its header; an IPv6 packet carries the socket's source and destination. */
  function seen(p: VrrpRxPacket): { family: 4 | 6; ifname: string; ttl: number; src: string; dst: string } {
    const d = decodeVrrp(p);
    const src = d.ok ? d.value.src.text : `(${d.reason})`;
    const dst = d.ok ? d.value.dst.text : `(${d.reason})`;
    return { family: p.family, ifname: p.ifname, ttl: p.ttl, src, dst };
  }

  function openOrThrow(net: LinuxVrrpNet, family: 4 | 6, ifname: string, groups: string[], protocols: number[], got: VrrpRxPacket[]): VrrpSocket {
    const errors: string[] = [];
    const s = net.open({ family, ifname, groups, protocols }, (p) => got.push(p), (e) => errors.push(e));
    if ('error' in s) throw new Error(s.error);
    open.push(s);
    return s;
  }

  it('IPv4: a multicast advert sent in one namespace arrives in the other with TTL 255', async () => {
    const gotB: VrrpRxPacket[] = [];
    const gotA: VrrpRxPacket[] = [];
    const sa = openOrThrow(netA, 4, 'kd-a', ['224.0.0.18'], [112], gotA);
    openOrThrow(netB, 4, 'kd-b', ['224.0.0.18'], [112], gotB);
    const advert = ipv4Advert('198.51.100.1', '224.0.0.18', 51, 200);
    expect(sa.send(advert, '224.0.0.18')).toBeUndefined();
    const p = await waitFor(() => gotB.find((x) => x.data[21] === 51), { timeoutMs: 3000, what: 'advert in namespace b' });
    expect(seen(p)).toMatchObject({ family: 4, ifname: 'kd-b', src: '198.51.100.1', dst: '224.0.0.18', ttl: 255 });
    expect(Buffer.from(p.data.subarray(20))).toEqual(advert.subarray(20));
    // Multicast loop is off: the sender does not hear itself.
    expect(gotA.filter((x) => x.data[21] === 51)).toHaveLength(0);
  });

  it('IPv4: the TTL is reported as received (a TTL-64 datagram is seen as 64), and the source is ours to set', async () => {
    const gotB: VrrpRxPacket[] = [];
    const sa = openOrThrow(netA, 4, 'kd-a', [], [112], []);
    openOrThrow(netB, 4, 'kd-b', ['224.0.0.18'], [112], gotB);
    // unicast_peer style: unicast to the peer, with a source address that is not the interface's
    expect(sa.send(ipv4Advert('198.51.100.77', '198.51.100.2', 52, 100, 64), '198.51.100.2')).toBeUndefined();
    const p = await waitFor(() => gotB.find((x) => x.data[21] === 52), { timeoutMs: 3000, what: 'unicast advert' });
    expect(seen(p)).toMatchObject({ src: '198.51.100.77', dst: '198.51.100.2', ttl: 64 });
  });

  it('IPv4: AH (protocol 51) datagrams are received on a socket opened for [112, 51]', async () => {
    const gotB: VrrpRxPacket[] = [];
    const sa = openOrThrow(netA, 4, 'kd-a', [], [112, 51], []);
    openOrThrow(netB, 4, 'kd-b', ['224.0.0.18'], [112, 51], gotB);
    expect(sa.send(ipv4Advert('198.51.100.1', '224.0.0.18', 53, 100, 255, 51), '224.0.0.18')).toBeUndefined();
    const p = await waitFor(() => gotB.find((x) => x.data[9] === 51 && x.data[21] === 53), { timeoutMs: 3000, what: 'AH datagram' });
    expect(p.ttl).toBe(255);
  });

  it('IPv6: an advert to ff02::12 arrives with hop limit 255, link-local source and destination', async () => {
    const gotB: VrrpRxPacket[] = [];
    const sa = openOrThrow(netA, 6, 'kd-a', ['ff02::12'], [112], []);
    openOrThrow(netB, 6, 'kd-b', ['ff02::12'], [112], gotB);
    const lla = rtA.addresses().find((x) => x.family === 6 && x.address.startsWith('fe80:'))!.address;
    // VRRPv3 IPv6 advert, checksum left 0: the kernel fills it (IPV6_CHECKSUM).
    const advert = Buffer.concat([Buffer.from([0x31, 61, 150, 1, 0, 100, 0, 0]), v6('2001:db8:d::100')]);
    expect(sa.send(advert, 'ff02::12', lla)).toBeUndefined();
    const p = await waitFor(() => gotB.find((x) => x.data[1] === 61), { timeoutMs: 3000, what: 'IPv6 advert' });
    expect(seen(p)).toMatchObject({ family: 6, ifname: 'kd-b', src: lla, dst: 'ff02::12', ttl: 255 });
    expect(p.data.length).toBe(advert.length);
    // The checksum the kernel wrote verifies over the IPv6 pseudo-header.
    const pseudo = Buffer.concat([v6(lla), v6('ff02::12'), Buffer.from([0, 0, 0, advert.length, 0, 0, 0, 112])]);
    expect(checksum(pseudo, p.data)).toBe(0);

    // unicast_peer / unicast_src_ip over IPv6: a global source of our choosing, hop limit still 255.
    const unicast = Buffer.concat([Buffer.from([0x31, 63, 150, 1, 0, 100, 0, 0]), v6('2001:db8:d::100')]);
    expect(sa.send(unicast, '2001:db8:d::2', '2001:db8:d::1')).toBeUndefined();
    const u = await waitFor(() => gotB.find((x) => x.data[1] === 63), { timeoutMs: 3000, what: 'IPv6 unicast advert' });
    expect(seen(u)).toMatchObject({ src: '2001:db8:d::1', dst: '2001:db8:d::2', ttl: 255 });
    expect(sa.send(unicast, 'not-an-address')).toBe('bad IPv6 destination not-an-address');
  });

  it('IPv6: the hop limit is the received one (64 when sent with 64 through ip(8)-level tools)', async () => {
    const gotB: VrrpRxPacket[] = [];
    openOrThrow(netB, 6, 'kd-b', ['ff02::12'], [112], gotB);
    // A unicast advert from a namespace-a socket whose hop limit we lower to 64 with the addon.
    const { netio } = await import('../../adapters/linux/native.js');
    const { inNetns } = await import('../../adapters/linux/netns.js');
    const { sockaddrIn6 } = await import('../../adapters/linux/sockaddr.js');
    const io = netio();
    const fd = inNetns(a, () => io.socket(10, 3, 112));
    try {
      io.setsockopt(fd, 41, 7, 6); // IPV6_CHECKSUM
      io.setsockopt(fd, 41, 16, 64); // IPV6_UNICAST_HOPS
      io.sendmsg(fd, Buffer.concat([Buffer.from([0x31, 62, 150, 1, 0, 100, 0, 0]), v6('2001:db8:d::100')]), sockaddrIn6(v6('2001:db8:d::2')), null);
    } finally {
      io.close(fd);
    }
    const p = await waitFor(() => gotB.find((x) => x.data[1] === 62), { timeoutMs: 3000, what: 'hop-limit-64 advert' });
    expect(seen(p)).toMatchObject({ src: '2001:db8:d::1', dst: '2001:db8:d::2', ttl: 64 });
  });

  /** Keeps this thread busy for `ms` (as a pause of V8's collector would). */
  const busy = (ms: number): void => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };

  it('the advert backstop: a held advert leaves at its due time while this thread is busy, once; one taken back in time never leaves', async () => {
    const gotB: VrrpRxPacket[] = [];
    const sa = openOrThrow(netA, 4, 'kd-a', [], [112], []);
    openOrThrow(netB, 4, 'kd-b', ['224.0.0.18'], [112], gotB);
    expect(sa.backstop && sa.takeBackstop && sa.dropBackstop).toBeTruthy();
    // Held for 20 ms (plus the grace), and this thread busy for 120: the backstop's thread sends it.
    const t0 = performance.now();
    sa.backstop!('VI_7', ipv4Advert('198.51.100.1', '224.0.0.18', 71, 100), '224.0.0.18', undefined, 20);
    busy(120);
    // It left during the busy spell (queued for this thread by now), not before its due time.
    const ago = sa.takeBackstop!('VI_7');
    const t1 = performance.now();
    expect(ago).toBeGreaterThan(0);
    expect(ago).toBeLessThanOrEqual(t1 - t0 - 20 - BACKSTOP_GRACE_MS);
    await waitFor(() => gotB.find((x) => x.data[21] === 71), { timeoutMs: 3000, what: 'the advert the backstop sent' });
    // Taken back before its due time: the caller sends it, the backstop never does.
    sa.backstop!('VI_7', ipv4Advert('198.51.100.1', '224.0.0.18', 72, 100), '224.0.0.18', undefined, 20);
    expect(sa.takeBackstop!('VI_7')).toBe(-1);
    // Dropped, and held on a socket closed before its due time: neither leaves.
    sa.backstop!('VI_7', ipv4Advert('198.51.100.1', '224.0.0.18', 73, 100), '224.0.0.18', undefined, 20);
    sa.dropBackstop!('VI_7');
    const sc = openOrThrow(netA, 4, 'kd-a', [], [112], []);
    sc.backstop!('VI_8', ipv4Advert('198.51.100.1', '224.0.0.18', 74, 100), '224.0.0.18', undefined, 20);
    sc.close();
    busy(60);
    await new Promise((r) => setTimeout(r, 200));
    expect(gotB.filter((x) => x.data[21] === 71)).toHaveLength(1);
    expect(gotB.filter((x) => [72, 73, 74].includes(x.data[21]!))).toEqual([]);
  });

  it('the advert backstop over IPv6: a held advert leaves with its source (IPV6_PKTINFO) while this thread is busy', async () => {
    const gotB: VrrpRxPacket[] = [];
    const sa = openOrThrow(netA, 6, 'kd-a', ['ff02::12'], [112], []);
    openOrThrow(netB, 6, 'kd-b', ['ff02::12'], [112], gotB);
    const lla = rtA.addresses().find((x) => x.family === 6 && x.address.startsWith('fe80:'))!.address;
    const advert = Buffer.concat([Buffer.from([0x31, 75, 150, 1, 0, 100, 0, 0]), v6('2001:db8:d::100')]);
    const t0 = performance.now();
    sa.backstop!('VI_6', advert, 'ff02::12', lla, 10);
    busy(80);
    const ago = sa.takeBackstop!('VI_6');
    const t1 = performance.now();
    expect(ago).toBeGreaterThan(0);
    expect(ago).toBeLessThanOrEqual(t1 - t0 - 10 - BACKSTOP_GRACE_MS);
    const p = await waitFor(() => gotB.find((x) => x.data[1] === 75), { timeoutMs: 3000, what: 'the IPv6 advert the backstop sent' });
    expect(seen(p)).toMatchObject({ family: 6, src: lla, dst: 'ff02::12', ttl: 255 });
  });

  it('sendFrame: a gratuitous ARP is captured by tcpdump in the peer and updates its neighbour entry', async () => {
    await lab.exec(b, ['ip', 'neigh', 'replace', '198.51.100.50', 'lladdr', '02:00:00:00:00:99', 'dev', 'kd-b', 'nud', 'stale']);
    const dump = lab.spawn(b, ['tcpdump', '-l', '-n', '-e', '-i', 'kd-b', '-c', '1', 'arp']);
    await dump.waitFor(/listening on/, 5000);
    expect(netA.sendFrame('kd-a', garp(macA, '198.51.100.50'))).toBeUndefined();
    const line = await dump.waitFor(/Request who-has 198\.51\.100\.50 .*tell 198\.51\.100\.50/, 5000);
    expect(dump.output()).toContain(macA);
    expect(line[0]).toBeTruthy();
    const neigh = await waitFor(
      async () => {
        const n = await lab.ipJson<{ dst: string; lladdr?: string }[]>(b, ['neigh', 'show', 'dev', 'kd-b']);
        return n.find((x) => x.dst === '198.51.100.50' && x.lladdr === macA);
      },
      { timeoutMs: 3000, what: 'neighbour 198.51.100.50 rewritten to a\'s MAC' },
    );
    expect(neigh.lladdr).toBe(macA);
  });

  it('sendFrame: an unsolicited NA updates the peer\'s IPv6 neighbour entry', async () => {
    await lab.exec(b, ['ip', '-6', 'neigh', 'replace', '2001:db8:d::50', 'lladdr', '02:00:00:00:00:98', 'dev', 'kd-b', 'nud', 'stale']);
    expect(netA.sendFrame('kd-a', unsolicitedNa(macA, '2001:db8:d::50'))).toBeUndefined();
    const neigh = await waitFor(
      async () => {
        const n = await lab.ipJson<{ dst: string; lladdr?: string }[]>(b, ['-6', 'neigh', 'show', 'dev', 'kd-b']);
        return n.find((x) => x.dst === '2001:db8:d::50' && x.lladdr === macA);
      },
      { timeoutMs: 3000, what: 'IPv6 neighbour rewritten' },
    );
    expect(neigh.lladdr).toBe(macA);
  });

  it('reports missing interfaces as values, not exceptions', () => {
    expect(netA.open({ family: 4, ifname: 'nope0', groups: [], protocols: [112] }, () => {}, () => {})).toEqual({ error: 'interface nope0 not found' });
    expect(netA.sendFrame('nope0', garp(macA, '198.51.100.9'))).toBe('interface nope0 not found');
  });
});
