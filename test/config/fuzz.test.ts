/**
 * Fuzz: 10,000 random mutations of the sample and seed configs (seeded PRNG, so every run is the
 * same) compile to diagnostics only: no exception, no hang, all within a minute.
 */
import { describe, expect, it } from 'vitest';
import { compileText, configTestExitCode, printConfig } from '../../config/index.js';
import { readText, sampleConfigs, seedFixtures } from './helpers.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [
  '{', '}', '"', "'", '#', '!', '\\', '$', '${X}', '$X=', '$X=$X', '@lb1 ', '@^lb1 ', '~SEQ(i, 3) ', '~SEQ(', '~SEQx(v, 1, 2, 9) ',
  'include *.conf', 'include /nonexistent/*', ' 0', ' -1', ' 256', ' 4294967296', ' 1.5', ' abc', ' MASTER', ' BACKUP', ' master',
  ' 10.0.0.1/33', ' 2001:db8::1', ' fe80::1', ' ::', ' dev', ' weight', ' reverse', ' state', ' priority', ' virtual_router_id',
  ' vrrp_strict', ' nopreempt', ' use_vmac', ' authentication {', ' auth_type AH', ' track_script {', ' unicast_peer {', ' group {',
  '\n', '\n}\n', '\n{\n', '\t', '\r', '\u00e9', '\u8fd0', ' "a b" ', ' ${_RANDOM 1 9}', ' ${_PWD}', '$A=x \\\n', ' TCP_CHECK {', ' url {',
];

function mutate(text: string, rnd: () => number): string {
  let t = text;
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(rnd() * (t.length + 1));
    const lines = t.split('\n');
    const li = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 8)) {
      case 0: // delete a span
        t = t.slice(0, pos) + t.slice(pos + 1 + Math.floor(rnd() * 40));
        break;
      case 1: // insert a snippet
        t = t.slice(0, pos) + SNIPPETS[Math.floor(rnd() * SNIPPETS.length)]! + t.slice(pos);
        break;
      case 2: // insert a random character
        t = t.slice(0, pos) + String.fromCharCode(Math.floor(rnd() * 128)) + t.slice(pos);
        break;
      case 3: // duplicate a line
        lines.splice(li, 0, lines[li] ?? '');
        t = lines.join('\n');
        break;
      case 4: // delete a line
        lines.splice(li, 1);
        t = lines.join('\n');
        break;
      case 5: // swap two lines
        {
          const lj = Math.floor(rnd() * lines.length);
          [lines[li], lines[lj]] = [lines[lj] ?? '', lines[li] ?? ''];
          t = lines.join('\n');
        }
        break;
      case 6: // truncate
        t = t.slice(0, pos);
        break;
      default: // replace a word with a snippet
        t = t.replace(/\b\w+\b/, (m) => (rnd() < 0.5 ? SNIPPETS[Math.floor(rnd() * SNIPPETS.length)]!.trim() : m.toUpperCase()));
    }
  }
  return t;
}

describe('fuzz', () => {
  it('10,000 seeded mutations of the sample and seed configs give diagnostics only, in under a minute', () => {
    const corpus = [...sampleConfigs(), ...seedFixtures()].map((f) => readText(f)!);
    const rnd = mulberry32(0x6b74_7361);
    const t0 = performance.now();
    let withDiagnostics = 0;
    let slowest = 0;
    for (let i = 0; i < 10_000; i++) {
      const text = mutate(corpus[i % corpus.length]!, rnd);
      const t = performance.now();
      let result: ReturnType<typeof compileText>;
      try {
        result = compileText(text, 'fuzz.conf', { configId: 'lb1' });
        if (i % 10 === 0) compileText(printConfig(result.model), 'printed.conf');
      } catch (e) {
        throw new Error(`mutation ${i} threw ${(e as Error).stack}\n--- input ---\n${text}`);
      }
      slowest = Math.max(slowest, performance.now() - t);
      expect(Array.isArray(result.diagnostics)).toBe(true);
      expect([0, 2, 4, 5, 6]).toContain(configTestExitCode(result.diagnostics));
      if (result.diagnostics.length) withDiagnostics++;
    }
    const elapsed = performance.now() - t0;
    expect(withDiagnostics).toBeGreaterThan(5_000);
    expect(elapsed).toBeLessThan(60_000);
    expect(slowest).toBeLessThan(5_000);
  }, 120_000);
});
