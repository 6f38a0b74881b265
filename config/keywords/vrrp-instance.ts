/** `vrrp_instance NAME { … }`: the keyword handlers fill an InstanceDraft (defaults come later). */
import type { Pos } from '../diag.js';
import { IpAddress } from '../../protocol/addr.js';
import type { IpAddressConfig, NotifyScripts, RouteConfig, RuleConfig, SourceRef, UnicastPeer } from '../model.js';
import type { Stmt } from '../tree.js';
import { append, boolArg, checkInt, intArg, needArg, posOf, strArg, timerArg } from '../values.js';
import { parseAddressLine } from './address.js';
import { restrict, table, unknownKeyword, type Cx, type Handler, type Keyword, type Table } from './engine.js';
import { AUTHENTICATION_KEYWORDS, VRRP_INSTANCE_KEYWORDS } from './known.js';
import { parseRouteLine, parseRuleLine, type RuleContext } from './routes.js';
import { notifyKeyword } from './script.js';
import { parseTrackBlock, type RawTrack } from './track.js';

export interface InstanceDraft {
  name: string;
  source: SourceRef;
  /** Where selected keywords were written, for later diagnostics. */
  at: Partial<Record<string, Pos>>;
  state?: 'MASTER' | 'BACKUP';
  interface?: string;
  vrid?: number;
  priority?: number;
  advertIntUs?: number;
  version?: 2 | 3;
  nativeIpv6: boolean;
  /** Family fixed by the first address keepalived sees (source address or first VIP), in file order. */
  family?: 4 | 6;
  vips: IpAddressConfig[];
  excludedVips: IpAddressConfig[];
  noVirtualIpaddress: boolean;
  routes: RouteConfig[];
  rules: RuleConfig[];
  auth?: { type?: 'PASS' | 'AH'; pass?: string };
  unicastSrcIp?: string;
  mcastSrcIp?: string;
  unicastPeers: UnicastPeer[];
  unicastTtl?: number;
  unicastFaultNoPeer: boolean;
  checkUnicastSrc: boolean;
  mcastDstIp?: string;
  nopreempt?: boolean;
  preemptDelayUs?: number;
  trackInterfaces: RawTrack[];
  trackScripts: RawTrack[];
  trackFiles: RawTrack[];
  trackProcesses: RawTrack[];
  trackBfds: RawTrack[];
  dontTrackPrimary: boolean;
  trackSrcIp: boolean;
  notify: NotifyScripts;
  notifyDeleted: boolean;
  notifyPriorityChanges: boolean;
  smtpAlert?: boolean;
  garpMasterDelayS?: number;
  garpMasterRepeat?: number;
  garpMasterRefreshS?: number;
  garpMasterRefreshRepeat?: number;
  garpLowerPrioDelayS?: number;
  garpLowerPrioRepeat?: number;
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  v3ChecksumAsV2?: boolean;
  accept?: boolean;
  useVmac?: { name?: string; mac?: string };
  vmacXmitBase: boolean;
  strict?: boolean;
  skipCheckAdvAddr?: boolean;
  downTimerAdverts?: number;
  promoteSecondaries: boolean;
  ownerIgnoreAdverts?: boolean;
  timerExpiredBackup?: { priority?: number };
}

export interface VrrpCx extends Cx {
  rules: RuleContext;
}

export function newInstanceDraft(name: string, st: Stmt): InstanceDraft {
  return {
    name, source: { file: st.file, line: st.line }, at: {}, nativeIpv6: false, vips: [], excludedVips: [],
    noVirtualIpaddress: false, routes: [], rules: [], unicastPeers: [], unicastFaultNoPeer: false,
    checkUnicastSrc: false, trackInterfaces: [], trackScripts: [], trackFiles: [], trackProcesses: [], trackBfds: [],
    dontTrackPrimary: false, trackSrcIp: false, notify: {}, notifyDeleted: false, notifyPriorityChanges: false,
    vmacXmitBase: false, promoteSecondaries: false,
  };
}

type D = InstanceDraft;
type H = Handler<D, VrrpCx>;

