/**
 * `virtual_server IP PORT | fwmark N | group NAME { … real_server IP PORT { … CHECKER { … } } }`
 * and `virtual_server_group NAME { IP[-RANGE] [PORT] … fwmark N }`. Checker timers inherit
 * real_server → virtual_server → keepalived defaults.
 */
import { CONNECT_TIMEOUT_DEFAULT_MS, DELAY_LOOP_DEFAULT_MS, PERSISTENCE_TIMEOUT_DEFAULT_S } from '../defaults.js';
import { IpAddress } from '../../protocol/addr.js';
import type { CheckerConfig, CheckerKind, Family, RealServerConfig, VirtualServerConfig, VirtualServerGroupConfig, VirtualServerTarget } from '../model.js';
import type { Stmt } from '../tree.js';
import { boolArg, checkInt, intArg, posOf, strArg, timerArg } from '../values.js';
import { CHECKER_KINDS, checkerTables, newChecker, type CheckerDraft } from './checkers.js';
import { restrict, table, walk, type Cx, type Handler, type Table } from './engine.js';
import { REAL_SERVER_KEYWORDS, VIRTUAL_SERVER_KEYWORDS } from './known.js';
import { parseScript } from './script.js';

export type RsDraft = Omit<RealServerConfig, 'checkers'> & { checkers: CheckerDraft[]; connectTimeoutMs?: number; delayLoopMs?: number; retry?: number; delayBeforeRetryMs?: number; warmupMs?: number };
export type VsDraft = Omit<VirtualServerConfig, 'realServers'> & { realServers: RsDraft[]; protocolSet: boolean; schedSet: boolean; methodSet: boolean };

const ms = (us: number) => us / 1000;
type Timed = { connectTimeoutMs?: number; delayLoopMs?: number; delayBeforeRetryMs?: number; warmupMs?: number; retry?: number };
function timer<T extends Timed>(key: 'connectTimeoutMs' | 'delayLoopMs' | 'delayBeforeRetryMs' | 'warmupMs'): Handler<T> {
  return (o, st, cx) => {
    const us = timerArg(st, 1, cx.d, 0, 0xffffffff * 1000);
    if (us !== undefined) o[key] = ms(us);
  };
}
function retry<T extends Timed>(): Handler<T> {
  return (o, st, cx) => void (o.retry = intArg(st, 1, cx.d, 0, 0xffffffff) ?? o.retry);
}

/** `IP [PORT]` as used by real_server and sorry_server. */
function ipPort(st: Stmt, cx: Cx, i: number): { address: string; family: Family; port?: number } | undefined {
  const a = strArg(st, i, cx.d, 'address');
  if (a === undefined) return undefined;
  const ip = IpAddress.parse(a);
  if (!ip) return void cx.d.error(posOf(st, i), `invalid address '${a}'`, 'use an IPv4 or IPv6 address');
  const port = st.words[i + 1] ? checkInt(st.words[i + 1]!.text, posOf(st, i + 1), cx.d, 0, 65535, 'port') : undefined;
  return port === undefined ? { address: ip.text, family: ip.family } : { address: ip.text, family: ip.family, port };
}

const rsBase = table<RsDraft>({
  weight: (r, st, cx) => void (r.weight = intArg(st, 1, cx.d, 0, 0x7fffffff, 'weight') ?? r.weight),
  lvs_method: (r, st, cx) => void (r.lvsMethod = strArg(st, 1, cx.d, 'NAT|DR|TUN') ?? r.lvsMethod),
  notify_up: (r, st, cx) => void (r.notifyUp = parseScript(st, cx.d) ?? r.notifyUp),
  notify_down: (r, st, cx) => void (r.notifyDown = parseScript(st, cx.d) ?? r.notifyDown),
  inhibit_on_failure: (r, st, cx) => void (r.inhibitOnFailure = boolArg(st, 1, cx.d) ?? r.inhibitOnFailure),
  alpha: (r, st, cx) => void (r.alpha = boolArg(st, 1, cx.d) ?? r.alpha),
  smtp_alert: (r, st, cx) => void (r.smtpAlert = boolArg(st, 1, cx.d) ?? r.smtpAlert),
  virtualhost: (r, st, cx) => void (r.virtualhost = strArg(st, 1, cx.d, 'host') ?? r.virtualhost),
  uthreshold: (r, st, cx) => void (r.uthreshold = intArg(st, 1, cx.d, 0, 0x7fffffff) ?? r.uthreshold),
  lthreshold: (r, st, cx) => void (r.lthreshold = intArg(st, 1, cx.d, 0, 0x7fffffff) ?? r.lthreshold),
  connect_timeout: timer('connectTimeoutMs'),
  delay_loop: timer('delayLoopMs'),
  delay_before_retry: timer('delayBeforeRetryMs'),
  warmup: timer('warmupMs'),
  retry: retry(),
});
for (const kind of CHECKER_KINDS) {
  rsBase.set(kind, {
    block: 'sub',
    accepts: checkerTables[kind],
    run: (r, st, cx) => {
      const c = newChecker(kind as CheckerKind, st);
      walk(c, st.block, checkerTables[kind], cx, kind);
      r.checkers.push(c);
    },
  });
}
export const realServerTable: Table<RsDraft> = rsBase;
restrict(realServerTable, REAL_SERVER_KEYWORDS);

