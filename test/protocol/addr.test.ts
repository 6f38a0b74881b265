import { describe, expect, it } from 'vitest';
import {
  canonicalIp,
  IpAddress,
  parseCidr,
  compareAddressBytes,
  formatIpv4,
  formatIpv6,
  formatMac,
  isIpv6LinkLocal,
  multicastMac,
  parseIp,
  parseIpv4,
  parseIpv6,
  parseMac,
  solicitedNodeMulticast,
  vrrpVirtualMac,
} from '../../protocol/addr.js';
import { bytesToHex } from '../../protocol/bytes.js';

describe('IPv4 text', () => {
  it('round-trips dotted quads', () => {
    expect(Array.from(parseIpv4('198.51.100.10')!)).toEqual([198, 51, 100, 10]);
    expect(formatIpv4(parseIpv4('0.0.0.0')!)).toBe('0.0.0.0');
    expect(formatIpv4(parseIpv4('255.255.255.255')!)).toBe('255.255.255.255');
  });
  it('rejects malformed text', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.x', '1..2.3', ' 1.2.3.4', '1.2.3.4/24', '1234.1.1.1']) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
  });
});

describe('IPv6 text', () => {
  it('parses the RFC 4291 §2.2 forms', () => {
    expect(bytesToHex(parseIpv6('2001:db8::1')!)).toBe('20010db8000000000000000000000001');
    expect(bytesToHex(parseIpv6('::')!)).toBe('0'.repeat(32));
    expect(bytesToHex(parseIpv6('::1')!)).toBe('0'.repeat(31) + '1');
    expect(bytesToHex(parseIpv6('fe80::')!)).toBe('fe80' + '0'.repeat(28));
    expect(bytesToHex(parseIpv6('2001:DB8:0:0:8:800:200C:417A')!)).toBe('20010db80000000000080800200c417a');
    expect(bytesToHex(parseIpv6('::ffff:198.51.100.1')!)).toBe('00000000000000000000ffffc6336401');
    expect(bytesToHex(parseIpv6('64:ff9b::203.0.113.5')!)).toBe('0064ff9b0000000000000000cb007105');
    expect(bytesToHex(parseIpv6('1:2:3:4:5:6:198.51.100.1')!)).toBe('000100020003000400050006c6336401');
  });
  it('rejects malformed text', () => {
    for (const bad of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1.2.3', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0', ':1::2']) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });
  it('formats canonically per RFC 5952 §4', () => {
    const cases: Array<[string, string]> = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // 4.1 leading zeros, 4.2.1 longest run
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // 4.2.3 first of equal runs
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // 4.2.2 no "::" for one word
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // longest run wins
      ['2001:DB8::AAAA', '2001:db8::aaaa'], // 4.3 lower case
      ['0:0:0:0:0:0:0:0', '::'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['fe80:0:0:0:606e:cfff:fe50:a1bd', 'fe80::606e:cfff:fe50:a1bd'],
    ];
    for (const [input, want] of cases) expect(canonicalIp(input), input).toBe(want);
    expect(formatIpv6(parseIpv6('ff02::12')!)).toBe('ff02::12');
  });
  it('tells families apart and detects link-local', () => {
    expect(parseIp('198.51.100.1')?.family).toBe(4);
    expect(parseIp('2001:db8::1')?.family).toBe(6);
    expect(parseIp('nope')).toBeUndefined();
    expect(isIpv6LinkLocal(parseIpv6('fe80::1')!)).toBe(true);
    expect(isIpv6LinkLocal(parseIpv6('febf::1')!)).toBe(true);
    expect(isIpv6LinkLocal(parseIpv6('fec0::1')!)).toBe(false);
    expect(isIpv6LinkLocal(parseIpv6('2001:db8::1')!)).toBe(false);
  });
  it('compares addresses as unsigned network-order integers', () => {
    expect(compareAddressBytes(parseIpv4('198.51.100.200')!, parseIpv4('198.51.100.3')!)).toBeGreaterThan(0);
    expect(compareAddressBytes(parseIpv4('10.0.0.1')!, parseIpv4('200.0.0.1')!)).toBeLessThan(0);
    expect(compareAddressBytes(parseIpv4('10.0.0.1')!, parseIpv4('10.0.0.1')!)).toBe(0);
  });
});

