/** Unicast VRRP: adverts are addressed to the peer's MAC and reach only the peer. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { keepalivedModels } from '../../sim/model.js';
import { runScenario } from '../../sim/run.js';
import { compileKeepalived } from '../../sim/scenario/keepalived.js';
import { loadScenario } from '../../sim/scenario/load.js';

describe('unicast peers', () => {
  it('fails over and back, with adverts sent peer to peer', () => {
    const text = readFileSync(new URL('./fixtures/unicast-pair.yaml', import.meta.url), 'utf8');
    const scn = loadScenario(text, 'unicast-pair.yaml', { readFile: () => undefined, compile: compileKeepalived(() => undefined), models: keepalivedModels }).scenario!;
    const lines: string[] = [];
    const r = runScenario(scn, { createRuntime: createDaemonRuntime, traceLine: (l) => lines.push(l) });
    expect(r.expectations.filter((x) => !x.ok)).toEqual([]);
    expect(r.violations).toEqual([]);
    const adverts = lines.map((l) => JSON.parse(l)).filter((e) => e.type === 'advert');
    expect(adverts.length).toBeGreaterThan(10);
    expect(new Set(adverts.map((e) => `${e.host}->${e.dst}`))).toEqual(new Set(['a->198.51.100.12', 'b->198.51.100.11']));
  });
});
