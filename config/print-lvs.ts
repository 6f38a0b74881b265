/** `--print` for virtual_server_group / virtual_server / real_server / checkers. */
import type { CheckerConfig, KeepalivedConfig, RealServerConfig, VirtualServerConfig } from './model.js';
import { Out, scriptText, secondsText, word } from './print-util.js';

const onOff = (b: boolean) => (b ? 'on' : 'off');

function printChecker(o: Out, c: CheckerConfig): void {
  o.open(c.kind);
  if (c.connectIp !== undefined) o.line(`connect_ip ${c.connectIp}`);
  if (c.connectPort !== undefined) o.line(`connect_port ${c.connectPort}`);
  if (c.bindto !== undefined) o.line(`bindto ${c.bindto}`);
  if (c.bindPort !== undefined) o.line(`bind_port ${c.bindPort}`);
  if (c.bindIf !== undefined) o.line(`bind_if ${word(c.bindIf)}`);
  if (c.fwmark !== undefined) o.line(`fwmark ${c.fwmark}`);
  if (c.kind !== 'MISC_CHECK' && c.kind !== 'FILE_CHECK' && c.kind !== 'BFD_CHECK') {
    o.line(`connect_timeout ${secondsText(c.connectTimeoutMs)}`);
  }
  o.line(`retry ${c.retry}`);
  o.line(`delay_before_retry ${secondsText(c.delayBeforeRetryMs)}`);
  o.line(`delay_loop ${secondsText(c.delayLoopMs)}`);
  if (c.warmupMs !== undefined) o.line(`warmup ${secondsText(c.warmupMs)}`);
  if (c.alpha) o.line('alpha');
  if (c.logAllFailures) o.line('log_all_failures');
  for (const u of c.urls) {
    o.open('url');
    if (u.path !== undefined) o.line(`path ${word(u.path)}`);
    if (u.digest !== undefined) o.line(`digest ${u.digest}`);
    o.line(`status_code ${u.statusCodes.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(' ')}`);
    if (u.virtualhost !== undefined) o.line(`virtualhost ${word(u.virtualhost)}`);
    if (u.regex !== undefined) o.line(`regex ${word(u.regex)}`);
    if (u.regexNoMatch) o.line('regex_no_match');
    o.close();
  }
  if (c.httpProtocol !== undefined) o.line(`http_protocol ${word(c.httpProtocol)}`);
  if (c.virtualhost !== undefined) o.line(`virtualhost ${word(c.virtualhost)}`);
  if (c.enableSni) o.line('enable_sni');
  if (c.misc?.command) o.line(`misc_path ${scriptText({ ...c.misc.command, user: undefined, group: undefined })}`);
  if (c.misc?.command?.user !== undefined) o.line(`user ${word(c.misc.command.user)}${c.misc.command.group !== undefined ? ` ${word(c.misc.command.group)}` : ''}`);
  if (c.misc?.timeoutMs !== undefined) o.line(`misc_timeout ${secondsText(c.misc.timeoutMs)}`);
  if (c.misc?.dynamic) o.line('misc_dynamic');
  if (c.heloName !== undefined) o.line(`helo_name ${word(c.heloName)}`);
  if (c.dns) o.line(`type ${c.dns.type}`), o.line(`name ${word(c.dns.name)}`);
  if (c.udp?.payload !== undefined) o.line(`payload ${c.udp.payload}`);
  if (c.udp?.requireReply !== undefined) o.line(`require_reply${c.udp.requireReply ? ` ${c.udp.requireReply}` : ''}`);
  if (c.udp?.minReplyLength !== undefined) o.line(`min_reply_length ${c.udp.minReplyLength}`);
  if (c.udp?.maxReplyLength !== undefined) o.line(`max_reply_length ${c.udp.maxReplyLength}`);
  if (c.file?.trackFile !== undefined) o.line(`track_file ${word(c.file.trackFile)}`);
  if (c.file?.dynamic) o.line('dynamic');
  if (c.file?.weight !== undefined) o.line(`weight ${c.file.weight}${c.file.reverse ? ' reverse' : ''}`);
  if (c.bfdName !== undefined) o.line(`name ${word(c.bfdName)}`);
  o.close();
}

