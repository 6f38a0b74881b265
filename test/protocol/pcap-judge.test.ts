/**
 * `keepalived-ts pcap` as an operator uses it after a failover (issue 9 item 13): who claims each
 * VIP, pcapng input, what the kernel would have dropped, and an exit status scripts can test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../adapters/node/commands/pcap.js';
import { parseIpv4, parseIpv6, parseMac } from '../../protocol/addr.js';
import { buildGratuitousArpFrame } from '../../protocol/arp.js';
import { buildEthernetFrame, ETHERTYPE_IPV6 } from '../../protocol/ethernet.js';
import { internetChecksum } from '../../protocol/checksum.js';
import { buildIpv6Packet } from '../../protocol/ipv6.js';
import { buildUnsolicitedNaFrame } from '../../protocol/ndisc.js';
import { writePcap } from '../../protocol/pcap.js';
import { buildVrrpFrame, encodeVrrpMessage } from '../../protocol/vrrp/index.js';
import { concat, epb, idb, shb } from './helpers/pcapng-blocks.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-pcapjudge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAC_A = '02:00:00:00:01:01';
const MAC_B = '02:00:00:00:02:01';
const MAC_X = '02:00:00:00:09:09';
const VIP = '198.51.100.100';
const mac = (m: string) => parseMac(m)!;

const advert = (src: string, srcMac: string, priority = 150) =>
  buildVrrpFrame({ version: 2, family: 4, vrid: 51, priority, advertIntervalCs: 100, addresses: [VIP], srcMac: mac(srcMac), src });
const garp = (m: string, vip = VIP) => buildGratuitousArpFrame(mac(m), parseIpv4(vip)!);

/** Frames one second apart, from 2026-01-01. */
function capture(name: string, frames: Uint8Array[]): string {
  const file = join(dir, name);
  writeFileSync(file, writePcap(frames.map((data, i) => ({ tsSec: 1_767_225_600 + i, tsUsec: 0, data }))));
  return file;
}

