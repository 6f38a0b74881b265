/**
 * One vrrp_instance of the compiled model → what its actors and its I/O glue need: the instance
 * machine's input, the I/O configuration (addresses, auth, peers, expected adverts) and the
 * tracking entries. Pure data shaping; every protocol rule stays in machines/ and protocol/.
 */
import type { IpAddressConfig, KeepalivedConfig, RouteConfig, RuleConfig, VrrpInstanceConfig } from '../../config/model.js';
import type { InstanceInput } from '../../machines/vrrp/types.js';
import type { TrackEntry } from '../../machines/track/tracking.machine.js';
import { canonicalIp, IpAddress } from '../../protocol/addr.js';
import type { VrrpAuthKind, VrrpExpectations } from '../../protocol/vrrp/index.js';
import { expectationsFromInstance, instanceAuth } from './expectations.js';
import type { AddressSpec, InterfaceInfo, RouteSpec, RuleSpec } from '../ports.js';
import { NOTIFIER_ID } from '../names.js';
import { groupId } from './names.js';

/** Everything the I/O glue needs to send and receive for one instance. */
export interface InstanceIoConfig {
  name: string;
  vrid: number;
  family: 4 | 6;
  version: 2 | 3;
  /** The instance's `interface` ('' for an interface-less unicast instance: no socket). */
  ifname: string;
  /**
   * Interface whose VRRP socket sends and receives this instance's adverts: the VMAC of a use_vmac
   * instance (keepalived's default; an IPv6 one gets our link-local source address), else
   * `ifname` (also with vmac_xmit_base, or an IPv6 source that is not link-local).
   */
  vrrpIfname: string;
  /** Source address of our adverts (unicast_src_ip / mcast_src_ip / the interface's address). */
  src: string | undefined;
  /** Multicast group, or the unicast peers (one packet each). */
  mcastGroup: string;
  unicastPeers: string[];
  unicastTtl: number;
  advertIntervalCs: number;
  authKind: VrrpAuthKind;
  authKey?: Uint8Array;
  v3ChecksumAsV2: boolean;
  /** VIPs in configuration order: what goes in adverts and what is installed. */
  vips: AddressSpec[];
  excludedVips: AddressSpec[];
  routes: RouteSpec[];
  rules: RuleSpec[];
  expectations: VrrpExpectations;
  skipCheckAdvAddr: boolean;
  /** use_vmac: the macvlan the VIPs live on (and, see vrrpIfname, the adverts). */
  vmac?: { name: string; base: string };
  /** VIPs / E-VIPs marked `no_track`: their deletion by someone else is ignored (keepalived address_is_ours). */
  noTrackVips?: string[];
}

export interface InstancePlan {
  name: string;
  input: InstanceInput;
  /**
   * Base priority of the running instance actor: the planned one for a new actor; a reload that
   * keeps the actor carries the old value over and moves the priority by the difference.
   */
  spawnedBase: number;
  io: InstanceIoConfig;
  entries: TrackEntry[];
  ignoreWeights: boolean;
  syncGroup?: string;
  /** FAULT sources known at planning time (no source address), held until a reload. */
  fixedFaults: Record<string, string>;
  /** Problems found while planning (logged by the runtime). */
  problems: string[];
}

const SCOPES: ReadonlyArray<NonNullable<AddressSpec['scope']>> = ['global', 'site', 'link', 'host', 'nowhere'];

export function addressSpec(a: IpAddressConfig, ifname: string): AddressSpec {
  const spec: AddressSpec = { address: canonicalIp(a.address) ?? a.address, prefixLength: a.prefixLength, family: a.family, ifname: a.dev ?? ifname };
  if (a.brd && a.brd !== '+' && a.brd !== '-') spec.broadcast = a.brd;
  if (a.label) spec.label = a.label;
  const scope = SCOPES.find((s) => s === a.scope);
  if (scope) spec.scope = scope;
  // keepalived adds IPv6 VIPs without duplicate address detection.
  if (a.family === 6 || a.nodad) spec.noDad = true;
  return spec;
}

