/** `check` on a host without IPVS warns about the virtual servers the nftables backend would refuse. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { hostHasIpvs, run } from '../../adapters/node/commands/check.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-a-checknft-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stderrOf(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await run(argv), err };
  } finally {
    e.mockRestore();
  }
}

/** The nftables lines of check's stderr (other warnings, such as the LVS notice, are not this test's). */
function nftLines(err: string): string {
  return err.split('\n').filter((l) => l.includes('nftables')).map((l) => `${l}\n`).join('');
}

describe('check and the nftables backend', () => {
  const f = join(dir, 'lb.conf');
  writeFileSync(f, 'virtual_server 203.0.113.10 80 {\n protocol TCP\n lvs_sched wlc\n lvs_method NAT\n real_server 198.51.100.21 8080 {\n }\n}\n');

  it(hostHasIpvs() ? 'says nothing on this host (it has IPVS)' : 'warns on this host (no IPVS), without changing the exit code', async () => {
    const r = await stderrOf(['-f', f]);
    expect(r.code).toBe(0);
    if (hostHasIpvs()) expect(nftLines(r.err)).toBe('');
    else expect(nftLines(r.err)).toBe(`${f}:1:1: warning: virtual_server 203.0.113.10 80: this host has no IPVS, and the nftables backend cannot carry it: lvs_sched wlc needs IPVS (it counts each real server's connections); nftables can do rr, wrr, sh, dh, mh, fo: use wrr (fix: change the virtual server as the message says, or run on a kernel with IPVS: modprobe ip_vs)\n`);
  });

  it('--no-host skips the host question', async () => {
    expect(nftLines((await stderrOf(['-f', f, '--no-host'])).err)).toBe('');
  });
});
