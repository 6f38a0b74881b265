/**
 * LVS is not implemented yet (issue 9 item 16): `check` and the daemon say plainly that
 * virtual_server blocks are not acted on, without changing check's exit status; the package
 * description, the systemd unit and the README claim nothing more than VRRP.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run as check } from '../../adapters/node/commands/check.js';
import { loadConfig } from '../../adapters/node/daemon/config-load.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kts-lvs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOTICE = /warning: WARNING - 2 virtual_server blocks not acted on: keepalived-ts does not implement LVS yet \(no IPVS service is created, no real server is health-checked\); VRRP is not affected/;
const LVS = `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    203.0.113.10/32\n  }\n}\nvirtual_server 203.0.113.10 80 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n  real_server 203.0.113.20 80 {\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n}\nvirtual_server 203.0.113.10 443 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n  real_server 203.0.113.20 443 {\n  }\n}\n`;
const VRRP_ONLY = LVS.slice(0, LVS.indexOf('virtual_server'));

async function runCheck(text: string): Promise<{ code: number; err: string }> {
  const f = join(dir, `k${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(f, text);
  let err = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await check(['-f', f, '--no-host']), err };
  } finally {
    e.mockRestore();
  }
}

describe('virtual_server blocks are not acted on, and we say so', () => {
  it('check: one warning at the first virtual_server; the exit status is unchanged', async () => {
    const r = await runCheck(LVS);
    expect(r.err).toMatch(NOTICE);
    expect(r.err).toMatch(/\.conf:8:1: warning: WARNING - 2 virtual_server blocks/);
    expect(r.code).toBe(0);
    const vrrp = await runCheck(VRRP_ONLY);
    expect(vrrp.err).not.toMatch(/not acted on/);
  });

  it('the daemon: its configuration load carries the warning (logged at start-up and on reload), and it does not block a reload', () => {
    const f = join(dir, 'daemon.conf');
    writeFileSync(f, LVS);
    const loaded = loadConfig(f, 'test', () => true);
    const notice = loaded.diagnostics.find((d) => /not acted on/.test(d.message));
    expect(notice).toMatchObject({ severity: 'warning', line: 8 });
    expect(loaded.errors).toEqual([]);
    writeFileSync(f, VRRP_ONLY);
    expect(loadConfig(f, 'test', () => true).diagnostics.some((d) => /not acted on/.test(d.message))).toBe(false);
  });
});

describe('what the package claims', () => {
  const notYet = /not (implemented|acted on)/i;
  it('package.json description: LVS health checking only as "not implemented yet"', () => {
    const desc = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { description: string }).description;
    if (/LVS|health/i.test(desc)) expect(desc).toMatch(notYet);
  });

  it('the systemd unit describes VRRP, and says LVS is not implemented', () => {
    const unit = readFileSync(join(root, 'packaging/keepalived-ts.service'), 'utf8');
    const description = /^Description=(.*)$/m.exec(unit)?.[1] ?? '';
    expect(description).toMatch(/VRRP/);
    if (/LVS|health/i.test(description)) expect(description).toMatch(notYet);
    expect(unit).toMatch(/does not implement LVS yet/);
  });

  it('the README says LVS is not implemented yet', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/LVS \(IPVS virtual servers and real-server health checking\) is not\s+implemented yet/);
  });
});
