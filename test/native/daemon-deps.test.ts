/**
 * The daemon's check of its native parts (adapters/linux/native-deps.ts): raw-socket and netlink
 * are optional npm packages, so a host without a compiler may lack raw-socket; the daemon then
 * stops with one line per missing part, naming it and what to install.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { daemonNativeProblems } from '../../adapters/linux/native-deps.js';

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
});
