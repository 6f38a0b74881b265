/**
 * Import boundaries (see docs/runtime.md for the actors/ shape):
 *  - machines/, protocol/, config/ are pure: no node:* modules, sockets, netlink, child processes.
 *  - machines/ import only `xstate` as a value (everything else `import type`) plus pure folders.
 *  - actors/ is glue: no node:* and no adapters/.
 *  - a subsystem folder (actors/vrrp, actors/lvs, …) imports the shared root (actors/*.ts, ports
 *    included) and the pure folders, never another subsystem; the root knows the subsystems only
 *    through its list (actors/subsystems.ts).
 *  - sim/ never imports adapters/.
 *  - no Date.now / setTimeout / Math.random in the pure folders.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(abs, e);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(relative(root, p)));
    else if (/\.(ts|js|mjs|cjs)$/.test(e) && !e.endsWith('.d.ts')) out.push(relative(root, p));
  }
  return out;
}

interface Import {
  spec: string;
  typeOnly: boolean;
  line: number;
}

export function importsOf(text: string): Import[] {
  const out: Import[] = [];
  const lines = text.split('\n');
  const re = /^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
  // Join multi-line import statements: scan the whole text, then map offsets to lines.
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.length + 1;
  }
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const flat = text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
  const multi = /^\s*(import|export)\s+(type\s+)?(\{[^}]*\}|[\w*\s,{}]+?)\s*from\s*['"]([^'"]+)['"]/gm;
  let m: RegExpExecArray | null;
  while ((m = multi.exec(flat))) {
    const clause = m[3] ?? '';
    const allTypes = !!m[2] || /^\{\s*(type\s+\w+(\s+as\s+\w+)?\s*,?\s*)+\}$/.test(clause.trim());
    out.push({ spec: m[4]!, typeOnly: allTypes, line: lineOf(m.index) });
  }
  const side = new RegExp(re.source, 'gm');
  while ((m = side.exec(flat))) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec) out.push({ spec, typeOnly: false, line: lineOf(m.index) });
  }
  return out;
}

const IO_MODULES = /^(node:|fs$|net$|dgram$|tls$|http$|https$|child_process$|os$|process$|worker_threads$|raw-socket$|netlink$|nodemailer$|koffi$)/;

function violations(dir: string, rule: (imp: Import, file: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const f of sourceFiles(dir)) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const imp of importsOf(text)) {
      const why = rule(imp, f);
      if (why) out.push(`${f}:${imp.line}: ${why} (${imp.spec})`);
    }
  }
  return out;
}

function bannedCalls(dir: string): string[] {
  const out: string[] = [];
  for (const f of sourceFiles(dir)) {
    const lines = readFileSync(join(root, f), 'utf8').split('\n');
    lines.forEach((l, i) => {
      const code = l.replace(/\/\/.*$/, '');
      // Global timers only: `clock.setTimeout(...)` on an injected clock and a typed method
      // definition `setTimeout(fn: ...)` implementing the Clock port are allowed.
      const globalTimer = /(?<![\w.])set(?:Timeout|Interval)\((?!\s*\w+\s*:)|\b(?:globalThis|global|window)\.set(?:Timeout|Interval)\(/;
      if (/\bDate\.now\(|\bnew Date\(|\bMath\.random\(|\bperformance\.now\(/.test(code) || globalTimer.test(code)) {
        out.push(`${f}:${i + 1}: ${l.trim()}`);
      }
    });
  }
  return out;
}

const resolvesInto = (file: string, spec: string, folder: string) =>
  spec.startsWith('.') && relative(root, resolve(root, dirname(file), spec)).split('/')[0] === folder;

describe('architecture', () => {
  it('the import scanner sees named, type-only and side-effect imports (self-check)', () => {
    const found = importsOf(
      "import { a } from 'x';\nimport type { B } from './b.js';\nimport {\n  type C,\n  type D,\n} from './c.js';\nimport 'node:fs';\nconst z = require('net');\n",
    );
    expect(found.map((i) => [i.spec, i.typeOnly])).toEqual(
      expect.arrayContaining([
        ['x', false],
        ['./b.js', true],
        ['./c.js', true],
        ['node:fs', false],
        ['net', false],
      ]),
    );
  });

  for (const dir of ['machines', 'protocol', 'config']) {
    it(`${dir}/ imports nothing with I/O`, () => {
      expect(violations(dir, (imp) => (IO_MODULES.test(imp.spec) ? 'I/O module in a pure folder' : undefined))).toEqual([]);
    });
    it(`${dir}/ reads no clock and no randomness`, () => {
      expect(bannedCalls(dir)).toEqual([]);
    });
    it(`${dir}/ does not reach into actors/, adapters/ or sim/`, () => {
      expect(
        violations(dir, (imp, f) =>
          !imp.typeOnly && ['actors', 'adapters', 'sim'].some((d) => resolvesInto(f, imp.spec, d))
            ? 'pure folder imports runtime code'
            : undefined,
        ),
      ).toEqual([]);
    });
  }

  it('machines/ take only xstate (and pure folders) as values', () => {
    expect(
      violations('machines', (imp, f) => {
        if (imp.typeOnly || imp.spec === 'xstate') return undefined;
        if (imp.spec.startsWith('.')) {
          const top = relative(root, resolve(root, dirname(f), imp.spec)).split('/')[0];
          return ['machines', 'protocol', 'config'].includes(top ?? '') ? undefined : `value import from ${top}/`;
        }
        return 'value import of a package other than xstate';
      }),
    ).toEqual([]);
  });

  it('actors/ is glue: no node:* and no adapters/', () => {
    expect(
      violations('actors', (imp, f) =>
        IO_MODULES.test(imp.spec) ? 'I/O module in actors/' : resolvesInto(f, imp.spec, 'adapters') ? 'actors/ imports adapters/' : undefined,
      ),
    ).toEqual([]);
  });

  const subsystems = readdirSync(join(root, 'actors')).filter((e) => statSync(join(root, 'actors', e)).isDirectory());
  /** The subsystem folder a path under actors/ belongs to ('' for the shared root). */
  const subsystemOf = (path: string) => {
    const parts = path.split('/');
    return parts[0] === 'actors' && parts.length > 2 ? parts[1]! : '';
  };
  const target = (file: string, spec: string) => relative(root, resolve(root, dirname(file), spec));

  it('actors/ has the VRRP subsystem and room for LVS (self-check of the rule below)', () => {
    expect(subsystems).toEqual(expect.arrayContaining(['vrrp', 'lvs']));
    expect(subsystemOf('actors/vrrp/plan.ts')).toBe('vrrp');
    expect(subsystemOf('actors/runtime.ts')).toBe('');
  });

  it('a subsystem imports the shared root and ports, never another subsystem', () => {
    expect(
      violations('actors', (imp, f) => {
        const own = subsystemOf(f);
        if (!own || !imp.spec.startsWith('.') || !resolvesInto(f, imp.spec, 'actors')) return undefined;
        const other = subsystemOf(target(f, imp.spec));
        return other && other !== own ? `the ${own} subsystem imports the ${other} subsystem` : undefined;
      }),
    ).toEqual([]);
  });

  it('the shared root reaches a subsystem only through actors/subsystems.ts', () => {
    expect(
      violations('actors', (imp, f) => {
        if (subsystemOf(f) || f === 'actors/subsystems.ts' || !imp.spec.startsWith('.') || !resolvesInto(f, imp.spec, 'actors')) return undefined;
        const to = target(f, imp.spec);
        const sub = subsystemOf(to);
        // ports.ts names the ports a subsystem defines (its *-port.ts), as types only.
        if (sub && f === 'actors/ports.ts' && imp.typeOnly && /-port\.js$/.test(imp.spec)) return undefined;
        return sub ? `the shared root imports the ${sub} subsystem` : undefined;
      }),
    ).toEqual([]);
  });

  it('sim/ never imports adapters/', () => {
    expect(violations('sim', (imp, f) => (resolvesInto(f, imp.spec, 'adapters') ? 'sim/ imports adapters/' : undefined))).toEqual([]);
  });

  it('packages/ipvs-netlink stands alone, and only its transport touches Node or netlink', () => {
    const pkg = 'packages/ipvs-netlink/src';
    expect(
      violations(pkg, (imp, f) => {
        if (imp.spec.startsWith('.')) {
          const to = relative(root, resolve(root, dirname(f), imp.spec));
          return to.startsWith(`${pkg}/`) ? undefined : 'reaches outside the package';
        }
        if (f.endsWith('/transport.ts') && imp.spec === 'node:module') return undefined;
        return 'imports a module (the codec must stay pure; netlink is loaded lazily by transport.ts)';
      }),
    ).toEqual([]);
  });

  it('sim/ uses only its own clock and PRNG', () => {
    expect(bannedCalls('sim').filter((l) => !l.startsWith('sim/tools/'))).toEqual([]);
  });
});
