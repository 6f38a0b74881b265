/**
 * The nftables backend's two views of a table, both plain data: the desired services (what the
 * port's commands imply) and the kernel services (what `nft -j list table` showed, or what the
 * last successful batch wrote). Pure.
 */
import type { Family } from '../../../actors/ports.js';
import type { LbDestination, LbProtocol, LbService } from '../../../actors/lvs/lb-port.js';

/** A desired service: the port's service plus its destinations in the order they were added. */
export interface DesiredService {
  key: string;
  service: LbService;
  dests: LbDestination[];
}

/** One service as found in (or last written to) the kernel. */
export interface KernelService {
  key: string;
  family: Family;
  chain: string;
  /** Hash of the rule we wrote (from its comment); '' when the chain holds something else. */
  hash: string;
  /** Scheduler named in the rule comment ('' when unknown). */
  scheduler: string;
  /** Slot → destination key (`address|port`), as in the rule's map; undefined for a reject rule. */
  slots: string[];
  /** Set for an address service. */
  protocol?: LbProtocol;
  address?: string;
  port?: number;
  fwmark?: number;
}

/** Our table of one family as the kernel holds it. */
export interface KernelTable {
  family: Family;
  present: boolean;
  /** Hash from the base chains' comment ('' when missing or foreign). */
  baseHash: string;
  /** The masquerade chain exists. */
  postrouting: boolean;
  services: Map<string, KernelService>;
  /** Masquerade sets (empty when masquerade is off). */
  vips: Set<string>;
  marks: Set<number>;
}

export const emptyKernelTable = (family: Family): KernelTable => ({ family, present: false, baseHash: '', postrouting: false, services: new Map(), vips: new Set(), marks: new Set() });

/** The service identity: family plus protocol/address/port, or family plus fwmark. */
export function serviceKey(s: Pick<LbService, 'family' | 'protocol' | 'address' | 'port' | 'fwmark'>): string {
  return s.fwmark !== undefined && s.address === undefined ? `${s.family}/fwmark/${s.fwmark}` : `${s.family}/${s.protocol ?? 'tcp'}/${s.address ?? ''}/${s.port ?? 0}`;
}

/** The port a NAT destination is reached on: its own, else the service's (0 for fwmark services:
 *  the address is rewritten and the port kept). */
export function destPort(service: LbService, dest: Pick<LbDestination, 'port'>): number {
  if (service.fwmark !== undefined && service.address === undefined) return 0;
  return dest.port || service.port || 0;
}

export const destKey = (address: string, port: number) => `${address}|${port}`;

export function splitDestKey(key: string): { address: string; port: number } {
  const i = key.lastIndexOf('|');
  return { address: key.slice(0, i), port: Number(key.slice(i + 1)) };
}

/** The service's chain: readable in `nft list table` and unique per service
 *  (vs_tcp_203.0.113.10_80, vs_udp_2001.db8..10_53, vs_fwm_1000). */
export function chainName(s: Pick<LbService, 'protocol' | 'address' | 'port' | 'fwmark'>): string {
  if (s.fwmark !== undefined && s.address === undefined) return `vs_fwm_${s.fwmark}`;
  return `vs_${s.protocol ?? 'tcp'}_${(s.address ?? '').replace(/:/g, '.')}_${s.port ?? 0}`;
}
