/**
 * A director's virtual servers as the invariant monitor needs them, read from its compiled
 * config: keepalived's name for each (as the LVS statecharts print it), the kernel services it
 * programs (table keys), its real servers with their destinations and checkers, the sorry server,
 * and quorum/hysteresis after keepalived's clamping.
 */
import type { CheckerConfig, KeepalivedConfig, RealServerConfig, VirtualServerConfig } from '../../config/model.js';
import { formatRealServer, formatVirtualServer, vsProtoName } from '../../machines/check/format.js';
import { effectiveQuorum } from '../../machines/check/virtual-server.logic.js';
import { canonicalIp, formatIpv4, parseIpv4 } from '../../protocol/addr.js';
import { destKey } from './scheduler.js';
import { lbServiceKey } from './table.js';

export interface RsView {
  name: string;
  address: string;
  /** Where health checks go by default (the real server's port). */
  port: number;
  /** The destination key in the kernel table (`addr:port`, the port as the method implies). */
  dest: string;
  weight: number;
  inhibit: boolean;
  checkers: CheckerConfig[];
  /** Per checker: starts down (alpha on the checker, the real server or the virtual server). */
  alpha: boolean[];
  /** Its weight changes with checkers (misc_dynamic, FILE_CHECK with a weight). */
  dynamic: boolean;
}

export interface VsView {
  name: string;
  /** Kernel table keys of the services it programs. */
  keys: string[];
  /** Addresses of those services (ha_suspend looks for them on local interfaces). */
  addresses: string[];
  haSuspend: boolean;
  quorum: number;
  hysteresis: number;
  /** The sorry server's address, unless it is also one of the real servers (not judged then). */
  sorry?: string;
  rs: RsView[];
}

/** `198.51.100.10-12` → three addresses; anything else as written (CIDR and IPv6 ranges are not expanded). */
function expandRange(range: string): string[] {
  const m = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)$/.exec(range);
  if (!m) return [canonicalIp(range.replace(/\/\d+$/, '')) ?? range];
  const out: string[] = [];
  for (let i = Number(m[2]); i <= Number(m[3]) && i <= 255; i++) {
    const b = parseIpv4(`${m[1]}${i}`);
    if (b) out.push(formatIpv4(b));
  }
  return out;
}

function servicesOf(model: KeepalivedConfig, vs: VirtualServerConfig): Array<{ key: string; address?: string; port: number; family: 4 | 6 }> {
  const protocol = vs.protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp';
  const t = vs.target;
  if (t.kind === 'ip') {
    const address = canonicalIp(t.address) ?? t.address;
    return [{ key: lbServiceKey({ family: t.family, protocol, address, port: t.port ?? 0 }), address, port: t.port ?? 0, family: t.family }];
  }
  if (t.kind === 'fwmark') return [{ key: lbServiceKey({ family: t.family ?? 4, fwmark: t.fwmark }), port: 0, family: t.family ?? 4 }];
  const g = model.virtualServerGroups.find((x) => x.name === t.group);
  if (!g) return [];
  return [
    ...g.addresses.flatMap((a) => expandRange(a.range).map((address) => ({ key: lbServiceKey({ family: a.family, protocol, address, port: a.port ?? 0 }), address, port: a.port ?? 0, family: a.family }))),
    ...g.fwmarks.map((f) => ({ key: lbServiceKey({ family: f.family ?? 4, fwmark: f.fwmark }), port: 0, family: f.family ?? 4 })),
  ];
}

function isDynamic(rs: RealServerConfig): boolean {
  return rs.checkers.some((c) => (c.kind === 'MISC_CHECK' && c.misc?.dynamic) || (c.kind === 'FILE_CHECK' && (c.file?.weight ?? 1) !== 0));
}

export function directorView(model: KeepalivedConfig): VsView[] {
  const groupUse = new Map<string, number>();
  return model.virtualServers.map((vs) => {
    const t = vs.target;
    const group = t.kind === 'group' ? model.virtualServerGroups.find((g) => g.name === t.group) : undefined;
    const proto = vsProtoName(t, vs.protocol, group ? group.addresses.length > 0 : true);
    let ordinal = 0;
    if (t.kind === 'group') groupUse.set(t.group, (ordinal = (groupUse.get(t.group) ?? 0) + 1));
    const services = servicesOf(model, vs);
    const servicePort = services[0]?.port ?? 0;
    const rs: RsView[] = vs.realServers.map((r) => {
      const method = r.lvsMethod ?? vs.lvsMethod;
      const address = canonicalIp(r.address) ?? r.address;
      const port = method === 'NAT' ? (r.port ?? 0) : servicePort;
      return {
        name: formatRealServer({ address, ...(r.port !== undefined ? { port: r.port } : {}) }, proto),
        address,
        port: r.port ?? 0,
        dest: destKey({ address, port }),
        weight: r.weight,
        inhibit: r.inhibitOnFailure,
        checkers: r.checkers,
        alpha: r.checkers.map((c) => c.kind !== 'FILE_CHECK' && (c.alpha || r.alpha || vs.alpha)),
        dynamic: isDynamic(r),
      };
    });
    const { quorum, hysteresis } = effectiveQuorum(vs.quorum, vs.hysteresis, vs.realServers.map((r) => r.weight));
    const sorry = vs.sorryServer ? (canonicalIp(vs.sorryServer.address) ?? vs.sorryServer.address) : undefined;
    return {
      name: formatVirtualServer(t, proto, ordinal),
      keys: services.map((s) => s.key),
      addresses: services.flatMap((s) => (s.address ? [s.address] : [])),
      haSuspend: vs.haSuspend,
      quorum,
      hysteresis,
      ...(sorry && !rs.some((r) => r.address === sorry) ? { sorry } : {}),
      rs,
    };
  });
}
