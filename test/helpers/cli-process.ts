/**
 * Runs the real CLI (adapters/node/cli.ts through tsx) as a child process, as an operator runs
 * it, and gives back its exit code and output. Bounded: the child is killed after `timeoutMs`.
 */
import { spawn } from 'node:child_process';

const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b) => (stdout += String(b)));
    c.stderr.on('data', (b) => (stderr += String(b)));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
