/**
 * `npm ci && npm start` in a fresh clone, with no compiler on PATH (issue 9 item 4).
 *
 * `git clone` of this repository (its committed HEAD) into a temporary directory, then
 * `npm ci` and `npm start` with an environment holding only HOME, TMPDIR and a PATH of symlinks
 * to node, npm, npx, git and sh: no cc, gcc, g++, make or python3. npm ci must succeed (our netio
 * addon loads from prebuilds/, the optional raw-socket is skipped), the simulator must run the
 * bundled scenario, and the daemon must refuse to start with one clear line naming what to
 * install. npm fetches packages from its cache (~/.npm) or the registry.
 *
 * Root only (it is slow, and CI runs as root); every step has a time limit and the temporary
 * directory is removed afterwards.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, rootTitle } from '../helpers/netns.js';

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TOOLS = ['node', 'npm', 'npx', 'git', 'sh'];
const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python3', 'python'];

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const missingTool = TOOLS.find((t) => !which(t));
const skip = !isRoot ? undefined : missingTool ? `${missingTool} is not installed` : undefined;

interface Run {
  code: number | null;
  out: string;
}

function run(argv: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const t = setTimeout(() => {
      out += `\n[killed after ${opts.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      done({ code, out });
    });
  });
}

describe.skipIf(!isRoot || skip !== undefined)(rootTitle(`fresh clone: npm ci && npm start without a compiler${skip ? ` [skipped: ${skip}]` : ''}`), () => {
  const work = mkdtempSync(join(tmpdir(), 'kts-fresh-'));
  const clone = join(work, 'repo');
  const bin = join(work, 'bin');
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { HOME: process.env.HOME ?? '/root', TMPDIR: tmpdir(), PATH: bin, LANG: 'C.UTF-8' };

  it('the stripped PATH has node, npm, npx, git and sh, and no compiler, make or python', () => {
    mkdirSync(bin);
    for (const t of TOOLS) symlinkSync(which(t)!, join(bin, t));
    const found = execFileSync(join(bin, 'sh'), ['-c', `for c in ${COMPILERS.join(' ')}; do command -v "$c"; done; true`], { env, encoding: 'utf8' });
    expect(found.trim()).toBe('');
  });

  it('git clone, then npm ci succeeds without compiling anything', async () => {
    execFileSync('git', ['clone', '--quiet', repo, clone], { timeout: 120_000 });
    const r = await run(['npm', 'ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: clone, env, timeoutMs: 600_000 });
    expect(r.code, r.out).toBe(0);
    // Nothing was compiled: no build/ of our own, and the optional raw-socket was skipped.
    expect(existsSync(join(clone, 'build'))).toBe(false);
    expect(existsSync(join(clone, 'node_modules/raw-socket'))).toBe(false);
    // netio resolves to the prebuilt binary for this platform.
    const addon = execFileSync(join(bin, 'node'), ['-e', "process.stdout.write(require('node-gyp-build').path(process.cwd()))"], { cwd: clone, env, encoding: 'utf8' });
    expect(addon).toBe(join(clone, 'prebuilds', `linux-${process.arch}`, 'keepalived-ts.glibc.node'));
  }, 720_000);

  it('npm start replays the bundled scenario', async () => {
    const r = await run(['npm', 'start'], { cwd: clone, env, timeoutMs: 180_000 });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/seed 1: (\d+)\/\1 expectations met, 0 invariant violations/);
  }, 200_000);

  it('check works; the daemon refuses to start and names what to install', async () => {
    const conf = join(work, 'k.conf');
    writeFileSync(conf, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    203.0.113.10/32\n  }\n}\n');
    const tsx = join(clone, 'node_modules/.bin/tsx');
    const cli = join(clone, 'adapters/node/cli.ts');
    const check = await run([tsx, cli, 'check', '--no-host', '-f', conf], { cwd: clone, env, timeoutMs: 120_000 });
    expect(check.code, check.out).toBe(0);
    const pid = (n: string) => join(work, `${n}.pid`);
    const daemon = await run([tsx, cli, '-n', '-G', '-f', conf, '-p', pid('k'), '-r', pid('v'), '-c', pid('c')], { cwd: clone, env, timeoutMs: 120_000 });
    expect(daemon.code).toBe(1);
    expect(daemon.out).toContain('keepalived-ts: cannot start the daemon: the daemon needs the package raw-socket, which is not installed');
    expect(daemon.out).toContain('apt-get install build-essential python3');
    expect(existsSync(pid('k'))).toBe(false);
  }, 150_000);
});
