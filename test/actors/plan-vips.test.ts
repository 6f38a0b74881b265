/**
 * vipAddresses (actors/vrrp/plan.ts): the set the VRRP subsystem asks whether an address on a
 * tracked interface is a VIP (keepalived does not count VIPs as the interface's own address).
 * One set per plan: a reload's new plan answers for its own VIPs, not the old plan's.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan, vipAddresses } from '../../actors/vrrp/plan.js';
import { eth0, model, vi1 } from './two-nodes.js';

const ifs = eth0(['198.51.100.1/24']);

describe('vipAddresses', () => {
  it("holds every instance's VIPs and E-VIPs, and a new plan's set is its own", () => {
    const two = `${vi1(100, 'virtual_ipaddress_excluded { 2001:db8::7/64 }')}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 53
  priority 100
  virtual_ipaddress { 203.0.113.20/32 }
}`;
    const first = buildPlan(model(two), ifs, { hostname: 'a' }).plan;
    expect([...vipAddresses(first)].sort()).toEqual(['198.51.100.100', '2001:db8::7', '203.0.113.20']);
    expect(vipAddresses(first)).toBe(vipAddresses(first));
    const reloaded = buildPlan(model(vi1(100)), ifs, { hostname: 'a' }).plan;
    expect([...vipAddresses(reloaded)]).toEqual(['198.51.100.100']);
    expect(vipAddresses(first).has('203.0.113.20')).toBe(true);
  });
});
