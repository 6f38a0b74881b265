/**
 * keepalived-ts recovers from its VRRP interface being deleted and created again (a new ifindex)
 * without a restart: A (150) is MASTER, its veth is deleted (B takes over), the veth is created
 * again with the same name and address, and A reopens its VRRP socket and preempts B.
 * Root only: namespaces `kts-j-*`, removed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, mustRun, rootTitle, waitFor } from '../helpers/netns.js';

const VIP = '198.51.100.120';

const conf = (me: LabHost, priority: number) => `global_defs {
  router_id ${me.name}
}
vrrp_instance VI_R {
  state BACKUP
  interface ${me.ifname}
  virtual_router_id 20
  version 3
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;

describe.skipIf(!isRoot)(rootTitle('keepalived-ts: interface deleted and recreated'), () => {
  const lab = new DaemonLab('kts-j-');
  let A: DaemonHandle;
  let B: DaemonHandle;
  let a: LabHost;
  let b: LabHost;

  beforeAll(async () => {
    await lab.setup(['a', 'b']);
    a = lab.host('a');
    b = lab.host('b');
    A = lab.startOurs(a, conf(a, 150));
    B = lab.startOurs(b, conf(b, 100));
    await A.proc.waitFor(/\(VI_R\) Entering MASTER STATE/, 30_000);
    await B.proc.waitFor(/\(VI_R\) Entering BACKUP STATE/, 30_000);
  }, 60_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it('FAULT while the link is gone, then MASTER again on the new link', async () => {
    await lab.waitVip(VIP, ['a'], 5000);
    const fromA = A.log().length;
    // Deleting the switch end deletes the pair: A's interface disappears.
    await mustRun(['ip', '-n', lab.switchNs, 'link', 'del', `${a.ifname}-p`]);
    await A.proc.waitFor(/\(VI_R\) Entering FAULT STATE/, 10_000);
    await lab.waitVip(VIP, ['b'], 10_000);
    const fromB = B.log().length;

    await lab.net.attach(lab.switchNs, 'br0', { ns: a.ns, ifname: a.ifname, addresses: [`${a.ipv4}/24`, `${a.ipv6}/64`] });
    await lab.waitVip(VIP, ['a'], 20_000);
    expect(A.log(fromA)).toMatch(new RegExp(`${a.ifname} \\(index \\d+\\) replaces index \\d+ - reopening VRRP socket for IPv4`));
    expect(A.log(fromA)).toMatch(/\(VI_R\) Entering MASTER STATE/);
    // B hears the new master and goes back to BACKUP (only possible if A's adverts leave the new link).
    await waitFor(() => /\(VI_R\) Entering BACKUP STATE/.test(B.log(fromB)), { timeoutMs: 10_000, intervalMs: 100, what: 'B back to BACKUP' });
    await lab.waitVip(VIP, ['a'], 3000);
  }, 60_000);
});
