/**
 * What one virtual_server programs into the load-balancer table, as keepalived 2.2.7 works it out
 * without nftables_ipvs (check_data.c alloc_vsg_entry and check_check_config, ipvswrapper.c
 * ipvs_set_srule, ipvs_group_cmd, ipvs_group_range_cmd):
 *
 *   virtual_server 203.0.113.10 80      one service, the address and port given
 *   virtual_server fwmark 7             one fwmark service (family: `inet6`, else the real servers')
 *   virtual_server group G              one service per address of each range entry of G, in
 *                                       order (`10.0.0.1-10`, `10.0.0.1-10.0.0.20`, `10.0.0.0/29`;
 *                                       IPv6 ranges walk the last 16-bit group, as keepalived
 *                                       does), then one per `fwmark` entry
 *
 * and where each real server's destination port is: a NAT server keeps its own (the virtual
 * server's when it has none); DR and TUN take the service's (0 for a fwmark service), which the
 * virtual-server logic sets per service. Pure.
 */
import type { RealServerConfig, VirtualServerConfig, VirtualServerGroupConfig } from '../../config/model-lvs.js';
import { formatRealServer, formatVirtualServer, vsProtoName, type LvsProtoName } from '../../machines/check/format.js';
import { canonicalIp, formatIp, parseIp } from '../../protocol/addr.js';
import type { Family } from '../ports.js';
import type { LbDestination, LbMethod, LbProtocol, LbService } from './lb-port.js';

/** More services than this from one group entry is a typo, not a configuration. */
export const MAX_RANGE_SERVICES = 65536;

export interface VsLayout {
  /** FMT_VS: `[203.0.113.10]:tcp:80`, `FWM 7`, `[G]:0`. */
  name: string;
  proto: LvsProtoName;
  family: Family;
  services: LbService[];
  /** The addresses whose presence on a local interface ha_suspend follows (address services only). */
  addresses: string[];
  /** A virtual server that programs nothing (an empty or unknown group). */
  problems: string[];
}

const asMethod = (m: string | undefined): LbMethod => (m === 'DR' || m === 'TUN' ? m : 'NAT');

/** The forwarding method of a real server (its own, else the virtual server's). */
export function methodOf(vs: VirtualServerConfig, rs: Pick<RealServerConfig, 'lvsMethod'>): LbMethod {
  return asMethod(rs.lvsMethod ?? vs.lvsMethod);
}

/** The address family keepalived gives a virtual server (a fwmark one without `inet6` takes its real servers'). */
function familyOf(vs: VirtualServerConfig, groups: readonly VirtualServerGroupConfig[]): Family {
  const t = vs.target;
  if (t.kind === 'ip') return t.family;
  if (t.kind === 'fwmark') return t.family ?? vs.realServers[0]?.family ?? 4;
  const g = groups.find((x) => x.name === t.group);
  return g?.addresses[0]?.family ?? g?.fwmarks.find((f) => f.family)?.family ?? vs.realServers[0]?.family ?? 4;
}

function baseService(vs: VirtualServerConfig, family: Family): Omit<LbService, 'family'> {
  const flags = vs.opsScheduling ? ['ops'] : [];
  const netmask = vs.persistenceGranularity === undefined ? undefined : family === 6 ? Number(vs.persistenceGranularity) : vs.persistenceGranularity;
  return {
    scheduler: vs.lvsSched,
    flags,
    persistenceTimeoutS: vs.persistenceTimeoutS ?? 0,
    ...(netmask !== undefined && !(typeof netmask === 'number' && Number.isNaN(netmask)) ? { netmask } : {}),
  };
}

/** The addresses of one group range entry, in keepalived's order, or why there are none. */
export function rangeAddresses(range: string): { family: Family; addresses: string[] } | { error: string } {
  const slash = range.indexOf('/');
  const dash = range.indexOf('-');
  const startText = range.slice(0, slash >= 0 ? slash : dash >= 0 ? dash : range.length);
  const start = parseIp(startText);
  if (!start) return { error: `invalid address '${startText}'` };
  const family = start.family;
  const bytes = Uint8Array.from(start.bytes);
  let end = Uint8Array.from(start.bytes);
  if (slash >= 0) {
    const mask = Number(range.slice(slash + 1));
    const bits = family === 4 ? 32 : 128;
    if (!Number.isInteger(mask) || mask < 1 || mask > bits) return { error: `invalid netmask in '${range}'` };
    for (let i = mask; i < bits; i++) {
      const byte = i >> 3;
      const bit = 0x80 >> (i & 7);
      if (bytes[byte]! & bit) return { error: `address mask bits not empty in '${range}'` };
      end[byte]! |= bit;
    }
  } else if (dash >= 0) {
    const tail = range.slice(dash + 1);
    const full = family === 4 ? tail.includes('.') : tail.includes(':');
    if (full) {
      const e = parseIp(tail);
      if (!e || e.family !== family) return { error: `invalid range end in '${range}'` };
      end = Uint8Array.from(e.bytes);
    } else {
      const n = family === 4 ? Number(tail) : parseInt(tail, 16);
      if (!/^[0-9a-fA-F]+$/.test(tail) || (family === 4 && !/^\d+$/.test(tail)) || n > (family === 4 ? 255 : 0xffff)) return { error: `invalid range end in '${range}'` };
      if (family === 4) end[3] = n;
      else {
        end[14] = n >> 8;
        end[15] = n & 0xff;
      }
    }
  }
  const out: string[] = [];
  if (family === 4) {
    const from = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    const to = ((end[0]! << 24) | (end[1]! << 16) | (end[2]! << 8) | end[3]!) >>> 0;
    if (to < from) return { error: `range end is below its start in '${range}'` };
    if (to - from >= MAX_RANGE_SERVICES) return { error: `'${range}' would make ${to - from + 1} services (at most ${MAX_RANGE_SERVICES})` };
    for (let a = from; a <= to; a++) out.push(`${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`);
  } else {
    // keepalived walks the last 16-bit group only (ipvs_group_range_cmd).
    const from = (bytes[14]! << 8) | bytes[15]!;
    const to = (end[14]! << 8) | end[15]!;
    if (to < from) return { error: `range end is below its start in '${range}'` };
    for (let a = from; a <= to; a++) {
      const b = Uint8Array.from(bytes);
      b[14] = a >> 8;
      b[15] = a & 0xff;
      out.push(formatIp(b));
    }
  }
  return { family, addresses: out };
}

