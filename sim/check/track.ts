/**
 * The simulator's own record of one VRRP instance on one host, kept from the runtime's events
 * and from the wire — what the invariant monitor reasons about without calling status() on
 * every packet.
 */
import type { VrrpStateName } from '../../actors/runtime-types.js';
import type { VrrpExpectations } from '../../protocol/vrrp/index.js';
import type { Host } from '../host/host.js';
import type { InstanceFacts } from '../model.js';
import type { Nic } from '../net/nic.js';

/** Numeric key of (NIC, family, VRID), used to find the instance a VRRP packet belongs to. */
export function wireKey(nicIndex: number, family: 4 | 6 | 0, vrid: number): number {
  return nicIndex * 1024 + (family === 6 ? 512 : 0) + (vrid & 0xff);
}

export class InstanceTrack {
  state: VrrpStateName = 'INIT';
  /** Global µs of the last state change. */
  sinceUs = 0;
  effectivePriority: number;
  lastMasterStartUs = -1;
  lastMasterEndUs = -1;
  lastAdvertTxUs = -1;
  /** Last advert received that should have reset this instance's down timer (−1 = none). */
  lastBeatingRxUs = -1;
  /** Max Adver Int carried by that advert (v3), cs. */
  lastBeatingIntervalCs = 0;
  /** What a peer would accept from this instance (S4); undefined = decode-only check. */
  expect: VrrpExpectations | undefined;
  /** The last advert message that passed S4 (identical repeats are not re-validated). */
  lastValidMessage: Uint8Array | undefined;
  lastValidTtl = -1;
  /** The last advert this instance received and whether its runtime would accept it (L5). */
  lastRx: { src: string; ttl: number; message: Uint8Array; accepted: boolean } | undefined;

  constructor(
    readonly host: Host,
    public facts: InstanceFacts,
    readonly nic: Nic | undefined,
  ) {
    this.effectivePriority = facts.priority;
  }

  get id(): string {
    return `${this.host.name}/${this.facts.name}`;
  }

  /** "segment|family|vrid|group": instances that must agree on one master. */
  get routerKey(): string {
    const f = this.facts;
    return `${this.nic?.segment?.name ?? '-'}|v${f.family}|vrid ${f.vrid}|${f.unicast ? 'unicast' : f.mcastDstIp}`;
  }

  setState(to: VrrpStateName, nowUs: number): void {
    if (to === 'MASTER' && this.state !== 'MASTER') this.lastMasterStartUs = nowUs;
    if (to !== 'MASTER' && this.state === 'MASTER') this.lastMasterEndUs = nowUs;
    if (to !== 'MASTER') this.lastAdvertTxUs = -1;
    this.state = to;
    this.sinceUs = nowUs;
  }
}
