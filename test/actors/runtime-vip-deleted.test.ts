/**
 * A VIP deleted behind our back (an operator's `ip addr del`, seen as RTM_DELADDR through
 * ports.net.watch). keepalived 2.2.7 (keepalived_netlink.c, address_is_ours → set_vrrp_backup):
 * a MASTER drops to BACKUP (priority-0 advert, VIPs removed) with only Skew_Time armed, so it
 * takes MASTER back and re-adds the VIPs with a fresh GARP burst. Anything else is ignored.
 */
import { describe, expect, it } from 'vitest';
import { twoNodes, vi1 } from './two-nodes.js';

const VIP = '198.51.100.100/24';

describe('a VIP deleted from the interface', () => {
  it('on the MASTER: BACKUP at once, MASTER again after Skew_Time, VIP re-added, keepalived lines', () => {
    const { lan, a, b, rtA, rtB, states } = twoNodes(vi1(150), vi1(100));
    lan.clock.runUntil(6000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(a.has('198.51.100.100')).toBe(true);
    const from = a.logLines().length;
    const t0 = lan.clock.now();
    a.deleteAddress(VIP);
    expect(a.has('198.51.100.100')).toBe(false);
    lan.clock.runUntil(t0 + 2000);
    expect(a.has('198.51.100.100')).toBe(true);
    const after = states().filter(([at, n]) => n === 'a' && at >= t0);
    expect(after.map(([at, , to, reason]) => [Math.round(at - t0), to, reason])).toEqual([
      [0, 'BACKUP', 'vip-deleted'],
      // Skew_Time for priority 150, advert_int 1 s: (256 − 150) / 256 s = 414 ms.
      [414, 'MASTER', 'master-down'],
    ]);
    const lines = a.logLines().slice(from).filter((l) => /VI_1|198\.51\.100\.100/.test(l));
    expect(lines.slice(0, 8)).toEqual([
      'Netlink reflector reports IP 198.51.100.100 removed from eth0',
      '(VI_1) Entering BACKUP STATE',
      '(VI_1) sent 0 priority',
      '(VI_1) removing VIPs.',
      '(VI_1) Receive advertisement timeout',
      '(VI_1) Entering MASTER STATE',
      '(VI_1) setting VIPs.',
      '(VI_1) Sending/queueing gratuitous ARPs on eth0 for 198.51.100.100',
    ]);
    // Removing the already-deleted VIP is not an error.
    expect(a.logLines().slice(from).some((l) => /cannot remove/.test(l))).toBe(false);
    // The peer heard the priority-0 advert but a took MASTER back first.
    expect(rtB.status()[0]!.state).toBe('BACKUP');
    expect(b.has('198.51.100.100')).toBe(false);
  });

  it('ignored for a VIP marked no_track (keepalived address_is_ours)', () => {
    const conf = (prio: number) => vi1(prio).replace('198.51.100.100/24 }', '198.51.100.100/24 no_track }');
    const { lan, a, rtA, states } = twoNodes(conf(150), conf(100));
    lan.clock.runUntil(6000);
    const n = states().length;
    a.deleteAddress(VIP);
    lan.clock.runUntil(9000);
    expect(states().length).toBe(n);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(a.has('198.51.100.100')).toBe(false);
  });

  it('ignored on a BACKUP, and for an address that is no VIP', () => {
    const { lan, a, b, rtA, rtB, states } = twoNodes(vi1(150), vi1(100));
    lan.clock.runUntil(6000);
    const n = states().length;
    a.addresses.add('203.0.113.9/24');
    a.deleteAddress('203.0.113.9/24');
    b.addresses.add(VIP);
    b.deleteAddress(VIP);
    lan.clock.runUntil(9000);
    expect(states().length).toBe(n);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(rtB.status()[0]!.state).toBe('BACKUP');
    expect(a.logLines().some((l) => /Netlink reflector/.test(l))).toBe(false);
    expect(b.logLines().some((l) => /Netlink reflector/.test(l))).toBe(false);
  });

  it('an IPv6 VIP reported in another spelling is the VIP; the same address on another interface is not', () => {
    const v6 = (prio: number) => vi1(prio).replace('198.51.100.100/24', '2001:db8:0:0::64/64');
    const { lan, a, rtA, states } = twoNodes(v6(150), v6(100));
    lan.clock.runUntil(6000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    const held = [...a.addresses].find((c) => c.endsWith('/64') && c.startsWith('2001:db8'))!;
    const n = states().length;
    a.deleteAddress(held, { reportedAs: '2001:db8:0:0:0:0:0:64/64', ifname: 'eth1' });
    lan.clock.runUntil(7000);
    expect(states().length).toBe(n);
    a.addresses.add(held);
    const t0 = lan.clock.now();
    a.deleteAddress(held, { reportedAs: '2001:db8:0:0:0:0:0:64/64' });
    lan.clock.runUntil(t0 + 100);
    expect(states().slice(n).map(([, node, to, reason]) => [node, to, reason])).toEqual([['a', 'BACKUP', 'vip-deleted']]);
    expect(a.logLines()).toContain('Netlink reflector reports IP 2001:db8:0:0:0:0:0:64 removed from eth0');
  });

  it('with several instances, only the one holding the VIP reacts', () => {
    const two = (prio: number) => `${vi1(prio)}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority ${prio}
  advert_int 1
  virtual_ipaddress { 198.51.100.101/24 }
}`;
    const { lan, a, rtA, states } = twoNodes(two(150), two(100));
    lan.clock.runUntil(6000);
    expect(rtA.status().map((s) => s.state)).toEqual(['MASTER', 'MASTER']);
    const n = states().length;
    a.deleteAddress('198.51.100.101/24');
    lan.clock.runUntil(lan.clock.now() + 100);
    expect(states().slice(n).map(([, node, to, reason]) => [node, to, reason])).toEqual([['a', 'BACKUP', 'vip-deleted']]);
    expect(rtA.status().map((s) => [s.name, s.state])).toEqual([['VI_1', 'MASTER'], ['VI_2', 'BACKUP']]);
  });
});
