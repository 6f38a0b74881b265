/**
 * keepalived-ts with use_vmac in a namespace: the macvlan vrrp.21 (MAC 00:00:5e:00:01:15) is
 * created at start, adverts leave from it, the VIP is put on it when MASTER, and SIGTERM removes
 * the VIP and the macvlan. An IPv6 instance (vrrp.22, 00:00:5e:00:02:16) sends from its VMAC
 * with the base interface's link-local as source.
 * Root only: namespaces `kts-j-*`, removed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';

const VIP = '198.51.100.121';
const VIP6 = '2001:db8::121';

const conf = (me: LabHost, priority: number) => `global_defs {
  router_id ${me.name}
}
vrrp_instance VI_V {
  state BACKUP
  interface ${me.ifname}
  use_vmac
  virtual_router_id 21
  version 3
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
vrrp_instance VI_V6 {
  state BACKUP
  interface ${me.ifname}
  use_vmac
  virtual_router_id 22
  version 3
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP6}/64
  }
}
`;

type Link = { ifname: string; address?: string; addr_info?: Array<{ local: string }> };

describe.skipIf(!isRoot)(rootTitle('keepalived-ts: use_vmac'), () => {
  const lab = new DaemonLab('kts-j-');
  let A: DaemonHandle;
  let a: LabHost;
  const links = () => lab.net.ipJson<Link[]>(a.ns, ['addr', 'show']);

  beforeAll(async () => {
    await lab.setup(['a', 'b']);
    a = lab.host('a');
    A = lab.startOurs(a, conf(a, 150));
    lab.startOurs(lab.host('b'), conf(lab.host('b'), 100));
    await A.proc.waitFor(/\(VI_V\) Entering MASTER STATE/, 30_000);
  }, 60_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it('adverts leave from the virtual MAC (keepalived sends from the VMAC unless vmac_xmit_base)', async () => {
    const b = lab.host('b');
    const r = await lab.net.exec(b.ns, ['timeout', '5', 'tcpdump', '--immediate-mode', '-c', '2', '-n', '-e', '-i', b.ifname, `ip proto 112 and src host ${a.ipv4}`], { timeoutMs: 8000 });
    const lines = r.stdout.split('\n').filter((l) => l.includes('VRRPv3'));
    expect(lines.length, r.stdout + r.stderr).toBe(2);
    for (const l of lines) expect(l).toMatch(/ 00:00:5e:00:01:15 > 01:00:5e:00:00:12, /);
    expect(A.proc.output()).toContain('(VI_V) VRRP socket waits for VMAC vrrp.21');
    expect(A.proc.output()).not.toMatch(/cannot open VRRP socket/);
  }, 20_000);

  it('IPv6 adverts leave from the IPv6 virtual MAC, with the base link-local as source (on the VMAC too, nodad)', async () => {
    await A.proc.waitFor(/\(VI_V6\) Entering MASTER STATE/, 15_000);
    const b = lab.host('b');
    const r = await lab.net.exec(b.ns, ['timeout', '5', 'tcpdump', '--immediate-mode', '-c', '2', '-n', '-e', '-i', b.ifname, 'ip6 and ip6[6] == 112'], { timeoutMs: 8000 });
    const lines = r.stdout.split('\n').filter((l) => l.includes('VRRPv3'));
    expect(lines.length, r.stdout + r.stderr).toBe(2);
    for (const l of lines) expect(l).toMatch(/ 00:00:5e:00:02:16 > 33:33:00:00:00:12, .* (fe80::[0-9a-f:]+) > ff02::12: /);
    const ll = /(fe80::[0-9a-f:]+) > ff02::12/.exec(lines[0]!)![1]!;
    const onVmac = (await links()).find((l) => l.ifname === 'vrrp.22')?.addr_info?.map((x) => x.local) ?? [];
    const onBase = (await links()).find((l) => l.ifname === a.ifname)?.addr_info?.map((x) => x.local) ?? [];
    expect(onVmac).toContain(ll);
    expect(onBase).toContain(ll);
    expect(A.proc.output()).not.toMatch(/cannot send advert/);
  }, 30_000);

  it('VIP on vrrp.21 with the virtual MAC; SIGTERM removes both', async () => {
    const vmac = await waitFor(async () => (await links()).find((l) => l.ifname === 'vrrp.21' && l.addr_info?.some((x) => x.local === VIP)), {
      timeoutMs: 5000,
      intervalMs: 100,
      what: `${VIP} on vrrp.21`,
    });
    expect(vmac.address).toBe('00:00:5e:00:01:15');
    expect((await links()).find((l) => l.ifname === a.ifname)?.addr_info?.some((x) => x.local === VIP)).toBe(false);
    await lab.waitVip(VIP, ['a'], 3000);
    A.signal('SIGTERM');
    await waitFor(async () => !(await links()).some((l) => l.ifname === 'vrrp.21'), { timeoutMs: 10_000, intervalMs: 100, what: 'vrrp.21 deleted' });
    await lab.waitVip(VIP, ['b'], 10_000);
  }, 40_000);
});
