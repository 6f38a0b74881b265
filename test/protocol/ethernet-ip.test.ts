import { describe, expect, it } from 'vitest';
import { formatIp, formatMac, parseIpv4, parseMac } from '../../protocol/addr.js';
import { bytesToHex } from '../../protocol/bytes.js';
import {
  buildEthernetFrame,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  parseEthernetFrame,
} from '../../protocol/ethernet.js';
import { buildIpv4Header, buildIpv4Packet, nextIpv4Id, parseIpv4Packet, setIpv4Id, VRRP_TOS } from '../../protocol/ipv4.js';
import { buildIpv6Header, parseIpv6Packet } from '../../protocol/ipv6.js';
import { firstFrame, hex, loadFrames } from './fixtures.js';

describe('Ethernet', () => {
  it('parses a captured frame and rebuilds it byte-exactly', () => {
    const frame = firstFrame('v2-pass');
    const eth = parseEthernetFrame(frame);
    expect(eth.ok).toBe(true);
    if (!eth.ok) return;
    expect(formatMac(eth.value.dst)).toBe('01:00:5e:00:00:12');
    expect(eth.value.etherType).toBe(ETHERTYPE_IPV4);
    expect(eth.value.vlanIds).toEqual([]);
    const rebuilt = buildEthernetFrame({ dst: eth.value.dst, src: eth.value.src, etherType: eth.value.etherType, payload: eth.value.payload });
    expect(bytesToHex(rebuilt)).toBe(bytesToHex(frame));
  });
  it('tolerates an 802.1Q tag and pads to 60 bytes on request', () => {
    const frame = buildEthernetFrame({
      dst: parseMac('01:00:5e:00:00:12')!,
      src: parseMac('00:00:5e:00:01:0a')!,
      etherType: ETHERTYPE_IPV6,
      payload: hex('0102'),
      vlanId: 100,
      padTo: 60,
    });
    expect(frame.length).toBe(60);
    expect(bytesToHex(frame.subarray(12, 20))).toBe('8100006486dd0102');
    const eth = parseEthernetFrame(frame);
    expect(eth.ok && eth.value.vlanIds).toEqual([100]);
    expect(eth.ok && eth.value.etherType).toBe(ETHERTYPE_IPV6);
    expect(eth.ok && eth.value.payload.length).toBe(60 - 18);
  });
  it('reports short frames instead of throwing', () => {
    expect(parseEthernetFrame(new Uint8Array(13))).toMatchObject({ ok: false, reason: 'too-short' });
    expect(parseEthernetFrame(hex('ffffffffffff0000000000008100'))).toMatchObject({ ok: false, reason: 'too-short' });
  });
});

