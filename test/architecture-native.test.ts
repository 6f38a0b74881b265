/**
 * The simulator path needs no native code (issue 9 item 4): `npm start` (sim), `check`, `pcap`
 * and `sim` must load without raw-socket, netlink or our netio addon, so they work where the
 * optional native packages could not be built (no compiler). Only the daemon loads them, lazily.
 *
 * Follows every value import (static, `export … from`, and dynamic `import()`) from each command
 * module through the repository's own files, and fails on a path that reaches a native module.
 * The dispatcher (cli.ts, cli-main.ts) is followed through static imports only: its dynamic
 * imports pick one command at run time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages with compiled code, and the loader of compiled addons. */
const NATIVE = /^(raw-socket|netlink|node-gyp-build|bindings|prebuild-install)(\/|$)|\.node$/;

interface Edge {
  spec: string;
  dynamic: boolean;
}

function valueImports(text: string): Edge[] {
  const flat = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: Edge[] = [];
  const staticRe = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  let m: RegExpExecArray | null;
  while ((m = staticRe.exec(flat))) {
    if (m[5]) {
      out.push({ spec: m[5], dynamic: false });
      continue;
    }
    const clause = (m[3] ?? '').trim();
    const typeOnly = !!m[2] || /^\{\s*(type\s+[\w$]+(\s+as\s+[\w$]+)?\s*,?\s*)*\}$/.test(clause);
    if (!typeOnly) out.push({ spec: m[4]!, dynamic: false });
  }
  const dyn = /\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
  while ((m = dyn.exec(flat))) out.push({ spec: (m[1] ?? m[2])!, dynamic: true });
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  return undefined;
}

/** Every chain from `entry` to a native module: `a.ts → b.ts → raw-socket`. */
export function nativeChains(entry: string, opts: { staticOnly?: ReadonlySet<string> } = {}): string[] {
  const chains: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, path: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...path, relative(root, file)];
    for (const e of valueImports(readFileSync(file, 'utf8'))) {
      if (e.dynamic && opts.staticOnly?.has(relative(root, file))) continue;
      if (NATIVE.test(e.spec)) chains.push(`${here.join(' → ')} → ${e.spec}`);
      else if (e.spec.startsWith('.')) {
        const next = resolveLocal(file, e.spec);
        if (next) walk(next, here);
      }
    }
  };
  walk(join(root, entry), []);
  return chains;
}

describe('native modules stay out of the simulator path', () => {
  it('the scanner sees static, re-exported and dynamic value imports, not type-only ones (self-check)', () => {
    const edges = valueImports(
      "import raw from 'raw-socket';\nimport type { X } from 'netlink';\nimport { type Y } from 'netlink';\nexport { z } from './z.js';\nconst m = await import('./m.js');\n// import a from 'node-gyp-build';\n",
    );
    expect(edges).toEqual([
      { spec: 'raw-socket', dynamic: false },
      { spec: './z.js', dynamic: false },
      { spec: './m.js', dynamic: true },
    ]);
  });

  it('the daemon does reach them (so the scan can find them)', () => {
    const chains = nativeChains('adapters/node/daemon/wiring.ts');
    expect(chains.some((c) => c.endsWith('raw-socket'))).toBe(true);
    expect(chains.some((c) => c.endsWith('netlink'))).toBe(true);
    expect(chains.some((c) => c.endsWith('node-gyp-build'))).toBe(true);
  });

  for (const entry of ['adapters/node/commands/sim.ts', 'adapters/node/commands/check.ts', 'adapters/node/commands/pcap.ts']) {
    it(`${entry} imports no native module, even lazily`, () => {
      expect(nativeChains(entry)).toEqual([]);
    });
  }

  it('the dispatcher (cli.ts, cli-main.ts) imports none statically', () => {
    const dispatcher = new Set(['adapters/node/cli.ts', 'adapters/node/cli-main.ts']);
    expect(nativeChains('adapters/node/cli.ts', { staticOnly: dispatcher })).toEqual([]);
  });

  it('the daemon command loads raw-socket and netlink only when a daemon starts (preflight, runtime factory), not for --help or -v', () => {
    // commands/daemon.ts reaches them only through its dynamic imports (preflight, loadFactory).
    // netio (node-gyp-build) is the parent's own syslog and FIFO I/O, loaded on first use.
    const daemonStatic = nativeChains('adapters/node/commands/daemon.ts', { staticOnly: new Set(['adapters/node/commands/daemon.ts']) });
    expect(daemonStatic.filter((c) => /(raw-socket|netlink)$/.test(c))).toEqual([]);
  });
});
