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
import { afterAll, describe, expect, it } from 'vitest';
import { configTestExitCode, formatDiagnostic } from '../../config/index.js';
import { BROKEN } from './broken-cases.js';
import { compileFile, PROBE_HOST, sampleConfigs, seedFixtures } from './helpers.js';
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
});
