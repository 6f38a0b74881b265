/**
 * `check --print`: re-emits a normalised keepalived.conf from the model. Every default is written
 * out explicitly, so reading the output back gives the same model (the round-trip test checks it),
 * and the text is also valid for keepalived 2.2.7 itself: only keywords 2.2.7 knows are written.
 * `v3ChecksumAsV2` and `ownerIgnoreAdverts` have no 2.2.7 keyword (`v3_checksum_as_v2` and
 * `owner_ignore_adverts` came later): a 2.2.7 config never sets the first, and sets the second
 * only through strict mode (`strict_mode`/`vrrp_strict`, which is printed), so neither is written.
 */
import type { GlobalDefs, KeepalivedConfig, NotifyScripts, TrackInterfaceRef, TrackRef, VrrpInstanceConfig, VrrpSyncGroupConfig } from './model.js';
import { printSsl, printVirtualServers } from './print-lvs.js';
import { addressText, Out, routeText, ruleText, scriptText, secondsText, word } from './print-util.js';

const onOff = (b: boolean) => (b ? 'on' : 'off');

function printGlobal(o: Out, g: GlobalDefs): void {
  o.open('global_defs');
  if (g.routerId !== undefined) o.line(`router_id ${word(g.routerId)}`);
  if (g.notificationEmail.length) o.block('notification_email', g.notificationEmail.map(word));
  if (g.notificationEmailFrom !== undefined) o.line(`notification_email_from ${word(g.notificationEmailFrom)}`);
  if (g.smtpServer) o.line(`smtp_server ${word(g.smtpServer.host)} ${g.smtpServer.port}`);
  o.line(`smtp_connect_timeout ${g.smtpConnectTimeoutMs / 1000}`);
  if (g.smtpHeloName !== undefined) o.line(`smtp_helo_name ${word(g.smtpHeloName)}`);
  if (g.smtpAlert !== undefined) o.line(`smtp_alert ${onOff(g.smtpAlert)}`);
  if (g.smtpAlertVrrp !== undefined) o.line(`smtp_alert_vrrp ${onOff(g.smtpAlertVrrp)}`);
  if (g.smtpAlertChecker !== undefined) o.line(`smtp_alert_checker ${onOff(g.smtpAlertChecker)}`);
  if (g.enableScriptSecurity) o.line('enable_script_security');
  if (g.scriptUser) o.line(`script_user ${word(g.scriptUser.user)}${g.scriptUser.group ? ` ${word(g.scriptUser.group)}` : ''}`);
  if (g.vrrpGarpIntervalMs) o.line(`vrrp_garp_interval ${secondsText(g.vrrpGarpIntervalMs)}`);
  if (g.vrrpGnaIntervalMs) o.line(`vrrp_gna_interval ${secondsText(g.vrrpGnaIntervalMs)}`);
  o.line(`vrrp_garp_master_delay ${g.vrrpGarpMasterDelayMs / 1000}`);
  o.line(`vrrp_garp_master_repeat ${g.vrrpGarpMasterRepeat}`);
  o.line(`vrrp_garp_master_refresh ${g.vrrpGarpMasterRefreshMs / 1000}`);
  o.line(`vrrp_garp_master_refresh_repeat ${g.vrrpGarpMasterRefreshRepeat}`);
  if (g.vrrpGarpLowerPrioDelayMs !== undefined) o.line(`vrrp_garp_lower_prio_delay ${g.vrrpGarpLowerPrioDelayMs / 1000}`);
  if (g.vrrpGarpLowerPrioRepeat !== undefined) o.line(`vrrp_garp_lower_prio_repeat ${g.vrrpGarpLowerPrioRepeat}`);
  if (g.vrrpMinGarp) o.line('vrrp_min_garp on');
  o.line(`vrrp_version ${g.vrrpVersion}`);
  if (g.vrrpStrict) o.line('vrrp_strict');
  if (g.vrrpSkipCheckAdvAddr) o.line('vrrp_skip_check_adv_addr on');
  if (g.vrrpCheckUnicastSrc) o.line('vrrp_check_unicast_src');
  if (g.vrrpLowerPrioNoAdvert) o.line('vrrp_lower_prio_no_advert on');
  if (g.vrrpHigherPrioSendAdvert) o.line('vrrp_higher_prio_send_advert on');
  o.line(`vrrp_down_timer_adverts ${g.vrrpDownTimerAdverts}`);
  o.line(`vrrp_mcast_group4 ${g.vrrpMcastGroup4}`);
  o.line(`vrrp_mcast_group6 ${g.vrrpMcastGroup6}`);
  const fifo = (kw: string, f: GlobalDefs['notifyFifo']) => {
    if (!f) return;
    if (f.path) o.line([kw, word(f.path), ...(f.user ? [word(f.user)] : []), ...(f.group ? [word(f.group)] : [])].join(' '));
    if (f.script) o.line(`${kw}_script ${scriptText(f.script)}`);
  };
  fifo('notify_fifo', g.notifyFifo);
  fifo('vrrp_notify_fifo', g.vrrpNotifyFifo);
  fifo('lvs_notify_fifo', g.lvsNotifyFifo);
  if (g.vrrpStartupDelayMs) o.line(`vrrp_startup_delay ${secondsText(g.vrrpStartupDelayMs)}`);
  if (g.maxAutoPriority) o.line(`max_auto_priority ${g.maxAutoPriority}`);
  if (g.dynamicInterfaces) o.line('dynamic_interfaces');
  if (g.lvsFlush) o.line('lvs_flush');
  if (g.lvsFlushOnStop) o.line(g.lvsFlushOnStop === 'vs' ? 'lvs_flush_on_stop VS' : 'lvs_flush_on_stop');
  const lt = g.lvsTimeouts;
  if (lt) o.line(['lvs_timeouts', ...(lt.tcp !== undefined ? ['tcp', lt.tcp] : []), ...(lt.tcpFin !== undefined ? ['tcpfin', lt.tcpFin] : []), ...(lt.udp !== undefined ? ['udp', lt.udp] : [])].join(' '));
  const sd = g.lvsSyncDaemon;
  if (sd) {
    const opt = (k: string, v: string | number | undefined) => (v === undefined ? [] : [k, typeof v === 'string' ? word(v) : String(v)]);
    o.line(['lvs_sync_daemon', word(sd.interface), ...opt('inst', sd.instance), ...opt('id', sd.syncId), ...opt('maxlen', sd.maxlen), ...opt('port', sd.port), ...opt('ttl', sd.ttl), ...opt('group', sd.group)].join(' '));
  }
  if (g.startupScript) o.line(`startup_script ${scriptText(g.startupScript)}`);
  if (g.shutdownScript) o.line(`shutdown_script ${scriptText(g.shutdownScript)}`);
  for (const [k, v] of Object.entries(g.other)) o.line([k, ...v.map(word)].join(' '));
  o.close();
}