const mark = (v: D, st: Stmt) => (v.at[st.words[0]!.text] = posOf(st));
const on = (key: keyof D): H => (v, st) => ((v as unknown as Record<string, boolean>)[key] = true, mark(v, st));
const optBool = (key: keyof D): H => (v, st, cx) => {
  const b = boolArg(st, 1, cx.d);
  if (b !== undefined) ((v as unknown as Record<string, boolean>)[key] = b), mark(v, st);
};
const num = (key: keyof D, min: number, max: number): H => (v, st, cx) => {
  const n = intArg(st, 1, cx.d, min, max);
  if (n !== undefined) ((v as unknown as Record<string, number>)[key] = n), mark(v, st);
};
const notifyKw = (key: keyof NotifyScripts): H => notifyKeyword<D>(key, (v) => `(${v.name})`);
const tracks = (key: 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfds', kind: 'script' | 'file' | 'process' | 'bfd'): H => (v, st, cx) => {
  append(v[key], parseTrackBlock(st, kind, cx.d));
};

function srcIp(key: 'unicastSrcIp' | 'mcastSrcIp'): H {
  return (v, st, cx) => {
    const t = needArg(st, 1, cx.d, 'address');
    if (!t) return;
    const ip = IpAddress.parse(t.text);
    if (!ip) return cx.d.error(posOf(st, 1), `(${v.name}) malformed source address '${t.text}' - skipping`, 'use an IPv4 or IPv6 address');
    if (v.family !== undefined && ip.family !== v.family) {
      return cx.d.error(posOf(st, 1), `(${v.name}) source address ${t.text} must be of the same family as the instance - skipping`, 'use an address of the VIPs\' family');
    }
    v.family ??= ip.family;
    v[key] = ip.text;
    mark(v, st);
  };
}

