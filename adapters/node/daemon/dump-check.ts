/**
 * The checker child's dumps: /tmp/keepalived_check.data on SIGUSR1, in keepalived 2.2.7's layout
 * (check_data.c dump_check_data: dump_vsg, dump_vs, dump_rs; check_api.c dump_checker), for the
 * fields keepalived-ts has, with the live state of every virtual server, real server and checker;
 * and /tmp/keepalived_check.json on the JSON signal (ours: keepalived's checker writes no JSON).
 * Lines for values keepalived-ts does not keep (uid:gid, SNMP names, "reloaded") are left out.
 * Pure formatting.
 */
import type { LvsCheckerStatus, LvsRealServerStatus, VirtualServerStatus } from '../../../actors/runtime-types.js';
import type { KeepalivedConfig, RealServerConfig, VirtualServerConfig } from '../../../config/index.js';
import { formatGlobalDefs, type DumpContext } from './dumps.js';

const header = (title: string): string => `------< ${title} >------`;
const onOff = (b: boolean): string => (b ? 'ON' : 'OFF');
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
/** keepalived's format_decimal(value, TIMER_HZ_DIGITS): seconds with six decimals. */
const secs = (ms: number): string => (ms / 1000).toFixed(6);
const us = (ms: number): string => String(Math.round(ms * 1000));
const script = (argv: readonly string[]): string => argv.join(' ');

function groupLines(m: KeepalivedConfig): string[] {
  const out: string[] = [];
  for (const g of m.virtualServerGroups) {
    const v4 = g.addresses.some((a) => a.family === 4) || g.fwmarks.some((f) => f.family === 4);
    const v6 = g.addresses.some((a) => a.family === 6) || g.fwmarks.some((f) => f.family === 6);
    out.push(' ------< Virtual server group >------', ` Virtual Server Group = ${g.name}, IPv4 = ${yesNo(v4)}, IPv6 = ${yesNo(v6)}`);
    for (const a of g.addresses) {
      const range = /[-/]/.test(a.range);
      out.push(range ? `   VIP Range = ${a.range}, VPORT = ${a.port ?? 0}` : `   VIP = ${a.range}, VPORT = ${a.port ?? 0}`);
    }
    for (const f of g.fwmarks) out.push(`   FWMARK = ${f.fwmark}${f.family === 4 ? ' IPv4' : f.family === 6 ? ' IPv6' : ''}`);
  }
  return out;
}

function methodLine(prefix: string, method: string): string {
  return `   ${prefix}forwarding method = ${method === 'TUN' ? 'TUN, type = IPIP' : method}`;
}

function vsHead(vs: VirtualServerConfig, st: VirtualServerStatus | undefined): string[] {
  const t = vs.target;
  const lines = [' ------< Virtual server >------'];
  if (t.kind === 'group') lines.push(` VS GROUP = ${st?.name ?? `[${t.group}]:0`}`);
  else if (t.kind === 'fwmark') lines.push(` VS FWMARK = ${t.fwmark}`);
  else lines.push(` VS VIP = ${t.address}, VPORT = ${t.port ?? 0}`);
  if (vs.virtualhost !== undefined) lines.push(`   VirtualHost = ${vs.virtualhost}`);
  const family = t.kind === 'ip' ? t.family : t.kind === 'fwmark' ? t.family : st?.services[0]?.family;
  lines.push(`   Address family = ${family === undefined ? 'unknown' : family === 4 ? 'inet' : 'inet6'}`);
  lines.push(`   connection timeout = ${secs(vs.connectTimeoutMs)}`, `   delay_loop = ${secs(vs.delayLoopMs)}`, `   lvs_sched = ${vs.lvsSched}`);
  lines.push(`   One packet scheduling = ${vs.opsScheduling ? 'en' : 'dis'}abled${vs.opsScheduling && vs.protocol !== 'UDP' ? ' (inactive due to not UDP)' : ''}`);
  if (vs.persistenceTimeoutS) lines.push(`   persistence timeout = ${vs.persistenceTimeoutS}`);
  if (vs.persistenceGranularity !== undefined) lines.push(`   persistence granularity = ${vs.persistenceGranularity}`);
  lines.push(`   protocol = ${t.kind === 'fwmark' ? 'none' : vs.protocol}`, `   alpha is ${onOff(vs.alpha)}`, `   omega is ${onOff(vs.omega)}`);
  if (vs.retry !== undefined) lines.push(`   Retry count = ${vs.retry}`);
  if (vs.delayBeforeRetryMs !== undefined) lines.push(`   Retry delay = ${secs(vs.delayBeforeRetryMs)}`);
  if (vs.warmupMs !== undefined) lines.push(`   Warmup = ${secs(vs.warmupMs)}`);
  lines.push(`   Inhibit on failure is ${onOff(vs.inhibitOnFailure)}`, `   quorum = ${st?.quorum ?? vs.quorum}, hysteresis = ${st?.hysteresis ?? vs.hysteresis}`);
  if (vs.quorumUp) lines.push(`   Quorum up notify script = ${script(vs.quorumUp.argv)}`);
  if (vs.quorumDown) lines.push(`   Quorum down notify script = ${script(vs.quorumDown.argv)}`);
  if (vs.haSuspend) lines.push('   Using HA suspend');
  lines.push(methodLine('default ', vs.lvsMethod));
  if (st?.sorryServer) {
    lines.push(`   sorry server = ${st.sorryServer.name}`, methodLine('  ', vs.lvsMethod), `     Inhibit on failure is ${onOff(st.sorryServer.inhibit)}`);
  }
  if (st) {
    lines.push(`   alive = ${st.refused ? 0 : 1}`, `   quorum_state_up = ${st.quorumUp ? 1 : 0}`);
    lines.push(`   backend = ${st.backend}${st.refused ? ` (refused: ${st.refused})` : ''}`);
  }
  return lines;
}

