/**
 * SIGUSR1 / SIGUSR2 / SIGFUNC=JSON dumps in keepalived 2.2.7's layouts, for the fields
 * keepalived-ts has. Pure formatting; dump-files.ts writes them.
 *
 *   /tmp/keepalived.data          VRRP child: global definitions, VRRP topology, sync groups,
 *                                 scripts, interfaces ("------< Section >------" headers,
 *                                 " Key = value" lines with keepalived's indentation).
 *   /tmp/keepalived_parent.data   parent: global definitions.
 *   /tmp/keepalived_check.data    checker child: dump-check.ts.
 *   /tmp/keepalived.stats         VRRP child: the per-instance counters exporters parse.
 *   /tmp/keepalived.json          VRRP child: json_version 1, an array of {data, stats}.
 *
 * Lines for values keepalived-ts does not track (file descriptors, netlink buffers, rt
 * priorities…) are left out rather than invented.
 */
import type { InterfaceInfo } from '../../../actors/ports.js';
import type { InstanceStatus, VrrpStateName } from '../../../actors/runtime-types.js';
import type {
  IpAddressConfig,
  KeepalivedConfig,
  VrrpInstanceConfig,
} from '../../../config/index.js';
import { ctimeStamp } from './log-format.js';
import type { VrrpStats } from './vrrp-stats.js';

export interface InstanceDump {
  config: VrrpInstanceConfig;
  /** Undefined before the runtime reported the instance. */
  status?: InstanceStatus;
  /** Wall-clock ms of the last state change seen (for "Last transition"). */
  lastTransitionMs?: number;
  stats: VrrpStats;
  /** Every received packet this instance dropped, by reason (the runtime's `drop.*` counters). keepalived-ts only. */
  drops?: Record<string, number>;
}

export interface DumpContext {
  model: KeepalivedConfig;
  hostName: string;
  umask: number;
}

const yesNo = (b: boolean): string => (b ? 'true' : 'false');
const secs = (ms: number): string => String(Math.floor(ms / 1000));
const header = (title: string): string => `------< ${title} >------`;

const STATE_NUMBER: Readonly<Record<VrrpStateName, number>> = {
  INIT: 0,
  BACKUP: 1,
  MASTER: 2,
  FAULT: 3,
  DELETED: 97,
  STOP: 98,
};

function microseconds(ms: number): string {
  return String(Math.min(999_999, Math.round((ms % 1000) * 1000))).padStart(6, '0');
}

/** keepalived's "1795310640.979391 (Sun Nov 22 01:24:00.979391 2026)" timestamp. */
export function transitionStamp(ms: number): string {
  const usec = microseconds(ms);
  const stamp = ctimeStamp(new Date(ms)); // "Sun Nov 22 01:24:00 2026"
  const year = stamp.slice(stamp.lastIndexOf(' '));
  return `${Math.floor(ms / 1000)}.${usec} (${stamp.slice(0, -year.length)}.${usec}${year})`;
}

function smtpDefault(v: boolean | undefined): string {
  return v === undefined ? 'unset' : yesNo(v);
}

