/**
 * Independent check: Wireshark's dissector reads our frames. Writes encoded packets to a pcap,
 * runs `tshark -r FILE -V` with IP header checksum validation on, and asserts every packet
 * dissects without a malformed/error expert note and every checksum is "Good".
 * Wireshark verifies VRRP checksums by default; `vrrp.v3_checksum_as_in_v2` selects the RFC 9568 form.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6, parseMac } from '../../protocol/addr.js';
import { buildGratuitousArpFrame } from '../../protocol/arp.js';
import { buildUnsolicitedNaFrame } from '../../protocol/ndisc.js';
import { writePcap } from '../../protocol/pcap.js';
import { authDataFromPassword, buildVrrpFrame, type VrrpFrameSpec } from '../../protocol/vrrp/index.js';
import { tsharkAvailable } from './fixtures.js';

const HAVE_TSHARK = tsharkAvailable();
const MAC = parseMac('02:00:00:00:00:01')!;
const KEY = authDataFromPassword('secret');
const base4 = { family: 4, vrid: 7, priority: 100, advertIntervalCs: 100, addresses: ['198.51.100.10', '198.51.100.11'], srcMac: MAC, src: '198.51.100.2' } as const;

const VRRP_FRAMES: Array<[string, VrrpFrameSpec]> = [
  ['v2 none', { ...base4, version: 2, addresses: [...base4.addresses] }],
  ['v2 PASS', { ...base4, version: 2, addresses: [...base4.addresses], authKind: 'pass', authKey: KEY }],
  ['v2 AH', { ...base4, version: 2, addresses: [...base4.addresses], authKind: 'ah', authKey: KEY, ahSequence: 42 }],
  ['v2 priority 0, padded', { ...base4, version: 2, priority: 0, addresses: ['198.51.100.10'], padTo: 60 }],
  ['v2 VLAN 100', { ...base4, version: 2, addresses: ['198.51.100.10'], vlanId: 100 }],
  ['v3 IPv4', { ...base4, version: 3, advertIntervalCs: 25, addresses: [...base4.addresses] }],
  ['v3 IPv4 unicast', { ...base4, version: 3, addresses: [...base4.addresses], dst: '198.51.100.3', dstMac: parseMac('02:00:00:00:00:03')! }],
  ['v3 IPv6', { version: 3, family: 6, vrid: 7, priority: 254, advertIntervalCs: 4095, addresses: ['fe80::7', '2001:db8::10'], srcMac: MAC, src: 'fe80::2' }],
];

describe.skipIf(!HAVE_TSHARK)(HAVE_TSHARK ? 'tshark dissects our frames' : 'tshark dissects our frames (skipped: tshark not installed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-tshark-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function dissect(frames: Uint8Array[], extra: string[] = []): string[] {
    const file = join(dir, `f${Math.floor(performance.now() * 1000)}.pcap`);
    writeFileSync(file, writePcap(frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, tsUsec: 0, data }))));
    const out = execFileSync('tshark', ['-r', file, '-V', '-o', 'ip.check_checksum:TRUE', ...extra], { encoding: 'utf8' });
    return out.split(/\n(?=Frame \d+:)/);
  }

  it('VRRP adverts: no malformed packet, checksums good, fields as encoded', () => {
    const packets = dissect(VRRP_FRAMES.map(([, s]) => buildVrrpFrame(s)));
    expect(packets.length).toBe(VRRP_FRAMES.length);
    packets.forEach((text, i) => {
      const name = VRRP_FRAMES[i]![0];
      expect(text, name).not.toMatch(/Malformed|\[Expert Info \(Error/);
      expect(text, name).toMatch(/Virtual Router Redundancy Protocol/);
      expect(text, name).toMatch(/\[Checksum Status: Good\]/);
      expect(text, name).not.toMatch(/Checksum Status: Bad/);
      expect(text, name).toContain(`Virtual Rtr ID: 7`);
    });
    expect(packets[0]).toMatch(/Header checksum status: Good/);
    expect(packets[2]).toMatch(/Authentication Header[\s\S]*AH Sequence: 42/);
    expect(packets[5]).toMatch(/Adver Int: 25/);
    expect(packets[7]).toMatch(/Priority: 254/);
  });

  it('v3 IPv4 message-only checksum (v3_checksum_as_v2) is Good only with vrrp.v3_checksum_as_in_v2', () => {
    const frame = buildVrrpFrame({ ...base4, version: 3, addresses: [...base4.addresses], v3Ipv4Checksum: 'message-only' });
    expect(dissect([frame], ['-o', 'vrrp.v3_checksum_as_in_v2:TRUE'])[0]).toMatch(/\[Checksum Status: Good\]/);
    expect(dissect([frame])[0]).toMatch(/Checksum Status: Bad/);
  });

  it('gratuitous ARP and unsolicited NA', () => {
    const [garp, na] = dissect([
      buildGratuitousArpFrame(MAC, parseIpv4('198.51.100.10')!),
      buildUnsolicitedNaFrame({ mac: MAC, vip: parseIpv6('2001:db8::10')!, router: true }),
    ]);
    expect(garp).toMatch(/Address Resolution Protocol \(request\/gratuitous ARP\)/);
    expect(garp).not.toMatch(/Malformed/);
    expect(na).toMatch(/Neighbor Advertisement/);
    expect(na).toMatch(/\[Checksum Status: Good\]/);
    expect(na).toMatch(/Router: Set/);
    expect(na).toMatch(/Override: Set/);
    expect(na).not.toMatch(/Malformed|Checksum Status: Bad/);
  });
});
