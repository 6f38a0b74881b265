import { describe, expect, it } from 'vitest';
import { decomment, scriptWords, splitAtBraces, words } from '../../config/lexer.js';
import { expandBraces, expandGlob } from '../../config/glob.js';
import { compileSegment, matchSegment } from '../../config/fnmatch.js';
import { IpAddress, parseCidr } from '../../protocol/addr.js';
import { editDistance, nearestKeyword } from '../../config/suggest.js';

describe('decomment', () => {
  it('strips # and ! comments outside double quotes, keeps them inside', () => {
    expect(decomment('  priority 100 # c').text).toBe('priority 100');
    expect(decomment('auth_pass "a#b" ! c').text).toBe('auth_pass "a#b"');
    expect(decomment('virtual_router_id 1#x').text).toBe('virtual_router_id 1');
  });
  it('unescapes \\# and \\! outside quotes and flags a trailing backslash', () => {
    expect(decomment('auth_pass a\\#b').text).toBe('auth_pass a#b');
    const d = decomment('$X=a \\');
    expect(d.continued).toBe(true);
    // keepalived keeps the backslash (blanks before it go): only definitions treat it as a continuation.
    expect(d.text).toBe('$X=a\\');
    expect(decomment('router_id r1 # note \\')).toMatchObject({ text: 'router_id r1\\', continued: true });
  });
  it('reports an unterminated quote and the leading offset', () => {
    const d = decomment('   router_id "abc');
    expect(d.unterminatedQuote).toBe(true);
    expect(d.offset).toBe(3);
  });
});

describe('splitAtBraces / words', () => {
  it('makes every brace outside quotes its own piece', () => {
    expect(splitAtBraces('group { A B }').map((p) => p.raw)).toEqual(['group', '{', 'A B', '}']);
    expect(splitAtBraces('script "a { b }"').map((p) => p.raw)).toEqual(['script "a { b }"']);
  });
  it('reads double-quoted words as one word and reports columns', () => {
    const { tokens } = words('notify "/bin/x y"  z', 5);
    expect(tokens.map((t) => [t.text, t.col, t.quoted])).toEqual([
      ['notify', 5, false],
      ['/bin/x y', 12, true],
      ['z', 24, false],
    ]);
    expect(words('a "b', 1).unmatchedQuote).toBe(true);
  });
});

describe('scriptWords', () => {
  it('handles single and double quotes and escapes like keepalived', () => {
    expect(scriptWords(`notify "/bin/sh -c 'echo a b'" root`)).toEqual({ words: ['notify', "/bin/sh -c 'echo a b'", 'root'] });
    expect(scriptWords(`/bin/sh -c 'echo a b'`)).toEqual({ words: ['/bin/sh', '-c', 'echo a b'] });
    expect(scriptWords('a\\tb \\x41\\101 \\cA')).toEqual({ words: ['a\tb', 'AA', '\x01'] });
    expect(scriptWords(`'open`)).toHaveProperty('error');
    expect(scriptWords('trail\\')).toHaveProperty('error');
  });
});

describe('glob', () => {
  const fs: Record<string, string[]> = { '/etc/k': ['a.conf', 'b.conf', '.hidden.conf', 'c.txt', 'd'], '/etc/k/d': ['x.conf'] };
  const listDir = (d: string) => fs[d];
  it('expands braces (nested) in order', () => {
    expect(expandBraces('a{b,c{d,e}}f')).toEqual(['abf', 'acdf', 'acef']);
    expect(expandBraces('no{brace')).toEqual(['no{brace']);
  });
  it('matches wildcards per segment, skipping hidden entries, sorted, relative to a base', () => {
    expect(expandGlob('*.conf', '/etc/k', listDir)).toEqual(['/etc/k/a.conf', '/etc/k/b.conf']);
    expect(expandGlob('/etc/k/{c.txt,*/x.conf}', '/', listDir)).toEqual(['/etc/k/c.txt', '/etc/k/d/x.conf']);
    expect(expandGlob('../[ab].conf', '/etc/k/d', listDir)).toEqual(['/etc/k/a.conf', '/etc/k/b.conf']);
    expect(matchSegment(compileSegment('[!a]?.conf'), 'b1.conf')).toBe(true);
  });
});

describe('ip', () => {
  it('parses and canonicalises IPv4 and IPv6 (RFC 5952)', () => {
    expect(IpAddress.parse('10.0.0.1')?.family).toBe(4);
    expect(IpAddress.parse('2001:DB8:0:0:0:0:0:1')?.text).toBe('2001:db8::1');
    expect(IpAddress.parse('fe80::1:2')?.text).toBe('fe80::1:2');
    expect(IpAddress.parse('::ffff:1.2.3.4')?.text).toBe('::ffff:1.2.3.4');
    expect(IpAddress.parse('192.168.100.')).toBeUndefined();
    expect(IpAddress.parse('1::2::3')).toBeUndefined();
    expect(parseCidr('10.0.0.1/33')).toBeUndefined();
    expect(parseCidr('2001:db8::/64')?.prefixLength).toBe(64);
  });
});

describe('suggestions', () => {
  it('finds the nearest keyword, or the glued keyword', () => {
    expect(editDistance('autp_pass', 'auth_pass')).toBe(1);
    expect(nearestKeyword('autp_pass', ['auth_type', 'auth_pass'])).toEqual({ keyword: 'auth_pass' });
    expect(nearestKeyword('auth_typePASS', ['auth_type', 'auth_pass'])).toEqual({ keyword: 'auth_type', glued: 'PASS' });
    expect(nearestKeyword('stmp_connect_timeout', ['smtp_connect_timeout', 'smtp_server'])?.keyword).toBe('smtp_connect_timeout');
    expect(nearestKeyword('zzzzzz', ['auth_type'])).toBeUndefined();
  });
});