/** "------< Global definitions >------": the lines keepalived prints that the model carries. */
export function formatGlobalDefs(ctx: DumpContext): string[] {
  const g = ctx.model.globalDefs;
  const lines = [
    header('Global definitions'),
    ' Network namespace = (default)',
    ` Router ID = ${g.routerId ?? ctx.hostName}`,
  ];
  if (g.smtpServer) lines.push(` Smtp server = ${g.smtpServer.host}`, ` Smtp server port = ${g.smtpServer.port}`);
  if (g.smtpHeloName) lines.push(` Smtp HELO name = ${g.smtpHeloName}`);
  if (g.smtpServer) lines.push(` Smtp server connection timeout = ${secs(g.smtpConnectTimeoutMs)}`);
  if (g.notificationEmailFrom) lines.push(` Email notification from = ${g.notificationEmailFrom}`);
  for (const to of g.notificationEmail) lines.push(` Email notification = ${to}`);
  const lowerDelay = g.vrrpGarpLowerPrioDelayMs ?? g.vrrpGarpMasterDelayMs;
  const lowerRepeat = g.vrrpGarpLowerPrioRepeat ?? g.vrrpGarpMasterRepeat;
  lines.push(
    ` Default smtp_alert = ${smtpDefault(g.smtpAlert)}`,
    ` Default smtp_alert_vrrp = ${smtpDefault(g.smtpAlertVrrp)}`,
    ` Default smtp_alert_checker = ${smtpDefault(g.smtpAlertChecker)}`,
    ` Dynamic interfaces = ${yesNo(g.dynamicInterfaces)}`,
    ` LVS flush = ${yesNo(g.lvsFlush)}`,
    ` VRRP IPv4 mcast group = ${g.vrrpMcastGroup4}`,
    ` VRRP IPv6 mcast group = ${g.vrrpMcastGroup6}`,
    ` Gratuitous ARP delay = ${secs(g.vrrpGarpMasterDelayMs)}`,
    ` Gratuitous ARP repeat = ${g.vrrpGarpMasterRepeat}`,
    ` Gratuitous ARP refresh timer = ${secs(g.vrrpGarpMasterRefreshMs)}`,
    ` Gratuitous ARP refresh repeat = ${g.vrrpGarpMasterRefreshRepeat}`,
    ` Gratuitous ARP lower priority delay = ${secs(lowerDelay)}`,
    ` Gratuitous ARP lower priority repeat = ${lowerRepeat}`,
    ` Num adverts before down = ${g.vrrpDownTimerAdverts}`,
    ` Send advert after receive lower priority advert = ${yesNo(!g.vrrpLowerPrioNoAdvert)}`,
    ` Send advert after receive higher priority advert = ${yesNo(g.vrrpHigherPrioSendAdvert)}`,
    ` Gratuitous ARP interval = ${(g.vrrpGarpIntervalMs / 1000).toFixed(6)}`,
    ` Gratuitous NA interval = ${(g.vrrpGnaIntervalMs / 1000).toFixed(6)}`,
    ` VRRP default protocol version = ${g.vrrpVersion}`,
    ` VRRP check unicast_src = ${yesNo(g.vrrpCheckUnicastSrc)}`,
    ` VRRP skip check advert addresses = ${yesNo(g.vrrpSkipCheckAdvAddr)}`,
    ` VRRP strict mode = ${yesNo(g.vrrpStrict)}`,
    ` Max auto priority = ${g.maxAutoPriority}`,
    ` Script security ${g.enableScriptSecurity ? 'enabled' : 'disabled'}`,
    ` umask = 0${ctx.umask.toString(8)}`,
  );
  return lines;
}

/** A VIP line: "198.51.100.100/24 dev veth0 scope global set". */
export function addressLine(a: IpAddressConfig, defaultDev: string | undefined, installed: boolean): string {
  let s = `${a.address}/${a.prefixLength}`;
  if (a.brd && a.brd !== '-') s += ` brd ${a.brd}`;
  const dev = a.dev ?? defaultDev;
  if (dev) s += ` dev ${dev}`;
  s += ` scope ${a.scope ?? 'global'}`;
  if (a.label) s += ` label ${a.label}`;
  if (installed) s += ' set';
  return s;
}

function vipInstalled(a: IpAddressConfig, status: InstanceStatus | undefined): boolean {
  if (!status) return false;
  return status.vipsInstalled.some((v) => v === `${a.address}/${a.prefixLength}` || v.split('/')[0] === a.address);
}

function firstAddress(ifs: readonly InterfaceInfo[], ifname: string | undefined, family: 4 | 6): string | undefined {
  const info = ifs.find((i) => i.name === ifname);
  const addr = info?.addresses.find((a) => (family === 6 ? a.includes(':') : !a.includes(':')));
  return addr?.split('/')[0];
}

