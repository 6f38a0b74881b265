/**
 * `keepalived-ts status`: the DaemonStatus as tables for a terminal. Pure.
 */
import type { LvsCheckerStatus, LvsRealServerStatus, VirtualServerStatus } from '../../../actors/runtime-types.js';
import type { DaemonStatus } from '../daemon/status.js';

/** 75 → "1m15s", 7300 → "2h01m", 200000 → "2d07h". */
export function duration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** `HH:MM:SS` in local time (the time syslog shows). */
const clock = (iso: string): string => {
  const d = new Date(iso);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
};

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

const dash = (s: string | undefined): string => (s ? s : '-');

export function formatStatus(st: DaemonStatus): string {
  const d = st.daemon;
  const out: string[] = [];
  out.push(`keepalived-ts ${d.version}  ${d.name}  pid ${d.pid}  up ${duration(d.uptimeSeconds)}  reloads ${d.reloads}  config ${d.configFile}`);
  const procs = st.processes.map((p) => `${p.role} ${p.pid !== undefined ? `pid ${p.pid}` : 'not running'}${p.answering ? '' : ' (not answering)'}, ${p.restarts} restart${p.restarts === 1 ? '' : 's'}`);
  out.push(`processes: ${procs.length > 0 ? procs.join('; ') : 'none (nothing configured)'}`);

  out.push('');
  if (st.instances.length === 0) out.push('No VRRP instances.');
  else {
    out.push(
      ...table(
        ['INSTANCE', 'STATE', 'BASE', 'EFF', 'MASTER', 'VIPS', 'IN STATE', 'LAST TRANSITION', 'GROUP'],
        st.instances.map((i) => [
          i.name,
          i.state,
          String(i.priority.base),
          String(i.priority.effective),
          i.master ? (i.state === 'MASTER' ? `${i.master} (this node)` : i.masterPriority !== undefined ? `${i.master} (prio ${i.masterPriority})` : i.master) : '-',
          i.vips.length > 0 ? i.vips.join(',') : '-',
          duration(i.inStateSeconds),
          i.lastTransition ? `${i.lastTransition.from}->${i.lastTransition.to} ${i.lastTransition.reason} at ${clock(i.lastTransition.time)}` : '-',
          dash(i.syncGroup),
        ]),
      ),
    );
  }
  if (st.syncGroups.length > 0) {
    out.push('', ...table(['SYNC GROUP', 'STATE', 'MEMBERS'], st.syncGroups.map((g) => [g.name, g.state, g.members.join(',')])));
  }
  const tracked = st.instances.flatMap((i) =>
    i.tracked.map((t) => [
      i.name,
      `${t.kind} ${t.name}`,
      !t.known ? 'no result yet' : t.kind === 'file' ? `value ${t.value}` : t.kind === 'interface' ? (t.ok ? 'up' : 'down') : t.kind === 'process' ? (t.ok ? 'quorum held' : 'quorum lost') : t.ok ? 'ok' : 'failed',
      `${t.weight}${t.reverse ? ' reverse' : ''}`,
      t.effect === 'fault' ? 'FAULT' : t.effect === 'waiting' ? 'holds INIT' : t.effect === 0 ? '-' : `${t.effect > 0 ? '+' : ''}${t.effect}`,
    ]),
  );
  if (tracked.length > 0) out.push('', ...table(['INSTANCE', 'TRACKED', 'RESULT', 'WEIGHT', 'EFFECT'], tracked));

  const drops = [
    ...st.instances.flatMap((i) => Object.entries(i.drops).map(([reason, n]) => [i.name, reason, String(n)])),
    ...Object.entries(st.unassignedDrops).map(([reason, n]) => ['(none)', reason, String(n)]),
  ];
  out.push('', ...(drops.length > 0 ? table(['INSTANCE', 'DROPPED', 'PACKETS'], drops) : ['No received packet was dropped.']));

  if (st.virtualServers.length > 0) out.push('', ...virtualServerTable(st.virtualServers));
  if (st.notifyQueue > 0) out.push('', `notifications waiting: ${st.notifyQueue}`);
  return `${out.join('\n')}\n`;
}

/**
 * A checker's verdict in words: `TCP_CHECK up`, `HTTP_GET down`, `MISC_CHECK not run yet`, and
 * `HTTP_GET up, failing (retry 1 of 3)` while a failing checker retries before its verdict turns.
 */
export function checkerText(c: LvsCheckerStatus): string {
  if (!c.enabled && !c.hasRun) return `${c.kind} disabled`;
  if (!c.hasRun) return `${c.kind} not run yet`;
  if (c.up && c.retryIt > 0 && c.retryIt <= c.retry) return `${c.kind} up, failing (retry ${c.retryIt} of ${c.retry})`;
  return `${c.kind} ${c.up ? 'up' : 'down'}`;
}

/** A real server's state: alive or down (the checkers' verdict), and whether the table has it. */
export function realServerState(rs: Pick<LvsRealServerStatus, 'alive' | 'set' | 'inhibitOnFailure' | 'effectiveWeight'>): string {
  if (rs.alive) return rs.set ? 'alive' : 'alive, not in table';
  if (rs.set) return rs.inhibitOnFailure ? 'down, inhibited (weight 0)' : 'down, still in table';
  return 'down, removed';
}

export const weightText = (rs: Pick<LvsRealServerStatus, 'weight' | 'effectiveWeight'>): string =>
  rs.effectiveWeight === rs.weight ? String(rs.weight) : `${rs.effectiveWeight} (of ${rs.weight})`;

/** The quorum of a virtual server: `up (3 >= 1)`, `lost (0 < 2)`, or why it is not programmed. */
export function quorumText(vs: VirtualServerStatus): string {
  if (vs.refused) return `not programmed: ${vs.refused}`;
  return vs.quorumUp ? `up (${vs.liveWeight} >= ${vs.quorum})` : `lost (${vs.liveWeight} < ${vs.quorum}${vs.hysteresis ? ` + ${vs.hysteresis}` : ''})`;
}

/** `keepalived-ts status`'s LVS section: one row per real server (and sorry server). */
export function virtualServerTable(servers: readonly VirtualServerStatus[]): string[] {
  const rows = servers.flatMap((vs) => {
    const sched = vs.services[0]?.scheduler ?? '-';
    const head = [vs.name, `${sched} ${vs.backend}`, quorumText(vs)];
    const rs = vs.realServers.map((r) => [r.name, realServerState(r), weightText(r), r.checkers.length > 0 ? r.checkers.map(checkerText).join('; ') : 'no checker']);
    if (vs.sorryServer) rs.push([`${vs.sorryServer.name} (sorry)`, vs.sorryServer.set ? 'in table' : 'not in table', '-', '-']);
    if (rs.length === 0) return [[...head, '-', '-', '-', '-']];
    return rs.map((r, n) => [...(n === 0 ? head : ['', '', '']), ...r]);
  });
  return table(['VIRTUAL SERVER', 'SCHED', 'QUORUM', 'REAL SERVER', 'STATE', 'WEIGHT', 'CHECKERS'], rows);
}
