/**
 * The VRRP sockets a plan needs: one per interface and family that carries adverts (the VMAC of a
 * use_vmac instance, else its interface), shared by the instances on it, as keepalived opens them.
 * Groups are the multicast instances' mcast_dst_ip; protocols are 112, plus 51 when an instance
 * on an IPv4 socket uses AH. A reload replaces a socket whose options changed (actors/vrrp/reload.ts).
 */
import type { VrrpSocketOptions } from '../ports.js';
import type { InstanceIoConfig } from './plan-instance.js';
import { socketKey } from './names.js';

const IPPROTO_VRRP = 112;
const IPPROTO_AH = 51;

export interface SocketSpec {
  /** `ifname/family`. */
  key: string;
  options: VrrpSocketOptions;
}

export function socketSpecs(ios: Iterable<InstanceIoConfig>): SocketSpec[] {
  const byKey = new Map<string, InstanceIoConfig[]>();
  for (const io of ios) {
    if (!io.vrrpIfname) continue;
    const key = socketKey(io.vrrpIfname, io.family);
    const members = byKey.get(key);
    if (members) members.push(io);
    else byKey.set(key, [io]);
  }
  return [...byKey].map(([key, members]) => {
    const { vrrpIfname: ifname, family } = members[0]!;
    const groups = [...new Set(members.filter((i) => i.unicastPeers.length === 0).map((i) => i.mcastGroup))].sort();
    const protocols = family === 4 && members.some((i) => i.authKind === 'ah') ? [IPPROTO_VRRP, IPPROTO_AH] : [IPPROTO_VRRP];
    return { key, options: { family, ifname, groups, protocols } };
  });
}

/** Two specs for one key that need a new socket (different groups or protocols). */
export const sameSocket = (a: SocketSpec, b: SocketSpec) => JSON.stringify(a.options) === JSON.stringify(b.options);