function printNotify(o: Out, n: NotifyScripts, deleted: boolean): void {
  const pairs: Array<[keyof NotifyScripts, string]> = [
    ['master', 'notify_master'], ['backup', 'notify_backup'], ['fault', 'notify_fault'], ['stop', 'notify_stop'],
    ['masterRxLowerPri', 'notify_master_rx_lower_pri'], ['notify', 'notify'],
  ];
  for (const [k, kw] of pairs) {
    const s = n[k];
    if (s) o.line(`${kw} ${scriptText(s)}`);
  }
  if (n.deleted) o.line(`notify_deleted ${scriptText(n.deleted)}`);
  else if (deleted) o.line('notify_deleted');
}

function trackLine(t: TrackRef | TrackInterfaceRef): string {
  // A weight taken from the tracked object is left for the reader to take again.
  if ('weightOverridden' in t && !t.weightOverridden) return word(t.name);
  return `${word(t.name)} weight ${t.weight}${t.reverse ? ' reverse' : ''}`;
}

function printTracks(o: Out, x: Pick<VrrpInstanceConfig, 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfds'>): void {
  if (x.trackInterfaces.length) o.block('track_interface', x.trackInterfaces.map(trackLine));
  if (x.trackScripts.length) o.block('track_script', x.trackScripts.map(trackLine));
  if (x.trackFiles.length) o.block('track_file', x.trackFiles.map(trackLine));
  if (x.trackProcesses.length) o.block('track_process', x.trackProcesses.map(trackLine));
  if (x.trackBfds.length) o.block('track_bfd', x.trackBfds.map(trackLine));
}

