/**
 * What the parent keeps of the running configuration (adapters/node/daemon/held-config.ts): the
 * model as the bytes it sends its children, global_defs and which sections exist. The children
 * and the parent's own dumps must see exactly the model the parent compiled.
 */
import { describe, expect, it } from 'vitest';
import { holdConfig, packModel, unpackModel } from '../../adapters/node/daemon/held-config.js';
import { formatParentData, formatVrrpData } from '../../adapters/node/daemon/dumps.js';
import { rolesFor, sectionsOf } from '../../adapters/node/daemon/roles.js';
import { compileFile, sampleConfigs, seedFixtures } from '../config/helpers.js';
import { TWO_INSTANCES, WITH_VIRTUAL_SERVER, model } from './fixtures/harness.js';

describe('held configuration', () => {
  const files = [...sampleConfigs(), ...seedFixtures()];

  it('the corpus is there (self-check)', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('every sample and seed config comes back from its bytes equal, and dumps the same', () => {
    for (const f of files) {
      const m = compileFile(f).model;
      const back = unpackModel(holdConfig(m).bytes);
      expect(back, f).toStrictEqual(m);
      const ctx = { hostName: 'h', umask: 0o22 };
      expect(formatParentData({ ...ctx, model: back }), f).toBe(formatParentData({ ...ctx, model: m }));
      expect(formatVrrpData({ ...ctx, model: back }, [], []), f).toBe(formatVrrpData({ ...ctx, model: m }, [], []));
    }
  });

  it('keeps global_defs and the sections, from which the children are chosen as before', () => {
    const sel = { vrrpOnly: false, checkOnly: false, all: false };
    const vrrp = holdConfig(model(TWO_INSTANCES));
    const both = holdConfig(model(WITH_VIRTUAL_SERVER));
    expect(vrrp.globalDefs.routerId).toBe('kts_test');
    expect(vrrp.sections).toEqual({ vrrp: true, checker: false });
    expect(both.sections).toEqual(sectionsOf(model(WITH_VIRTUAL_SERVER)));
    expect(rolesFor(vrrp.sections, sel)).toEqual(['vrrp']);
    expect(rolesFor(both.sections, sel)).toEqual(['vrrp', 'checker']);
    expect(rolesFor(both.sections, { ...sel, vrrpOnly: true })).toEqual(['vrrp']);
  });

  it('bytes that are not a model are refused with a clear error', () => {
    expect(() => unpackModel(packModel({ nope: 1 } as never))).toThrow('not a compiled model');
    expect(() => unpackModel(new Uint8Array([1, 2, 3]))).toThrow();
  });
});
