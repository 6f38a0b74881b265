/**
 * Issue 9 item 15, as real processes:
 *  - `keepalived-ts sim … | head`: a reader that goes away ends the command quietly (status 141,
 *    nothing on stderr) instead of an unhandled EPIPE with a stack trace;
 *  - the daemon's policy is the opposite: a console log without a reader is dropped, the process
 *    carries on;
 *  - a detached start (no -n) that fails, here a missing configuration with syslog off (-G), says
 *    why on the launcher's stderr and exits non-zero.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = join(root, 'adapters/node/cli.ts');
const TSX = join(root, 'node_modules/.bin/tsx');
const dir = mkdtempSync(join(tmpdir(), 'kts-cli-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `argv` with stdout's read end closed at once (every write hits EPIPE). */
function runWithClosedStdout(argv: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${argv.join(' ')}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      done({ code, signal, stderr });
    });
  });
}

function run(argv: string[], timeoutMs = 60_000): Promise<Run & { stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${argv.join(' ')}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      done({ code, signal, stdout, stderr });
    });
  });
}

describe('a reader that goes away', () => {
  it('`sim | head`: the command ends quietly with status 141, no EPIPE stack trace', async () => {
    const r = await runWithClosedStdout([TSX, CLI, 'sim']);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(141);
  }, 90_000);

  it("the daemon's policy drops console output without a reader and keeps running", async () => {
    const script = [
      `import { handleClosedOutput } from ${JSON.stringify(join(root, 'adapters/node/stdio.ts'))};`,
      "handleClosedOutput('ignore');",
      "const t = setInterval(() => { process.stdout.write('log line\\n'); process.stderr.write(''); }, 2);",
      'setTimeout(() => { clearInterval(t); process.exitCode = 7; }, 300);',
    ].join('\n');
    const r = await runWithClosedStdout([TSX, '--eval', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(7);
  }, 60_000);
});

describe('a detached start that fails', () => {
  it('prints the reason on stderr before the launcher exits non-zero (no syslog)', async () => {
    const conf = join(dir, 'missing.conf');
    const pid = (n: string) => join(dir, `${n}.pid`);
    const r = await run([TSX, CLI, '-G', '-f', conf, '-p', pid('k'), '-r', pid('v'), '-c', pid('c')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`keepalived-ts: ${conf}:`);
    expect(r.stderr).toContain(`cannot read configuration file ${conf}`);
    expect(r.stderr).toContain(`keepalived-ts: Configuration ${conf} cannot be run - exiting`);
    expect(r.stdout).toBe('');
    for (const n of ['k', 'v', 'c']) expect(existsSync(pid(n))).toBe(false);
  }, 90_000);
});
