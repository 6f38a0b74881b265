/** Tracked scripts, files and processes driven by scenario faults, on the real composition root. */
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { keepalivedModels } from '../../sim/model.js';
import { runScenario } from '../../sim/run.js';
import { compileKeepalived } from '../../sim/scenario/keepalived.js';
import { loadScenario } from '../../sim/scenario/load.js';

const conf = (prio: number, extra: string) => `
vrrp_track_process nginx_up {
    process nginx
    quorum 1
    delay 0.1
}
vrrp_track_file maint {
    file /etc/keepalived/maint
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority ${prio}
    advert_int 1
    virtual_ipaddress { 198.51.100.100/24 }
    ${extra}
}
`;

const YAML = `
name: tracking
duration: 60s
hosts:
  lb1:
    nics: { eth0: { segment: lan, address: 198.51.100.11/24 } }
    processes: { "/usr/sbin/nginx -g daemon off;": 1 }
    files: { /etc/keepalived/maint: "0" }
    config: |
${conf(150, 'track_process { nginx_up }\n    track_file { maint weight -100 }')
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
  lb2:
    nics: { eth0: { segment: lan, address: 198.51.100.12/24 } }
    config: |
${conf(100, '')
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
timeline:
  - { at: 10s, for: 10s, process: { host: lb1, command: "/usr/sbin/nginx -g daemon off;", count: 0 } }
  - { at: 35s, for: 10s, file: { host: lb1, path: /etc/keepalived/maint, content: "1" } }
expect:
  - { at: 8s, expect: { host: lb1, instance: VI_1, state: MASTER } }
  - { at: 15s, expect: { host: lb1, instance: VI_1, state: FAULT } }
  - { at: 15s, expect: { host: lb2, instance: VI_1, state: MASTER } }
  - { at: 30s, expect: { host: lb1, instance: VI_1, state: MASTER } }
  - { at: 40s, expect: { host: lb2, instance: VI_1, state: MASTER } }
  - { at: 40s, expect: { host: lb1, instance: VI_1, state: BACKUP } }
  - { at: 55s, expect: { host: lb1, instance: VI_1, state: MASTER } }
`;

describe('tracking in the simulator', () => {
  it('a dying process faults the instance, a maintenance file lowers its priority', () => {
    const r0 = loadScenario(YAML, 'tracking.yaml', { readFile: () => undefined, compile: compileKeepalived(() => undefined), models: keepalivedModels });
    expect(r0.errors).toEqual([]);
    const scn = r0.scenario!;
    expect(scn.warnings.filter((w) => !/SECURITY/.test(w))).toEqual([]);
    const r = runScenario(scn, { createRuntime: createDaemonRuntime });
    expect(r.expectations.filter((x) => !x.ok)).toEqual([]);
    expect(r.violations.map((v) => `${v.id}: ${v.message}`)).toEqual([]);
    const prios = r.history.filter((e) => e.type === 'priority' && e.host === 'lb1').map((e) => (e.type === 'priority' ? e.priority : 0));
    expect(prios).toContain(50);
  });
});

const PRIO_YAML = `
name: priority and alerts
duration: 40s
hosts:
  lb1:
    nics: { eth0: { segment: lan, address: 198.51.100.11/24 } }
    config: |
      global_defs {
          notification_email { ops@example.com }
          notification_email_from lb@example.com
          smtp_server 203.0.113.25
      }
      vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          priority 150
          advert_int 1
          smtp_alert
          virtual_ipaddress { 198.51.100.100/24 }
      }
  lb2:
    nics: { eth0: { segment: lan, address: 198.51.100.12/24 } }
    config: |
      vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          priority 100
          advert_int 1
          virtual_ipaddress { 198.51.100.100/24 }
      }
timeline:
  - { at: 10s, for: 15s, priority: { host: lb1, instance: VI_1, priority: 50 } }
expect:
  - { at: 18s, expect: { host: lb2, instance: VI_1, state: MASTER } }
  - { at: 18s, expect: { host: lb1, instance: VI_1, state: BACKUP } }
  - { at: 35s, expect: { host: lb1, instance: VI_1, state: MASTER } }
  - { from: 0s, to: 40s, expect: { mail: lb1 } }
`;

describe('priority faults and alerts', () => {
  it('a priority change through reload moves mastership and back; SMTP alerts are recorded', () => {
    const scn = loadScenario(PRIO_YAML, 'prio.yaml', { readFile: () => undefined, compile: compileKeepalived(() => undefined), models: keepalivedModels }).scenario!;
    const r = runScenario(scn, { createRuntime: createDaemonRuntime });
    expect(r.expectations.filter((x) => !x.ok)).toEqual([]);
    expect(r.violations.map((v) => `${v.id}: ${v.message}`)).toEqual([]);
    expect(r.world.hosts.get('lb1')!.mailbox.length).toBeGreaterThan(0);
  });
});