describe('MAC addresses', () => {
  it('round-trips MAC text', () => {
    expect(formatMac(parseMac('CA:7C:82:BF:F2:4D')!)).toBe('ca:7c:82:bf:f2:4d');
    expect(formatMac(parseMac('0-0-5e-0-1-33')!)).toBe('00:00:5e:00:01:33');
    for (const bad of ['', 'ca:7c:82:bf:f2', 'ca:7c:82:bf:f2:4d:00', 'ca:7c:82:bf:f2:4g', 'ca:7c:82:bf:f2:100']) {
      expect(parseMac(bad), bad).toBeUndefined();
    }
  });
  it('derives multicast MACs (R-2)', () => {
    expect(formatMac(multicastMac(parseIpv4('224.0.0.18')!))).toBe('01:00:5e:00:00:12');
    expect(formatMac(multicastMac(parseIpv4('239.255.0.18')!))).toBe('01:00:5e:7f:00:12');
    expect(formatMac(multicastMac(parseIpv6('ff02::12')!))).toBe('33:33:00:00:00:12');
    expect(formatMac(multicastMac(parseIpv6('ff02::1')!))).toBe('33:33:00:00:00:01');
  });
  it('derives the VRRP virtual router MAC (R-5)', () => {
    expect(formatMac(vrrpVirtualMac(4, 51))).toBe('00:00:5e:00:01:33');
    expect(formatMac(vrrpVirtualMac(6, 255))).toBe('00:00:5e:00:02:ff');
    expect(formatMac(vrrpVirtualMac(4, 1))).toBe('00:00:5e:00:01:01');
  });
  it('derives the solicited-node multicast group', () => {
    expect(formatIpv6(solicitedNodeMulticast(parseIpv6('2001:db8::100')!))).toBe('ff02::1:ff00:100');
  });
});

describe('IpAddress', () => {
  const ip = (t: string) => IpAddress.parse(t)!;

  it('R-29 addresses compare as unsigned network-order integers', () => {
    expect(ip('198.51.100.20').compare(ip('198.51.100.3'))).toBe(1);
    expect(ip('10.0.0.1').compare(ip('9.255.255.255'))).toBe(1);
    expect(ip('203.0.113.1').compare(ip('203.0.113.1'))).toBe(0);
    expect(ip('fe80::2').compare(ip('fe80::10'))).toBe(-1);
    expect(ip('2001:db8::1:0').compare(ip('2001:db8::ffff'))).toBe(1);
  });

  it('keeps family, bytes and canonical text; equal bytes are equal whatever the text', () => {
    const a = ip('2001:DB8:0:0::1');
    expect([a.family, a.text, String(a), JSON.stringify({ a })]).toEqual([6, '2001:db8::1', '2001:db8::1', '{"a":"2001:db8::1"}']);
    expect(a.equals(ip('2001:db8::1'))).toBe(true);
    expect(a.equals(undefined)).toBe(false);
    const b = IpAddress.fromBytes(Uint8Array.of(198, 51, 100, 7))!;
    expect([b.family, b.text, b.isMulticast]).toEqual([4, '198.51.100.7', false]);
    expect(ip('224.0.0.18').isMulticast && ip('ff02::12').isMulticast && ip('fe80::1').isLinkLocal).toBe(true);
    expect(IpAddress.fromBytes(new Uint8Array(5))).toBeUndefined();
    expect(IpAddress.parse('fe80::1%eth0') ?? IpAddress.parse('198.51.100.1/24')).toBeUndefined();
  });

  it('copies the bytes it is built from (a receive buffer may be reused)', () => {
    const buf = Uint8Array.of(198, 51, 100, 1);
    const a = IpAddress.fromBytes(buf)!;
    buf[3] = 9;
    expect(a.text).toBe('198.51.100.1');
  });

  it('parseCidr: ADDR[/LEN], LEN at most the family length', () => {
    expect(parseCidr('198.51.100.1')).toMatchObject({ prefixLength: 32, prefixGiven: false });
    expect(parseCidr('2001:db8::/64')?.ip.text).toBe('2001:db8::');
    expect(parseCidr('198.51.100.1/33')).toBeUndefined();
  });
});

describe('formatIpv6 embedded IPv4 (RFC 5952 §5, as inet_ntop prints it)', () => {
  it.each([
    ['::ffff:198.51.100.1', '::ffff:198.51.100.1'],
    ['::198.51.100.1', '::198.51.100.1'],
    ['::1', '::1'],
    ['::', '::'],
    ['::2', '::2'],
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    ['2001:db8::ffff:c633:6401', '2001:db8::ffff:c633:6401'],
    ['0:0:0:0:0:1:c633:6401', '::1:c633:6401'],
  ])('%s → %s', (text, canon) => {
    expect(formatIpv6(parseIpv6(text)!)).toBe(canon);
  });
});