function advertInterval(cs: number, version: 2 | 3): string {
  return version === 2 ? `${Math.floor(cs / 100)} sec` : `${cs * 10} milli-sec`;
}

function commandText(argv: readonly string[]): string {
  return argv.map((a) => `'${a}'`).join(' ');
}

function instanceLines(d: InstanceDump, ifs: readonly InterfaceInfo[]): string[] {
  const c = d.config;
  const st = d.status;
  const state = st?.state ?? 'INIT';
  const unicast = c.unicastPeers.length > 0;
  const lines = [` VRRP Instance = ${c.name}`, `   VRRP Version = ${c.version}`];
  if (c.syncGroup) lines.push(`   Sync group = ${c.syncGroup}`);
  lines.push(`   State = ${state}`);
  if (state === 'BACKUP' && st?.masterAddress) {
    lines.push(`   Master router = ${st.masterAddress}`);
    if (c.version === 3) lines.push(`   Master advert int = ${(st.masterAdverIntervalCs / 100).toFixed(2)} sec`);
  }
  lines.push(unicast ? '   Flags:\n     Using unicast' : '   Flags: none');
  if (d.lastTransitionMs !== undefined) lines.push(`   Last transition = ${transitionStamp(d.lastTransitionMs)}`);
  if (c.interface) lines.push(`   Interface = ${c.interface}`);
  const configuredSrc = c.unicastSrcIp ?? c.mcastSrcIp;
  const src = configuredSrc ?? firstAddress(ifs, c.interface, c.family);
  if (src) lines.push(`   Using src_ip = ${src}${configuredSrc ? ' (from configuration)' : ''}`);
  if (!unicast) lines.push(`   Multicast address ${c.mcastDstIp}`);
  lines.push(
    `   Gratuitous ARP delay = ${secs(c.garpMasterDelayMs)}`,
    `   Gratuitous ARP repeat = ${c.garpMasterRepeat}`,
    `   Gratuitous ARP refresh = ${secs(c.garpMasterRefreshMs)}`,
    `   Gratuitous ARP refresh repeat = ${c.garpMasterRefreshRepeat}`,
    `   Gratuitous ARP lower priority delay = ${secs(c.garpLowerPrioDelayMs)}`,
    `   Gratuitous ARP lower priority repeat = ${c.garpLowerPrioRepeat}`,
    `   Down timer adverts = ${c.downTimerAdverts}`,
    `   Send advert after receive lower priority advert = ${yesNo(!c.lowerPrioNoAdvert)}`,
    `   Send advert after receive higher priority advert = ${yesNo(c.higherPrioSendAdvert)}`,
    `   Virtual Router ID = ${c.vrid}`,
    `   Priority = ${c.priority}`,
    `   Effective priority = ${st?.effectivePriority ?? c.priority}`,
    `   Total priority = ${st?.effectivePriority ?? c.priority}`,
    `   Advert interval = ${advertInterval(c.advertIntervalCs, c.version)}`,
  );
  if (c.version === 3) {
    lines.push(`   Master advert interval = ${advertInterval(st?.masterAdverIntervalCs ?? c.advertIntervalCs, 3)}`);
  }
  lines.push(`   Accept = ${c.accept ? 'enabled' : 'disabled'}`, `   Preempt = ${c.nopreempt ? 'disabled' : 'enabled'}`);
  if (c.preemptDelayMs > 0) lines.push(`   Preempt delay = ${secs(c.preemptDelayMs)} secs`);
  lines.push(`   Promote_secondaries = ${c.promoteSecondaries ? 'enabled' : 'disabled'}`);
  if (c.version === 2) {
    if (!c.authentication) lines.push('   Authentication type = none');
    else if (c.authentication.type === 'AH') lines.push('   Authentication type = IPSEC_AH');
    else lines.push('   Authentication type = SIMPLE_PASSWORD', `   Password = ${c.authentication.pass.slice(0, 8)}`);
  }
  if (c.vips.length > 0) {
    lines.push(`   Virtual IP (${c.vips.length}):`);
    for (const a of c.vips) lines.push(`     ${addressLine(a, c.interface, vipInstalled(a, st))}`);
  }
  if (c.excludedVips.length > 0) {
    lines.push(`   Virtual IP Excluded (${c.excludedVips.length}):`);
    for (const a of c.excludedVips) lines.push(`     ${addressLine(a, c.interface, vipInstalled(a, st))}`);
  }
  if (unicast) {
    lines.push(
      `   Unicast TTL = ${c.unicastTtl}`,
      `   Check unicast src : ${c.checkUnicastSrc ? 'yes' : 'no'}`,
      '   Unicast Peer :',
      ...c.unicastPeers.map((p) => `     ${p.address} min_ttl ${p.minTtl ?? 0} max_ttl ${p.maxTtl ?? 255}`),
      `   Unicast checksum compatibility = ${c.v3ChecksumAsV2 ? 'yes' : 'no'}`,
    );
  }
  if (c.trackInterfaces.length > 0) {
    lines.push('   Tracked interfaces :', ...c.trackInterfaces.map((t) => `     ${t.name} weight ${t.weight}${t.reverse ? ' reverse' : ''}`));
  }
  if (c.trackScripts.length > 0) {
    lines.push('   Tracked scripts :', ...c.trackScripts.map((t) => `     ${t.name} weight ${t.weight}${t.reverse ? ' reverse' : ''}`));
  }
  if (c.trackFiles.length > 0) {
    lines.push('   Tracked files :', ...c.trackFiles.map((t) => `     ${t.name} weight ${t.weight}${t.reverse ? ' reverse' : ''}`));
  }
  const scripts: Array<[string, { argv: string[] } | undefined]> = [
    ['Backup state transition script', c.notify.backup],
    ['Master state transition script', c.notify.master],
    ['Fault state transition script', c.notify.fault],
    ['Stop state transition script', c.notify.stop],
    ['Generic state transition script', c.notify.notify],
  ];
  for (const [label, s] of scripts) if (s) lines.push(`   ${label} = ${commandText(s.argv)}`);
  lines.push(
    `   Using smtp notification = ${c.smtpAlert ? 'yes' : 'no'}`,
    `   Notify deleted = ${c.notifyDeleted ? 'Deleted' : 'Fault'}`,
    `   Notify priority changes = ${yesNo(c.notifyPriorityChanges)}`,
  );
  return lines;
}

