/**
 * Bad configs never crash, hang or exhaust memory (issue 9, "Bad configs…"): one regression test
 * per failure class found by fuzzing. Each class has a guard and, where a limit applies, a
 * diagnostic at file:line that names the limit. Work is checked through counters (steps, lines,
 * diagnostics), not wall-clock time; a hang shows up as the test timeout. Time and memory on a
 * 16 MB config are measured by bench/config-fuzz.bench.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileConfig, compileText, configTestExitCode, formatDiagnostic, printConfig } from '../../config/index.js';
import { MAX_SEQ_VALUES, parseSeq } from '../../config/defs.js';
import { MAX_DIAGNOSTICS, MAX_DIAGNOSTICS_OVER } from '../../config/diag.js';
import { compileSegment, matchSegment } from '../../config/fnmatch.js';
import { expandBracesBounded, expandGlobBounded, MAX_GLOB_STEPS } from '../../config/glob.js';
import { MAX_EXPANDED_CHARS, MAX_FILES, MAX_INCLUDE_DEPTH, MAX_INPUT_BYTES, MAX_LINES, MAX_WORDS } from '../../config/reader.js';
import { MAX_BLOCK_DEPTH } from '../../config/tree.js';
import { memFs } from './helpers.js';

const lines = (r: { diagnostics: Parameters<typeof formatDiagnostic>[0][] }) => r.diagnostics.map(formatDiagnostic);
const cap = MAX_DIAGNOSTICS + MAX_DIAGNOSTICS_OVER + 1;

describe('stack overflow', () => {
  it('a keyword that takes no block followed by {, nested 5,000 deep: the tree stops at 64 levels', () => {
    const conf = `global_defs {\n${' router_id a {\n'.repeat(5000)}${' }\n'.repeat(5000)}}\n`;
    const r = compileText(conf, 'deep.conf');
    expect(lines(r)).toContain(`deep.conf:${MAX_BLOCK_DEPTH + 1}:14: error: blocks nested deeper than the limit of ${MAX_BLOCK_DEPTH} levels - ignoring '{' here and in any deeper block (fix: remove the stray braces)`);
    expect(configTestExitCode(r.diagnostics)).toBe(5);
    expect(r.model.globalDefs.routerId).toBe('a');
    expect(r.diagnostics.length).toBeLessThanOrEqual(cap);
  });

  it('notification_email with 130,000 entries (no spread push)', () => {
    const conf = `global_defs {\n notification_email {\n${Array.from({ length: 130_000 }, (_, i) => `  a${i}@example.com\n`).join('')} }\n}\n`;
    const r = compileText(conf);
    expect(r.diagnostics).toEqual([]);
    expect(r.model.globalDefs.notificationEmail).toHaveLength(130_000);
  });

  it('a bug in the compiler still gives a config-test result, not an exception', () => {
    const r = compileConfig('/k/a.conf', () => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    expect(lines(r)).toEqual(['/k/a.conf: error: internal error while compiling the configuration (RangeError: Maximum call stack size exceeded) - please report it (fix: report the configuration that causes it)']);
    expect(configTestExitCode(r.diagnostics)).toBe(4);
  });
});

describe('`check` exits with a config-test code, never 1 with a stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-a-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('on deep nesting, a huge notification_email and a runaway ~SEQ', () => {
    const files = {
      'deep.conf': `global_defs {\n${' router_id a {\n'.repeat(20_000)}`,
      'email.conf': `global_defs {\n notification_email {\n${'  a@example.com\n'.repeat(150_000)} }\n}\n`,
      'seq.conf': '~SEQ(i,0,1,300) ~SEQ(j,0,1,300) ~SEQ(k,0,1,300) x\n',
    };
    const codes: Record<string, number | null> = {};
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'adapters/node/cli.ts', 'check', '--no-host', '-f', join(dir, name)], { encoding: 'utf8', timeout: 60_000 });
      codes[name] = r.status;
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
    }
    // seq.conf: 5, as its unknown keyword 'x' outranks the budget's "cannot run" (keepalived's order).
    expect(codes).toEqual({ 'deep.conf': 5, 'email.conf': 0, 'seq.conf': 5 });
  }, 120_000);
});

describe('include patterns are matched without RegExp', () => {
  const fs = memFs({
    '/k/main.conf': '',
    '/k/].conf': 'global_defs {\n router_id bracket\n}\n',
    [`/k/${'a'.repeat(30)}b`]: 'global_defs {\n router_id long\n}\n',
  });
  const inc = (line: string) => compileConfig('/k/main.conf', (p) => (p === '/k/main.conf' ? `${line}\n` : fs.readFile(p)), { listDir: fs.listDir });

  it('[z-a] (a reversed range) matches nothing, []^*] is the set of ], ^ and *', () => {
    const r1 = inc('include [z-a].conf');
    expect(lines(r1)).toEqual(["/k/main.conf:1:1: warning: include '[z-a].conf' matched no files (fix: check the path (relative to this file))"]);
    const r2 = inc('include []^*].conf');
    expect(r2.model.globalDefs.routerId).toBe('bracket');
    expect(r2.diagnostics).toEqual([]);
  });

  it('50,000 * (longer than PATH_MAX) is refused with the limit; 4,000 * collapse into one', () => {
    expect(lines(inc(`include ${'*'.repeat(50_000)}`))).toEqual([
      '/k/main.conf:1:1: error: include pattern of 50000 characters is longer than the limit of 4096 (PATH_MAX) - skipping it (fix: use a shorter pattern)',
    ]);
    expect(compileSegment('*'.repeat(4000)).tokens).toHaveLength(1);
    expect(inc(`include ${'*'.repeat(4000)}b`).model.globalDefs.routerId).toBe('long');
  });

  it('*a repeated 15 times against a 31-character name takes at most name × pattern steps', () => {
    const budget = { steps: 0 };
    const seg = compileSegment('*a'.repeat(15));
    expect(matchSegment(seg, `${'a'.repeat(30)}b`, budget)).toBe(false);
    expect(budget.steps).toBeLessThanOrEqual(31 * 30);
    expect(matchSegment(seg, 'a'.repeat(30))).toBe(true);
    expect(lines(inc(`include ${'*a'.repeat(15)}`))).toEqual([`/k/main.conf:1:1: warning: include '${'*a'.repeat(15)}' matched no files (fix: check the path (relative to this file))`]);
  });

  it('{{{… is refused past PATH_MAX, and brace expansion is linear and capped below it', () => {
    expect(lines(inc(`include ${'{'.repeat(60_000)}`))[0]).toMatch(/^\/k\/main\.conf:1:1: error: include pattern of 60000 characters is longer than the limit of 4096 \(PATH_MAX\)/);
    expect(expandBracesBounded('{'.repeat(4000))).toEqual({ out: ['{'.repeat(4000)], truncated: false });
    const many = expandBracesBounded('{a,b}'.repeat(800));
    expect(many.out).toHaveLength(4096);
    expect(many.truncated).toBe(true);
    expect(lines(inc(`include ${'{a,b}'.repeat(800)}`))[0]).toMatch(/^\/k\/main\.conf:1:1: error: include '\{a,b\}.*\.\.\.': it expands to more than 4096 brace alternatives - reading only the first matches/);
  });

  it('all matching of one config shares a step budget', () => {
    // The matcher's worst case: one star, a long literal tail that almost matches (name × pattern steps each).
    const names = Array.from({ length: 2000 }, (_, i) => `${'a'.repeat(250)}${i}`);
    const budget = { steps: 0 };
    const r = expandGlobBounded(`/d/*${'a'.repeat(150)}b`, '/', (d) => (d === '/d' ? names : undefined), budget);
    expect(r.limit).toBe(`matching took more than ${MAX_GLOB_STEPS} steps`);
    expect(budget.steps).toBeLessThan(MAX_GLOB_STEPS + 300_000);
  });
});

describe('expansion blow-ups', () => {
  it('an over-limit ~SEQ is refused from its numbers, without building anything', () => {
    expect(parseSeq('~SEQ(i, 0, 1, 10000000) x')).toEqual({ error: `~SEQ produces 10000001 lines, more than the limit of ${MAX_SEQ_VALUES} - ignoring it` });
    expect(parseSeq('~SEQ(i, 0, 1, 99999999999999999999) x')).toEqual({ error: "invalid ~SEQ values '~SEQ(i, 0, 1, 99999999999999999999) x'" });
    expect(parseSeq('~SEQ(i, 3) x')).toMatchObject({ variable: 'i', start: 1, step: 1, count: 3, rest: 'x' });
    expect(lines(compileText('~SEQ(i, 0, 1, 10000000) x\n', 's.conf'))).toEqual([
      `s.conf:1:1: error: ~SEQ produces 10000001 lines, more than the limit of ${MAX_SEQ_VALUES} - ignoring it (fix: use ~SEQ(var, start, step, end) rest-of-line)`,
    ]);
  });

  it('nested ~SEQ in a 54-byte file stops at the line budget', () => {
    const text = '~SEQ(i,0,1,300) ~SEQ(j,0,1,300) ~SEQ(k,0,1,300) $Z=$k\n';
    const r = compileText(text, 'n.conf');
    expect(lines(r)).toContain(`n.conf:1:1: error: configuration expands to more than ${MAX_LINES} lines (recursive include, definition or ~SEQ?) - stopped reading the configuration (fix: split the configuration, or remove the runaway include, definition or ~SEQ)`);
    expect(configTestExitCode(r.diagnostics)).toBe(4);
    expect(r.diagnostics.length).toBeLessThanOrEqual(cap);
  }, 60_000);

  it('a chain of $VAR definitions that doubles is cut at 256 substitutions per line', () => {
    const defs = Array.from({ length: 40 }, (_, i) => `$A${i + 1}=\${A${i}}\${A${i}}\n`).join('');
    const r = compileText(`$A0=x\n${defs}global_defs {\n router_id $A40\n}\n`, 'v.conf');
    expect(lines(r)).toEqual([
      'v.conf:43:1: error: too many substitutions on one line (more than 256; recursive definition of $A0?) - ignoring the line (fix: make the definition shorter or non-recursive)',
    ]);
    // Repeated by ~SEQ, the work is cut by the expansion budget.
    const r2 = compileText(`$A0=${'x'.repeat(200)}\n${defs}~SEQ(i, 1, 100000) $A7\n`, 'v2.conf');
    expect(lines(r2)).toContain(`v2.conf:42:1: error: definitions expand to more than ${MAX_EXPANDED_CHARS / 1024 / 1024} MB of text - stopped reading the configuration (fix: split the configuration, or remove the runaway include, definition or ~SEQ)`);
  }, 60_000);

  it('a 64 KB variable expanded by ~SEQ: the line limit is checked before the string is built, then the budget stops it', () => {
    const big = 'x'.repeat(65_000);
    const twice = compileText(`$B=${big}\nrouter_id $B $B\n`, 'b.conf');
    expect(lines(twice)).toEqual(['b.conf:2:1: error: line longer than 65536 characters after substituting $B - ignoring the line (fix: make the definition shorter or non-recursive)']);
    const r = compileText(`$B=${big}\n~SEQ(i, 1, 100000) $B\n`, 'b.conf');
    expect(lines(r)).toContain(`b.conf:2:1: error: definitions expand to more than ${MAX_EXPANDED_CHARS / 1024 / 1024} MB of text - stopped reading the configuration (fix: split the configuration, or remove the runaway include, definition or ~SEQ)`);
    expect(r.diagnostics.filter((d) => d.kind === 'fatal')).toHaveLength(1);
    for (const d of r.diagnostics) expect(d.message.length).toBeLessThanOrEqual(500);
  }, 60_000);

  it('a glob that matches the including file is an include loop, reported once, and the file is read once', () => {
    const fs = memFs({ '/k/f0.conf': 'vrrp_script s {\n script /bin/true\n}\ninclude *.conf\n' });
    const r = compileConfig('/k/f0.conf', fs.readFile, { listDir: fs.listDir });
    expect(r.model.files).toEqual(['/k/f0.conf']);
    expect(lines(r)).toEqual(['/k/f0.conf:4:1: error: include loop: /k/f0.conf is already being read (/k/f0.conf -> /k/f0.conf) - skipping it (fix: narrow the pattern so it does not match the including file, or remove the include)']);
    // Ten files that each include *.conf: no loop is followed, and the fan-out stops at the file budget.
    const ten: Record<string, string> = {};
    for (let i = 0; i < 10; i++) ten[`/k/f${i}.conf`] = 'include *.conf\n';
    const fs10 = memFs(ten);
    const r10 = compileConfig('/k/f0.conf', fs10.readFile, { listDir: fs10.listDir });
    expect(r10.model.files.length).toBeLessThanOrEqual(MAX_FILES);
    expect(r10.diagnostics.filter((d) => d.kind === 'fatal').map((d) => d.message)).toEqual([`more than ${MAX_FILES} files included (include loop or fan-out?) - stopped reading the configuration`]);
    expect(r10.diagnostics.length).toBeLessThanOrEqual(cap);
  });

  it('an include fan-out without a loop stops at the file budget', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`/k/f${i}.conf`] = `include f${i + 1}.conf\ninclude f${i + 1}.conf\n`;
    files['/k/f20.conf'] = '';
    const fs = memFs(files);
    const r = compileConfig('/k/f0.conf', fs.readFile, { listDir: fs.listDir });
    expect(r.diagnostics.filter((d) => d.kind === 'fatal').map((d) => d.message)).toEqual([
      `more than ${MAX_FILES} files included (include loop or fan-out?) - stopped reading the configuration`,
    ]);
    expect(r.model.files.length).toBeLessThanOrEqual(MAX_FILES);
  });

  it('include nesting stops at 1,000 files (keepalived: at the open-file limit)', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1005; i++) files[`/k/c${i}.conf`] = `include c${i + 1}.conf\n`;
    const fs = memFs(files);
    const r = compileConfig('/k/c0.conf', fs.readFile, { listDir: fs.listDir });
    expect(lines(r)).toEqual([`/k/c${MAX_INCLUDE_DEPTH}.conf:1:1: error: include nesting deeper than ${MAX_INCLUDE_DEPTH} files - skipping 'c${MAX_INCLUDE_DEPTH + 1}.conf' (fix: flatten the includes)`]);
    expect(configTestExitCode(r.diagnostics)).toBe(4);
  });

  it('the text read from all files together is bounded', () => {
    const chunk = 'x'.repeat(1024 * 1024);
    const many = Array.from({ length: 70 }, (_, i) => `include c${i}.conf`).join('\n');
    const r = compileConfig('/k/m.conf', (p) => (p === '/k/m.conf' ? many : chunk), { listDir: () => [] });
    expect(r.diagnostics.filter((d) => d.kind === 'fatal').map(formatDiagnostic)).toEqual([
      `/k/m.conf:64:1: error: configuration files larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB in total (reading /k/c63.conf) - stopped reading the configuration (fix: split the configuration, or remove the runaway include, definition or ~SEQ)`,
    ]);
  });

  it('lines longer than 64 KB are refused, and the words of the whole config are bounded', () => {
    const r = compileText(`router_id ${'y'.repeat(70_000)}\n`, 'l.conf');
    expect(lines(r)).toEqual(['l.conf:1:1: error: line of 70010 characters is longer than the limit of 65536 - ignoring it (fix: split the line)']);
    const w = compileText(`${`${'a '.repeat(30_000)}\n`.repeat(70)}`, 'w.conf');
    expect(w.diagnostics.filter((d) => d.kind === 'fatal').map((d) => d.message)).toEqual([`configuration has more than ${MAX_WORDS} words - stopped reading the configuration`]);
  }, 60_000);
});

describe('the diagnostic cap', () => {
  it('cannot be bypassed: 200,000 errors, or includes past the file budget, give at most the cap', () => {
    const r = compileText(`${'x y\n'.repeat(200_000)}`);
    expect(r.diagnostics.length).toBeLessThanOrEqual(cap);
    expect(r.diagnostics[r.diagnostics.length - 1]!.message).toBe('199000 more diagnostics not shown');
    const files: Record<string, string> = { '/k/a.conf': `${'include b*.conf\n'.repeat(3000)}` };
    for (let i = 0; i < 8; i++) files[`/k/b${i}.conf`] = 'x\n';
    const fs = memFs(files);
    const inc = compileConfig('/k/a.conf', fs.readFile, { listDir: fs.listDir });
    expect(inc.diagnostics.length).toBeLessThanOrEqual(cap);
    expect(inc.diagnostics.filter((d) => d.kind === 'fatal')).toHaveLength(1);
  });
});

describe('--print quotes what would read back as something else', () => {
  it('a quoted "~SEQ(i," (or @id, $X=, include) stays a value', () => {
    const r = compileText('global_defs {\n notification_email {\n  "~SEQ(i,"\n  "@lb1 x"\n  "$A=b"\n  "include"\n  "a#b"\n }\n router_id "~SEQ(i, 3)"\n}\n');
    const again = compileText(printConfig(r.model));
    expect(again.diagnostics).toEqual([]);
    expect(again.model.globalDefs.notificationEmail).toEqual(['~SEQ(i,', '@lb1 x', '$A=b', 'include', 'a#b']);
    expect(again.model.globalDefs.routerId).toBe('~SEQ(i, 3)');
  });

  it('a script user or group with blanks or quotes (found by the 100,000-mutation fuzz run)', () => {
    const r = compileText('vrrp_instance A {\n interface eth0\n virtual_router_id 1\n notify_fault "/bin/x a" "us er" "g\\"r"\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n');
    const fault = r.model.vrrpInstances[0]!.notify.fault!;
    expect([fault.argv, fault.user, fault.group]).toEqual([['/bin/x', 'a'], 'us er', 'g"r']);
    const again = compileText(printConfig(r.model)).model.vrrpInstances[0]!.notify.fault!;
    expect([again.argv, again.user, again.group]).toEqual([['/bin/x', 'a'], 'us er', 'g"r']);
  });
});
