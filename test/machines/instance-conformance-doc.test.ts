/**
 * docs/conformance.md is honest: every R- and K- item of the research checklist has exactly one row,
 * every row marked pass names at least one test, and every test it names exists under test/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const doc = readFileSync(join(root, 'docs/conformance.md'), 'utf8');

function testSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return testSources(p);
    return name.endsWith('.test.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

interface Row { item: string; tests: string[]; status: string }

const rows: Row[] = doc
  .split('\n')
  .filter((l) => /^\| [RK]-\d+ \|/.test(l))
  .map((l) => {
    const cells = l.split(' | ');
    const item = cells[0]!.replace(/^\| /, '');
    const status = cells.at(-1)!.replace(/ \|$/, '');
    const tests = [...(cells[3] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    return { item, tests, status };
  });

describe('docs/conformance.md', () => {
  it('has exactly one row for each of R-1..R-52 and K-1..K-28', () => {
    const expected = [...Array.from({ length: 52 }, (_, i) => `R-${i + 1}`), ...Array.from({ length: 28 }, (_, i) => `K-${i + 1}`)];
    expect(rows.map((r) => r.item)).toEqual(expected);
  });

  it('every row says pass or names the layer that owns it', () => {
    for (const r of rows) expect(r.status, r.item).toMatch(/^(pass|other layer \(.+\))/);
  });

  it('every test named by a passing row exists in test/**', () => {
    const sources = testSources(join(root, 'test')).join('\n');
    const missing: string[] = [];
    for (const r of rows.filter((x) => x.status.startsWith('pass'))) {
      expect(r.tests.length, `${r.item} names no test`).toBeGreaterThan(0);
      for (const name of r.tests) if (!sources.includes(`'${name}'`)) missing.push(`${r.item}: ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('links the codec table', () => {
    expect(doc).toContain('(conformance-codec.md)');
  });
});
