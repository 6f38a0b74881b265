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