function interfaceLines(ifs: readonly InterfaceInfo[], model: KeepalivedConfig): string[] {
  const lines = [header('Interfaces')];
  for (const i of ifs) {
    const v4 = i.addresses.find((a) => !a.includes(':'))?.split('/')[0] ?? '(none)';
    const v6 = i.addresses.find((a) => a.includes(':'))?.split('/')[0] ?? '(none)';
    const state = [i.up ? 'UP' : 'DOWN', ...(i.running ? ['RUNNING'] : [])].join(', ');
    lines.push(` Name = ${i.name}`, `   index = ${i.index}`, `   IPv4 address = ${v4}`, `   IPv6 address = ${v6}`);
    if (i.mac && i.mac !== '00:00:00:00:00:00') lines.push(`   MAC = ${i.mac}`);
    lines.push(`   State = ${state}`);
    const tracking = model.vrrpInstances.filter((v) => v.interface === i.name);
    if (tracking.length > 0) lines.push('   Tracking VRRP instances :', ...tracking.map((v) => `     ${v.name}, weight 0`));
  }
  return lines;
}

/** /tmp/keepalived.data, written by the VRRP child on SIGUSR1. */
export function formatVrrpData(ctx: DumpContext, instances: readonly InstanceDump[], ifs: readonly InterfaceInfo[]): string {
  const m = ctx.model;
  const lines = [...formatGlobalDefs(ctx), header('VRRP Topology')];
  for (const d of instances) lines.push(...instanceLines(d, ifs));
  if (m.vrrpSyncGroups.length > 0) {
    lines.push(header('VRRP Sync groups'));
    for (const g of m.vrrpSyncGroups) {
      const member = instances.find((d) => g.members.includes(d.config.name));
      lines.push(
        ` VRRP Sync Group = ${g.name}, ${member?.status?.state ?? 'INIT'}`,
        '   VRRP member instances :',
        ...g.members.map((n) => `     ${n}`),
        `   Using smtp notification = ${g.smtpAlert ? 'yes' : 'no'}`,
      );
    }
  }
  if (m.vrrpScripts.length > 0) {
    lines.push(header('VRRP Scripts'));
    for (const s of m.vrrpScripts) {
      lines.push(
        ` VRRP Script = ${s.name}`,
        `   Command = ${s.command ? commandText(s.command.argv) : '(none)'}`,
        `   Interval = ${secs(s.intervalMs)} sec`,
        `   Timeout = ${secs(s.timeoutMs)} sec`,
        `   Weight = ${s.weight}${s.reverse ? ' reverse' : ''}`,
        `   Rise = ${s.rise}`,
        `   Fall = ${s.fall}`,
      );
      const users = m.vrrpInstances.flatMap((v) => v.trackScripts.filter((t) => t.name === s.name).map((t) => `     ${v.name}, weight ${t.weight}`));
      if (users.length > 0) lines.push('   Tracking instances :', ...users);
    }
  }
  lines.push(...interfaceLines(ifs, m));
  return lines.join('\n') + '\n';
}

