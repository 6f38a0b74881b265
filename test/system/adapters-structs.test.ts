/** Pure checks of the structure packing the kernel adapters rely on (no root, no sockets). */
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp, parseIpv6, parseMac } from '../../protocol/addr.js';

const ipBytes = (t: string) => parseIp(t)?.bytes;
const ipv6Bytes = (t: string) => parseIpv6(t);
import { pathPrefixes } from '../../adapters/linux/script-security.js';
import { controlMessage, in6Pktinfo, ipMreqn, parseControlMessages, parseIn6Pktinfo, parseSockaddrIn6, sockaddrIn6, sockaddrLl, sockaddrUn } from '../../adapters/linux/sockaddr.js';
import { ipv4Envelope } from '../../adapters/linux/vrrp4-socket.js';
import { vmacMac, vmacName } from '../../adapters/linux/vmac.js';

describe('adapter structures', () => {
  it('IPv6 text ↔ bytes, canonical output (RFC 5952)', () => {
    for (const [text, canon] of [
      ['2001:db8::1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['::', '::'],
      ['fe80::a:b:c:d', 'fe80::a:b:c:d'],
      ['::ffff:198.51.100.1', '::ffff:198.51.100.1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ]) {
      const b = ipv6Bytes(text!);
      expect(b?.length).toBe(16);
      expect(formatIp(b!)).toBe(canon);
    }
    expect(ipBytes('198.51.100.7')).toEqual(Uint8Array.of(198, 51, 100, 7));
    expect(ipBytes('198.51.100.256')).toBeUndefined();
    expect(ipv6Bytes('2001:db8::g')).toBeUndefined();
    expect(parseMac('00:00:5e:00:01:33')).toEqual(Uint8Array.of(0, 0, 0x5e, 0, 1, 0x33));
    expect(parseMac('00:00:5e:00:01')).toBeUndefined();
  });

  it('sockaddr and mreq layouts match the Linux ABI', () => {
    const sin6 = sockaddrIn6(ipv6Bytes('fe80::1')!, 7);
    expect(sin6.length).toBe(28);
    expect(sin6.readUInt16LE(0)).toBe(10);
    const p6 = parseSockaddrIn6(sin6);
    expect([p6.address.text, p6.scopeId]).toEqual(['fe80::1', 7]);
    const ll = sockaddrLl(3, 0x0806, Buffer.from([255, 255, 255, 255, 255, 255]));
    expect([...ll]).toEqual([17, 0, 0x08, 0x06, 3, 0, 0, 0, 0, 0, 0, 6, 255, 255, 255, 255, 255, 255, 0, 0]);
    expect(ipMreqn(Buffer.from([224, 0, 0, 18]), 5)).toEqual(Buffer.from([224, 0, 0, 18, 0, 0, 0, 0, 5, 0, 0, 0]));
    const un = sockaddrUn('/dev/log');
    expect(un.length).toBe(2 + 8 + 1);
    expect(un.subarray(2, 10).toString()).toBe('/dev/log');
  });

  it('control messages round-trip with 8-byte alignment', () => {
    const hop = Buffer.alloc(4);
    hop.writeInt32LE(255);
    const both = Buffer.concat([controlMessage(41, 52, hop), controlMessage(41, 50, in6Pktinfo(ipv6Bytes('ff02::12')!, 4))]);
    expect(both.length).toBe(24 + 40);
    const parsed = parseControlMessages(both, both.length);
    expect(parsed.map((c) => [c.level, c.type, c.data.length])).toEqual([[41, 52, 4], [41, 50, 20]]);
    expect(parsed[0]!.data.readInt32LE(0)).toBe(255);
    const info = parseIn6Pktinfo(parsed[1]!.data);
    expect([info.address.text, info.ifindex]).toEqual(['ff02::12', 4]);
    // A truncated control buffer yields what is complete, never garbage.
    expect(parseControlMessages(both, 30)).toHaveLength(1);
  });

  it('reads the IPv4 envelope, rejecting non-IPv4 input', () => {
    const d = Buffer.from([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 112, 0, 0, 198, 51, 100, 1, 224, 0, 0, 18]);
    expect(ipv4Envelope(d)).toEqual({ ttl: 64, protocol: 112 });
    expect(ipv4Envelope(d.subarray(0, 19))).toBeUndefined();
    expect(ipv4Envelope(Buffer.from([0x60, ...d.subarray(1)]))).toBeUndefined();
  });

  it('VMAC names and MACs, script path prefixes', () => {
    expect(vmacName({ baseIfname: 'eth0', vrid: 7, family: 4 })).toBe('vrrp.7');
    expect(vmacName({ baseIfname: 'eth0', vrid: 7, family: 4, name: 'vmac7' })).toBe('vmac7');
    expect(vmacMac(4, 1)).toBe('00:00:5e:00:01:01');
    expect(pathPrefixes('/etc/keepalived/check.sh')).toEqual(['/', '/etc', '/etc/keepalived', '/etc/keepalived/check.sh']);
  });
});
