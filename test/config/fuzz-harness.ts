/**
 * The config fuzzer, shared by test/config/fuzz.test.ts (a seeded slice in every test run) and
 * bench/config-fuzz.bench.ts (the full 100,000 mutations, with figures).
 *
 * Each mutation edits a sample or seed config (deleting, duplicating, swapping, truncating, and
 * inserting snippets aimed at every failure class of issue 9: deep braces, glob specials, nested
 * and over-limit ~SEQ, doubling definitions, long lines, quoted directives). The result is compiled
 * as /f/main.conf next to three other configs (so include patterns match files, the including one
 * too), then printed and compiled again. `checkOne` returns the problems found (empty when fine).
 */
import { isDeepStrictEqual } from 'node:util';
import { compileConfig, configTestExitCode, printConfig, type CompileResult } from '../../config/index.js';
import { MAX_DIAGNOSTICS, MAX_DIAGNOSTICS_OVER, MAX_MESSAGE_LENGTH } from '../../config/diag.js';
import { comparable, memFs, readText, sampleConfigs, seedFixtures } from './helpers.js';

/** The seed of the mutation sequence (the test runs its first 5,000, the bench 100,000). */
export const FUZZ_SEED = 0x6b74_7361;

export function mulberry32(seed: number): () => number {
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
  // issue 9's failure classes
  '\ninclude [z-a].conf\n', '\ninclude []^*].conf\n', `\ninclude ${'*a'.repeat(15)}\n`, `\ninclude ${'*'.repeat(5000)}\n`,
  `\ninclude ${'{'.repeat(5000)}\n`, '\ninclude {a,b,main}.conf\n', '\ninclude sub/*\n', '\ninclude main.conf\n',
  '\n~SEQ(i, 0, 1, 10000000) x\n', '\n~SEQ(i, 1, 2000) router_id r$i\n',
  '\n$D0=xx\n$D1=${D0}${D0}\n$D2=${D1}${D1}\n$D3=${D2}${D2}\n$D4=${D3}${D3}\n~SEQ(i,1,500) ${D4}\n',
  '\n$L=\\\n', `\n$BIG=${'x'.repeat(3000)}\n~SEQ(i,1,300) $BIG $BIG\n`, ' router_id {', ` ${'router_id a {\n'.repeat(80)}`,
  ` "~SEQ(i,"`, ' "@lb1 x"', ' "include"', ' "$A=b"', '\\', ' a\\#b', ' \\!', `${'}'.repeat(50)}`, `${'{'.repeat(50)}`,
  `\n${'x'.repeat(70_000)}\n`, ' notification_email {\n a@b\n c@d\n}\n', ' auth_pass secretpw\n', ' unicast_ttl 9\n',
];

/** Inputs that run into the line budget (seconds each): inserted once in ~400 insertions. */
const HEAVY = ['\n~SEQ(i,0,1,300) ~SEQ(j,0,1,300) ~SEQ(k,0,1,300) x\n', '\n~SEQ(i,0,1,99999) ~SEQ(j,0,1,99) $Z=$j\n'];

export function mutate(text: string, rnd: () => number): string {
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
        t = t.slice(0, pos) + (rnd() < 1 / 400 ? HEAVY[Math.floor(rnd() * HEAVY.length)]! : SNIPPETS[Math.floor(rnd() * SNIPPETS.length)]!) + t.slice(pos);
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

export function corpus(): string[] {
  return [...sampleConfigs(), ...seedFixtures()].map((f) => readText(f)!);
}

const CAP = MAX_DIAGNOSTICS + MAX_DIAGNOSTICS_OVER + 1;
const EXIT_CODES = new Set([0, 2, 4, 5, 6]);

/** What a compile must always satisfy, whatever the input. */
export function invariants(r: CompileResult, what: string): string[] {
  const out: string[] = [];
  if (!EXIT_CODES.has(configTestExitCode(r.diagnostics))) out.push(`${what}: exit code ${configTestExitCode(r.diagnostics)}`);
  if (r.diagnostics.length > CAP) out.push(`${what}: ${r.diagnostics.length} diagnostics (cap ${CAP})`);
  for (const d of r.diagnostics) {
    if (/internal error/.test(d.message)) out.push(`${what}: ${d.message}`);
    if (d.line < 1) out.push(`${what}: diagnostic at line ${d.line}: ${d.message}`);
    if (d.message.length > MAX_MESSAGE_LENGTH) out.push(`${what}: message of ${d.message.length} characters`);
  }
  return out;
}

export interface FuzzStats {
  ms: number;
  printedMs: number;
}

/**
 * One mutation: compile it among its neighbours, check the invariants, print the model and
 * compile the print (same invariants, and the same model when the input compiled cleanly enough
 * to print every value). Returns the problems found.
 */
export function checkOne(text: string, neighbours: string[], stats?: FuzzStats): string[] {
  const fs = memFs({ '/f/main.conf': text, '/f/a.conf': neighbours[0]!, '/f/b.conf': neighbours[1]!, '/f/sub/c.conf': neighbours[2]! });
  const t0 = performance.now();
  let r: CompileResult;
  try {
    r = compileConfig('/f/main.conf', fs.readFile, { listDir: fs.listDir, configId: 'lb1' });
  } catch (e) {
    return [`compile threw ${(e as Error).stack}`];
  }
  const t1 = performance.now();
  const problems = invariants(r, 'input');
  let printed: string;
  try {
    printed = printConfig(r.model);
  } catch (e) {
    return [...problems, `print threw ${(e as Error).stack}`];
  }
  const again = compileConfig('/p/printed.conf', (p) => (p === '/p/printed.conf' ? printed : undefined), { configId: 'lb1' });
  problems.push(...invariants(again, 'printed'));
  if (!isDeepStrictEqual(comparable(again.model), comparable(r.model))) problems.push('printed: compiles to another model');
  if (stats) {
    stats.ms = t1 - t0;
    stats.printedMs = performance.now() - t1;
  }
  return problems;
}
