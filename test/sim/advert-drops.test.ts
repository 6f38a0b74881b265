/** Adverts a runtime drops: shown in the timeline once per kind, counted in the summary, never taken for accepted by L5 (issue 9 item 9). */
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { TimelinePrinter } from '../../sim/out/timeline.js';
import { runScenario } from '../../sim/run.js';
import { compileKeepalived } from '../../sim/scenario/keepalived.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { keepalivedModels } from '../../sim/model.js';

const node = (prio: number, pass: string) => `
      vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          priority ${prio}
          advert_int 1
          authentication {
              auth_type PASS
              auth_pass ${pass}
          }
          virtual_ipaddress { 198.51.100.100/24 }
      }`;

const MISMATCH = `
name: two nodes, two passwords
duration: 30s
hosts:
  lb1:
    nics: { eth0: { segment: lan, address: 198.51.100.11/24 } }
    config: |${node(150, 'secret1')}
  lb2:
    nics: { eth0: { segment: lan, address: 198.51.100.12/24 } }
    config: |${node(100, 'secret2')}
  client:
    nics: { eth0: { segment: lan, address: 198.51.100.200/24 } }
`;

function load(yaml: string) {
  const read = () => undefined;
  const r = loadScenario(yaml, 'drops.yaml', { readFile: read, compile: compileKeepalived(read), models: keepalivedModels });
  if (!r.scenario) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

describe('dropped adverts', () => {
  it('the timeline shows the first drop of each kind per host with its reason; the world counts the rest', () => {
    const lines: string[] = [];
    const printer = new TimelinePrinter((l) => lines.push(l), false);
    const r = runScenario(load(MISMATCH), { createRuntime: createDaemonRuntime, listen: (e) => printer.write(e) });
    printer.flush();
    const drops = lines.filter((l) => l.includes('drops adverts'));
    expect(drops).toHaveLength(2);
    expect(drops[0]).toMatch(/lb2\/VI_1\s+drops adverts: auth-mismatch — auth_pass differs/);
    expect(drops[1]).toMatch(/lb1\/VI_1\s+drops adverts: auth-mismatch — auth_pass differs/);
    expect(r.history.filter((e) => e.type === 'advert-drop')).toHaveLength(2);
    const counts = [...r.world.advertDrops.values()].map((d) => `${d.host}/${d.instance} ${d.reason} ×${d.n}`);
    expect(counts).toEqual(['lb2/VI_1 auth-mismatch ×27', 'lb1/VI_1 auth-mismatch ×27']);
  });

  it('L5 does not say the backup accepted an advert it dropped; the dual master is L1', () => {
    const r = runScenario(load(MISMATCH), { createRuntime: createDaemonRuntime });
    const ids = r.violations.map((v) => v.id);
    expect(ids).not.toContain('L5');
    expect(ids).toContain('L1');
  });

  it('every drop is in the trace once, as an advert-drop event', () => {
    const lines: string[] = [];
    runScenario(load(MISMATCH), { createRuntime: createDaemonRuntime, traceLine: (l) => lines.push(l) });
    const events = lines.map((l) => JSON.parse(l));
    const drops = events.filter((e) => e.type === 'advert-drop');
    expect(drops).toHaveLength(54);
    expect(drops.filter((e) => e.host === 'lb1').map((e) => e.n)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    expect(events.some((e) => e.type === 'runtime' && e.event === 'advert.dropped')).toBe(false);
  });
});