const base: Record<string, H | Keyword<D, VrrpCx>> = {
  state: (v, st, cx) => {
    const s = strArg(st, 1, cx.d, 'state');
    if (s === 'MASTER' || s === 'BACKUP') {
      if (s === 'BACKUP' && v.state === 'MASTER') cx.d.error(posOf(st, 1), `(${v.name}) state previously set as MASTER - ignoring BACKUP`, 'keep one state line');
      else v.state = s;
    } else if (s !== undefined) {
      const hint = s.toUpperCase() === 'MASTER' || s.toUpperCase() === 'BACKUP' ? ` (states are case-sensitive: ${s.toUpperCase()})` : '';
      cx.d.error(posOf(st, 1), `(${v.name}) unknown state '${s}', defaulting to BACKUP${hint}`, 'use MASTER or BACKUP');
      v.state = 'BACKUP';
    }
    mark(v, st);
  },
  interface: (v, st, cx) => {
    const s = strArg(st, 1, cx.d, 'interface');
    if (s !== undefined) (v.interface = s), mark(v, st);
  },
  virtual_router_id: (v, st, cx) => {
    const t = needArg(st, 1, cx.d, 'vrid');
    if (!t) return;
    const n = checkInt(t.text, posOf(st, 1), cx.d, 1, 255, 'virtual_router_id');
    if (n !== undefined) (v.vrid = n), mark(v, st);
  },
  priority: (v, st, cx) => {
    const t = needArg(st, 1, cx.d, 'priority');
    if (!t) return;
    const n = checkInt(t.text, posOf(st, 1), cx.d, 1, 255, 'priority');
    if (n !== undefined) (v.priority = n), mark(v, st);
  },
  advert_int: (v, st, cx) => {
    const us = timerArg(st, 1, cx.d, 10_000, 255e6);
    if (us !== undefined) (v.advertIntUs = us), mark(v, st);
  },
  version: (v, st, cx) => {
    const n = intArg(st, 1, cx.d, 2, 3, 'version');
    if (n !== undefined) (v.version = n as 2 | 3), mark(v, st);
  },
  native_ipv6: on('nativeIpv6'),
  virtual_ipaddress: {
    block: 'values',
    run: (v, st, cx) => {
      v.at.virtual_ipaddress ??= posOf(st);
      addresses(v.vips, st, cx);
      v.family ??= v.vips[0]?.family;
    },
  },
  virtual_ipaddress_excluded: { block: 'values', run: (v, st, cx) => addresses(v.excludedVips, st, cx) },
  no_virtual_ipaddress: on('noVirtualIpaddress'),
  virtual_routes: { block: 'values', run: (v, st, cx) => {
    for (const l of st.block ?? []) { const r = parseRouteLine(l, cx.d); if (r) v.routes.push(r); }
  } },
  virtual_rules: { block: 'values', run: (v, st, cx) => {
    for (const l of st.block ?? []) { const r = parseRuleLine(l, cx.d, cx.rules); if (r) v.rules.push(r); }
  } },
  authentication: { block: 'sub', accepts: new Set(AUTHENTICATION_KEYWORDS), run: (v, st, cx) => {
    v.auth ??= {};
    mark(v, st);
    for (const l of st.block ?? []) {
      const k = l.words[0]!.text;
      if (k === 'auth_type') {
        const t = strArg(l, 1, cx.d, 'type');
        if (t === 'PASS' || t === 'AH') (v.auth.type = t), mark(v, l);
        else if (t !== undefined) cx.d.error(posOf(l, 1), `(${v.name}) unknown authentication type '${t}'`, 'use PASS or AH (case-sensitive)');
      } else if (k === 'auth_pass') {
        const p = strArg(l, 1, cx.d, 'password');
        if (p !== undefined) (v.auth.pass = p.slice(0, 8)), mark(v, l);
        // The fix does not repeat the password: diagnostics end up in logs and CI output.
        if (p !== undefined && p.length > 8) cx.d.warn(posOf(l, 1), 'Truncating auth_pass to 8 characters', 'shorten it to its first 8 characters (only 8 are sent)');
      } else unknownKeyword(l, AUTHENTICATION_KEYWORDS, cx.d, 'authentication');
    }
  } },
  unicast_src_ip: srcIp('unicastSrcIp'),
  mcast_src_ip: srcIp('mcastSrcIp'),
  unicast_peer: { block: 'values', run: (v, st, cx) => {
    mark(v, st);
    for (const l of st.block ?? []) {
      const ip = IpAddress.parse(l.words[0]!.text);
      if (!ip) { cx.d.error(posOf(l), `(${v.name}) invalid unicast peer '${l.words[0]!.text}' - skipping`, 'use an IP address'); continue; }
      const peer: UnicastPeer = { address: ip.text, family: ip.family };
      for (let i = 1; i < l.words.length; i += 2) {
        const o = l.words[i]!.text;
        const n = l.words[i + 1] ? checkInt(l.words[i + 1]!.text, posOf(l, i + 1), cx.d, 0, 255, o) : undefined;
        if (o === 'min_ttl' && n !== undefined) peer.minTtl = n;
        else if (o === 'max_ttl' && n !== undefined) peer.maxTtl = n;
        else if (o !== 'min_ttl' && o !== 'max_ttl') cx.d.error(posOf(l, i), `(${v.name}) unknown unicast_peer option '${o}'`, 'expected min_ttl N or max_ttl N');
      }
      v.unicastPeers.push(peer);
    }
    if (!v.unicastPeers.length) {
      cx.d.warn(posOf(st), `(${v.name}) a unicast keyword has been specified without any unicast peers. Defaulting to multicast`, 'list the peers in unicast_peer, or remove the block');
    }
  } },
  unicast_ttl: num('unicastTtl', 1, 255),
  unicast_fault_no_peer: on('unicastFaultNoPeer'),
  check_unicast_src: on('checkUnicastSrc'),
  mcast_dst_ip: (v, st, cx) => {
    const t = needArg(st, 1, cx.d, 'address');
    const ip = t && IpAddress.parse(t.text);
    if (t && !ip) return cx.d.error(posOf(st, 1), `(${v.name}) invalid mcast_dst_ip '${t.text}'`, 'use a multicast address');
    if (ip) (v.mcastDstIp = ip.text), mark(v, st);
  },
  track_src_ip: on('trackSrcIp'),
  dont_track_primary: on('dontTrackPrimary'),
  track_interface: { block: 'values', run: (v, st, cx) => {
    append(v.trackInterfaces, parseTrackBlock(st, 'interface', cx.d));
  } },
  track_script: { block: 'values', run: tracks('trackScripts', 'script') },
  track_file: { block: 'values', run: tracks('trackFiles', 'file') },
  track_process: { block: 'values', run: tracks('trackProcesses', 'process') },
  track_bfd: { block: 'values', run: tracks('trackBfds', 'bfd') },
  nopreempt: (v, st) => ((v.nopreempt = true), mark(v, st)),
  preempt: (v, st) => ((v.nopreempt = false), mark(v, st)),
  preempt_delay: (v, st, cx) => {
    const us = timerArg(st, 1, cx.d, 0, 1000e6);
    if (us !== undefined) (v.preemptDelayUs = us), mark(v, st);
  },
  notify: notifyKw('notify'),
  notify_master: notifyKw('master'),
  notify_backup: notifyKw('backup'),
  notify_fault: notifyKw('fault'),
  notify_stop: notifyKw('stop'),
  notify_master_rx_lower_pri: notifyKw('masterRxLowerPri'),
  notify_deleted: (v, st, cx) => {
    v.notifyDeleted = true;
    if (st.words.length > 1) notifyKw('deleted')(v, st, cx);
  },
  notify_priority_changes: optBool('notifyPriorityChanges'),
  smtp_alert: optBool('smtpAlert'),
  garp_master_delay: num('garpMasterDelayS', 0, 86400),
  garp_master_repeat: num('garpMasterRepeat', 0, 0xffffffff),
  garp_master_refresh: num('garpMasterRefreshS', 0, 0xffffffff),
  garp_master_refresh_repeat: num('garpMasterRefreshRepeat', 0, 0xffffffff),
  garp_lower_prio_delay: num('garpLowerPrioDelayS', 0, 86400),
  garp_lower_prio_repeat: num('garpLowerPrioRepeat', 0, 0xffffffff),
  lower_prio_no_advert: optBool('lowerPrioNoAdvert'),
  higher_prio_send_advert: optBool('higherPrioSendAdvert'),
  v3_checksum_as_v2: optBool('v3ChecksumAsV2'),
  accept: (v, st) => ((v.accept = true), mark(v, st)),
  no_accept: (v, st) => ((v.accept = false), mark(v, st)),
  use_vmac: (v, st) => {
    v.useVmac = {};
    if (st.words[1]) v.useVmac.name = st.words[1].text;
    if (st.words[2]) v.useVmac.mac = st.words[2].text;
    mark(v, st);
  },
  vmac_xmit_base: on('vmacXmitBase'),
  strict_mode: optBool('strict'),
  skip_check_adv_addr: (v, st, cx) => {
    // keepalived quirk: any valid boolean, including false, sets it.
    if (boolArg(st, 1, cx.d) !== undefined) (v.skipCheckAdvAddr = true), mark(v, st);
  },
  down_timer_adverts: num('downTimerAdverts', 1, 100),
  promote_secondaries: on('promoteSecondaries'),
  owner_ignore_adverts: optBool('ownerIgnoreAdverts'),
  timer_expired_backup: (v, st, cx) => {
    const p = st.words[1] ? intArg(st, 1, cx.d, 1, 254) : undefined;
    v.timerExpiredBackup = p === undefined ? {} : { priority: p };
  },
  lvs_sync_daemon_interface: (v, st, cx) =>
    cx.d.warn(posOf(st), `(${v.name}) specifying lvs_sync_daemon_interface against a vrrp is deprecated`, 'use global_defs lvs_sync_daemon IF VRRP_INSTANCE'),
};

function addresses(list: IpAddressConfig[], st: Stmt, cx: VrrpCx) {
  for (const l of st.block ?? []) {
    const a = parseAddressLine(l, cx.d);
    if (a) list.push(a);
  }
}

export const instanceTable: Table<D, VrrpCx> = table<D, VrrpCx>(base);
restrict(instanceTable, VRRP_INSTANCE_KEYWORDS);
