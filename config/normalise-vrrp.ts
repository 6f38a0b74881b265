/**
 * Turns an InstanceDraft into the runtime's VrrpInstanceConfig, applying keepalived 2.2.7's
 * completion rules (vrrp_complete_instance) and reporting what keepalived reports:
 * family from the first address, IPv6 forces v3, v2 intervals rounded to whole seconds,
 * priority/state defaults (K-11), nopreempt/preempt_delay cleared by state MASTER, auth dropped
 * for v3 and strict mode, strict-mode owner rules, accept defaults.
 */
import type { Diags, Pos } from './diag.js';
import { ADVERT_INT_DEFAULT_CS, PRIORITY_DEFAULT, PRIORITY_OWNER } from './defaults.js';
import type { Family, GlobalDefs, TrackInterfaceRef, TrackRef, VrrpInstanceConfig } from './model.js';
import type { RawTrack } from './keywords/track.js';
import type { InstanceDraft } from './keywords/vrrp-instance.js';

/** Tracked objects by name, for weight resolution and reference checks. */
export interface TrackTargets {
  scripts: Map<string, { weight: number; reverse: boolean }>;
  files: Map<string, { weight: number; reverse: boolean }>;
  processes: Map<string, { weight: number; reverse: boolean }>;
}

export function resolveTracks(v: { name: string }, raw: RawTrack[], kind: 'script' | 'file' | 'process' | 'bfd', targets: Map<string, { weight: number; reverse: boolean }> | undefined, d: Diags): TrackRef[] {
  const out: TrackRef[] = [];
  for (const t of raw) {
    const target = targets?.get(t.name);
    if (targets && !target) {
      d.error(t.at, `(${v.name}) track ${kind} ${t.name} not found, ignoring...`, `define it: ${kind === 'script' ? 'vrrp_script' : kind === 'file' ? 'track_file' : 'vrrp_track_process'} ${t.name} { … }`);
      continue;
    }
    const weight = t.weight ?? target?.weight ?? 0;
    const reverse = t.reverse ?? (t.weight === undefined ? (target?.reverse ?? false) : false);
    out.push({ name: t.name, weight, reverse, weightOverridden: t.weight !== undefined, source: { file: t.at.file, line: t.at.line } });
  }
  return out;
}

export const interfaceRef = (t: RawTrack): TrackInterfaceRef => ({
  name: t.name, weight: t.weight ?? 0, reverse: t.reverse ?? false, source: { file: t.at.file, line: t.at.line },
});

const at = (v: InstanceDraft, key?: string) => (key && v.at[key]) || { file: v.source.file, line: v.source.line };

function instanceFamily(v: InstanceDraft): Family {
  return v.family ?? v.unicastPeers[0]?.family ?? (v.nativeIpv6 ? 6 : 4);
}

/** Where keywords of each compiled instance were written (for whole-config diagnostics). */
export const keywordPositions = new WeakMap<VrrpInstanceConfig, Partial<Record<string, Pos>>>();

