/** A table of broken configs: each gives its diagnostic (message and line) and keepalived's -t exit status. */
import { describe, expect, it } from 'vitest';
import { compileText, configTestExitCode } from '../../config/index.js';
import { BROKEN } from './broken-cases.js';
import { PROBE_HOST } from './helpers.js';

describe('broken configurations', () => {
  it('has at least 40 cases', () => expect(BROKEN.length).toBeGreaterThanOrEqual(40));
  for (const c of BROKEN) {
    it(c.name, () => {
      const { diagnostics } = compileText(c.conf, 'broken.conf', PROBE_HOST);
      const hit = diagnostics.find((d) => d.line === c.line && c.message.test(d.message));
      expect(hit, diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n')).toBeDefined();
      if (c.severity) expect(hit!.severity).toBe(c.severity);
      expect(hit!.fix, 'every diagnostic carries a one-line fix').toMatch(/\S/);
      expect(hit!.column).toBeGreaterThanOrEqual(1);
      expect(configTestExitCode(diagnostics)).toBe(c.exit);
    });
  }
});

describe('lint-only findings (keepalived 2.2.7 is silent, the exit code does not change)', () => {
  it('strict mode with unicast peers', () => {
    const conf = 'global_defs {\n vrrp_strict\n}\nvrrp_instance A {\n interface eth0\n state MASTER\n virtual_router_id 1\n priority 255\n unicast_peer {\n  10.0.0.2\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n';
    const { diagnostics } = compileText(conf, 'strict.conf', PROBE_HOST);
    expect(diagnostics).toEqual([expect.objectContaining({ line: 9, kind: 'lint', message: expect.stringMatching(/unicast_peer with strict mode/) })]);
    expect(configTestExitCode(diagnostics)).toBe(0);
  });
});
