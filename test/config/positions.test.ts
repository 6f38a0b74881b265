/**
 * Positions and secrets in diagnostics (issue 9 item 7): no diagnostic prints line 0, a missing '}'
 * is reported at the block left open (and where the input ended), and auth_pass values are never
 * repeated. The cross-node lint's positions are tested in lint-cluster.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { compileConfig, compileText, formatDiagnostic } from '../../config/index.js';
import { BROKEN } from './broken-cases.js';
import { compileFile, PROBE_HOST, sampleConfigs, seedFixtures } from './helpers.js';
import { PARITY_CASES } from './parity-cases.js';

/** Hosts that make the whole-config diagnostics appear: no interfaces; every script present but insecure. */
const HOSTS = [PROBE_HOST, { interfaces: [], scriptStatus: () => 'insecure' as const }, {}];

describe('no diagnostic prints line 0', () => {
  it('in every sample, seed, broken and parity config, on three kinds of host', () => {
    const bad: string[] = [];
    let seen = 0;
    for (const host of HOSTS) {
      const all = [
        ...[...sampleConfigs(), ...seedFixtures()].map((f) => compileFile(f, host).diagnostics),
        ...[...BROKEN, ...PARITY_CASES].map((c) => compileText(c.conf, 'case.conf', host).diagnostics),
      ];
      for (const list of all) {
        for (const d of list) {
          seen++;
          const text = formatDiagnostic(d);
          if (d.line < 1 || /^[^ ]*:0:/.test(text)) bad.push(text);
        }
      }
    }
    expect(seen).toBeGreaterThan(500);
    expect(bad).toEqual([]);
  });

  it('"Non-existent interface" and "SECURITY VIOLATION" point at the first interface / script concerned', () => {
    const conf = 'vrrp_script chk {\n script /bin/true\n}\nvrrp_instance A {\n interface eth9\n virtual_router_id 1\n track_script {\n  chk\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n';
    const noIf = compileText(conf, 'a.conf', { interfaces: ['lo'], scriptStatus: () => 'ok' }).diagnostics.map(formatDiagnostic);
    expect(noIf).toContain("a.conf:5:2: error: Non-existent interface specified in configuration (fix: create the interfaces, or enable dynamic_interfaces)");
    const sec = compileText(conf, 'a.conf', { interfaces: ['lo', 'eth9'], scriptStatus: () => 'ok' }).diagnostics.map(formatDiagnostic);
    expect(sec.some((l) => l.startsWith('a.conf:2:1: error: SECURITY VIOLATION - scripts are being executed'))).toBe(true);
  });

  it('a file that cannot be read is reported without a line', () => {
    const { diagnostics } = compileConfig('/nonexistent/keepalived.conf', () => undefined);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      '/nonexistent/keepalived.conf: error: cannot read configuration file /nonexistent/keepalived.conf (fix: check the -f path)',
    ]);
  });
});

describe("a missing '}'", () => {
  it('is reported at the block left open, with where the input ended, and the block whose } looks missing', () => {
    const conf = [
      'global_defs {', //                  1
      ' router_id a', //                   2
      '}', //                              3
      'vrrp_instance A {', //              4
      ' interface eth0', //                5
      ' virtual_router_id 1', //           6
      ' authentication {', //              7  <- its '}' is missing
      '  auth_type PASS', //               8
      '  auth_pass abc', //                9
      ' virtual_ipaddress {', //          10
      '  10.0.0.1', //                    11
      ' }', //                            12
      '}', //                             13  closes authentication, indented like vrrp_instance
      '',
    ].join('\n');
    const lines = compileText(conf, 'm.conf').diagnostics.map(formatDiagnostic);
    expect(lines).toContain("m.conf:4:1: error: missing '}': the block of 'vrrp_instance A' opened here is still open at the end of the input (m.conf:13) (fix: close the block with a '}')");
    expect(lines).toContain("m.conf:7:2: info: 'authentication' may be the block without its '}': the '}' at m.conf:13 that closes it is indented like an outer block (fix: add a '}' for 'authentication' before line 13)");
    // Nothing is reported at end of file only.
    expect(lines.filter((l) => l.startsWith('m.conf:13:'))).toEqual([]);
  });

  it('names every block left open, innermost last', () => {
    const lines = compileText('virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n  TCP_CHECK {\n', 'v.conf').diagnostics.map(formatDiagnostic);
    expect(lines.filter((l) => l.includes("missing '}'"))).toEqual([
      "v.conf:1:1: error: missing '}': the block of 'virtual_server 10.0.0.1' opened here is still open at the end of the input (v.conf:3) (2 more inside it) (fix: add the 3 missing '}')",
      "v.conf:2:2: error: missing '}': the block of 'real_server 10.0.0.2' opened here is still open at the end of the input (v.conf:3) (1 more inside it) (fix: add the 3 missing '}')",
      "v.conf:3:3: error: missing '}': the block of 'TCP_CHECK' opened here is still open at the end of the input (v.conf:3) (fix: add the 3 missing '}')",
    ]);
  });
});

describe('passwords are never repeated in diagnostics', () => {
  it('auth_pass misplaced, glued to its keyword, or truncated', () => {
    const conf = 'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n auth_pass hunter22\n authentication {\n  auth_type PASS\n  auth_passhunter2\n  auth_pass hunter2hunter2\n }\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n';
    const lines = compileText(conf, 'p.conf').diagnostics.map(formatDiagnostic);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).not.toMatch(/hunter/);
    expect(lines[0]).toContain('move it into the block: authentication { auth_pass ******** }');
  });
});