/** Returns undefined when keepalived would drop the instance (no VRID, no usable interface). */
export function normaliseInstance(v: InstanceDraft, g: GlobalDefs, targets: TrackTargets, d: Diags): VrrpInstanceConfig | undefined {
  if (v.vrid === undefined) {
    d.error(at(v), `(${v.name}) the virtual router id must be set`, 'add: virtual_router_id 1..255');
    return undefined;
  }
  if (v.interface === undefined && v.unicastPeers.length === 0) {
    d.error(at(v), `(${v.name}) Unknown interface!`, 'add: interface IFNAME');
    return undefined;
  }
  const family = instanceFamily(v);
  const vips = v.vips.filter((a) => {
    if (a.family === family) return true;
    d.error({ ...a.source }, `(${v.name}): address family must match VRRP instance [${a.address}] - ignoring`, 'put IPv4 and IPv6 VIPs in two instances (a sync group keeps them together)');
    return false;
  });
  const version: 2 | 3 = family === 6 ? 3 : (v.version ?? g.vrrpVersion);
  const strict = v.strict ?? g.vrrpStrict;

  let advertIntervalCs = ADVERT_INT_DEFAULT_CS;
  if (v.advertIntUs !== undefined) {
    if (version === 2) {
      const s = v.advertIntUs / 1e6;
      const rounded = Math.max(1, Math.min(255, Math.round(s)));
      if (rounded !== s) d.warn(at(v, 'advert_int'), `(${v.name}) VRRPv2 advertisement interval ${s.toFixed(6)}s must be an integer. rounding`, `use advert_int ${rounded}`);
      advertIntervalCs = rounded * 100;
    } else {
      const cs = Math.round(v.advertIntUs / 1e4);
      advertIntervalCs = Math.max(1, Math.min(4095, cs));
      if (cs > 4095) {
        d.warn(at(v, 'advert_int'), `(${v.name}) VRRPv3 advertisement interval ${(v.advertIntUs / 1e6).toFixed(2)}s is out of range. Must be less than 40.96s. Setting to 40.95s`, 'use advert_int 40.95 or less');
      } else if (cs !== v.advertIntUs / 1e4) {
        d.warn(at(v, 'advert_int'), `(${v.name}) VRRPv3 advertisement interval ${(v.advertIntUs / 1e6).toFixed(6)}s must be a multiple of 10ms. rounding`, `use advert_int ${cs / 100}`);
      }
    }
  }

  let state = v.state;
  let priority = v.priority ?? (state === 'MASTER' ? PRIORITY_OWNER : PRIORITY_DEFAULT);
  let auth = v.auth?.type ? { type: v.auth.type, pass: v.auth.pass ?? '' } : undefined;
  if (auth && v.auth?.pass === undefined) {
    d.warn(at(v, 'authentication'), `(${v.name}) Authentication specified but no password given. Ignoring`, 'add auth_pass, or remove the authentication block');
    auth = undefined;
  }
  if (auth && version === 3) {
    d.warn(at(v, 'authentication'), `(${v.name}) VRRP version 3 does not support authentication. Ignoring.`, 'remove the authentication block');
    auth = undefined;
  }
  if (auth && strict) {
    d.warn(at(v, 'authentication'), `(${v.name}) Strict mode does not support authentication. Ignoring.`, 'remove the authentication block or vrrp_strict');
    auth = undefined;
  }
  if (strict && state === 'MASTER' && priority !== PRIORITY_OWNER) {
    d.warn(at(v, 'state'), `(${v.name}) State MASTER must match being address owner`, 'use state BACKUP, or priority 255 on the owner');
    state = 'BACKUP';
  }
  if (auth?.type === 'AH' && state === 'MASTER') {
    d.warn(at(v, 'state'), `(${v.name}) Initial state master is incompatible with AH authentication - clearing`, 'use state BACKUP with AH');
    state = 'BACKUP';
  }
  state ??= priority === PRIORITY_OWNER ? 'MASTER' : 'BACKUP';

  let nopreempt = v.nopreempt ?? false;
  let preemptDelayMs = (v.preemptDelayUs ?? 0) / 1000;
  if (nopreempt && priority === PRIORITY_OWNER) {
    d.warn(at(v, 'nopreempt'), `(${v.name}) nopreempt is incompatible with priority 255. resetting nopreempt`, 'remove nopreempt (an address owner always preempts)');
    nopreempt = false;
  } else if (nopreempt && state === 'MASTER') {
    d.warn(at(v, 'nopreempt'), `(${v.name}) Warning - nopreempt will not work with initial state MASTER - clearing`, 'use state BACKUP on every node with nopreempt');
    nopreempt = false;
  }
  if (preemptDelayMs && state === 'MASTER') {
    d.warn(at(v, 'preempt_delay'), `(${v.name}) Warning - preempt delay will not work with initial state MASTER - clearing`, 'use state BACKUP with preempt_delay');
    preemptDelayMs = 0;
  }
  let accept = v.accept ?? (strict ? priority === PRIORITY_OWNER : true);
  if (strict && v.accept === true && version === 2) {
    d.warn(at(v, 'accept'), `(${v.name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`, 'remove accept, or use version 3');
    accept = priority === PRIORITY_OWNER;
  }
  if (strict && v.unicastPeers.length) {
    // keepalived 2.2.7 accepts this silently; later versions and RFC strict mode have no unicast.
    d.lint('warning', at(v, 'unicast_peer'), `(${v.name}) unicast_peer with strict mode: RFC 5798 strict operation is multicast only`, 'drop vrrp_strict/strict_mode, or use multicast');
  }
  if (v.unicastTtl !== undefined && !v.unicastPeers.length) {
    d.warn(at(v, 'unicast_ttl'), `(${v.name}): Cannot use unicast_ttl without unicast peers - resetting`, 'remove unicast_ttl (multicast adverts always use TTL 255)');
  }
  if (!vips.length && !v.noVirtualIpaddress) {
    d.warn(at(v), `(${v.name}) No VIP specified; at least one is sensible`, 'add a virtual_ipaddress block (or no_virtual_ipaddress)');
  }

  const trackInterfaces: TrackInterfaceRef[] = v.trackInterfaces.map(interfaceRef);
  const garpMasterDelayMs = v.garpMasterDelayS !== undefined ? v.garpMasterDelayS * 1000 : g.vrrpGarpMasterDelayMs;
  const garpMasterRepeat = v.garpMasterRepeat ?? g.vrrpGarpMasterRepeat;
  const out: VrrpInstanceConfig = {
    name: v.name, source: v.source, state, vrid: v.vrid, priority, advertIntervalCs, version, family,
    vips, excludedVips: v.excludedVips, noVirtualIpaddress: v.noVirtualIpaddress, virtualRoutes: v.routes, virtualRules: v.rules,
    unicastPeers: v.unicastPeers, unicastTtl: (v.unicastPeers.length && v.unicastTtl) || 255, unicastFaultNoPeer: v.unicastFaultNoPeer,
    checkUnicastSrc: v.checkUnicastSrc || g.vrrpCheckUnicastSrc || v.unicastPeers.some((p) => p.minTtl !== undefined || p.maxTtl !== undefined),
    mcastDstIp: v.mcastDstIp ?? (family === 6 ? g.vrrpMcastGroup6 : g.vrrpMcastGroup4),
    nopreempt, wantedNopreempt: v.nopreempt ?? false, preemptDelayMs,
    trackInterfaces,
    trackScripts: resolveTracks(v, v.trackScripts, 'script', targets.scripts, d),
    trackFiles: resolveTracks(v, v.trackFiles, 'file', targets.files, d),
    trackProcesses: resolveTracks(v, v.trackProcesses, 'process', targets.processes, d),
    trackBfds: resolveTracks(v, v.trackBfds, 'bfd', undefined, d),
    dontTrackPrimary: v.dontTrackPrimary, trackSrcIp: v.trackSrcIp, notify: v.notify, notifyDeleted: v.notifyDeleted,
    notifyPriorityChanges: v.notifyPriorityChanges,
    smtpAlert: v.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false,
    garpMasterDelayMs, garpMasterRepeat,
    garpMasterRefreshMs: v.garpMasterRefreshS !== undefined ? v.garpMasterRefreshS * 1000 : g.vrrpGarpMasterRefreshMs,
    garpMasterRefreshRepeat: v.garpMasterRefreshRepeat ?? g.vrrpGarpMasterRefreshRepeat,
    garpLowerPrioDelayMs: v.garpLowerPrioDelayS !== undefined ? v.garpLowerPrioDelayS * 1000 : (g.vrrpGarpLowerPrioDelayMs ?? garpMasterDelayMs),
    garpLowerPrioRepeat: v.garpLowerPrioRepeat ?? g.vrrpGarpLowerPrioRepeat ?? garpMasterRepeat,
    lowerPrioNoAdvert: strict || (v.lowerPrioNoAdvert ?? g.vrrpLowerPrioNoAdvert),
    higherPrioSendAdvert: !strict && (v.higherPrioSendAdvert ?? g.vrrpHigherPrioSendAdvert),
    v3ChecksumAsV2: v.v3ChecksumAsV2 ?? g.v3ChecksumAsV2,
    accept, vmacXmitBase: v.vmacXmitBase, strict,
    skipCheckAdvAddr: v.skipCheckAdvAddr ?? g.vrrpSkipCheckAdvAddr,
    downTimerAdverts: v.downTimerAdverts ?? g.vrrpDownTimerAdverts,
    promoteSecondaries: v.promoteSecondaries,
    ownerIgnoreAdverts: strict || (v.ownerIgnoreAdverts ?? false),
  };
  keywordPositions.set(out, v.at);
  if (v.state === 'MASTER' && state !== 'MASTER') out.wantedMaster = true;
  if (v.interface !== undefined) out.interface = v.interface;
  if (auth) out.authentication = auth;
  if (v.unicastSrcIp) out.unicastSrcIp = v.unicastSrcIp;
  if (v.mcastSrcIp) out.mcastSrcIp = v.mcastSrcIp;
  if (v.useVmac) out.useVmac = v.useVmac;
  if (v.timerExpiredBackup) out.timerExpiredBackup = v.timerExpiredBackup;
  return out;
}
