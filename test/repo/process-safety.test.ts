/**
 * Nothing in this repository stops, disables or kills a process or service it did not start
 * (issue 9 item 3): a production keepalived may run on the machine the tests run on.
 *
 *  1. A scan of every tracked code file (TypeScript, JavaScript, shell, .ci/run, package.json
 *     scripts) for the commands that end processes by name or manage system services: pkill,
 *     killall, pgrep/pidof (finding a pid by name), `systemctl stop|disable|kill|mask|restart`,
 *     `service X stop`, `invoke-rc.d X stop`. Comments may mention them; code may not.
 *  2. scripts/test.sh run as "root" against fake apt-get/dpkg-query/systemctl/pkill on PATH: while
 *     apt-get installs, a policy-rc.d answering 101 exists (so the keepalived package's service
 *     does not start); afterwards it is gone if we created it, untouched if it was there before;
 *     systemctl, service, pkill and killall are never called.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const self = 'test/repo/process-safety.test.ts';

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
}

const CODE = /\.(ts|mts|cts|js|mjs|cjs|sh|bash)$/;

/** Lines of code with comments blanked out (line numbers kept). */
function codeLines(path: string, text: string): string[] {
  const shell = /\.(sh|bash)$/.test(path) || path === '.ci/run';
  if (shell) return text.split('\n').map((l) => (/^\s*#/.test(l) ? '' : l.replace(/\s#\s.*$/, '')));
  const noBlock = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
  return noBlock.split('\n').map((l) => l.replace(/(^|\s)\/\/.*$/, ''));
}

/** Commands that end or manage processes found by name, or system services. */
const FORBIDDEN: Array<[string, RegExp]> = [
  ['pkill', /\bpkill\b/],
  ['killall', /\bkillall\b/],
  ['pgrep (a pid found by name)', /\bpgrep\b/],
  ['pidof (a pid found by name)', /\bpidof\b/],
  ['systemctl stop/disable/kill/mask/restart', /\bsystemctl\b[^\n]*\b(stop|disable|kill|mask|restart|try-restart|reload-or-restart|isolate)\b/],
  ['service … stop', /\bservice\s+\S+\s+(stop|restart|force-reload)\b/],
  ['invoke-rc.d … stop', /\binvoke-rc\.d\s+\S+\s+(stop|restart)\b/],
  ['update-rc.d … disable/remove', /\bupdate-rc\.d\s+\S+\s+(disable|remove)\b/],
];

export function scanForProcessKillers(files: Array<{ path: string; text: string }>): string[] {
  const hits: string[] = [];
  for (const { path, text } of files) {
    codeLines(path, text).forEach((line, i) => {
      for (const [what, re] of FORBIDDEN) if (re.test(line)) hits.push(`${path}:${i + 1}: ${what}: ${line.trim()}`);
    });
  }
  return hits;
}

describe('process safety: nothing ends what it did not start', () => {
  it('the scanner catches each forbidden command and ignores comments', () => {
    const bad = ['pkill -x keepalived', 'killall keepalived', 'kill $(pgrep keepalived)', 'kill $(pidof keepalived)', 'systemctl disable --now keepalived', 'service keepalived stop', 'invoke-rc.d keepalived stop', 'update-rc.d keepalived disable'];
    const hits = scanForProcessKillers(bad.map((l, i) => ({ path: `x${i}.sh`, text: `set -e\n${l}\n` })));
    expect(hits).toHaveLength(bad.length);
    expect(scanForProcessKillers([{ path: 'a.sh', text: '# pkill -x keepalived would be wrong\necho ok\n' }])).toEqual([]);
    expect(scanForProcessKillers([{ path: 'a.ts', text: '// never killall\n/* pkill */\nconst x = 1;\n' }])).toEqual([]);
    expect(scanForProcessKillers([{ path: 'a.ts', text: "execFileSync('pkill', ['-x', 'keepalived']);\n" }])).toHaveLength(1);
  });

  it('no tracked code file (tests, helpers, bench, scripts, CI, package.json scripts) uses them', () => {
    const files = trackedFiles()
      .filter((p) => p !== self && (CODE.test(p) || p === '.ci/run'))
      .filter((p) => existsSync(join(root, p)))
      .map((p) => ({ path: p, text: readFileSync(join(root, p), 'utf8') }));
    expect(files.length).toBeGreaterThan(100);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    files.push({ path: 'package.json (scripts)', text: Object.values(pkg.scripts).join('\n') });
    expect(scanForProcessKillers(files)).toEqual([]);
  });
});

describe('scripts/test.sh as root installs packages without starting or stopping any service', () => {
  const work = mkdtempSync(join(tmpdir(), 'kts-testsh-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs scripts/test.sh with fakes first on PATH; returns the calls the fakes recorded. */
  function runTestSh(policyPath: string): { code: number | null; calls: string[]; output: string } {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const log = join(work, 'calls.log');
    writeFileSync(log, '');
    const fake = (name: string, body: string): void => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    const record = `echo "$(basename "$0") $*" >>"${log}"`;
    // Pretend to be root, with every Debian package missing.
    fake('id', `if [ "$1" = -u ]; then echo 0; else exec /usr/bin/id "$@"; fi`);
    fake('dpkg-query', 'exit 1');
    fake('debconf-set-selections', 'cat >/dev/null');
    // apt-get records whether a policy-rc.d forbids service starts while it runs.
    fake(
      'apt-get',
      `${record}\nif [ -x "${policyPath}" ]; then "${policyPath}" keepalived.service start; echo "policy-rc.d answers $?" >>"${log}"; else echo "no policy-rc.d" >>"${log}"; fi`,
    );
    for (const name of ['systemctl', 'service', 'pkill', 'killall', 'invoke-rc.d']) fake(name, `${record}\nexit 0`);
    fake('npm', `${record}\nexit 0`);
    fake('npx', `${record}\nexit 0`);
    const r = spawnSync('bash', [join(root, 'scripts/test.sh')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, KEEPALIVED_TS_POLICY_RC: policyPath, SKIP_NPM_CI: '1' },
    });
    return { code: r.status, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean), output: `${r.stdout}${r.stderr}` };
  }

  it('a temporary policy-rc.d answers 101 during apt-get and is removed afterwards; no service or process is touched', () => {
    const policy = join(work, 'policy-created', 'policy-rc.d');
    mkdirSync(dirname(policy), { recursive: true });
    const r = runTestSh(policy);
    expect(r.calls.filter((c) => c.startsWith('apt-get install'))).toHaveLength(1);
    expect(r.calls).toContain('policy-rc.d answers 101');
    expect(r.calls).not.toContain('no policy-rc.d');
    expect(r.calls.filter((c) => /^(systemctl|service|pkill|killall|invoke-rc\.d) /.test(c))).toEqual([]);
    expect(existsSync(policy)).toBe(false);
    expect(r.output).toMatch(/\d+ passed, \d+ failed/);
  });

  it("an operator's own policy-rc.d is used as it is and left in place", () => {
    const policy = join(work, 'policy-existing', 'policy-rc.d');
    mkdirSync(dirname(policy), { recursive: true });
    const theirs = '#!/bin/sh\n# the operator\'s own\nexit 101\n';
    writeFileSync(policy, theirs);
    chmodSync(policy, 0o755);
    const r = runTestSh(policy);
    expect(r.calls).toContain('policy-rc.d answers 101');
    expect(readFileSync(policy, 'utf8')).toBe(theirs);
    expect(r.calls.filter((c) => /^(systemctl|service|pkill|killall|invoke-rc\.d) /.test(c))).toEqual([]);
  });
});
