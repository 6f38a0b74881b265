/** `keepalived-ts pcap`: per-packet verdicts over real and synthetic captures. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../adapters/node/commands/pcap.js';
import { compileText } from '../../config/index.js';
import { parseMac } from '../../protocol/addr.js';
import { writePcap } from '../../protocol/pcap.js';
import { buildVrrpFrame } from '../../protocol/vrrp/index.js';
import { FIXTURE_DIR, loadFrames, type FixtureName } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-pcapcmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(name: FixtureName): string {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, writePcap(loadFrames(name)));
  return file;
}

async function pcap(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

describe('keepalived-ts pcap', () => {
  it('lists each advert with its fields and judges it with explicit flags', async () => {
    const r = await pcap([capture('v2-ah'), '--vrid', '51', '--auth-type', 'AH', '--auth-pass', 'secret', '--vip', '192.0.2.100']);
    expect(r.code).toBe(0);
    const lines = r.out.filter((l) => l.includes('VRRPv2'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      '2026-11-22T00:40:02.991289Z #1 192.0.2.11 > 224.0.0.18 VRRPv2 vrid 51 prio 150 int 1s addrs [192.0.2.100] auth AH(spi 0xc000020b seq 1) ttl 255 => vrid 51: ok',
    );
    expect(r.out).toContain('-- verdicts: ok ×3');
  });

  it('shows why a receiver would drop the adverts ("bogus VRRP packet" diagnosis)', async () => {
    const wrongPass = await pcap([capture('v2-pass'), '--vrid', '51', '--auth-pass', 'nope']);
    expect(wrongPass.out.filter((l) => l.includes('VRRPv2') && l.includes('DROP auth-mismatch'))).toHaveLength(3);
    expect(wrongPass.code).toBe(1);
    expect(wrongPass.out.at(-1)).toBe('-- problems: 3 VRRP packets dropped by the receiver');
    const wrongInterval = await pcap([capture('v2-noauth-2vips'), '--vrid', '51', '--interval', '2']);
    expect(wrongInterval.out.every((l) => !l.includes('VRRPv2') || l.includes('DROP interval-mismatch'))).toBe(true);
    const wrongVips = await pcap([capture('v2-noauth-2vips'), '--vrid', '51', '--vip', '192.0.2.100']);
    expect(wrongVips.out.some((l) => l.includes('DROP addr-count-mismatch'))).toBe(true);
    const otherVrid = await pcap([capture('v3-ipv4'), '--vrid', '52', '--version', '3']);
    expect(otherVrid.out.some((l) => l.endsWith('=> not ours (no instance for IPv4 VRID 51)'))).toBe(true);
    expect(otherVrid.code).toBe(0);
    const v3AtV2 = await pcap([capture('v3-ipv4-fast'), '--vrid', '51']);
    expect(v3AtV2.out.some((l) => l.includes('DROP bad-version'))).toBe(true);
  });

  it('summarises senders per VRID, exposing a VRID collision', async () => {
    const mk = (src: string, priority: number, version: 2 | 3) =>
      buildVrrpFrame({ version, family: 4, vrid: 42, priority, advertIntervalCs: 100, addresses: ['198.51.100.42'], srcMac: parseMac('02:00:00:00:00:01')!, src });
    const file = join(dir, 'collision.pcap');
    writeFileSync(file, writePcap([mk('198.51.100.1', 200, 2), mk('198.51.100.2', 100, 3), mk('198.51.100.1', 200, 2)].map((data, i) => ({ tsSec: 1_800_000_000 + i, tsUsec: 0, data }))));
    const r = await pcap([file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('-- IPv4 VRID 42: 2 senders: 198.51.100.1 (2 adverts, prio 200, v2), 198.51.100.2 (1 adverts, prio 100, v3)');
  });

  it('lists gratuitous ARP and unsolicited NA frames, and who claimed each address', async () => {
    const garp = await pcap([capture('garp-v2')]);
    expect(garp.out.filter((l) => l.includes('GARP 192.0.2.100 is-at b2:66:67:7d:cf:c8'))).toHaveLength(5);
    expect(garp.out).toContain('-- 192.0.2.100: claimed by b2:66:67:7d:cf:c8 ×5 00:40:37.450131…00:40:37.450194 (not a VIP of any advert in the capture)');
    const na = await pcap([capture('na-v3-ipv6'), '--all']);
    expect(na.out.filter((l) => l.includes('NA 2001:db8::100 is-at') && l.includes('flags [O]'))).toHaveLength(5);
  });

  it('reports usage and file errors with exit codes', async () => {
    expect((await pcap([])).code).toBe(2);
    expect((await pcap(['--help'])).code).toBe(0);
    expect((await pcap([capture('v2-pass'), '--vrid', '0'])).code).toBe(2);
    expect((await pcap([capture('v2-pass'), '--bogus'])).code).toBe(2);
    expect((await pcap([capture('v2-pass'), '--auth-pass', 'x'])).code).toBe(2);
    const missing = await pcap([join(dir, 'missing.pcap')]);
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/cannot read/);
    const notPcap = await pcap([join(FIXTURE_DIR, 'v2-pass.hex')]);
    expect(notPcap.code).toBe(2);
    expect(notPcap.err[0]).toMatch(/is neither pcap nor pcapng \(capture with tcpdump -w FILE or dumpcap\)/);
  });

  const conf = `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
`;
  const compilerReady = compileText(conf).model.vrrpInstances.length === 1;
  it.skipIf(!compilerReady)(compilerReady ? 'judges with a keepalived.conf (-f)' : 'judges with a keepalived.conf (-f) (skipped: config/ does not compile vrrp_instance yet)', async () => {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, conf);
    const ok = await pcap([capture('v2-pass'), '-f', file]);
    expect(ok.out.filter((l) => l.endsWith('=> VI_1: ok'))).toHaveLength(3);
    expect(ok.code).toBe(0);
    const other = await pcap([capture('v2-pass'), '-f', file, '--instance', 'VI_9']);
    expect(other.code).toBe(2);
    writeFileSync(file, conf.replace('auth_pass secret', 'auth_pass other'));
    const bad = await pcap([capture('v2-pass'), '-f', file]);
    expect(bad.out.filter((l) => l.includes('VI_1: DROP auth-mismatch'))).toHaveLength(3);
    expect(bad.code).toBe(1);
  });
});
