/** Gratuitous ARP and unsolicited NA, byte-exact against keepalived 2.2.7 (R-46, K-16). */
import { describe, expect, it } from 'vitest';
import { formatIp, formatMac, parseIpv4, parseIpv6, parseMac } from '../../protocol/addr.js';
import { bytesToHex } from '../../protocol/bytes.js';
import { buildGratuitousArpFrame, isGratuitousArp, parseArpPacket, ARP_OP_REQUEST } from '../../protocol/arp.js';
import { parseFrame } from '../../protocol/frame.js';
import { buildUnsolicitedNaFrame, parseNeighborAdvert } from '../../protocol/ndisc.js';
import { hex, loadFrames } from './fixtures.js';

describe('gratuitous ARP (garp-v2.pcap)', () => {
  const frames = loadFrames('garp-v2');
  it('parses keepalived\'s GARP: request, broadcast, SPA = TPA = VIP, THA broadcast', () => {
    const p = parseFrame(frames[0]!.data);
    expect(p.kind).toBe('arp');
    if (p.kind !== 'arp') return;
    expect(formatMac(p.eth.dst)).toBe('ff:ff:ff:ff:ff:ff');
    expect(p.arp.op).toBe(ARP_OP_REQUEST);
    expect(formatMac(p.arp.senderMac)).toBe(formatMac(p.eth.src));
    expect(formatIp(p.arp.senderIp)).toBe('192.0.2.100');
    expect(formatIp(p.arp.targetIp)).toBe('192.0.2.100');
    expect(formatMac(p.arp.targetMac)).toBe('ff:ff:ff:ff:ff:ff');
    expect(isGratuitousArp(p.arp)).toBe(true);
  });
  it('builds the same bytes', () => {
    for (const f of frames) {
      const built = buildGratuitousArpFrame(f.data.subarray(6, 12), parseIpv4('192.0.2.100')!);
      expect(bytesToHex(built)).toBe(bytesToHex(f.data));
    }
  });
  it('keepalived sent the burst of 5 (garp_master_repeat default)', () => {
    expect(frames.length).toBe(5);
  });
  it('rejects non-Ethernet/IPv4 ARP and short packets without throwing', () => {
    expect(parseArpPacket(new Uint8Array(10))).toMatchObject({ ok: false, reason: 'too-short' });
    const arp = hex('0006080006040001b266677dcfc8c0000264ffffffffffffc0000264');
    expect(parseArpPacket(arp)).toMatchObject({ ok: false, reason: 'not-ethernet-ipv4' });
  });
});

describe('unsolicited neighbour advertisement (na-v3-ipv6.pcap)', () => {
  const frames = loadFrames('na-v3-ipv6');
  it('parses keepalived\'s NA: to ff02::1 from the VIP, hop limit 255, O=1 S=0 R=0, target LL option', () => {
    const p = parseFrame(frames[0]!.data);
    expect(p.kind).toBe('neighbor-advert');
    if (p.kind !== 'neighbor-advert') return;
    expect(formatMac(p.eth.dst)).toBe('33:33:00:00:00:01');
    expect(formatIp(p.na.dst)).toBe('ff02::1');
    expect(formatIp(p.na.src)).toBe('2001:db8::100');
    expect(p.na.hopLimit).toBe(255);
    expect({ r: p.na.router, s: p.na.solicited, o: p.na.override }).toEqual({ r: false, s: false, o: true });
    expect(formatIp(p.na.target)).toBe('2001:db8::100');
    expect(formatMac(p.na.targetMac!)).toBe(formatMac(p.eth.src));
    expect(p.na.checksumOk).toBe(true);
  });
  it('builds the same bytes (R=0: the capture host does not forward IPv6)', () => {
    for (const f of frames) {
      const built = buildUnsolicitedNaFrame({ mac: f.data.subarray(6, 12), vip: parseIpv6('2001:db8::100')!, router: false });
      expect(bytesToHex(built)).toBe(bytesToHex(f.data));
    }
  });
  it('sets R when the interface forwards and keeps a valid checksum', () => {
    const built = buildUnsolicitedNaFrame({ mac: parseMac('00:00:5e:00:02:07')!, vip: parseIpv6('2001:db8::7')!, router: true });
    const p = parseFrame(built);
    expect(p.kind === 'neighbor-advert' && p.na.router).toBe(true);
    expect(p.kind === 'neighbor-advert' && p.na.checksumOk).toBe(true);
  });
  it('reports other ICMPv6 types and short messages as reasons', () => {
    const src = parseIpv6('fe80::1')!;
    expect(parseNeighborAdvert(new Uint8Array(8), src, src, 255)).toMatchObject({ ok: false, reason: 'too-short' });
    const ns = new Uint8Array(24);
    ns[0] = 135;
    expect(parseNeighborAdvert(ns, src, src, 255)).toMatchObject({ ok: false, reason: 'not-neighbor-advert' });
  });
});

describe('parseFrame classification', () => {
  it('tells VRRP, ARP, NA and other frames apart', () => {
    expect(parseFrame(loadFrames('v2-ah')[0]!.data).kind).toBe('vrrp');
    expect(parseFrame(loadFrames('v3-ipv6')[0]!.data).kind).toBe('vrrp');
    expect(parseFrame(loadFrames('garp-v2')[0]!.data).kind).toBe('arp');
    expect(parseFrame(loadFrames('na-v3-ipv6')[0]!.data).kind).toBe('neighbor-advert');
    const udp = loadFrames('v2-pass')[0]!.data.slice();
    udp[14 + 9] = 17;
    expect(parseFrame(udp)).toMatchObject({ kind: 'other', detail: 'IPv4 protocol 17' });
    expect(parseFrame(new Uint8Array(5))).toMatchObject({ kind: 'other' });
    const lldp = loadFrames('v2-pass')[0]!.data.slice();
    lldp[12] = 0x88;
    lldp[13] = 0xcc;
    expect(parseFrame(lldp)).toMatchObject({ kind: 'other', detail: 'EtherType 0x88cc' });
  });
});
