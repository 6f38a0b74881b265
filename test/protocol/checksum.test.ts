import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6 } from '../../protocol/addr.js';
import { bytesToHex } from '../../protocol/bytes.js';
import { internetChecksum, ipv4PseudoHeader, ipv6PseudoHeader } from '../../protocol/checksum.js';
import { hex } from './fixtures.js';

describe('Internet checksum (RFC 1071)', () => {
  it('matches the RFC 1071 §3 worked example', () => {
    // 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2 → checksum 0x220d.
    expect(internetChecksum(hex('0001f203f4f5f6f7'))).toBe(0x220d);
  });
  it('verifies to zero over a buffer that holds its own checksum', () => {
    const ipHeader = hex('45c0004000010000ff3318acc000020be0000012'); // from v2-ah.pcap
    expect(internetChecksum(ipHeader)).toBe(0);
  });
  it('treats parts as one byte stream (odd-length parts carry over)', () => {
    const whole = hex('0102030405060708090a');
    expect(internetChecksum(whole.subarray(0, 3), whole.subarray(3, 7), whole.subarray(7))).toBe(internetChecksum(whole));
    expect(internetChecksum(hex('010203'))).toBe(internetChecksum(hex('01020300')));
  });
  it('returns 0xffff for all-zero data', () => {
    expect(internetChecksum(new Uint8Array(8))).toBe(0xffff);
  });
});

describe('pseudo-headers', () => {
  it('IPv4 pseudo-header is src | dst | 0 | proto | length', () => {
    const ph = ipv4PseudoHeader(parseIpv4('192.0.2.251')!, parseIpv4('224.0.0.18')!, 112, 16);
    expect(bytesToHex(ph)).toBe('c00002fbe00000120070' + '0010');
  });
  it('IPv6 pseudo-header is byte-exact: src | dst | 32-bit length | 3 zero bytes | next header (R-11)', () => {
    // A 16-bit length in the wrong word gives the same sum, so only the bytes can catch it.
    const ph = ipv6PseudoHeader(parseIpv6('fe80::c8')!, parseIpv6('ff02::12')!, 112, 0x28);
    expect(bytesToHex(ph)).toBe(
      'fe8000000000000000000000000000c8' + 'ff020000000000000000000000000012' + '00000028' + '000000' + '70',
    );
    expect(ph.length).toBe(40);
    const big = ipv6PseudoHeader(new Uint8Array(16), new Uint8Array(16), 58, 0x12345);
    expect(bytesToHex(big.subarray(32))).toBe('000123450000003a');
  });
});
