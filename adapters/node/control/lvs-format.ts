/**
 * `keepalived-ts lvs`: the running daemon's load-balancer table in `ipvsadm -Ln`'s layout, each
 * destination with the state its checkers give it. Pure: data in, text out.
 *
 *   IP Virtual Server table of keepalived-ts (lb1, checker pid 4242), backend ipvs
 *   Prot LocalAddress:Port Scheduler Flags
 *     -> RemoteAddress:Port           Forward Weight State                Checkers
 *   TCP  198.51.100.10:80 rr
 *     -> 198.51.100.21:80             Masq    1      alive                TCP_CHECK up
 *        198.51.100.22:80             Masq    -      down, removed        TCP_CHECK down
 *
 * Lines with `->` are destinations the table holds (their weight is the table's); a real server
 * the table does not hold now is listed without the arrow. ipvsadm's ActiveConn/InActConn columns
 * are replaced by the checkers' verdicts (the backends do not report connection counts).
 */
import type { LbDestination, LbService, LbTableView } from '../../../actors/lvs/lb-port.js';
import type { LvsRealServerStatus, VirtualServerStatus } from '../../../actors/runtime-types.js';
import type { DaemonStatus, ProcessStatus } from '../daemon/status.js';
import { checkerText, realServerState } from './status-table.js';

/** What the control socket's `lvs` request answers (and `keepalived-ts lvs --json` prints). */
export interface LvsView {
  daemon: { name: string; pid: number; version: string };
  /** The checker child (absent when no process runs LVS). */
  checker?: ProcessStatus;
  /** The table as the checker child's backend holds it (absent when the checker did not answer). */
  table?: LbTableView;
  virtualServers: VirtualServerStatus[];
}

export function lvsView(st: DaemonStatus): LvsView {
  const checker = st.processes.find((p) => p.role === 'checker');
  return {
    daemon: { name: st.daemon.name, pid: st.daemon.pid, version: st.daemon.version },
    ...(checker ? { checker } : {}),
    ...(st.lbTable ? { table: st.lbTable } : {}),
    virtualServers: st.virtualServers,
  };
}

type ServiceKey = { family: number; protocol?: string; address?: string; port?: number; fwmark?: number };

const bracket = (family: number, address: string): string => (family === 6 ? `[${address}]` : address);

/** ipvsadm's service line without the flags: `TCP  198.51.100.10:80 rr`, `FWM  1 rr`, `UDP  [2001:db8::10]:53 rr`. */
export function serviceText(s: ServiceKey): string {
  if (s.fwmark !== undefined) return `FWM  ${s.fwmark}${s.family === 6 ? ' IPv6' : ''}`;
  return `${(s.protocol ?? 'tcp').toUpperCase()}  ${bracket(s.family, s.address ?? '')}:${s.port ?? 0}`;
}

/** The service line with scheduler and flags, as ipvsadm -Ln prints them. */
export function serviceLine(s: LbService): string {
  const parts = [serviceText(s), s.scheduler];
  const flags = s.flags.filter((f) => f !== 'ops');
  if (flags.length > 0) parts.push(`(${flags.join(',')})`);
  if (s.persistenceTimeoutS > 0) {
    parts.push(`persistent ${s.persistenceTimeoutS}`);
    if (s.netmask !== undefined) parts.push(`mask ${s.netmask}`);
    if (s.pe) parts.push(`pe ${s.pe}`);
  }
  if (s.flags.includes('ops')) parts.push('ops');
  return parts.join(' ');
}

/** ipvsadm's forwarding names. */
const FORWARD: Readonly<Record<string, string>> = { NAT: 'Masq', DR: 'Route', TUN: 'Tunnel' };

const sameService = (a: ServiceKey, b: ServiceKey): boolean =>
  a.family === b.family && a.fwmark === b.fwmark && (a.fwmark !== undefined || (a.protocol === b.protocol && a.address === b.address && a.port === b.port));

const sameDest = (rs: Pick<LvsRealServerStatus, 'address' | 'port'>, d: Pick<LbDestination, 'address' | 'port'>): boolean => rs.address === d.address && rs.port === d.port;

function destRow(arrow: boolean, family: number, address: string, port: number, method: string, weight: string, state: string, checkers: string): string {
  const where = `${bracket(family, address)}:${port}`;
  return `  ${arrow ? '->' : '  '} ${where.padEnd(28)} ${(FORWARD[method] ?? method).padEnd(7)} ${weight.padEnd(6)} ${state.padEnd(20)} ${checkers}`.trimEnd();
}

const checkersOf = (rs: LvsRealServerStatus): string => rs.checkers.map(checkerText).join('; ') || 'no checker';

export function formatLvsTable(v: LvsView): string {
  const out: string[] = [];
  const who = `${v.daemon.name}, ${v.checker?.pid !== undefined ? `checker pid ${v.checker.pid}` : 'no checker process'}`;
  out.push(`IP Virtual Server table of keepalived-ts (${who})${v.table ? `, backend ${v.table.backend}` : ''}`);
  if (v.virtualServers.length === 0 && (!v.table || v.table.services.length === 0)) {
    out.push(v.checker ? 'No virtual servers.' : 'No virtual servers: the configuration has no virtual_server.');
    return `${out.join('\n')}\n`;
  }
  if (!v.table) out.push(v.checker && !v.checker.answering ? 'The checker process did not answer: the table is not known.' : 'No load-balancer table: virtual servers are checked, not programmed.');
  out.push('Prot LocalAddress:Port Scheduler Flags', `  -> RemoteAddress:Port           Forward Weight ${'State'.padEnd(20)} Checkers`);
  const shown = new Set<VirtualServerStatus>();
  for (const { service, destinations } of v.table?.services ?? []) {
    const vs = v.virtualServers.find((x) => x.services.some((s) => sameService(s, service)));
    if (vs) shown.add(vs);
    out.push(serviceLine(service));
    for (const d of destinations) {
      const rs = vs?.realServers.find((r) => sameDest(r, d));
      const other = vs?.sorryServer?.set ? 'sorry server' : 'not in the configuration';
      out.push(destRow(true, d.family, d.address, d.port, d.method, String(d.weight), rs ? realServerState(rs) : other, rs ? checkersOf(rs) : ''));
    }
    // Real servers of this virtual server the table does not hold now.
    for (const rs of vs?.realServers ?? []) {
      if (destinations.some((d) => sameDest(rs, d))) continue;
      out.push(destRow(false, service.family, rs.address, rs.port, rs.method, '-', realServerState(rs), checkersOf(rs)));
    }
  }
  // Virtual servers the table does not hold (refused by the backend, quorum lost with omega, no table).
  for (const vs of v.virtualServers) {
    if (shown.has(vs)) continue;
    for (const s of vs.services) out.push(`${serviceText(s)} ${s.scheduler}  # not in the table${vs.refused ? `: ${vs.refused}` : vs.quorumUp ? '' : ': quorum lost'}`);
    for (const rs of vs.realServers) {
      const family = vs.services[0]?.family ?? 4;
      out.push(destRow(false, family, rs.address, rs.port, rs.method, '-', realServerState(rs), checkersOf(rs)));
    }
  }
  return `${out.join('\n')}\n`;
}
