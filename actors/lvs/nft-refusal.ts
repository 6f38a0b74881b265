/**
 * What the nftables load-balancer backend cannot do, in words an operator can act on.
 *
 * nftables balances with DNAT maps chosen per new connection (adapters/linux/nft/): it can spread
 * by counter (rr, wrr, fo) or by hash (sh, dh, mh), and it only rewrites addresses (NAT). It has no
 * live per-server connection counts (lc, wlc, sed, nq, lblc, lblcr, ovf, twos, thresholds), no
 * persistence templates, no one-packet scheduling and no direct-routing or tunnel forwarding.
 * Each refusal names what to use instead.
 *
 * One rule set serves two callers: the backend's `refuses()` at start, and `check`, which can warn
 * before the daemon ever runs (`nftRefusal(vsConfig)`). Pure: no I/O.
 */
import type { VirtualServerConfig } from '../../config/model-lvs.js';
import type { Diagnostic } from '../../config/model.js';
import type { LbMethod, LbService } from './lb-port.js';

/** The schedulers the nftables backend carries. */
export const NFT_SCHEDULERS = ['rr', 'wrr', 'sh', 'dh', 'mh', 'fo'] as const;

/** The closest scheduler nftables can do, for each IPVS scheduler it cannot. */
const ALTERNATIVE: Record<string, string> = {
  lc: 'rr',
  wlc: 'wrr',
  sed: 'wrr',
  nq: 'wrr',
  ovf: 'fo',
  twos: 'wrr',
  lblc: 'dh',
  lblcr: 'dh',
};

/** What the refusal is decided on: the parts of a service the backend would have to honour. */
export interface NftServiceTraits {
  scheduler: string;
  /** Forwarding methods of its real servers (and sorry server). */
  methods: LbMethod[];
  persistenceTimeoutS: number;
  /** Scheduler/service flags by name ('ops', 'sh-port', …). */
  flags: string[];
  pe?: string;
  /** True when a real server sets uthreshold or lthreshold. */
  thresholds?: boolean;
}

/** Why nftables cannot carry a service with these traits, or undefined when it can. */
export function nftRefusalOf(t: NftServiceTraits): string | undefined {
  const method = t.methods.find((m) => m !== 'NAT');
  if (method)
    return `lvs_method ${method} needs IPVS; nftables can only forward by NAT (DNAT): use lvs_method NAT, with the real servers routing back through the director`;
  if (!(NFT_SCHEDULERS as readonly string[]).includes(t.scheduler)) {
    const alt = ALTERNATIVE[t.scheduler];
    const known = `nftables can do ${NFT_SCHEDULERS.join(', ')}`;
    return alt
      ? `lvs_sched ${t.scheduler} needs IPVS (it counts each real server's connections); ${known}: use ${alt}`
      : `lvs_sched ${t.scheduler} is not a scheduler nftables can do; ${known}`;
  }
  if (t.persistenceTimeoutS > 0)
    return 'persistence_timeout needs IPVS (nftables keeps no persistence templates); to keep each client on one real server use lvs_sched sh instead';
  if (t.pe) return `persistence_engine ${t.pe} needs IPVS; remove it (and persistence_timeout) or run on a kernel with IPVS`;
  if (t.flags.includes('ops')) return 'ops (one-packet scheduling) needs IPVS; nftables NAT schedules whole connections: remove ops';
  if (t.thresholds) return 'uthreshold/lthreshold need IPVS (nftables cannot count a real server\'s connections); remove them';
  return undefined;
}

/** The backend's `refuses()` for one kernel service. */
export function nftRefusalForService(service: LbService, methods: LbMethod[]): string | undefined {
  const t: NftServiceTraits = { scheduler: service.scheduler, methods, persistenceTimeoutS: service.persistenceTimeoutS, flags: service.flags };
  if (service.pe !== undefined) t.pe = service.pe;
  return nftRefusalOf(t);
}

const asMethod = (m: string): LbMethod => (m === 'DR' || m === 'TUN' ? m : 'NAT');

/** Why nftables cannot carry this configured virtual server, or undefined; for `check` and start-up. */
export function nftRefusal(vs: VirtualServerConfig): string | undefined {
  const methods = new Set<LbMethod>([asMethod(vs.lvsMethod)]);
  for (const rs of vs.realServers) methods.add(asMethod(rs.lvsMethod ?? vs.lvsMethod));
  const t: NftServiceTraits = {
    scheduler: vs.lvsSched,
    methods: [...methods],
    persistenceTimeoutS: vs.persistenceTimeoutS ?? 0,
    flags: vs.opsScheduling ? ['ops'] : [],
    thresholds: vs.realServers.some((rs) => (rs.uthreshold ?? 0) > 0 || (rs.lthreshold ?? 0) > 0),
  };
  return nftRefusalOf(t);
}

/** `check` on a host without IPVS: one lint warning per virtual server nftables would refuse
 *  (the daemon would log an error for it and keep everything else running). */
export function nftRefusalDiagnostics(virtualServers: readonly VirtualServerConfig[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const vs of virtualServers) {
    const why = nftRefusal(vs);
    if (!why) continue;
    const t = vs.target;
    const name = t.kind === 'fwmark' ? `fwmark ${t.fwmark}` : t.kind === 'group' ? `group ${t.group}` : `${t.address}${t.port !== undefined ? ` ${t.port}` : ''}`;
    out.push({
      file: vs.source.file,
      line: vs.source.line,
      column: 1,
      severity: 'warning',
      kind: 'lint',
      message: `virtual_server ${name}: this host has no IPVS, and the nftables backend cannot carry it: ${why}`,
      fix: 'change the virtual server as the message says, or run on a kernel with IPVS: modprobe ip_vs',
    });
  }
  return out;
}