describe('IPv4', () => {
  it('parses keepalived adverts: TOS 0xC0, TTL 255, proto 112, incrementing ID (K-1)', () => {
    const ids: number[] = [];
    for (const f of loadFrames('v2-pass')) {
      const eth = parseEthernetFrame(f.data);
      if (!eth.ok) throw new Error(eth.detail);
      const ip = parseIpv4Packet(eth.value.payload);
      if (!ip.ok) throw new Error(ip.detail);
      expect(ip.value.tos).toBe(VRRP_TOS);
      expect(ip.value.ttl).toBe(255);
      expect(ip.value.protocol).toBe(112);
      expect(ip.value.headerChecksumOk).toBe(true);
      expect(formatIp(ip.value.dst)).toBe('224.0.0.18');
      ids.push(ip.value.id);
      // Rebuild the header from the parsed fields: same bytes, same checksum.
      const rebuilt = buildIpv4Header(
        { tos: ip.value.tos, id: ip.value.id, ttl: ip.value.ttl, protocol: ip.value.protocol, src: ip.value.src, dst: ip.value.dst },
        ip.value.payload.length,
      );
      expect(bytesToHex(rebuilt)).toBe(bytesToHex(ip.value.header));
    }
    expect(ids).toEqual([1, 2, 3]);
    expect(nextIpv4Id(ids[2]!)).toBe(4);
    expect(nextIpv4Id(0xffff)).toBe(0);
  });
  it('honours IHL options and cuts Ethernet padding at Total Length', () => {
    const payload = hex('21016401000100000000000000000000');
    const pkt = buildIpv4Packet(
      { ttl: 255, protocol: 112, src: parseIpv4('198.51.100.1')!, dst: parseIpv4('224.0.0.18')!, options: hex('94040000') },
      payload,
    );
    expect(pkt[0]).toBe(0x46);
    const padded = new Uint8Array(pkt.length + 6);
    padded.set(pkt);
    const ip = parseIpv4Packet(padded);
    expect(ip.ok).toBe(true);
    if (!ip.ok) return;
    expect(ip.value.headerLength).toBe(24);
    expect(ip.value.headerChecksumOk).toBe(true);
    expect(bytesToHex(ip.value.payload)).toBe(bytesToHex(payload));
    expect(ip.value.trailingBytes).toBe(6);
  });
  it('flags a corrupted header checksum', () => {
    const pkt = buildIpv4Packet({ ttl: 255, protocol: 112, src: parseIpv4('198.51.100.1')!, dst: parseIpv4('224.0.0.18')! }, new Uint8Array(4));
    pkt[8] = 64;
    const ip = parseIpv4Packet(pkt);
    expect(ip.ok && ip.value.headerChecksumOk).toBe(false);
  });
  it('setIpv4Id: the new ID and a header checksum equal to a fresh build, written into the packet itself', () => {
    const payload = new Uint8Array([0x31, 0x01, 0xc8, 0x01, 0x00, 0x64, 0x00, 0x00, 203, 0, 113, 1]);
    for (const ihl of [20, 24]) {
      const at = (ipId: number) =>
        buildIpv4Packet({ src: parseIpv4('198.51.100.1')!, dst: parseIpv4('224.0.0.18')!, protocol: 112, ttl: 255, tos: VRRP_TOS, id: ipId, ...(ihl === 24 ? { options: new Uint8Array([0x94, 0x04, 0, 0]) } : {}) }, payload);
      const packet = at(1);
      for (const ipId of [2, 0x00ff, 0xfffe, 0xffff, 1]) {
        expect(setIpv4Id(packet, ipId)).toBe(packet);
        expect(bytesToHex(packet)).toBe(bytesToHex(at(ipId)));
        expect(parseIpv4Packet(packet)).toMatchObject({ ok: true, value: { id: ipId, headerChecksumOk: true } });
      }
    }
  });

  it('returns typed reasons for broken headers', () => {
    expect(parseIpv4Packet(new Uint8Array(19))).toMatchObject({ ok: false, reason: 'too-short' });
    const good = buildIpv4Packet({ ttl: 255, protocol: 112, src: new Uint8Array(4), dst: new Uint8Array(4) }, new Uint8Array(8));
    const v6 = good.slice();
    v6[0] = 0x65;
    expect(parseIpv4Packet(v6)).toMatchObject({ ok: false, reason: 'bad-ip-version' });
    const ihl = good.slice();
    ihl[0] = 0x44;
    expect(parseIpv4Packet(ihl)).toMatchObject({ ok: false, reason: 'bad-ip-header-length' });
    const ihlBig = good.slice();
    ihlBig[0] = 0x4f;
    expect(parseIpv4Packet(ihlBig)).toMatchObject({ ok: false, reason: 'bad-ip-header-length' });
    const tl = good.slice();
    tl[3] = 200;
    expect(parseIpv4Packet(tl)).toMatchObject({ ok: false, reason: 'bad-ip-total-length' });
  });
});

describe('IPv6', () => {
  it('parses the keepalived v3 IPv6 advert and rebuilds its header byte-exactly', () => {
    const eth = parseEthernetFrame(firstFrame('v3-ipv6'));
    if (!eth.ok) throw new Error(eth.detail);
    const ip = parseIpv6Packet(eth.value.payload);
    expect(ip.ok).toBe(true);
    if (!ip.ok) return;
    expect(ip.value.trafficClass).toBe(0xc0);
    expect(ip.value.hopLimit).toBe(255);
    expect(ip.value.nextHeader).toBe(112);
    expect(formatIp(ip.value.src)).toBe('fe80::606e:cfff:fe50:a1bd');
    expect(formatIp(ip.value.dst)).toBe('ff02::12');
    const rebuilt = buildIpv6Header(
      { trafficClass: ip.value.trafficClass, flowLabel: ip.value.flowLabel, nextHeader: 112, hopLimit: 255, src: ip.value.src, dst: ip.value.dst },
      ip.value.payload.length,
    );
    expect(bytesToHex(rebuilt)).toBe(bytesToHex(eth.value.payload.subarray(0, 40)));
  });
  it('returns typed reasons for broken headers', () => {
    expect(parseIpv6Packet(new Uint8Array(39))).toMatchObject({ ok: false, reason: 'too-short' });
    const hdr = buildIpv6Header({ nextHeader: 112, hopLimit: 255, src: new Uint8Array(16), dst: new Uint8Array(16) }, 8);
    expect(parseIpv6Packet(hdr)).toMatchObject({ ok: false, reason: 'bad-ip-total-length' });
    const v4 = new Uint8Array(48);
    v4.set(hdr);
    v4[0] = 0x45;
    expect(parseIpv6Packet(v4)).toMatchObject({ ok: false, reason: 'bad-ip-version' });
  });
});