function printInstance(o: Out, v: VrrpInstanceConfig): void {
  o.open(`vrrp_instance ${word(v.name)}`);
  // Like nopreempt below: print what was asked for, so keepalived clears it again (and says so).
  o.line(`state ${v.wantedMaster ? 'MASTER' : v.state}`);
  if (v.interface !== undefined) o.line(`interface ${word(v.interface)}`);
  o.line(`virtual_router_id ${v.vrid}`);
  o.line(`priority ${v.priority}`);
  o.line(`version ${v.version}`);
  o.line(`advert_int ${v.advertIntervalCs / 100}`);
  if (v.unicastSrcIp) o.line(`unicast_src_ip ${v.unicastSrcIp}`);
  if (v.mcastSrcIp) o.line(`mcast_src_ip ${v.mcastSrcIp}`);
  o.line(`mcast_dst_ip ${v.mcastDstIp}`);
  if (v.unicastPeers.length) {
    o.block('unicast_peer', v.unicastPeers.map((p) => [p.address, ...(p.minTtl !== undefined ? ['min_ttl', String(p.minTtl)] : []), ...(p.maxTtl !== undefined ? ['max_ttl', String(p.maxTtl)] : [])].join(' ')));
  }
  // keepalived 2.2.7 refuses unicast_ttl without unicast peers ("Cannot use unicast_ttl without unicast peers").
  if (v.unicastPeers.length) o.line(`unicast_ttl ${v.unicastTtl}`);
  if (v.unicastFaultNoPeer) o.line('unicast_fault_no_peer');
  if (v.checkUnicastSrc) o.line('check_unicast_src');
  if (v.authentication) o.block('authentication', [`auth_type ${v.authentication.type}`, `auth_pass ${word(v.authentication.pass)}`]);
  if (v.vips.length) o.block('virtual_ipaddress', v.vips.map(addressText));
  if (v.excludedVips.length) o.block('virtual_ipaddress_excluded', v.excludedVips.map(addressText));
  if (v.noVirtualIpaddress) o.line('no_virtual_ipaddress');
  if (v.virtualRoutes.length) o.block('virtual_routes', v.virtualRoutes.map(routeText));
  if (v.virtualRules.length) o.block('virtual_rules', v.virtualRules.map(ruleText));
  // keepalived clears nopreempt with state MASTER (and says so); print what was asked for.
  o.line(v.nopreempt || v.wantedNopreempt ? 'nopreempt' : 'preempt');
  if (v.preemptDelayMs) o.line(`preempt_delay ${secondsText(v.preemptDelayMs)}`);
  printTracks(o, v);
  if (v.dontTrackPrimary) o.line('dont_track_primary');
  if (v.trackSrcIp) o.line('track_src_ip');
  printNotify(o, v.notify, v.notifyDeleted);
  if (v.notifyPriorityChanges) o.line('notify_priority_changes on');
  o.line(`smtp_alert ${onOff(v.smtpAlert)}`);
  o.line(`garp_master_delay ${v.garpMasterDelayMs / 1000}`);
  o.line(`garp_master_repeat ${v.garpMasterRepeat}`);
  o.line(`garp_master_refresh ${v.garpMasterRefreshMs / 1000}`);
  o.line(`garp_master_refresh_repeat ${v.garpMasterRefreshRepeat}`);
  o.line(`garp_lower_prio_delay ${v.garpLowerPrioDelayMs / 1000}`);
  o.line(`garp_lower_prio_repeat ${v.garpLowerPrioRepeat}`);
  o.line(`strict_mode ${onOff(v.strict)}`);
  o.line(`lower_prio_no_advert ${onOff(v.lowerPrioNoAdvert)}`);
  o.line(`higher_prio_send_advert ${onOff(v.higherPrioSendAdvert)}`);
  o.line(v.accept ? 'accept' : 'no_accept');
  if (v.useVmac) o.line(['use_vmac', ...(v.useVmac.name ? [word(v.useVmac.name)] : []), ...(v.useVmac.mac ? [v.useVmac.mac] : [])].join(' '));
  if (v.vmacXmitBase) o.line('vmac_xmit_base');
  if (v.skipCheckAdvAddr) o.line('skip_check_adv_addr');
  o.line(`down_timer_adverts ${v.downTimerAdverts}`);
  if (v.promoteSecondaries) o.line('promote_secondaries');
  if (v.timerExpiredBackup) o.line(`timer_expired_backup${v.timerExpiredBackup.priority !== undefined ? ` ${v.timerExpiredBackup.priority}` : ''}`);
  o.close();
}