function rsLines(rs: RealServerConfig, st: LvsRealServerStatus | undefined): string[] {
  const lines = ['   ------< Real server >------'];
  const eff = st?.effectiveWeight ?? rs.weight;
  lines.push(`   RIP = ${rs.address}, RPORT = ${st?.port ?? rs.port ?? 0}, WEIGHT = ${eff} EFF WEIGHT = ${eff}`);
  lines.push(methodLine('', st?.method ?? rs.lvsMethod ?? 'NAT'));
  lines.push(`   Alpha is ${onOff(rs.alpha)}`, `   connection limit range = ${rs.lthreshold ?? 0} -> ${rs.uthreshold ?? 0}`, `   Inhibit on failure is ${onOff(st?.inhibitOnFailure ?? rs.inhibitOnFailure)}`);
  if (rs.notifyUp) lines.push(`     RS up notify script = ${script(rs.notifyUp.argv)}`);
  if (rs.notifyDown) lines.push(`     RS down notify script = ${script(rs.notifyDown.argv)}`);
  if (rs.virtualhost !== undefined) lines.push(`    VirtualHost = '${rs.virtualhost}'`);
  lines.push(`   initial weight = ${rs.weight}`, `   effective weight = ${eff}`);
  if (st) lines.push(`   alive = ${st.alive ? 1 : 0}`, `   num failed checkers = ${st.failedCheckers}`, `   RS set = ${st.set ? 1 : 0}`);
  return lines;
}

function checkerLines(vsName: string, rsName: string, c: LvsCheckerStatus): string[] {
  const lines = [` ${vsName} -> ${rsName}`, `   Enabled = ${yesNo(c.enabled)}`, `   Up = ${yesNo(c.up)}`, `   Has run = ${yesNo(c.hasRun)}`, `   Current weight = ${c.contribution}`];
  if (c.kind !== 'FILE_CHECK') {
    lines.push(`   Alpha = ${yesNo(c.alpha)}`, `   Delay loop = ${us(c.delayLoopMs)} us`, `   Warmup = ${us(c.warmupMs)} us`, `   Retries = ${c.retry}`);
    if (c.retry) lines.push(`   Delay before retry = ${us(c.delayBeforeRetryMs)} us`, `   Retries iterations = ${c.retryIt}`);
  }
  lines.push(`   Log all failures = ${yesNo(c.logAllFailures)}`);
  if (c.kind !== 'FILE_CHECK' && c.kind !== 'MISC_CHECK') lines.push('   Connection', `     Dest = ${c.target}`, `     Timeout = ${secs(c.connectTimeoutMs)}`);
  lines.push(`   Keepalive method = ${c.kind}`);
  return lines;
}

/** /tmp/keepalived_check.data, written by the checker child on SIGUSR1. */
export function formatCheckerData(ctx: DumpContext, servers: readonly VirtualServerStatus[] = []): string {
  const m = ctx.model;
  const lines = [...formatGlobalDefs(ctx)];
  if (m.virtualServers.length > 0) {
    lines.push(header('LVS Topology'), ...groupLines(m));
    m.virtualServers.forEach((vs) => {
      const st = servers.find((x) => x.source.file === vs.source.file && x.source.line === vs.source.line);
      lines.push(...vsHead(vs, st));
      vs.realServers.forEach((rs, j) => lines.push(...rsLines(rs, st?.realServers[j])));
    });
  }
  const checkers = servers.flatMap((v) => v.realServers.flatMap((r) => r.checkers.map((c) => checkerLines(v.name, r.name, c))));
  if (checkers.length > 0) lines.push(header('Health checkers'), ...checkers.flat());
  return lines.join('\n') + '\n';
}

/** /tmp/keepalived_check.json (ours): the virtual servers as the runtime sees them now. */
export function formatCheckerJson(servers: readonly VirtualServerStatus[]): string {
  return JSON.stringify({ json_version: 1, virtual_servers: servers }, null, 1) + '\n';
}
