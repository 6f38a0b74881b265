/**
 * Property-based tests of the config compiler (fast-check, seeded: the same cases every run).
 *  - any text made of config-ish pieces compiles to diagnostics only, within every limit;
 *  - `--print` writes any value so that it reads back as the same value (not as a directive);
 *  - the glob matcher agrees with a plain backtracking reference, within name × pattern steps;
 *  - brace expansion and ~SEQ counts agree with direct computation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileConfig, compileText, printConfig } from '../../config/index.js';
import { parseSeq, seqValues } from '../../config/defs.js';
import { compileSegment, matchSegment, type CompiledSegment } from '../../config/fnmatch.js';
import { expandBracesBounded } from '../../config/glob.js';
import { word } from '../../config/print-util.js';
import { invariants } from './fuzz-harness.js';
import { memFs } from './helpers.js';

const SEED = 20_260_309;
const params = (numRuns: number) => ({ seed: SEED, numRuns });

const PIECES = [
  'global_defs', 'vrrp_instance', 'VI_1', 'virtual_router_id', 'priority', 'state', 'MASTER', 'interface', 'eth0', 'virtual_ipaddress',
  '10.0.0.1/24', 'authentication', 'auth_type', 'PASS', 'auth_pass', 'track_script', 'vrrp_script', 'script', 'notification_email',
  'virtual_server', '10.0.0.1', '80', 'real_server', 'TCP_CHECK', 'include', '*.conf', '[z-a]', '{a,b}', '{', '}', '"', '#', '!', '\\',
  '$X', '$X=', '${X}', '$X=${X}${X}', '@lb1', '@^lb1', '~SEQ(i,', '~SEQ(i,1,3)', '~SEQ(i,0,1,200)', '1', '255', '-1', ' ', ' ', '\t', '\n', '\n', '\n',
];

describe('properties', () => {
  it('any text of config pieces compiles to diagnostics only, within the limits', () => {
    const text = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 120 }).map((a) => a.join(' '));
    fc.assert(
      fc.property(text, fc.boolean(), (t, nested) => {
        const fs = memFs({ '/f/main.conf': t, '/f/a.conf': t.split('\n').reverse().join('\n'), '/f/sub/b.conf': 'include ../*.conf\n' });
        const r = compileConfig(nested ? '/f/sub/b.conf' : '/f/main.conf', fs.readFile, { listDir: fs.listDir, configId: 'lb1' });
        expect(invariants(r, 'input')).toEqual([]);
        expect(invariants(compileText(printConfig(r.model)), 'printed')).toEqual([]);
      }),
      params(1500),
    );
  });

  it('print writes any value so that it reads back unchanged, never as a directive', () => {
    // Values a token can hold: no double quote, no newline; builtins ($_PWD…) are always substituted,
    // and a value that needs quotes cannot end in a backslash (keepalived has no escape for either).
    const value = fc
      .string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\t', '{', '}', '#', '!', '\\', '$', '~', '@', '=', ',', '(', ')', "'", 'é', 'S', 'E', 'Q', 'i', 'n', 'c', 'l', 'u', 'd', 'e'), minLength: 1, maxLength: 24 })
      .filter((s) => !/\$\{?_/.test(s) && !(word(s).startsWith('"') && s.endsWith('\\')) && s.trim() !== '');
    fc.assert(
      fc.property(value, fc.array(value, { minLength: 1, maxLength: 4 }), (routerId, emails) => {
        // As print does: a line ending in a backslash gets an empty comment after it.
        const line = (t: string) => `${t}${t.endsWith('\\') ? ' #' : ''}\n`;
        const conf = `global_defs {\n${line(` router_id ${word(routerId)}`)} notification_email {\n${emails.map((e) => line(`  ${word(e)}`)).join('')} }\n}\n`;
        const first = compileText(conf);
        expect(first.model.globalDefs.routerId).toBe(routerId);
        expect(first.model.globalDefs.notificationEmail).toEqual(emails);
        const again = compileText(printConfig(first.model));
        expect(again.model.globalDefs.routerId).toBe(routerId);
        expect(again.model.globalDefs.notificationEmail).toEqual(emails);
      }),
      params(2000),
    );
  });

  it('the glob matcher agrees with a backtracking reference, in at most (name+1) × (pattern+1) steps', () => {
    /** Tries every split at every star: exponential, fine for these sizes. */
    const reference = (seg: CompiledSegment, name: string): boolean => {
      const go = (p: number, s: number): boolean => {
        const t = seg.tokens[p];
        if (!t) return s === name.length;
        if (t.t === 'star') {
          for (let k = s; k <= name.length; k++) if (go(p + 1, k)) return true;
          return false;
        }
        if (s >= name.length) return false;
        const one = compileSegment('x'); // reuse the matcher for one character: a pattern of one token
        one.tokens = [t];
        one.minLength = 1;
        return matchSegment(one, name[s]!) && go(p + 1, s + 1);
      };
      return go(0, 0);
    };
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '-', '*', '?', '[', ']', '!', '^', '\\'), maxLength: 10 });
    const name = fc.string({ unit: fc.constantFrom('a', 'b', '-', '!', ']', '['), maxLength: 12 });
    fc.assert(
      fc.property(pattern, name, (p, n) => {
        const seg = compileSegment(p);
        const budget = { steps: 0 };
        expect(matchSegment(seg, n, budget)).toBe(reference(seg, n));
        expect(budget.steps).toBeLessThanOrEqual((n.length + 1) * (seg.tokens.length + 1));
      }),
      params(5000),
    );
  });

  it('brace expansion gives the product of the alternatives, in order, capped', () => {
    const group = fc.array(fc.stringMatching(/^[a-c]{0,2}$/), { minLength: 2, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(group, { minLength: 1, maxLength: 7 }), (groups) => {
        const pattern = groups.map((g) => `{${g.join(',')}}`).join('-');
        let expected = [''];
        for (const [i, g] of groups.entries()) expected = expected.flatMap((e) => g.map((x) => `${e}${i ? '-' : ''}${x}`));
        const r = expandBracesBounded(pattern);
        expect(r.out).toEqual(expected.slice(0, 4096));
        expect(r.truncated).toBe(expected.length > 4096);
      }),
      params(500),
    );
  });

  it('~SEQ counts its values from the numbers alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: -500, max: 500 }), fc.integer({ min: -40, max: 40 }), fc.integer({ min: -500, max: 500 }), (start, step, end) => {
        const r = parseSeq(`~SEQ(v, ${start}, ${step}, ${end}) x`);
        if (!step || (start < end && step < 0) || (start > end && step > 0)) {
          expect(r).toHaveProperty('error');
          return;
        }
        const expected: string[] = [];
        for (let v = start; step > 0 ? v <= end : v >= end; v += step) expected.push(String(v));
        expect('error' in r ? r : seqValues(r)).toEqual(expected);
      }),
      params(2000),
    );
  });
});
