/**
 * ScriptSpec.secure (enable_script_security) in the daemon's ScriptRunner: a script whose file is
 * writable by others is refused with keepalived's message and never runs; a root-owned 0755 one
 * runs; without `secure` the unsafe one runs. Needs root (files must be owned by uid 0).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptResult, ScriptSpec } from '../../actors/ports.js';
import { createNodeScriptRunner } from '../../adapters/node/scripts.js';
import { isRoot } from '../helpers/netns.js';

const runner = createNodeScriptRunner({ killGraceMs: 300 });
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
    const r = await run({ argv: [path], timeoutMs: 5000, secure: true });
    expect(r.error).toBe(`Unsafe permissions found for script '${path}' - disabling.`);
    expect(existsSync(`${path}.ran`)).toBe(false);
    const plain = await run({ argv: [path], timeoutMs: 5000 });
    expect(plain).toMatchObject({ exitCode: 0 });
    expect(existsSync(`${path}.ran`)).toBe(true);
  });

  it('runs a root-owned 0755 script; a missing one is refused', async () => {
    const path = script('safe.sh', 0o755);
    expect(await run({ argv: [path], timeoutMs: 5000, secure: true })).toMatchObject({ exitCode: 0 });
    expect(existsSync(`${path}.ran`)).toBe(true);
    const missing = await run({ argv: [join(dir, 'nope.sh')], timeoutMs: 5000, secure: true });
    expect(missing.error).toContain("check_script_secure could not find script");
  });
});
