/** The SVG timeline draws what the docs promise (issue 9 item 11). */
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { renderSvg } from '../../sim/out/svg.js';
import { runScenario } from '../../sim/run.js';
import { loadExample } from './helpers/examples.js';

describe('SVG timeline', () => {
  it("marks an observer's violation (L12: client traffic to the wrong box) on that observer's row", () => {
    const r = runScenario(loadExample('split-brain-stale-arp.yaml'), { createRuntime: createDaemonRuntime });
    const l12 = r.violations.filter((v) => v.id === 'L12');
    expect(l12.length).toBeGreaterThan(0);
    expect(l12[0]!.host).toBe('client');
    const svg = r.svg();
    const markers = [...svg.matchAll(/<path d="M[\d.]+,[\d.]+ l-5,-7 h10 z" fill="#d50000"><title>([^<]*)<\/title><\/path>/g)].map((m) => m[1]);
    expect(markers).toHaveLength(l12.length);
    expect(markers[0]).toContain('L12: client would send traffic for 198.51.100.100');
  });

  it('puts an observer marker on the row of the VIP it names only', () => {
    const svg = renderSvg({
      title: 't',
      endUs: 10_000_000,
      panels: [{ title: 'p', rows: [{ host: 'a', instance: 'VI_1', vips: ['198.51.100.1', '198.51.100.10'] }], arpRows: [{ observer: 'client', vip: '198.51.100.1' }, { observer: 'client', vip: '198.51.100.10' }] }],
      history: [{ t: 5_000_000, type: 'violation', id: 'L12', message: 'client would send traffic for 198.51.100.10 to 02:00:00:00:02:01 (b/eth0), master is a/VI_1', host: 'client' }],
    });
    const ys = [...svg.matchAll(/<text x="12" y="([\d.]+)" class="row">client → ([\d.]+)<\/text>/g)].map((m) => [m[2], Number(m[1])] as const);
    const marks = [...svg.matchAll(/<path d="M620\.00,([\d.]+) l-5,-7 h10 z"/g)].map((m) => Number(m[1]));
    expect(marks).toHaveLength(1);
    const row10 = ys.find(([vip]) => vip === '198.51.100.10')![1];
    expect(Math.abs(marks[0]! - row10)).toBeLessThan(24);
  });

  it('the legend explains the paused frame and the violation marker', () => {
    const svg = runScenario(loadExample('vm-pause.yaml'), { createRuntime: createDaemonRuntime }).svg();
    expect(svg).toContain('stroke="#ef6c00" stroke-width="2" stroke-dasharray="4 2"><title>paused</title>');
    expect(svg).toMatch(/<rect [^>]*stroke="#ef6c00"[^>]*\/><text [^>]*class="row">paused<\/text>/);
    expect(svg).toMatch(/fill="#d50000"\/><text [^>]*class="row">violation<\/text>/);
  });
});
