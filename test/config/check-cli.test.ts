/** `keepalived-ts check` / `keepalived-ts -t -f FILE`: output format, exit codes, --json, --print, cluster mode. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseCheckArgs, run } from '../../adapters/node/commands/check.js';
import { compileText } from '../../config/index.js';
import { comparable, SAMPLES_DIR, SEEDS_FIXTURES } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-a-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await run(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('check command', () => {
  it("parses keepalived's own flags", () => {
    expect(parseCheckArgs(['-t', '-n', '-l', '-D', '-f', 'a.conf', '-i', 'lb1'])).toMatchObject({ files: ['a.conf'], configId: 'lb1' });
    expect(parseCheckArgs(['--config-test=/tmp/log', '--use-file=b.conf', '-p', '/run/x.pid'])).toMatchObject({ files: ['b.conf'], logFile: '/tmp/log' });
    expect(parseCheckArgs([])).toMatchObject({ files: ['/etc/keepalived/keepalived.conf'] });
    expect(parseCheckArgs(['-f'])).toEqual({ usage: '-f needs a file name' });
    expect(parseCheckArgs(['--jsno'])).toEqual({ usage: 'unknown option --jsno' });
    expect(parseCheckArgs(['-f', '/nonexistent', '--help'])).toEqual({ help: true });
  });

  it('prints file:line:col diagnostics with a fix and exits like keepalived -t', async () => {
    const f = join(dir, 'typo.conf');
    writeFileSync(f, 'global_defs {\n stmp_connect_timeout 30\n}\n');
    const r = await capture(['-f', f, '--no-host']);
    expect(r.code).toBe(5);
    expect(r.err).toBe(`${f}:2:2: warning: unknown keyword 'stmp_connect_timeout' in global_defs - did you mean smtp_connect_timeout? (fix: replace 'stmp_connect_timeout' with 'smtp_connect_timeout')\n`);
    const ok = join(dir, 'ok.conf');
    writeFileSync(ok, 'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n');
    expect((await capture([ok, '--no-host'])).code).toBe(0);
    expect((await capture(['-f', join(dir, 'missing.conf')])).code).toBe(4);
  });

  it('--config-test=LOGFILE writes the report to the file', async () => {
    const log = join(dir, 'report.log');
    const f = join(dir, 'abort.conf');
    writeFileSync(f, 'vrrp_instance A {\n priority\n}\n');
    const r = await capture([`--config-test=${log}`, '-f', f, '--no-host']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('');
    expect(readFileSync(log, 'utf8')).toMatch(/abort\.conf:2:2: error: 'priority' is missing a parameter/);
  });

  it('--json dumps the model and --print re-emits a config that compiles to the same model', async () => {
    const sample = `${SAMPLES_DIR}/keepalived.conf.vrrp.sync`;
    const j = await capture(['-f', sample, '--json', '--no-host']);
    const model = JSON.parse(j.out);
    expect(model.vrrpSyncGroups[0].name).toBe('G1');
    expect(model.vrrpInstances.map((i: { name: string }) => i.name)).toEqual(['VI_1', 'VI_2', 'VI_3', 'VI_4', 'VI_5', 'VI_6', 'VI_7', 'VI_8', 'VI_9']);
    const p = await capture(['-f', sample, '--print', '--no-host']);
    expect(comparable(compileText(p.out, 'printed').model)).toEqual(comparable({ ...model, files: [] }));
  });

  it('compares the nodes of a cluster when given several files', async () => {
    const a = join(dir, 'n1.conf');
    const b = join(dir, 'n2.conf');
    const base = (prio: number, adv: number) => `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n priority ${prio}\n advert_int ${adv}\n virtual_ipaddress {\n  10.0.0.7\n }\n}\n`;
    writeFileSync(a, base(100, 1));
    writeFileSync(b, base(90, 3));
    const r = await capture(['check', a, b, '--no-host'].slice(1));
    expect(r.code).toBe(5);
    expect(r.err).toBe(`${b}:5:2: error: advert_int of VRID 7 (IPv4) differs between nodes: VI_1@${b} has 3s here, VI_1@${a} has 1s at ${a}:5:2 (fix: use the same advert_int on every node (v2 drops adverts with another interval))\n`);
    writeFileSync(b, base(90, 1));
    expect((await capture([a, b, '--no-host'])).code).toBe(0);
  });

  it("is reached through the CLI dispatcher with keepalived's spelling", () => {
    const f = `${SEEDS_FIXTURES}/004-both-backup.conf`;
    let code = 0;
    let err = '';
    try {
      execFileSync('npx', ['tsx', 'adapters/node/cli.ts', '-t', '-n', '-l', '-f', f], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      code = (e as { status: number }).status;
      err = (e as { stderr: string }).stderr;
    }
    expect(code).toBe(5);
    expect(err).toMatch(/004-both-backup\.conf:28:10: warning: unknown keyword 'auth_typePASS' in authentication - did you mean 'auth_type PASS'\?/);
  }, 60_000);
});
