/**
 * ipvs-netlink: Linux IPVS (the kernel's L4 load balancer) over generic netlink.
 *
 *   const r = await openIpvs();
 *   if (!r.ok) console.error(r.message);          // r.reason 'absent' when the kernel has no IPVS
 *   else await r.client.addService({ af: AF_INET, protocol: IPPROTO_TCP, address: '203.0.113.10', port: 80, scheduler: 'rr' });
 *
 * The codec (everything from './codec-entry.js', also published as `ipvs-netlink/codec`) is pure;
 * the socket comes from the `netlink` package, loaded only when `openIpvs` opens one.
 */
export * from './codec-entry.js';
export { openIpvs, IpvsClient, IpvsError, identity, type OpenIpvsResult, type OpenIpvsOptions, type IpvsClientOptions, type Timers } from './client.js';
export { createNetlinkTransport, NetlinkUnavailableError, type NetlinkTransport, type NetlinkTransportOptions } from './transport.js';