/** /tmp/keepalived_parent.data, written by the parent on SIGUSR1. */
export function formatParentData(ctx: DumpContext): string {
  return formatGlobalDefs(ctx).join('\n') + '\n';
}

/** /tmp/keepalived.stats, in the exact layout of keepalived 2.2.7 (exporters parse it). */
export function formatStats(instances: ReadonlyArray<{ name: string; stats: VrrpStats }>): string {
  const out: string[] = [];
  for (const { name, stats: s } of instances) {
    out.push(
      `VRRP Instance: ${name}`,
      '  Advertisements:',
      `    Received: ${s.advertRcvd}`,
      `    Sent: ${s.advertSent}`,
      `  Became master: ${s.becomeMaster}`,
      `  Released master: ${s.releaseMaster}`,
      '  Packet Errors:',
      `    Length: ${s.packetLenErr}`,
      `    TTL: ${s.ipTtlErr}`,
      `    Invalid Type: ${s.invalidTypeRcvd}`,
      `    Advertisement Interval: ${s.advertIntervalErr}`,
      `    Address List: ${s.addrListErr}`,
      '  Authentication Errors:',
      `    Invalid Type: ${s.invalidAuthtype}`,
      `    Type Mismatch: ${s.authtypeMismatch}`,
      `    Failure: ${s.authFailure}`,
      '  Priority Zero:',
      `    Received: ${s.priZeroRcvd}`,
      `    Sent: ${s.priZeroSent}`,
    );
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

/** A number written with a fixed count of decimals, as keepalived's JSON writer does for times. */
class Fixed {
  constructor(readonly text: string) {}
}

function jsonText(v: unknown): string {
  if (v instanceof Fixed) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`);
    return `{${parts.join(',')}}`;
  }
  // keepalived's JSON writer escapes '/' as '\/'; JSON readers treat both the same.
  return JSON.stringify(v).replace(/\//g, '\\/');
}

const snakeStats = (s: VrrpStats): Record<string, number> => ({
  advert_rcvd: s.advertRcvd,
  advert_sent: s.advertSent,
  become_master: s.becomeMaster,
  release_master: s.releaseMaster,
  packet_len_err: s.packetLenErr,
  advert_interval_err: s.advertIntervalErr,
  ip_ttl_err: s.ipTtlErr,
  invalid_type_rcvd: s.invalidTypeRcvd,
  addr_list_err: s.addrListErr,
  invalid_authtype: s.invalidAuthtype,
  authtype_mismatch: s.authtypeMismatch,
  auth_failure: s.authFailure,
  pri_zero_rcvd: s.priZeroRcvd,
  pri_zero_sent: s.priZeroSent,
});

/** /tmp/keepalived.json (json_version 1): the shape keepalived-exporter reads. */
export function formatJson(ctx: DumpContext, instances: readonly InstanceDump[]): string {
  const scriptText = (name: string): string => {
    const argv = ctx.model.vrrpScripts.find((s) => s.name === name)?.command?.argv;
    return argv ? commandText(argv) : name;
  };
  const entries = instances.map((d) => {
    const c = d.config;
    const st = d.status;
    const state = STATE_NUMBER[st?.state ?? 'INIT'];
    const lastMs = d.lastTransitionMs ?? 0;
    const data: Record<string, unknown> = {
      iname: c.name,
      dont_track_primary: c.dontTrackPrimary ? 1 : 0,
      skip_check_adv_addr: c.skipCheckAdvAddr ? 1 : 0,
      strict_mode: c.strict ? 1 : 0,
      vmac_ifname: c.useVmac?.name ?? '',
      ifp_ifname: c.interface ?? '',
      master_priority: st?.state === 'BACKUP' ? (st.masterPriority ?? 0) : 0,
      last_transition: new Fixed(`${Math.floor(lastMs / 1000)}.${microseconds(lastMs)}`),
      garp_delay: Math.floor(c.garpMasterDelayMs / 1000),
      garp_refresh: Math.floor(c.garpMasterRefreshMs / 1000),
      garp_rep: c.garpMasterRepeat,
      garp_refresh_rep: c.garpMasterRefreshRepeat,
      garp_lower_prio_delay: Math.floor(c.garpLowerPrioDelayMs / 1000),
      garp_lower_prio_rep: c.garpLowerPrioRepeat,
      lower_prio_no_advert: c.lowerPrioNoAdvert ? 1 : 0,
      higher_prio_send_advert: c.higherPrioSendAdvert ? 1 : 0,
      vrid: c.vrid,
      base_priority: c.priority,
      effective_priority: st?.effectivePriority ?? c.priority,
      vipset: (st?.vipsInstalled.length ?? 0) > 0,
      promote_secondaries: c.promoteSecondaries,
      adver_int: c.advertIntervalCs / 100,
      master_adver_int: (st?.masterAdverIntervalCs ?? c.advertIntervalCs) / 100,
      accept: c.accept ? 1 : 0,
      nopreempt: c.nopreempt,
      preempt_delay: Math.floor(c.preemptDelayMs / 1000),
      state,
      wantstate: state,
      version: c.version,
      smtp_alert: c.smtpAlert,
      notify_deleted: c.notifyDeleted,
      vips: c.vips.map((a) => addressLine(a, c.interface, vipInstalled(a, st))),
      evips: c.excludedVips.length > 0 ? c.excludedVips.map((a) => addressLine(a, c.interface, vipInstalled(a, st))) : undefined,
      track_ifp: c.trackInterfaces.length > 0 ? c.trackInterfaces.map((t) => t.name) : undefined,
      track_script: c.trackScripts.length > 0 ? c.trackScripts.map((t) => scriptText(t.name)) : undefined,
      auth_type: !c.authentication ? 0 : c.authentication.type === 'AH' ? 2 : 1,
      auth_data: c.authentication?.type === 'PASS' ? c.authentication.pass.slice(0, 8) : undefined,
    };
    // `drops` is ours, beside keepalived's two objects (exporters decode data and stats only).
    return { data, stats: snakeStats(d.stats), drops: d.drops ?? {} };
  });
  return jsonText(entries);
}
