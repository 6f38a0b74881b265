/**
 * The prebuilt netio addon that lets `npm ci` run without a compiler (issue 9 item 4):
 * prebuilds/linux-x64 and prebuilds/linux-arm64 hold N-API builds of native/netio.c for glibc,
 * made by scripts/native-prebuilds.sh, which also records the sources' SHA-256. A changed
 * source under native/ or binding.gyp without new binaries fails here; the x64 binary is loaded and used
 * (on an x64 host), and both are checked to be shared objects for their CPU exporting the N-API
 * entry point.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetIo } from '../../adapters/linux/native.js';
import { packageRoot } from '../../adapters/linux/native.js';

const root = packageRoot();
const EM = { x64: 62, arm64: 183 } as const;

function prebuild(arch: keyof typeof EM): string {
  const dir = join(root, 'prebuilds', `linux-${arch}`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.node'));
  expect(files, dir).toEqual(['keepalived-ts.glibc.node']);
  return join(dir, files[0]!);
}

describe('prebuilt netio binaries', () => {
  it('were built from the current native/ sources and binding.gyp (prebuilds/SOURCES.sha256)', () => {
    const recorded = new Map(
      readFileSync(join(root, 'prebuilds/SOURCES.sha256'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).reverse() as [string, string]),
    );
    const sources = [...readdirSync(join(root, 'native')).filter((f) => /\.[ch]$/.test(f)).map((f) => `native/${f}`), 'binding.gyp'];
    expect([...recorded.keys()].sort()).toEqual([...sources].sort());
    for (const f of sources) {
      const actual = createHash('sha256').update(readFileSync(join(root, f))).digest('hex');
      expect(recorded.get(f), `${f} changed since the prebuilds were made: run npm run native:prebuilds`).toBe(actual);
    }
  });

  for (const arch of ['x64', 'arm64'] as const) {
    it(`linux-${arch}: a 64-bit little-endian ELF shared object for its CPU with the N-API entry point`, () => {
      const bin = readFileSync(prebuild(arch));
      expect(bin.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(bin[4]).toBe(2); // ELFCLASS64
      expect(bin[5]).toBe(1); // little endian
      expect(bin.readUInt16LE(16)).toBe(3); // ET_DYN
      expect(bin.readUInt16LE(18)).toBe(EM[arch]);
      expect(bin.includes('napi_register_module_v1')).toBe(true);
      // Loads on any glibc from 2.17 on (docs/adapters.md): no symbol version newer than that.
      const versions = [...bin.toString('latin1').matchAll(/GLIBC_2\.(\d+)/g)].map((m) => Number(m[1]));
      expect(versions.length).toBeGreaterThan(0);
      expect(Math.max(...versions)).toBeLessThanOrEqual(17);
    });
  }

  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('linux-x64 loads in this Node and works (socket, close) without root', () => {
    const addon = createRequire(import.meta.url)(prebuild('x64')) as NetIo;
    const AF_UNIX = 1;
    const SOCK_DGRAM = 2;
    const fd = addon.socket(AF_UNIX, SOCK_DGRAM, 0);
    expect(fd).toBeGreaterThan(2);
    addon.close(fd);
    expect(typeof addon.backstopArm).toBe('function'); // the advert backstop is in it too
  });
});