export function routeSpec(r: RouteConfig, ifname: string): RouteSpec {
  const spec: RouteSpec = { family: r.family, destination: r.to === '0.0.0.0/0' || r.to === '::/0' ? 'default' : r.to };
  if (r.via) spec.gateway = r.via;
  const dev = r.dev ?? (r.via ? undefined : ifname);
  if (dev) spec.ifname = dev;
  if (r.src) spec.source = r.src;
  const table = r.table === undefined ? undefined : Number(r.table);
  if (table !== undefined && Number.isInteger(table)) spec.table = table;
  if (r.metric !== undefined) spec.metric = r.metric;
  const scope = SCOPES.find((s) => s === r.scope);
  if (scope) spec.scope = scope;
  if (r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit') spec.type = r.type;
  return spec;
}

export function ruleSpec(r: RuleConfig): RuleSpec {
  const spec: RuleSpec = { family: r.family };
  if (r.from) spec.from = r.from;
  if (r.to) spec.to = r.to;
  const table = r.table === undefined ? undefined : Number(r.table);
  if (table !== undefined && Number.isInteger(table)) spec.table = table;
  if (r.priority !== undefined) spec.priority = r.priority;
  if (r.fwmark !== undefined && Number.isInteger(Number(r.fwmark))) spec.fwmark = Number(r.fwmark);
  if (r.iif) spec.iif = r.iif;
  if (r.oif) spec.oif = r.oif;
  return spec;
}

/** An IPv6 link-local address (an IPv6 VMAC can only send adverts from one). */
function isLinkLocalText(address: string | undefined): boolean {
  return address !== undefined && IpAddress.parse(address)?.isLinkLocal === true;
}

/** keepalived's source address: the interface's primary IPv4 address, or its IPv6 link-local. */
export function primaryAddress(ifs: readonly InterfaceInfo[], ifname: string, family: 4 | 6, vips: AddressSpec[]): string | undefined {
  const itf = ifs.find((i) => i.name === ifname);
  const vipSet = new Set(vips.map((v) => v.address));
  for (const cidr of itf?.addresses ?? []) {
    const ip = IpAddress.parse(cidr.split('/')[0]!);
    if (!ip || ip.family !== family || vipSet.has(ip.text)) continue;
    if (family === 4 || ip.isLinkLocal) return ip.text;
  }
  return undefined;
}

function trackEntries(inst: VrrpInstanceConfig, model: KeepalivedConfig): TrackEntry[] {
  const group = inst.syncGroup === undefined ? undefined : model.vrrpSyncGroups.find((g) => g.name === inst.syncGroup);
  const entries: TrackEntry[] = [];
  if (inst.interface && !inst.dontTrackPrimary) entries.push({ kind: 'interface', name: inst.interface, weight: 0, reverse: false });
  const from = (src: Pick<VrrpInstanceConfig, 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses'>, fromGroup: boolean) => {
    const tag = fromGroup ? { fromGroup: true } : {};
    for (const t of src.trackInterfaces) entries.push({ kind: 'interface', name: t.name, weight: t.weight, reverse: t.reverse, ...tag });
    for (const t of src.trackScripts) entries.push({ kind: 'script', name: t.name, weight: t.weight, reverse: t.reverse, ...tag });
    for (const t of src.trackFiles) entries.push({ kind: 'file', name: t.name, weight: t.weight, reverse: t.reverse, ...tag });
    for (const t of src.trackProcesses) entries.push({ kind: 'process', name: t.name, weight: t.weight, reverse: t.reverse, ...tag });
  };
  from(inst, false);
  if (group) from(group, true);
  return entries;
}

export function planInstance(inst: VrrpInstanceConfig, model: KeepalivedConfig, ifs: readonly InterfaceInfo[], vmacAvailable = false): InstancePlan {
  const problems: string[] = [];
  const ifname = inst.interface ?? '';
  const vmac = inst.useVmac && ifname && vmacAvailable ? { name: inst.useVmac.name ?? `vrrp.${inst.vrid}`, base: ifname } : undefined;
  if (inst.useVmac && ifname && !vmacAvailable) problems.push(`(${inst.name}) use_vmac is not available here (not simulated) - VIPs stay on ${ifname}`);
  // Addresses without their own `dev` go on the VMAC.
  const vipIfname = vmac?.name ?? ifname;
  const vips = inst.vips.map((a) => addressSpec(a, vipIfname));
  const unicastPeers = inst.unicastPeers.map((p) => canonicalIp(p.address) ?? p.address);
  const src = inst.unicastSrcIp ?? inst.mcastSrcIp ?? (ifname ? primaryAddress(ifs, ifname, inst.family, vips) : undefined);
  if (ifname && !ifs.some((i) => i.name === ifname)) problems.push(`(${inst.name}) interface ${ifname} does not exist`);
  const fixedFaults: Record<string, string> = {};
  if (!src) fixedFaults['address'] = `(${inst.name}) entering FAULT state (no IPv${inst.family} address for interface)`;
  const group = inst.syncGroup === undefined ? undefined : model.vrrpSyncGroups.find((g) => g.name === inst.syncGroup);
  const auth = instanceAuth(inst);
  const g = model.globalDefs;
  const entries = trackEntries(inst, model);
  const ignoreWeights = group !== undefined && !group.syncGroupTrackingWeight;
  const input: InstanceInput = {
    name: inst.name,
    vrid: inst.vrid,
    family: inst.family,
    version: inst.version,
    basePriority: inst.priority,
    advertIntervalCs: inst.advertIntervalCs,
    preempt: !inst.nopreempt,
    preemptDelayMs: inst.preemptDelayMs,
    initialState: inst.state,
    primaryAddress: IpAddress.parse(src ?? '') ?? IpAddress.parse(inst.family === 6 ? '::' : '0.0.0.0')!,
    vips: vips.map((v) => `${v.address}/${v.prefixLength}`),
    lowerPrioNoAdvert: inst.lowerPrioNoAdvert,
    higherPrioSendAdvert: inst.higherPrioSendAdvert,
    garp: {
      masterDelayMs: inst.garpMasterDelayMs,
      masterRepeat: g.vrrpMinGarp ? 1 : inst.garpMasterRepeat,
      masterRefreshMs: inst.garpMasterRefreshMs,
      masterRefreshRepeat: inst.garpMasterRefreshRepeat,
      lowerPrioDelayMs: inst.garpLowerPrioDelayMs,
      lowerPrioRepeat: inst.garpLowerPrioRepeat,
    },
    downTimerAdverts: inst.downTimerAdverts,
    notifier: NOTIFIER_ID,
    ...(group ? { syncGroup: groupId(group.name) } : {}),
    ...(g.vrrpStartupDelayMs > 0 ? { startupDelayMs: g.vrrpStartupDelayMs } : {}),
    ...(unicastPeers.length > 0 ? { unicast: true } : {}),
  };
  const io: InstanceIoConfig = {
    name: inst.name,
    vrid: inst.vrid,
    family: inst.family,
    version: inst.version,
    ifname,
    vrrpIfname: vmac && !inst.vmacXmitBase && (inst.family === 4 || isLinkLocalText(src)) ? vmac.name : ifname,
    src,
    mcastGroup: inst.mcastDstIp,
    unicastPeers,
    unicastTtl: inst.unicastTtl,
    advertIntervalCs: inst.advertIntervalCs,
    authKind: auth.kind,
    ...(auth.key ? { authKey: auth.key } : {}),
    v3ChecksumAsV2: inst.v3ChecksumAsV2,
    vips,
    excludedVips: inst.excludedVips.map((a) => addressSpec(a, vipIfname)),
    routes: inst.virtualRoutes.map((r) => routeSpec(r, ifname)),
    rules: inst.virtualRules.map(ruleSpec),
    expectations: expectationsFromInstance(inst, auth),
    skipCheckAdvAddr: inst.skipCheckAdvAddr,
    ...(vmac ? { vmac } : {}),
    noTrackVips: [...inst.vips, ...inst.excludedVips].filter((a) => a.noTrack).map((a) => a.address),
  };
  for (const b of inst.trackBfds) problems.push(`(${inst.name}) track_bfd ${b.name} is not supported yet - ignoring`);
  return {
    name: inst.name,
    input,
    spawnedBase: input.basePriority,
    io,
    entries,
    ignoreWeights,
    ...(group ? { syncGroup: group.name } : {}),
    fixedFaults,
    problems,
  };
}