/** The services, name and addresses of one virtual server. */
export function layoutOf(vs: VirtualServerConfig, groups: readonly VirtualServerGroupConfig[]): VsLayout {
  const t = vs.target;
  const family = familyOf(vs, groups);
  const base = baseService(vs, family);
  const protocol = vs.protocol.toLowerCase() as LbProtocol;
  const problems: string[] = [];
  if (t.kind === 'ip') {
    const address = canonicalIp(t.address) ?? t.address;
    const proto = vsProtoName(t, vs.protocol);
    return {
      name: formatVirtualServer({ ...t, address }, proto),
      proto,
      family,
      services: [{ family, protocol, address, port: t.port ?? 0, ...base }],
      addresses: [address],
      problems,
    };
  }
  if (t.kind === 'fwmark') {
    return { name: formatVirtualServer(t, 'none'), proto: 'none', family, services: [{ family, fwmark: t.fwmark, ...base }], addresses: [], problems };
  }
  const g = groups.find((x) => x.name === t.group);
  const proto = vsProtoName(t, vs.protocol, (g?.addresses.length ?? 0) > 0);
  const name = formatVirtualServer(t, proto);
  const services: LbService[] = [];
  const addresses: string[] = [];
  if (!g) problems.push(`virtual_server group ${t.group}: no virtual_server_group ${t.group} - nothing to program`);
  for (const e of g?.addresses ?? []) {
    const r = rangeAddresses(e.range);
    if ('error' in r) {
      problems.push(`virtual_server_group ${t.group}: ${r.error} - skipping`);
      continue;
    }
    for (const address of r.addresses) {
      services.push({ family: r.family, protocol, address, port: e.port ?? 0, ...base });
      addresses.push(address);
    }
  }
  for (const f of g?.fwmarks ?? []) services.push({ family: f.family ?? family, fwmark: f.fwmark, ...base });
  if (g && services.length === 0) problems.push(`virtual_server group ${t.group}: the group has no entries - nothing to program`);
  return { name, proto, family, services, addresses, problems };
}

/** The real server's port as keepalived settles it (check_check_config). */
export function realServerPort(vs: VirtualServerConfig, rs: Pick<RealServerConfig, 'port' | 'lvsMethod'>): number {
  const t = vs.target;
  const method = methodOf(vs, rs);
  if (t.kind === 'group') return rs.port ?? 0;
  if (t.kind === 'fwmark') return method === 'NAT' ? (rs.port ?? 0) : 0;
  return method === 'NAT' ? (rs.port ?? t.port ?? 0) : (t.port ?? rs.port ?? 0);
}

/** FMT_RS for a real server of this virtual server. */
export function realServerName(vs: VirtualServerConfig, layout: VsLayout, rs: RealServerConfig): string {
  return formatRealServer({ address: canonicalIp(rs.address) ?? rs.address, port: realServerPort(vs, rs) }, layout.proto);
}

/** The destination a real server (or the sorry server) is, without its weight. */
export function destinationOf(vs: VirtualServerConfig, rs: Pick<RealServerConfig, 'address' | 'family' | 'port' | 'lvsMethod' | 'uthreshold' | 'lthreshold'>): Omit<LbDestination, 'weight'> {
  const method = methodOf(vs, rs);
  return {
    family: rs.family,
    address: canonicalIp(rs.address) ?? rs.address,
    port: realServerPort(vs, rs),
    method,
    ...(method === 'TUN' ? { tunnel: { type: 'ipip' as const } } : {}),
    upperThreshold: rs.uthreshold ?? 0,
    lowerThreshold: rs.lthreshold ?? 0,
  };
}

/** Every forwarding method a virtual server's destinations use (for the backend's refusal). */
export function methodsOf(vs: VirtualServerConfig): LbMethod[] {
  const out = new Set<LbMethod>();
  for (const rs of vs.realServers) out.add(methodOf(vs, rs));
  if (vs.sorryServer) out.add(asMethod(vs.lvsMethod));
  return [...out];
}

export type { LvsProtoName };
