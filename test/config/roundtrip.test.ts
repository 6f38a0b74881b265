/** `check --print` output compiles back to the same model (positions aside), for every corpus and seed config. */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileText, printConfig } from '../../config/index.js';
import { comparable, compileFile, sampleConfigs, seedFixtures } from './helpers.js';

describe('print → compile round trip', () => {
  for (const f of [...sampleConfigs(), ...seedFixtures()]) {
    it(basename(f), () => {
      const first = compileFile(f).model;
      const text = printConfig(first);
      const again = compileText(text, 'printed.conf');
      expect(again.diagnostics.filter((d) => d.severity === 'error' && d.kind !== 'security')).toEqual([]);
      expect(comparable(again.model)).toEqual(comparable(first));
      // Printing is a fixed point after one pass.
      expect(printConfig(again.model)).toBe(text);
    });
  }
});
