/**
 * ScriptSpec.secure (enable_script_security) in the daemon's ScriptRunner: a script whose file is
 * writable by others is refused with keepalived's message and never runs; a root-owned 0755 one
 * runs; without `secure` the unsafe one runs. A script that names no user runs as the default
 * user (keepalived_script, injected here) when it exists, and with `secure` never as root when
 * it does not (issue 9 item 2). Needs root (files must be owned by uid 0).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptResult, ScriptSpec } from '../../actors/ports.js';
import { createNodeScriptRunner } from '../../adapters/node/scripts.js';
import { isRoot } from '../helpers/netns.js';

const NO_SUCH_USER = 'kts-no-such-user';
const runner = createNodeScriptRunner({ killGraceMs: 300, defaultUser: NO_SUCH_USER });
const run = (spec: ScriptSpec): Promise<ScriptResult> => new Promise((resolve) => runner.run(spec, resolve));

describe.skipIf(!isRoot)(isRoot ? 'ScriptRunner with enable_script_security' : 'ScriptRunner with enable_script_security [skipped: needs root, the scripts must be owned by uid 0]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-j-sec-'));
  chmodSync(dir, 0o755);
  afterAll(() => {
    runner.killAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const script = (name: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\ntouch ${path}.ran\n`);
    chmodSync(path, mode);
    return path;
  };

  it('refuses a world-writable script, in keepalived words, without running it', async () => {
    const path = script('unsafe.sh', 0o777);
    const r = await run({ argv: [path], timeoutMs: 5000, secure: true, user: 'root' });
    expect(r.error).toBe(`Unsafe permissions found for script '${path}' - disabling.`);
    expect(existsSync(`${path}.ran`)).toBe(false);
    const plain = await run({ argv: [path], timeoutMs: 5000 });
    expect(plain).toMatchObject({ exitCode: 0 });
    expect(existsSync(`${path}.ran`)).toBe(true);
  });

  it('runs a root-owned 0755 script; a missing one is refused', async () => {
    const path = script('safe.sh', 0o755);
    expect(await run({ argv: [path], timeoutMs: 5000, secure: true, user: 'root' })).toMatchObject({ exitCode: 0 });
    expect(existsSync(`${path}.ran`)).toBe(true);
    const missing = await run({ argv: [join(dir, 'nope.sh')], timeoutMs: 5000, secure: true, user: 'root' });
    expect(missing.error).toContain("check_script_secure could not find script");
  });

  it('with enable_script_security, a script naming no user never runs as root when the default user does not exist', async () => {
    const path = script('no-user.sh', 0o755);
    const r = await run({ argv: [path], timeoutMs: 5000, secure: true });
    expect(r.exitCode).toBeNull();
    expect(r.error).toBe(`Unable to set default user ${NO_SUCH_USER} for script - not running '${path}' as root (enable_script_security)`);
    expect(existsSync(`${path}.ran`)).toBe(false);
    // Without enable_script_security keepalived runs it as itself (root), and so do we.
    expect(await run({ argv: [path], timeoutMs: 5000 })).toMatchObject({ exitCode: 0 });
    expect(existsSync(`${path}.ran`)).toBe(true);
  });

  it('a script naming no user runs as the default user when it exists (keepalived_script; here nobody)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kts-j-sec-out-'));
    chmodSync(out, 0o1777);
    try {
      const path = join(dir, 'whoami.sh');
      writeFileSync(path, `#!/bin/sh
id -u > ${out}/uid
`);
      chmodSync(path, 0o755);
      const asNobody = createNodeScriptRunner({ killGraceMs: 300, defaultUser: 'nobody' });
      const r = await new Promise<ScriptResult>((resolve) => asNobody.run({ argv: [path], timeoutMs: 5000, secure: true }, resolve));
      expect(r).toMatchObject({ exitCode: 0 });
      expect(readFileSync(join(out, 'uid'), 'utf8').trim()).toBe(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
