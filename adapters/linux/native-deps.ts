/**
 * The compiled parts the daemon needs: raw-socket and netlink (optional npm dependencies, so
 * `npm ci` succeeds without a compiler: npm skips an optional package it cannot build) and our
 * netio addon (prebuilt for linux-x64 and linux-arm64). The daemon checks them once before it
 * starts, so a missing one is one clear line naming what to install, not a stack trace from a
 * child process. check, pcap and sim never load them (test/architecture-native.test.ts).
 *
 * A daemon started with -n is the process that runs for months: it checks in a throwaway node
 * process (daemonNativeProblemsApart), so the parent never keeps netlink's and raw-socket's code
 * (about 1.4 MiB of V8 heap and 2.5 MiB of RSS) that only its children use.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { errorText, netio } from './native.js';

export const DAEMON_NATIVE_PACKAGES = ['raw-socket', 'netlink'] as const;

const firstLine = (s: string): string => s.split('\n')[0] ?? s;

function howToInstall(pkg: string): string {
  return (
    'install a C/C++ compiler, make and python3 (Debian: apt-get install build-essential python3; ' +
    `npm_config_nodedir=/usr), then run \`npm install\` again in the keepalived-ts directory (it adds ${pkg}). ` +
    'check, pcap and sim do not need it'
  );
}

/** One message per missing or broken native part; empty when the daemon can run. */
export function daemonNativeProblems(load: (name: string) => unknown = createRequire(import.meta.url), loadNetio: () => unknown = netio): string[] {
  const problems: string[] = [];
  for (const pkg of DAEMON_NATIVE_PACKAGES) {
    try {
      load(pkg);
    } catch (e) {
      const missing = (e as { code?: string }).code === 'MODULE_NOT_FOUND' || (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
      problems.push(
        missing
          ? `the daemon needs the package ${pkg}, which is not installed (an optional dependency: npm skips it when it cannot compile it): ${howToInstall(pkg)}`
          : `the daemon needs the package ${pkg}, which does not load (${firstLine(errorText(e))}): ${howToInstall(pkg)}`,
      );
    }
  }
  try {
    loadNetio();
  } catch (e) {
    problems.push(firstLine(errorText(e)));
  }
  return problems;
}

/**
 * daemonNativeProblems in a throwaway node process (same node, same node options), so this
 * process does not keep the modules loaded. If that process cannot run or does not answer, the
 * check runs here instead: the answer matters more than the memory.
 */
export function daemonNativeProblemsApart(execArgv: readonly string[], timeoutMs = 30_000): string[] {
  const code = `import(${JSON.stringify(import.meta.url)}).then((m) => process.stdout.write(JSON.stringify(m.daemonNativeProblems())))`;
  const r = spawnSync(process.execPath, [...execArgv, '-e', code], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status === 0) {
    try {
      const problems: unknown = JSON.parse(r.stdout);
      if (Array.isArray(problems) && problems.every((p) => typeof p === 'string')) return problems as string[];
    } catch {
      /* not our answer: check here */
    }
  }
  return daemonNativeProblems();
}