async function pcap(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

const conf = (extra = '') => {
  const file = join(dir, `ka${extra ? '-vmac' : ''}.conf`);
  writeFileSync(file, `vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n    advert_int 1\n${extra}    virtual_ipaddress { ${VIP}/24 }\n}\n`);
  return file;
};

describe('pcap judges gratuitous ARP / unsolicited NA', () => {
  it("a claim from the MAC that sends the VRID's adverts is ok; hosts point at the master: exit 0", async () => {
    const f = capture('ok.pcap', [advert('198.51.100.11', MAC_A), garp(MAC_A), advert('198.51.100.11', MAC_A)]);
    const r = await pcap([f, '-f', conf()]);
    expect(r.out[1]).toBe(`2026-01-01T00:00:01.000000Z #2 GARP ${VIP} is-at ${MAC_A} (target ${VIP}) => ok (${MAC_A} sends the adverts of VI_1 VRID 51 from 198.51.100.11)`);
    expect(r.out).toContain(`-- VIP ${VIP}: claimed by ${MAC_A} (198.51.100.11) ×1 00:00:01.000000; hosts send its traffic to ${MAC_A}, the master heard last`);
    expect(r.code).toBe(0);
  });

  it('a claim from a MAC that is no router of the VIP is WRONG-MAC: exit 1', async () => {
    const f = capture('wrong.pcap', [advert('198.51.100.11', MAC_A), garp(MAC_X), garp(MAC_A)]);
    const r = await pcap([f]);
    expect(r.out[1]).toContain(`=> WRONG-MAC (${MAC_X} sends no advert of VRID 51; its routers: 198.51.100.11 ${MAC_A})`);
    expect(r.out.at(-1)).toBe('-- problems: 1 VIP claim from a MAC that is not a router of the VIP');
    expect(r.code).toBe(1);
  });

  it('hosts left pointing at a former master while the master goes on advertising: STALE, exit 1', async () => {
    const f = capture('stale.pcap', [
      advert('198.51.100.11', MAC_A),
      advert('198.51.100.12', MAC_B, 100),
      garp(MAC_B),
      advert('198.51.100.11', MAC_A),
      advert('198.51.100.11', MAC_A),
    ]);
    const r = await pcap([f, '-f', conf()]);
    expect(r.out.find((l) => l.startsWith(`-- VIP ${VIP}`))).toBe(
      `-- VIP ${VIP}: claimed by ${MAC_B} (198.51.100.12) ×1 00:00:02.000000; STALE: hosts send its traffic to ${MAC_B} (last claim, 00:00:02.000000) but the master heard last is 198.51.100.11 (${MAC_A}, 00:00:04.000000): it never re-announced the VIP (garp_master_refresh helps)`,
    );
    expect(r.code).toBe(1);
  });

  it("with use_vmac the instance's virtual MAC is the right claimant", async () => {
    const f = capture('vmac.pcap', [advert('198.51.100.11', '00:00:5e:00:01:33'), garp('00:00:5e:00:01:33')]);
    const r = await pcap([f, '-f', conf('    use_vmac\n')]);
    expect(r.out[1]).toContain('=> ok (virtual MAC of VI_1 VRID 51)');
    expect(r.code).toBe(0);
  });

  it('an unsolicited NA hosts would ignore (hop limit not 255) is reported', async () => {
    const vip6 = '2001:db8::100';
    const good = buildUnsolicitedNaFrame({ mac: mac(MAC_A), vip: parseIpv6(vip6)!, router: false });
    const v3 = buildVrrpFrame({ version: 3, family: 6, vrid: 51, priority: 150, advertIntervalCs: 100, addresses: ['fe80::1', vip6], srcMac: mac(MAC_A), src: 'fe80::1' });
    const hop64 = good.slice();
    hop64[14 + 7] = 64;
    const f = capture('na.pcap', [v3, good, hop64]);
    const r = await pcap([f]);
    expect(r.out[1]).toContain(`NA ${vip6} is-at ${MAC_A} flags [O] ${vip6} > ff02::1 hlim 255 => ok`);
    expect(r.out[2]).toContain('hlim 64 => IGNORED by hosts (hop limit 64, not 255)');
    expect(r.code).toBe(1);
  });
});

describe('pcap reads pcapng', () => {
  it('gives the same verdicts for a pcapng capture as for the classic one', async () => {
    const frames = [advert('198.51.100.11', MAC_A), garp(MAC_A)];
    const classic = await pcap([capture('same.pcap', frames), '-f', conf()]);
    const ngFile = join(dir, 'same.pcapng');
    writeFileSync(ngFile, concat(shb(), idb(1, 262144), ...frames.map((f, i) => epb(0, BigInt(1_767_225_600 + i) * 1_000_000n, f))));
    const ng = await pcap([ngFile, '-f', conf()]);
    expect(ng.code).toBe(0);
    expect(ng.out.slice(0, 2)).toEqual(classic.out.slice(0, 2));
    expect(ng.out[2]).toBe('-- 2 frames (pcapng), 1 VRRP');
  });
});

describe('pcap judges what the kernel discards before a VRRP socket sees it', () => {
  it('a wrong IPv4 header checksum and fragments are DROP kernel, whatever the config; exit 1', async () => {
    const good = advert('198.51.100.11', MAC_A);
    const badSum = good.slice();
    badSum[14 + 10] = badSum[14 + 10]! ^ 0xff;
    const frag = good.slice();
    frag[14 + 6] = 0x20; // More Fragments
    frag[14 + 10] = 0;
    frag[14 + 11] = 0;
    const sum = internetChecksum(frag.subarray(14, 34));
    frag[14 + 10] = sum >> 8;
    frag[14 + 11] = sum & 0xff;
    const v3msg = encodeVrrpMessage({ version: 3, family: 6, vrid: 51, priority: 150, advertIntervalCs: 100, addresses: ['fe80::1'] }, { src: 'fe80::1', dst: 'ff02::12' });
    const fragHeader = Uint8Array.of(112, 0, 0, 1, 0, 0, 0, 7);
    const ip6 = buildIpv6Packet({ nextHeader: 44, hopLimit: 255, src: parseIpv6('fe80::1')!, dst: parseIpv6('ff02::12')! }, Uint8Array.from([...fragHeader, ...v3msg]));
    const frag6 = buildEthernetFrame({ dst: mac('33:33:00:00:00:12'), src: mac(MAC_A), etherType: ETHERTYPE_IPV6, payload: ip6 });
    const r = await pcap([capture('kernel.pcap', [good, badSum, frag, frag6]), '--vrid', '51', '--vip', VIP]);
    expect(r.out[0]).toMatch(/=> vrid 51: ok$/);
    expect(r.out[1]).toMatch(/VRRPv2 vrid 51 .* => DROP kernel bad-ip-checksum \(IPv4 header checksum 0x[0-9a-f]{4} is wrong; the kernel discards it before any VRRP socket sees it\)$/);
    expect(r.out[2]).toMatch(/=> DROP kernel ip-fragment \(IPv4 fragment at offset 0, more fragments follow; /);
    expect(r.out[3]).toMatch(/VRRPv3 vrid 51 .* => DROP kernel ip-fragment \(IPv6 fragment at offset 0, more fragments follow; /);
    expect(r.out).toContain('-- verdicts: ok ×1, DROP kernel bad-ip-checksum ×1, DROP kernel ip-fragment ×2');
    expect(r.out.at(-1)).toBe('-- problems: 3 discarded by the kernel');
    expect(r.code).toBe(1);
  });
});
