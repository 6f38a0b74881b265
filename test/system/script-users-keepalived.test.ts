/**
 * enable_script_security with no script_user on a host without a keepalived_script user, beside
 * Debian's keepalived 2.2.7 (issue 9 item 2):
 *
 *  1. `check` against `keepalived -t` on the same configs (in a private network namespace with
 *     eth0, like the parity test): the same exit status and the same messages.
 *  2. The daemons: keepalived-ts and keepalived, each in its own namespace, run an instance that
 *     tracks a script (which would fail, and records its uid) and has a notify_master script.
 *     Both drop the scripts ("Unable to set default user for vrrp script chk - removing", "track
 *     script chk not found, ignoring..."), the instance runs without it and becomes MASTER, and
 *     neither script ever runs (so never as uid 0).
 *
 * Skipped when not root, without keepalived 2.2.7 or unshare, or when this host has a
 * keepalived_script user (then keepalived has a default user and nothing is dropped). The test
 * never creates a user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptStatus } from '../../adapters/node/commands/check.js';
import { scriptUserLookup } from '../../adapters/linux/users.js';
import { compileConfig, configTestExitCode } from '../../config/index.js';
import { DaemonLab, KEEPALIVED, type DaemonHandle } from '../helpers/daemon-lab.js';
import { isRoot } from '../helpers/netns.js';

function why(): string | undefined {
  if (!isRoot) return 'needs root (keepalived in network namespaces)';
  if (!existsSync(KEEPALIVED)) return `${KEEPALIVED} is not installed`;
  const v = spawnSync(KEEPALIVED, ['--version'], { encoding: 'utf8' });
  if (!/Keepalived v2\.2\.7/.test(`${v.stdout}${v.stderr}`)) return 'keepalived is not 2.2.7';
  if (spawnSync('unshare', ['--version']).error) return 'unshare is not installed';
  if (scriptUserLookup()('keepalived_script')) return 'this host has a keepalived_script user (keepalived then has a default script user)';
  return undefined;
}
const skip = why();
const title = (t: string): string => (skip ? `${t} [skipped: ${skip}]` : t);

const INSTANCE = (ifname: string, vrid: number, vip: string, extra: string): string =>
  `vrrp_instance VI_1 {\n  state BACKUP\n  interface ${ifname}\n  virtual_router_id ${vrid}\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    ${vip}/32\n  }\n${extra}}\n`;

const CASES: Record<string, string> = {
  'tracked vrrp_script': `global_defs {\n  enable_script_security\n}\nvrrp_script chk {\n  script "/bin/true"\n  interval 1\n}\n${INSTANCE('eth0', 51, '203.0.113.10', '  track_script {\n    chk\n  }\n')}`,
  'notify scripts only': `global_defs {\n  enable_script_security\n}\n${INSTANCE('eth0', 51, '203.0.113.10', '  notify_master "/bin/true master"\n  notify /bin/true\n')}`,
  'script_user that does not exist': `global_defs {\n  script_user kts-no-such-user\n}\nvrrp_script chk {\n  script "/bin/true"\n}\n${INSTANCE('eth0', 51, '203.0.113.10', '  track_script {\n    chk\n  }\n')}`,
  'vrrp_script user that does not exist': `global_defs {\n  enable_script_security\n}\nvrrp_script chk {\n  script "/bin/true"\n  user kts-no-such-user\n}\n${INSTANCE('eth0', 51, '203.0.113.10', '  track_script {\n    chk\n  }\n')}`,
  'MISC_CHECK and quorum_up': `global_defs {\n  enable_script_security\n}\nvirtual_server 203.0.113.10 80 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n  quorum_up "/bin/true up"\n  real_server 203.0.113.20 80 {\n    MISC_CHECK {\n      misc_path "/bin/true"\n    }\n  }\n}\n`,
  'startup_script': `global_defs {\n  enable_script_security\n  startup_script "/bin/true start"\n}\n${INSTANCE('eth0', 51, '203.0.113.10', '')}`,
};

const NS_SCRIPT = [
  'ip link set lo up',
  'ip link add eth0 type veth peer name eth1',
  'for f in "$@"; do timeout 20 keepalived -t -n -l -f "$f" >"$f.out" 2>&1; echo "$?"; done',
].join('\n');

describe.skipIf(skip !== undefined)(title('check against keepalived -t: no user to run scripts as'), () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-su-t-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the same exit status and the same messages for every case', () => {
    const files = Object.entries(CASES).map(([name, conf], i) => {
      const f = join(dir, `case-${i}.conf`);
      writeFileSync(f, conf);
      return { name, f };
    });
    const codes = execFileSync('unshare', ['--net', 'sh', '-c', NS_SCRIPT, 'sh', ...files.map((x) => x.f)], { encoding: 'utf8', timeout: 120_000 })
      .trim()
      .split('\n')
      .map(Number);
    const host = { interfaces: ['lo', 'eth0', 'eth1'], scriptStatus, scriptUser: scriptUserLookup() };
    for (const [i, { name, f }] of files.entries()) {
      const theirs = execFileSync('cat', [`${f}.out`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^\((?:[^()]*: )?Line \d+\) /, ''));
      const r = compileConfig(f, (p) => (p === f ? CASES[name] : undefined), host);
      // keepalived-ts lint (keepalived logs those to syslog only) is not part of -t's output.
      const ours = r.diagnostics.filter((d) => d.kind !== 'lint').map((d) => d.message);
      expect({ name, code: configTestExitCode(r.diagnostics) }).toEqual({ name, code: codes[i] });
      expect({ name, messages: [...ours].sort() }).toEqual({ name, messages: [...theirs].sort() });
    }
  }, 180_000);
});

describe.skipIf(skip !== undefined)(title('the daemons: keepalived-ts and keepalived drop the scripts and run the instance without them'), () => {
  const lab = new DaemonLab('kts-su-');
  const daemons: DaemonHandle[] = [];
  beforeAll(() => lab.setup(['ours', 'theirs']), 60_000);
  afterAll(async () => {
    for (const d of daemons) await d.proc.stop(3000);
    await lab.cleanup();
  }, 60_000);

  it('neither runs the tracked or the notify script; both instances become MASTER without the script', async () => {
    const run = (which: string): { conf: string; markers: string[] } => {
      const host = lab.host(which);
      const chk = join(lab.dir, `${which}-chk.sh`);
      const notify = join(lab.dir, `${which}-notify.sh`);
      // The check would fail (exit 1), so an instance that ran it would go FAULT.
      writeFileSync(chk, `#!/bin/sh\nid -u >> ${chk}.ran\nexit 1\n`);
      writeFileSync(notify, `#!/bin/sh\nid -u >> ${notify}.ran\n`);
      chmodSync(chk, 0o755);
      chmodSync(notify, 0o755);
      const vrid = which === 'ours' ? 61 : 62;
      const vip = which === 'ours' ? '198.51.100.61' : '198.51.100.62';
      const conf = `global_defs {\n  router_id ${which}\n  enable_script_security\n}\nvrrp_script chk {\n  script "${chk}"\n  interval 1\n  fall 1\n}\n${INSTANCE(host.ifname, vrid, vip, `  track_script {\n    chk\n  }\n  notify_master "${notify}"\n`)}`;
      return { conf, markers: [`${chk}.ran`, `${notify}.ran`] };
    };
    const ours = run('ours');
    const theirs = run('theirs');
    const a = lab.startOurs(lab.host('ours'), ours.conf);
    const b = lab.startKeepalived(lab.host('theirs'), theirs.conf);
    daemons.push(a, b);
    await Promise.all([a.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 30_000), b.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 30_000)]);
    // Three more check intervals: a script that was still scheduled would have run by now.
    await new Promise((r) => setTimeout(r, 3500));
    for (const d of [a, b]) {
      const log = d.log();
      expect(log, d.kind).toContain('Unable to set default user for vrrp script chk - removing');
      expect(log, d.kind).toContain('(VI_1) track script chk not found, ignoring...');
      expect(log, d.kind).not.toMatch(/Entering FAULT STATE/);
    }
    for (const m of [...ours.markers, ...theirs.markers]) expect(existsSync(m), m).toBe(false);
    expect(await lab.vipHolders('198.51.100.61')).toEqual(['ours']);
    expect(await lab.vipHolders('198.51.100.62')).toEqual(['theirs']);
  }, 90_000);
});
