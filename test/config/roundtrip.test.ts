/** `check --print` output compiles back to the same model (positions aside), for every corpus and seed config. */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileText, printConfig, type KeepalivedConfig } from '../../config/index.js';
import { compileFile, sampleConfigs, seedFixtures } from './helpers.js';

/** The model without source positions and file names, which printing cannot keep. */
export function comparable(m: KeepalivedConfig): unknown {
  return JSON.parse(JSON.stringify({ ...m, files: [] }, (k, v) => (k === 'source' ? undefined : v)));
}

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
