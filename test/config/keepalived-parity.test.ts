/**
 * Exit-code parity with Debian's keepalived 2.2.7 `keepalived -t`: for every sample config, every
 * seed config, every broken config of the table and every parity case, our exit status equals keepalived's.
 *
 * keepalived runs as root inside a fresh, anonymous network namespace (`unshare --net`, gone when the
 * process exits) holding only lo and a veth pair named eth0/eth1, so the result does not depend on
 * this host's interfaces and nothing can touch the real network. `-t` only reads and checks the
 * config: it never starts the VRRP or checker processes. `-n -l` keep it in the foreground, logging
 * to the console. Skipped (with the reason) where keepalived, unshare or root is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compileText, configTestExitCode, formatDiagnostic, printConfig } from '../../config/index.js';
import { BROKEN } from './broken-cases.js';
import { comparable, compileFile, PROBE_HOST, SAMPLES_DIR, sampleConfigs, seedFixtures } from './helpers.js';
import { PARITY_CASES } from './parity-cases.js';

function why(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (keepalived -t inside a private network namespace)';
  for (const [cmd, args] of [['keepalived', ['--version']], ['unshare', ['--version']], ['ip', ['-V']]] as const) {
    if (spawnSync(cmd, args).error) return `${cmd} is not installed`;
  }
  const v = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  if (!/Keepalived v2\.2\.7/.test(`${v.stdout}${v.stderr}`)) return 'keepalived is not 2.2.7';
  return undefined;
}
const skipReason = why();

const SCRIPT = [
  'ip link set lo up',
  'ip link add eth0 type veth peer name eth1',
  'for f in "$@"; do timeout 20 keepalived -t -n -l -f "$f" >/dev/null 2>&1; echo "$?"; done',
].join('\n');

/** keepalived's -t exit status for each file, all in one namespace. */
function keepalivedExitCodes(files: string[]): number[] {
  const out = execFileSync('unshare', ['--net', 'sh', '-c', SCRIPT, 'sh', ...files], { encoding: 'utf8', timeout: 240_000 });
  return out.trim().split('\n').map(Number);
}

const tmp = mkdtempSync(join(tmpdir(), 'kts-a-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(skipReason !== undefined)(`keepalived -t parity${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const files = [...sampleConfigs(), ...seedFixtures()];
  const broken = [...BROKEN, ...PARITY_CASES].map((c, i) => {
    const f = join(tmp, `broken-${String(i).padStart(2, '0')}.conf`);
    writeFileSync(f, c.conf);
    return { file: f, c };
  });

  it('matches on every sample, seed and broken config', () => {
    const all = [...files, ...broken.map((b) => b.file)];
    const theirs = keepalivedExitCodes(all);
    expect(theirs).toHaveLength(all.length);
    const mismatches: string[] = [];
    all.forEach((f, i) => {
      const { diagnostics } = compileFile(f, PROBE_HOST);
      const ours = configTestExitCode(diagnostics);
      if (ours !== theirs[i]) {
        mismatches.push(`${basename(f)}: keepalived ${theirs[i]}, ours ${ours}\n  ${diagnostics.map(formatDiagnostic).join('\n  ')}`);
      }
    });
    expect(mismatches).toEqual([]);
    // The recorded statuses of the broken table and the parity cases are keepalived's.
    broken.forEach((b, i) => expect(theirs[files.length + i], b.c.name).toBe(b.c.exit));
  }, 300_000);

  /**
   * `check --print` writes the corrected configuration: keepalived's own corrections are applied
   * and what it drops is left out. So the printed file exits like its input, except where the
   * input's only problems are ones keepalived corrects (listed, with why; docs/config.md).
   */
  const CORRECTED: Record<string, string> = {
    // `vrrp_sync_group VG1 { VI_2 VI_3 }` lacks `group { }`: keepalived reads the names as unknown
    // keywords and removes the empty group; lvs_sync_daemon_interface in an instance is deprecated.
    'keepalived.conf.vrrp.lvs_syncd': 'unknown keywords, an empty sync group and a deprecated keyword are left out',
    '000-sync-group-fragment.conf': 'a one-line fragment: the unknown keywords and the incomplete instance are left out',
    '001-node-185.conf': "the '//' comment lines (unknown keywords) are left out",
    '001-node-186.conf': "the '//' comment lines (unknown keywords) are left out",
  };

  it('check --print output: keepalived -t gives it the exit code of its input, and it compiles to the same model', () => {
    const printed = files.map((f, i) => {
      const model = compileFile(f, PROBE_HOST).model;
      const p = join(tmp, `printed-${String(i).padStart(2, '0')}.conf`);
      const text = printConfig(model);
      writeFileSync(p, text);
      return { f, p, text, model };
    });
    const theirsIn = keepalivedExitCodes(files);
    const theirsOut = keepalivedExitCodes(printed.map((x) => x.p));
    const problems: string[] = [];
    printed.forEach(({ f, text, model }, i) => {
      const key = f.startsWith(SAMPLES_DIR) ? f.slice(SAMPLES_DIR.length + 1) : basename(f);
      const again = compileText(text, printed[i]!.p, PROBE_HOST);
      const ours = configTestExitCode(again.diagnostics);
      if (ours !== theirsOut[i]) problems.push(`${key}: printed: keepalived ${theirsOut[i]}, ours ${ours}\n  ${again.diagnostics.map(formatDiagnostic).join('\n  ')}`);
      if (!isDeepStrictEqual(comparable(again.model), comparable(model))) problems.push(`${key}: printed output compiles to another model`);
      const expected = CORRECTED[key] ? 0 : theirsIn[i];
      if (theirsOut[i] !== expected) problems.push(`${key}: keepalived -t gives ${theirsIn[i]} for the input, ${theirsOut[i]} for the printed output (expected ${expected})`);
    });
    expect(problems).toEqual([]);
    // The exceptions are real: keepalived complains about each input.
    for (const key of Object.keys(CORRECTED)) expect(theirsIn[files.findIndex((f) => f.endsWith(key))], key).toBe(5);
  }, 300_000);
});