function printSyncGroup(o: Out, g: VrrpSyncGroupConfig): void {
  o.open(`vrrp_sync_group ${word(g.name)}`);
  o.block('group', g.members.map(word));
  printNotify(o, g.notify, g.notifyDeleted);
  o.line(`smtp_alert ${onOff(g.smtpAlert)}`);
  printTracks(o, g);
  if (g.syncGroupTrackingWeight) o.line('sync_group_tracking_weight');
  o.close();
}

export function printConfig(m: KeepalivedConfig): string {
  const o = new Out();
  printGlobal(o, m.globalDefs);
  if (m.staticIpaddresses.length) o.block('static_ipaddress', m.staticIpaddresses.map(addressText));
  if (m.staticRoutes.length) o.block('static_routes', m.staticRoutes.map(routeText));
  if (m.staticRules.length) o.block('static_rules', m.staticRules.map(ruleText));
  for (const s of m.vrrpScripts) {
    o.open(`vrrp_script ${word(s.name)}`);
    if (s.command) o.line(`script ${scriptText({ ...s.command, user: undefined, group: undefined })}`);
    if (s.command?.user !== undefined) o.line(`user ${word(s.command.user)}${s.command.group !== undefined ? ` ${word(s.command.group)}` : ''}`);
    o.line(`interval ${secondsText(s.intervalMs)}`);
    o.line(`timeout ${secondsText(s.timeoutMs)}`);
    o.line(`weight ${s.weight}${s.reverse ? ' reverse' : ''}`);
    o.line(`rise ${s.rise}`);
    o.line(`fall ${s.fall}`);
    if (s.initFail) o.line('init_fail');
    o.close();
  }
  for (const f of m.trackFiles) {
    o.open(`track_file ${word(f.name)}`);
    if (f.path !== undefined) o.line(`file ${word(f.path)}`);
    o.line(`weight ${f.weight}${f.reverse ? ' reverse' : ''}`);
    if (f.initFile) o.line(`init_file ${f.initFile.value}${f.initFile.overwrite ? ' overwrite' : ''}`);
    o.close();
  }
  for (const p of m.trackProcesses) {
    o.open(`vrrp_track_process ${word(p.name)}`);
    if (p.process !== undefined) o.line(['process', word(p.process), ...p.params.map(word)].join(' '));
    if (p.paramMatch !== 'exact') o.line(`param_match ${p.paramMatch}`);
    else if (p.noParams) o.line('param_match');
    o.line(`weight ${p.weight}${p.reverse ? ' reverse' : ''}`);
    o.line(`quorum ${p.quorum}`);
    if (p.quorumMax !== undefined) o.line(`quorum_max ${p.quorumMax}`);
    if (p.forkDelayMs) o.line(`fork_delay ${secondsText(p.forkDelayMs)}`);
    if (p.terminateDelayMs) o.line(`terminate_delay ${secondsText(p.terminateDelayMs)}`);
    if (p.delayMs) o.line(`delay ${secondsText(p.delayMs)}`);
    if (p.fullCommand) o.line('full_command');
    o.close();
  }
  for (const g of m.vrrpSyncGroups) printSyncGroup(o, g);
  for (const v of m.vrrpInstances) printInstance(o, v);
  printSsl(o, m);
  printVirtualServers(o, m);
  return o.text();
}
