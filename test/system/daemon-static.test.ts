/**
 * static_ipaddress / static_routes with the keepalived-ts daemon: in place on a BACKUP (they do not
 * follow VRRP state), removed on SIGTERM. Root only: namespaces `kts-j-*`, removed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';

const conf = (me: LabHost, priority: number) => `global_defs {
  router_id ${me.name}
}
static_ipaddress {
  203.0.113.${priority === 150 ? 51 : 52}/32 dev ${me.ifname}
}
static_routes {
  203.0.113.128/25 via 198.51.100.250 dev ${me.ifname}
}
vrrp_instance VI_S {
  state BACKUP
  interface ${me.ifname}
  virtual_router_id 22
  version 3
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    198.51.100.122/24
  }
}
`;

describe.skipIf(!isRoot)(rootTitle('keepalived-ts: static_ipaddress and static_routes'), () => {
  const lab = new DaemonLab('kts-j-');
  let B: DaemonHandle;
  let b: LabHost;
  const hasStatic = async () => {
    const addrs = await lab.net.ipJson<Array<{ addr_info?: Array<{ local: string }> }>>(b.ns, ['addr', 'show']);
    const routes = await lab.net.ipJson<Array<{ dst: string }>>(b.ns, ['route', 'show']);
    return { address: addrs.some((l) => l.addr_info?.some((x) => x.local === '203.0.113.52')), route: routes.some((r) => r.dst === '203.0.113.128/25') };
  };

  beforeAll(async () => {
    await lab.setup(['a', 'b']);
    const a = lab.host('a');
    b = lab.host('b');
    const A = lab.startOurs(a, conf(a, 150));
    B = lab.startOurs(b, conf(b, 100));
    await A.proc.waitFor(/\(VI_S\) Entering MASTER STATE/, 30_000);
    await B.proc.waitFor(/\(VI_S\) Entering BACKUP STATE/, 30_000);
  }, 60_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it('present on the BACKUP, gone after SIGTERM', async () => {
    await lab.waitVip('198.51.100.122', ['a'], 3000);
    expect(await hasStatic()).toEqual({ address: true, route: true });
    B.signal('SIGTERM');
    await waitFor(async () => {
      const s = await hasStatic();
      return !s.address && !s.route;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'static address and route removed on b' });
    expect(B.log()).not.toMatch(/\(static\) cannot/);
  }, 30_000);
});
