/** use_vmac: macvlan creation and deletion with keepalived's MAC, mode, addrgenmode and sysctls. Root only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmacManager, vmacMac } from '../../adapters/linux/vmac.js';
import { NetnsLab, isRoot, rootTitle } from '../helpers/netns.js';

type Link = { ifname: string; address: string; operstate: string; linkinfo?: { info_kind: string; info_data?: { mode?: string } }; inet6_addr_gen_mode?: string };

describe.skipIf(!isRoot)(rootTitle('use_vmac (macvlan) adapter'), () => {
  const lab = new NetnsLab('kts-d-');
  let a = '';
  let vmac: VmacManager;
  const sysctl = async (key: string): Promise<string> => (await lab.exec(a, ['sysctl', '-n', key])).stdout.trim();
  const call = (f: (done: (e?: string) => void) => void): Promise<string | undefined> => new Promise((r) => f(r));

  beforeAll(async () => {
    a = await lab.namespace('vm');
    const b = await lab.namespace('vp');
    await lab.veth({ ns: a, ifname: 'kd-v', addresses: ['198.51.100.1/24'] }, { ns: b, ifname: 'kd-w' });
    vmac = new VmacManager(a);
  });
  afterAll(() => lab.cleanup());

  it('MAC helpers follow RFC 9568 §7.3', () => {
    expect(vmacMac(4, 51)).toBe('00:00:5e:00:01:33');
    expect(vmacMac(6, 255)).toBe('00:00:5e:00:02:ff');
  });

  it('creates vrrp.VRID as a private macvlan with the virtual MAC and keepalived\'s sysctls, and removes it', async () => {
    const created = await new Promise<[string | undefined, string]>((r) => vmac.create({ baseIfname: 'kd-v', vrid: 51, family: 4 }, (e, n) => r([e, n])));
    expect(created).toEqual([undefined, 'vrrp.51']);
    const [link] = await lab.ipJson<Link[]>(a, ['-d', 'link', 'show', 'vrrp.51']);
    expect(link).toMatchObject({ address: '00:00:5e:00:01:33', linkinfo: { info_kind: 'macvlan', info_data: { mode: 'private' } }, inet6_addr_gen_mode: 'none' });
    expect(link!.operstate).not.toBe('DOWN');
    expect(await sysctl('net.ipv4.conf.vrrp/51.arp_ignore')).toBe('1');
    expect(await sysctl('net.ipv4.conf.vrrp/51.accept_local')).toBe('1');
    expect(await sysctl('net.ipv4.conf.vrrp/51.rp_filter')).toBe('0');
    expect(await sysctl('net.ipv4.conf.kd-v.arp_ignore')).toBe('1');
    expect(await sysctl('net.ipv4.conf.kd-v.arp_filter')).toBe('1');
    // No kernel link-local on the VMAC (keepalived adds its own when needed).
    expect((await lab.exec(a, ['ip', '-6', 'addr', 'show', 'dev', 'vrrp.51'])).stdout).not.toContain('fe80');

    // A second VMAC (IPv6, own name) on the same base; the base is restored only after both go.
    const [e2] = await new Promise<[string | undefined, string]>((r) => vmac.create({ baseIfname: 'kd-v', vrid: 52, family: 6, name: 'vmac6' }, (e, n) => r([e, n])));
    expect(e2).toBeUndefined();
    expect((await lab.ipJson<Link[]>(a, ['link', 'show', 'vmac6']))[0]?.address).toBe('00:00:5e:00:02:34');
    expect(await call((d) => vmac.remove('vrrp.51', d))).toBeUndefined();
    expect(await sysctl('net.ipv4.conf.kd-v.arp_ignore')).toBe('1');
    expect(await call((d) => vmac.remove('vmac6', d))).toBeUndefined();
    expect(await sysctl('net.ipv4.conf.kd-v.arp_ignore')).toBe('0');
    expect(await sysctl('net.ipv4.conf.kd-v.arp_filter')).toBe('0');
    expect((await lab.exec(a, ['ip', 'link', 'show', 'vrrp.51'])).code).not.toBe(0);
  });

  it('reports errors as values', async () => {
    const [e] = await new Promise<[string | undefined, string]>((r) => vmac.create({ baseIfname: 'nope0', vrid: 9, family: 4 }, (err, n) => r([err, n])));
    expect(e).toMatch(/cannot create VMAC vrrp\.9 on nope0/);
    expect(await call((d) => vmac.remove('vrrp.99', d))).toMatch(/cannot delete VMAC vrrp\.99/);
  });
});
