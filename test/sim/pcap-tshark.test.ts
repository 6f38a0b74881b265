/** The --pcap output dissects cleanly in tshark: VRRP, ARP and ICMPv6 NA, no malformed packets. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import { loadExample } from './helpers/examples.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { compileKeepalived } from '../../sim/scenario/keepalived.js';
import { keepalivedModels } from '../../sim/model.js';

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'ka-sim-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V6 = `
name: v6
duration: 20s
hosts:
  a: { nics: { eth0: { segment: lan, address: 198.51.100.11/24 } }, config: "vrrp_instance V6 { interface eth0\\n virtual_router_id 61\\n priority 150\\n virtual_ipaddress { 2001:db8::100/64 } }" }
  b: { nics: { eth0: { segment: lan, address: 198.51.100.12/24 } }, config: "vrrp_instance V6 { interface eth0\\n virtual_router_id 61\\n priority 100\\n virtual_ipaddress { 2001:db8::100/64 } }" }
timeline:
  - { at: 10s, stop: a }
`;

function dissect(file: string): { lines: string[]; malformed: number; errors: number } {
  const tsv = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.protocols', '-e', '_ws.malformed', '-e', '_ws.expert.severity'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = tsv.trim().split('\n');
  // Expert severity values: 2097152 = warning, 8388608 = error; error-level items or a malformed layer fail.
  const errors = lines.filter((l) => l.split('\t')[2]?.split(',').some((v) => Number(v) >= 8388608)).length;
  return { lines, malformed: lines.filter((l) => (l.split('\t')[1] ?? '') !== '').length, errors };
}

const skipNote = tshark ? '' : ' [skipped: tshark is not installed]';

describe('pcap output read by tshark', () => {
  it.skipIf(!tshark)(`the malformed-packet detector does fire on a truncated VRRP frame${skipNote}`, () => {
    const r = runScenario(loadExample('split-brain.yaml'), { createRuntime: createDaemonRuntime, pcap: true, untilMs: 5000 });
    const bytes = r.pcap!;
    // Cut the last record's frame short but keep its header's claimed IP length.
    const file = join(dir, 'broken.pcap');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const firstLen = view.getUint32(24 + 8, true);
    const cut = bytes.slice(0, 24 + 16 + firstLen - 10);
    new DataView(cut.buffer).setUint32(24 + 8, firstLen - 10, true);
    new DataView(cut.buffer).setUint32(24 + 12, firstLen - 10, true);
    writeFileSync(file, cut);
    expect(dissect(file).malformed + dissect(file).errors).toBeGreaterThan(0);
  });

  for (const name of ['split-brain.yaml', 'seed-001-dual-master.yaml', 'seed-003-lvs-dr-sync-group.yaml']) {
    it.skipIf(!tshark)(`${name}: every frame dissects as VRRP or ARP, none malformed${skipNote}`, () => {
      const r = runScenario(loadExample(name), { createRuntime: createDaemonRuntime, pcap: true });
      const file = join(dir, `${name}.pcap`);
      writeFileSync(file, r.pcap!);
      const { lines, malformed, errors } = dissect(file);
      expect(lines.length).toBe(r.stats.frames);
      expect(malformed).toBe(0);
      expect(errors).toBe(0);
      expect(lines.every((l) => /eth:ethertype:(ip:vrrp|arp)/.test(l))).toBe(true);
      expect(lines.some((l) => l.includes('vrrp'))).toBe(true);
      expect(lines.some((l) => l.includes('arp'))).toBe(true);
    });
  }

  it.skipIf(!tshark)(`IPv6: VRRPv3 with hop limit 255 from the link-local, and unsolicited NAs${skipNote}`, () => {
    const scn = loadScenario(V6, 'v6.yaml', { readFile: () => undefined, compile: compileKeepalived(() => undefined), models: keepalivedModels }).scenario!;
    const r = runScenario(scn, { createRuntime: createDaemonRuntime, pcap: true });
    const file = join(dir, 'v6.pcap');
    writeFileSync(file, r.pcap!);
    const { lines, malformed, errors } = dissect(file);
    expect(malformed).toBe(0);
    expect(errors).toBe(0);
    expect(lines.some((l) => l.includes('ipv6:vrrp'))).toBe(true);
    expect(lines.some((l) => l.includes('icmpv6'))).toBe(true);
    const hop = execFileSync('tshark', ['-r', file, '-Y', 'vrrp', '-T', 'fields', '-e', 'ipv6.hlim', '-e', 'ipv6.src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const l of hop.trim().split('\n')) {
      const [hlim, src] = l.split('\t');
      expect(hlim).toBe('255');
      expect(src?.startsWith('fe80::')).toBe(true);
    }
  });
});
