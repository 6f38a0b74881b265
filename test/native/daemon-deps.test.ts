/**
 * The daemon's check of its native parts (adapters/linux/native-deps.ts): raw-socket and netlink
 * are optional npm packages, so a host without a compiler may lack raw-socket; the daemon then
 * stops with one line per missing part, naming it and what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { daemonNativeProblems, daemonNativeProblemsApart } from '../../adapters/linux/native-deps.js';

const TSX = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href.replace(/\/cjs\/index\.cjs$|\/dist\/.*$/, '/dist/loader.mjs')];

const notFound = (name: string): Error => Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });

describe('daemon native dependencies', () => {
  const rawSocketInstalled = existsSync(new URL('../../node_modules/raw-socket/package.json', import.meta.url));
  it.skipIf(!rawSocketInstalled)(`nothing to say when everything loads (this machine)${rawSocketInstalled ? '' : ' [skipped: raw-socket is not installed here (no compiler at npm ci)]'}`, () => {
    expect(daemonNativeProblems()).toEqual([]);
  });

  it('a missing optional package: named, with what to install', () => {
    const problems = daemonNativeProblems(
      (name) => {
        if (name === 'raw-socket') throw notFound(name);
        return {};
      },
      () => ({}),
    );
    expect(problems).toEqual([
      'the daemon needs the package raw-socket, which is not installed (an optional dependency: npm skips it when it cannot compile it): install a C/C++ compiler, make and python3 (Debian: apt-get install build-essential python3; npm_config_nodedir=/usr), then run `npm install` again in the keepalived-ts directory (it adds raw-socket). check, pcap and sim do not need it',
    ]);
  });

  it('a package that does not load, and a missing netio addon, are reported too', () => {
    const problems = daemonNativeProblems(
      (name) => {
        if (name === 'netlink') throw new Error('netlink.node: invalid ELF header\n  at Module._extensions');
        return {};
      },
      () => {
        throw new Error('the native addon netio (native/netio.c) is not available for linux-riscv64: …');
      },
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^the daemon needs the package netlink, which does not load \(netlink\.node: invalid ELF header\): install/);
    expect(problems[1]).toMatch(/^the native addon netio \(native\/netio\.c\) is not available for linux-riscv64/);
  });

  it.skipIf(!rawSocketInstalled)('a daemon started with -n checks in a throwaway process: same answer, and netlink and raw-socket are not loaded in the daemon', () => {
    // A fresh node (tsx for the .ts sources) runs the check apart, then says what it has loaded.
    const script = `
      import { createRequire } from 'node:module';
      const { daemonNativeProblemsApart } = await import(${JSON.stringify(new URL('../../adapters/linux/native-deps.ts', import.meta.url).href)});
      const problems = daemonNativeProblemsApart(${JSON.stringify(TSX)});
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/netlink/') || k.includes('/node_modules/raw-socket/'));
      process.stdout.write(JSON.stringify({ problems, loaded }));`;
    const r = spawnSync(process.execPath, [...TSX, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ problems: [], loaded: [] });
  });

  it('when the throwaway process cannot run, the check runs in this process instead', () => {
    expect(daemonNativeProblemsApart(['--no-such-node-option'])).toEqual(daemonNativeProblems());
  });
});