const SCHEDULERS = new Set(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos']);
const METHODS = new Set(['NAT', 'DR', 'TUN']);

function sched(v: VsDraft, st: Stmt, cx: Cx): void {
  const s = strArg(st, 1, cx.d, 'scheduler');
  if (s === undefined) return;
  if (!SCHEDULERS.has(s)) cx.d.warn(posOf(st, 1), `unknown LVS scheduler '${s}'`, `use one of ${[...SCHEDULERS].join(' ')}`);
  v.lvsSched = s;
  v.schedSet = true;
}

function method(v: VsDraft, st: Stmt, cx: Cx): void {
  const m = strArg(st, 1, cx.d, 'NAT|DR|TUN');
  if (m === undefined) return;
  if (!METHODS.has(m)) return cx.d.error(posOf(st, 1), `invalid lvs_method '${m}'`, 'use NAT, DR or TUN (case-sensitive)');
  v.lvsMethod = m;
  v.methodSet = true;
}

export const virtualServerTable: Table<VsDraft> = table<VsDraft>({
  lvs_sched: sched,
  lb_algo: sched,
  lvs_method: method,
  lb_kind: method,
  protocol: (v, st, cx) => {
    const p = strArg(st, 1, cx.d, 'TCP|UDP|SCTP');
    if (p === 'TCP' || p === 'UDP' || p === 'SCTP') (v.protocol = p), (v.protocolSet = true);
    else if (p !== undefined) cx.d.error(posOf(st, 1), `unknown protocol '${p}'`, 'use TCP, UDP or SCTP');
  },
  persistence_timeout: (v, st, cx) => {
    v.persistenceTimeoutS = st.words[1] ? (intArg(st, 1, cx.d, 1, 0x7fffffff) ?? PERSISTENCE_TIMEOUT_DEFAULT_S) : PERSISTENCE_TIMEOUT_DEFAULT_S;
  },
  persistence_granularity: (v, st, cx) => void (v.persistenceGranularity = strArg(st, 1, cx.d, 'netmask') ?? v.persistenceGranularity),
  delay_loop: timer('delayLoopMs'),
  connect_timeout: timer('connectTimeoutMs'),
  delay_before_retry: timer('delayBeforeRetryMs'),
  warmup: timer('warmupMs'),
  retry: retry(),
  sorry_server: (v, st, cx) => {
    const s = ipPort(st, cx, 1);
    if (s) v.sorryServer = s.port === undefined ? { address: s.address } : { address: s.address, port: s.port };
  },
  sorry_server_inhibit: (v, st, cx) => void (v.sorryServerInhibit = boolArg(st, 1, cx.d) ?? v.sorryServerInhibit),
  quorum: (v, st, cx) => void (v.quorum = intArg(st, 1, cx.d, 1, 0x7fffffff) ?? v.quorum),
  hysteresis: (v, st, cx) => void (v.hysteresis = intArg(st, 1, cx.d, 0, 0x7fffffff) ?? v.hysteresis),
  quorum_up: (v, st, cx) => void (v.quorumUp = parseScript(st, cx.d) ?? v.quorumUp),
  quorum_down: (v, st, cx) => void (v.quorumDown = parseScript(st, cx.d) ?? v.quorumDown),
  alpha: (v, st, cx) => void (v.alpha = boolArg(st, 1, cx.d) ?? v.alpha),
  omega: (v, st, cx) => void (v.omega = boolArg(st, 1, cx.d) ?? v.omega),
  inhibit_on_failure: (v, st, cx) => void (v.inhibitOnFailure = boolArg(st, 1, cx.d) ?? v.inhibitOnFailure),
  ha_suspend: (v, st, cx) => void (v.haSuspend = boolArg(st, 1, cx.d) ?? v.haSuspend),
  virtualhost: (v, st, cx) => void (v.virtualhost = strArg(st, 1, cx.d, 'host') ?? v.virtualhost),
  smtp_alert: (v, st, cx) => void (v.smtpAlert = boolArg(st, 1, cx.d) ?? v.smtpAlert),
  ops: (v) => void (v.opsScheduling = true),
  real_server: {
    block: 'sub',
    accepts: realServerTable,
    args: 'IP PORT',
    run: (v, st, cx) => {
      const a = ipPort(st, cx, 1);
      if (!a) return;
      const r: RsDraft = { source: { file: st.file, line: st.line }, ...a, weight: 1, inhibitOnFailure: false, alpha: false, checkers: [] };
      walk(r, st.block, realServerTable, cx, 'real_server');
      v.realServers.push(r);
    },
  },
});
restrict(virtualServerTable, VIRTUAL_SERVER_KEYWORDS);

/** The `virtual_server …` header. */
export function parseVsTarget(st: Stmt, cx: Cx): VirtualServerTarget | undefined {
  const first = strArg(st, 1, cx.d, 'address|fwmark|group');
  if (first === undefined) return undefined;
  if (first === 'fwmark') {
    const n = intArg(st, 2, cx.d, 1, 0xffffffff, 'fwmark');
    return n === undefined ? undefined : { kind: 'fwmark', fwmark: n };
  }
  if (first === 'group') {
    const g = strArg(st, 2, cx.d, 'group name');
    return g === undefined ? undefined : { kind: 'group', group: g };
  }
  const a = ipPort(st, cx, 1);
  if (!a) return undefined;
  return a.port === undefined ? { kind: 'ip', address: a.address, family: a.family } : { kind: 'ip', address: a.address, port: a.port, family: a.family };
}

export function newVsDraft(target: VirtualServerTarget, st: Stmt): VsDraft {
  return {
    source: { file: st.file, line: st.line }, target, protocol: 'TCP', protocolSet: false, schedSet: false, methodSet: false, lvsSched: 'wlc', lvsMethod: 'NAT',
    delayLoopMs: DELAY_LOOP_DEFAULT_MS, connectTimeoutMs: CONNECT_TIMEOUT_DEFAULT_MS, sorryServerInhibit: false, quorum: 1,
    hysteresis: 0, alpha: false, omega: false, inhibitOnFailure: false, haSuspend: false, opsScheduling: false, realServers: [],
  };
}

const DELAY_BEFORE_RETRY_MS: Partial<Record<CheckerKind, number>> = { HTTP_GET: 3000, SSL_GET: 3000 };
const RETRY_DEFAULT: Partial<Record<CheckerKind, number>> = { DNS_CHECK: 3, MISC_CHECK: 0 };

export function vsLabel(v: VsDraft): string {
  const t = v.target;
  if (t.kind === 'fwmark') return `FWM ${t.fwmark}`;
  if (t.kind === 'group') return `group ${t.group}`;
  const a = t.family === 6 ? `[${t.address}]` : `[${t.address}]`;
  return `${a}:${v.protocolSet ? v.protocol.toLowerCase() : 'none'}:${t.port ?? 0}`;
}

/** keepalived's check_validate_config rules for one virtual server; undefined when it is dropped. */
export function validateVirtualServer(v: VsDraft, d: Cx['d']): VsDraft | undefined {
  const at = { file: v.source.file, line: v.source.line };
  const label = vsLabel(v);
  if (!v.realServers.length) {
    d.error(at, `Virtual server ${label} has no real servers - ignoring`, 'add a real_server block');
    return undefined;
  }
  if (v.target.kind === 'fwmark') {
    if (v.protocolSet) d.warn(at, `Virtual server ${label}: protocol specified for fwmark - protocol will be ignored`, 'remove protocol');
    for (const r of v.realServers) {
      if (r.port !== undefined) {
        d.warn({ file: r.source.file, line: r.source.line }, `fwmark virtual server ${label}, real server ${r.address} has port specified - clearing`, 'drop the port of real servers of a fwmark service');
        delete r.port;
      }
    }
  } else if (!v.protocolSet) {
    d.warn(at, `Virtual server ${label}: no protocol set - defaulting to UDP`, 'add: protocol TCP');
    v.protocol = 'UDP';
    v.protocolSet = true;
  }
  if (!v.schedSet) d.warn(at, `Virtual server ${vsLabel(v)}: no scheduler set, setting default 'wlc'`, 'add: lvs_sched wlc');
  if (!v.methodSet) d.warn(at, `Virtual server ${vsLabel(v)}: no forwarding method set, setting default NAT`, 'add: lvs_method NAT');
  if (v.target.kind === 'ip' && v.target.port !== undefined) {
    for (const r of v.realServers) {
      const m = r.lvsMethod ?? v.lvsMethod;
      if ((m === 'DR' || m === 'TUN') && r.port !== undefined && r.port !== v.target.port) {
        d.warn({ file: r.source.file, line: r.source.line }, `virtual server ${vsLabel(v)} and real server [${r.address}]:${r.port} ports don't match - resetting`, `with ${m} the real server port must be the virtual server port (${v.target.port})`);
        r.port = v.target.port;
      }
    }
  }
  if (v.target.kind === 'ip' && v.target.port === undefined && v.persistenceTimeoutS === undefined) {
    d.warn(at, `Virtual server ${vsLabel(v)}: zero port only valid for persistent services - setting`, `add a port, or persistence_timeout`);
    v.persistenceTimeoutS = PERSISTENCE_TIMEOUT_DEFAULT_S;
  }
  return v;
}

/** Applies inheritance real_server → virtual_server → defaults to every checker. */
export function finishVirtualServer(v: VsDraft): VirtualServerConfig {
  const { protocolSet: _p, schedSet: _s, methodSet: _m, ...rest } = v;
  return {
    ...rest,
    realServers: v.realServers.map((r): RealServerConfig => {
      const { connectTimeoutMs, delayLoopMs, retry: rsRetry, delayBeforeRetryMs, warmupMs, ...rs } = r;
      return {
        ...rs,
        checkers: r.checkers.map((c): CheckerConfig => ({
          ...c,
          connectTimeoutMs: c.connectTimeoutMs ?? connectTimeoutMs ?? v.connectTimeoutMs,
          delayLoopMs: c.delayLoopMs ?? delayLoopMs ?? v.delayLoopMs,
          retry: c.retry ?? rsRetry ?? v.retry ?? RETRY_DEFAULT[c.kind] ?? 1,
          delayBeforeRetryMs:
            c.delayBeforeRetryMs ?? delayBeforeRetryMs ?? v.delayBeforeRetryMs ?? (c.kind === 'DNS_CHECK' ? c.delayLoopMs ?? delayLoopMs ?? v.delayLoopMs : DELAY_BEFORE_RETRY_MS[c.kind] ?? 1000),
          ...(c.warmupMs ?? warmupMs ?? v.warmupMs) !== undefined ? { warmupMs: c.warmupMs ?? warmupMs ?? v.warmupMs } : {},
        })),
      };
    }),
  };
}

export function parseVsGroup(name: string, st: Stmt, cx: Cx): VirtualServerGroupConfig {
  const g: VirtualServerGroupConfig = { name, source: { file: st.file, line: st.line }, addresses: [], fwmarks: [] };
  for (const l of st.block ?? []) {
    const w = l.words.map((t) => t.text);
    if (w[0] === 'fwmark') {
      const n = w[1] === undefined ? undefined : checkInt(w[1], posOf(l, 1), cx.d, 1, 0xffffffff, 'fwmark');
      if (n !== undefined) g.fwmarks.push(w[2] === 'inet6' ? { fwmark: n, family: 6 } : w[2] === 'inet' ? { fwmark: n, family: 4 } : { fwmark: n });
      continue;
    }
    const m = /^([^/-]+)(?:-([0-9a-fA-F.:]+))?(?:\/(\d+))?$/.exec(w[0]!);
    const ip = m && IpAddress.parse(m[1]!);
    if (!ip) {
      cx.d.error(posOf(l), `invalid virtual_server_group entry '${w[0]}'`, 'use IP, IP-LAST or IP/PREFIX, optionally followed by a port');
      continue;
    }
    const port = w[1] === undefined ? undefined : checkInt(w[1], posOf(l, 1), cx.d, 0, 65535, 'port');
    g.addresses.push(port === undefined ? { range: w[0]!, family: ip.family } : { range: w[0]!, port, family: ip.family });
  }
  return g;
}
