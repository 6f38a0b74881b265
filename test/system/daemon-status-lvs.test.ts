/**
 * LVS in `status`, `lvs` and the metrics, on the real kernel (root, namespaces via DaemonLab):
 * a director running keepalived-ts with one virtual server (nftables backend) and a real HTTP
 * server in its own namespace, plus a second real server where nothing listens. `lvs` shows the
 * table as ipvsadm -Ln lays it out with each server's state from its checker; `status --json`
 * and the metrics carry the same; killing the HTTP server turns its checker down in all three.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LvsView } from '../../adapters/node/control/lvs-format.js';
import type { DaemonStatus } from '../../adapters/node/daemon/status.js';
import { DaemonLab, type DaemonHandle } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle, waitFor, type LabProcess } from '../helpers/netns.js';
import { runCli } from '../helpers/cli-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const SERVER = join(here, '../helpers/name-server.mjs');
const nftAvailable = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((p) => existsSync(p));

const conf = `
global_defs {
  router_id director
  lvs_backend nftables
}
virtual_server 203.0.113.10 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 198.51.100.2 8080 {
    weight 3
    HTTP_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
  real_server 198.51.100.2 8081 {
    weight 2
    TCP_CHECK {
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
}
`;

const cli = runCli;

describe.skipIf(!isRoot || !nftAvailable)(rootTitle('LVS in status, lvs and the metrics'), () => {
  const lab = new DaemonLab('kts-sl-');
  let d: DaemonHandle;
  let web: LabProcess;
  const lvs = async (...args: string[]) => cli(['lvs', '-p', d.pidFiles.parent, ...args]);
  const metrics = async (): Promise<string> => {
    const r = await lab.net.exec(d.host.ns, [process.execPath, '-e', `fetch('http://127.0.0.1:9651/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))`], { timeoutMs: 10_000 });
    return r.stdout;
  };

  beforeAll(async () => {
    await lab.setup(['d', 'r']);
    web = lab.net.spawn(lab.host('r').ns, [process.execPath, SERVER, 'r', '8080']);
    await web.waitFor(/listening r/, 10_000);
    d = lab.startOurs(lab.host('d'), conf, { args: ['--metrics', '9651'] });
    await d.proc.waitFor(/Activating healthchecker for service \[198\.51\.100\.2\]:tcp:8081/, 60_000);
  }, 120_000);
  afterAll(async () => {
    await lab.cleanup();
  });

  it('lvs shows the table with each real server\'s checker state; --json and status --json agree', async () => {
    // The TCP_CHECK of :8081 fails (nothing listens): wait for its verdict.
    await waitFor(async () => /TCP_CHECK down/.test((await lvs()).stdout) && /HTTP_GET up/.test((await lvs()).stdout), { timeoutMs: 20_000, intervalMs: 500, what: 'both checkers to have run' });
    const t = await lvs();
    expect(t.code, t.stderr).toBe(0);
    process.stdout.write(`--- keepalived-ts lvs ---\n${t.stdout}`);
    expect(t.stdout).toMatch(/^IP Virtual Server table of keepalived-ts \(director, checker pid \d+\), backend nftables$/m);
    expect(t.stdout).toContain('Prot LocalAddress:Port Scheduler Flags\n');
    expect(t.stdout).toMatch(/^TCP {2}203\.0\.113\.10:80 rr$/m);
    expect(t.stdout).toMatch(/^ {2}-> 198\.51\.100\.2:8080 +Masq +3 +alive +HTTP_GET up$/m);
    expect(t.stdout).toMatch(/^ {5}198\.51\.100\.2:8081 +Masq +- +down, removed +TCP_CHECK down/m);

    const j = await lvs('--json');
    const v = JSON.parse(j.stdout) as LvsView;
    expect(v.table?.backend).toBe('nftables');
    expect(v.table?.services[0]?.destinations.map((x) => `${x.address}:${x.port}/${x.weight}`)).toEqual(['198.51.100.2:8080/3']);
    const s = await cli(['status', '--json', '-p', d.pidFiles.parent]);
    const st = JSON.parse(s.stdout) as DaemonStatus;
    expect(st.processes).toMatchObject([{ role: 'checker', answering: true }]);
    expect(st.virtualServers).toMatchObject([
      {
        name: '[203.0.113.10]:tcp:80',
        backend: 'nftables',
        quorumUp: true,
        liveWeight: 3,
        realServers: [
          { address: '198.51.100.2', port: 8080, alive: true, set: true, weight: 3, checkers: [{ kind: 'HTTP_GET', up: true, hasRun: true }] },
          { address: '198.51.100.2', port: 8081, alive: false, set: false, checkers: [{ kind: 'TCP_CHECK', up: false, hasRun: true }] },
        ],
      },
    ]);
    const table = await cli(['status', '-p', d.pidFiles.parent]);
    expect(table.stdout).toMatch(/^\[203\.0\.113\.10\]:tcp:80 +rr nftables +up \(3 >= 1\) +\[198\.51\.100\.2\]:tcp:8080 +alive +3 +HTTP_GET up$/m);
  }, 60_000);

  it('killing the HTTP server turns its checker down in lvs, status and the metrics', async () => {
    const vs = 'vs="[203.0.113.10]:tcp:80"';
    const rs = `${vs},rs="[198.51.100.2]:tcp:8080"`;
    const m0 = await metrics();
    expect(m0).toContain(`keepalived_lvs_real_server_up{${rs}} 1`);
    expect(m0).toContain(`keepalived_lvs_checker_up{${rs},checker="HTTP_GET"} 1`);
    expect(m0).toContain(`keepalived_lvs_virtual_server_quorum_up{${vs}} 1`);
    expect(m0).toContain(`keepalived_lvs_table_destinations{backend="nftables",service="TCP  203.0.113.10:80"} 1`);
    await web.stop();
    await waitFor(async () => /^ {5}198\.51\.100\.2:8080 +Masq +- +down, removed +HTTP_GET down$/m.test((await lvs()).stdout), { timeoutMs: 20_000, intervalMs: 500, what: 'the HTTP server to be reported down' });
    const m1 = await metrics();
    expect(m1).toContain(`keepalived_lvs_real_server_up{${rs}} 0`);
    expect(m1).toContain(`keepalived_lvs_real_server_in_table{${rs}} 0`);
    expect(m1).toContain(`keepalived_lvs_checker_results_total{${rs},checker="HTTP_GET",result="down"} 1`);
    expect(m1).toContain(`keepalived_lvs_virtual_server_quorum_up{${vs}} 0`);
    expect(m1).toContain(`keepalived_lvs_table_destinations{backend="nftables",service="TCP  203.0.113.10:80"} 0`);
    process.stdout.write(`--- after the HTTP server died ---\n${(await lvs()).stdout}`);
  }, 60_000);
});