function printRealServer(o: Out, r: RealServerConfig): void {
  o.open(`real_server ${r.address}${r.port !== undefined ? ` ${r.port}` : ''}`);
  o.line(`weight ${r.weight}`);
  if (r.lvsMethod !== undefined) o.line(`lvs_method ${r.lvsMethod}`);
  if (r.notifyUp) o.line(`notify_up ${scriptText(r.notifyUp)}`);
  if (r.notifyDown) o.line(`notify_down ${scriptText(r.notifyDown)}`);
  if (r.inhibitOnFailure) o.line('inhibit_on_failure');
  if (r.alpha) o.line('alpha');
  if (r.smtpAlert !== undefined) o.line(`smtp_alert ${onOff(r.smtpAlert)}`);
  if (r.virtualhost !== undefined) o.line(`virtualhost ${word(r.virtualhost)}`);
  if (r.uthreshold !== undefined) o.line(`uthreshold ${r.uthreshold}`);
  if (r.lthreshold !== undefined) o.line(`lthreshold ${r.lthreshold}`);
  for (const c of r.checkers) printChecker(o, c);
  o.close();
}

function printVirtualServer(o: Out, v: VirtualServerConfig): void {
  const t = v.target;
  const header = t.kind === 'ip' ? `${t.address}${t.port !== undefined ? ` ${t.port}` : ''}` : t.kind === 'fwmark' ? `fwmark ${t.fwmark}` : `group ${word(t.group)}`;
  o.open(`virtual_server ${header}`);
  o.line(`delay_loop ${secondsText(v.delayLoopMs)}`);
  o.line(`lvs_sched ${word(v.lvsSched)}`);
  o.line(`lvs_method ${v.lvsMethod}`);
  o.line(`protocol ${v.protocol}`);
  if (v.persistenceTimeoutS !== undefined) o.line(`persistence_timeout ${v.persistenceTimeoutS}`);
  if (v.persistenceGranularity !== undefined) o.line(`persistence_granularity ${v.persistenceGranularity}`);
  o.line(`connect_timeout ${secondsText(v.connectTimeoutMs)}`);
  if (v.retry !== undefined) o.line(`retry ${v.retry}`);
  if (v.delayBeforeRetryMs !== undefined) o.line(`delay_before_retry ${secondsText(v.delayBeforeRetryMs)}`);
  if (v.warmupMs !== undefined) o.line(`warmup ${secondsText(v.warmupMs)}`);
  if (v.sorryServer) o.line(`sorry_server ${v.sorryServer.address}${v.sorryServer.port !== undefined ? ` ${v.sorryServer.port}` : ''}`);
  if (v.sorryServerInhibit) o.line('sorry_server_inhibit');
  o.line(`quorum ${v.quorum}`);
  o.line(`hysteresis ${v.hysteresis}`);
  if (v.quorumUp) o.line(`quorum_up ${scriptText(v.quorumUp)}`);
  if (v.quorumDown) o.line(`quorum_down ${scriptText(v.quorumDown)}`);
  if (v.alpha) o.line('alpha');
  if (v.omega) o.line('omega');
  if (v.inhibitOnFailure) o.line('inhibit_on_failure');
  if (v.haSuspend) o.line('ha_suspend');
  if (v.virtualhost !== undefined) o.line(`virtualhost ${word(v.virtualhost)}`);
  if (v.smtpAlert !== undefined) o.line(`smtp_alert ${onOff(v.smtpAlert)}`);
  if (v.opsScheduling) o.line('ops');
  for (const r of v.realServers) printRealServer(o, r);
  o.close();
}

export function printSsl(o: Out, m: KeepalivedConfig): void {
  if (!m.ssl) return;
  o.open('SSL');
  if (m.ssl.password !== undefined) o.line(`password ${word(m.ssl.password)}`);
  if (m.ssl.ca !== undefined) o.line(`ca ${word(m.ssl.ca)}`);
  if (m.ssl.certificate !== undefined) o.line(`certificate ${word(m.ssl.certificate)}`);
  if (m.ssl.key !== undefined) o.line(`key ${word(m.ssl.key)}`);
  o.close();
}

export function printVirtualServers(o: Out, m: KeepalivedConfig): void {
  for (const g of m.virtualServerGroups) {
    const lines = [
      ...g.addresses.map((a) => `${a.range}${a.port !== undefined ? ` ${a.port}` : ''}`),
      ...g.fwmarks.map((f) => `fwmark ${f.fwmark}${f.family ? (f.family === 6 ? ' inet6' : ' inet') : ''}`),
    ];
    o.block(`virtual_server_group ${word(g.name)}`, lines);
  }
  for (const v of m.virtualServers) printVirtualServer(o, v);
}
