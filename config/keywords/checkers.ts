/**
 * Health-checker blocks inside real_server: TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK,
 * MISC_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK, BFD_CHECK. Inherited timers
 * (connect_timeout, delay_loop) are left unset here and filled in by the virtual-server pass.
 */
import { parseIp } from '../ip.js';
import type { CheckerConfig, CheckerKind, HttpUrlConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { boolArg, intArg, posOf, strArg, timerArg } from '../values.js';
import { restrict, table, walk, type Cx, type Handler, type Table } from './engine.js';
import { CHECKER_KEYWORDS_BY_KIND, URL_KEYWORDS } from './known.js';
import { parseScript } from './script.js';

export type CheckerDraft = Omit<CheckerConfig, 'connectTimeoutMs' | 'delayLoopMs' | 'retry' | 'delayBeforeRetryMs'> & {
  connectTimeoutMs?: number;
  delayLoopMs?: number;
  retry?: number;
  delayBeforeRetryMs?: number;
};

export const CHECKER_KINDS: readonly CheckerKind[] = [
  'TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'SMTP_CHECK', 'MISC_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK',
];

export function newChecker(kind: CheckerKind, st: Stmt): CheckerDraft {
  return { kind, source: { file: st.file, line: st.line }, alpha: false, logAllFailures: false, urls: [], enableSni: false };
}

type C = CheckerDraft;
const ms = (us: number) => us / 1000;

const timer = (key: 'connectTimeoutMs' | 'delayLoopMs' | 'delayBeforeRetryMs' | 'warmupMs'): Handler<C> => (c, st, cx) => {
  const us = timerArg(st, 1, cx.d, 0, 0xffffffff * 1000);
  if (us !== undefined) c[key] = ms(us);
};
const str = (set: (c: C, v: string) => void, what: string): Handler<C> => (c, st, cx) => {
  const v = strArg(st, 1, cx.d, what);
  if (v !== undefined) set(c, v);
};
const port = (set: (c: C, v: number) => void): Handler<C> => (c, st, cx) => {
  const v = intArg(st, 1, cx.d, 0, 65535, 'port');
  if (v !== undefined) set(c, v);
};

function address(set: (c: C, v: string) => void): Handler<C> {
  return (c, st, cx) => {
    const t = strArg(st, 1, cx.d, 'address');
    if (t === undefined) return;
    const ip = parseIp(t);
    if (!ip) return cx.d.error(posOf(st, 1), `invalid address '${t}'`, 'use an IPv4 or IPv6 address');
    set(c, ip.address);
  };
}

function statusCodes(st: Stmt, cx: Cx): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 1; i < st.words.length; i++) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(st.words[i]!.text);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] ? Number(m[2]) : lo;
    if (!m || lo < 100 || hi > 599 || lo > hi) {
      cx.d.error(posOf(st, i), `invalid status_code '${st.words[i]!.text}'`, 'use codes or ranges in 100-599, e.g. 200-299 301');
      continue;
    }
    out.push([lo, hi]);
  }
  return out;
}

const urlTable = table<HttpUrlConfig>({
  path: (u, st, cx) => void (u.path = strArg(st, 1, cx.d, 'path') ?? u.path),
  digest: (u, st, cx) => {
    const v = strArg(st, 1, cx.d, 'md5');
    if (v !== undefined && !/^[0-9a-fA-F]{32}$/.test(v)) cx.d.error(posOf(st, 1), `digest '${v}' is not an MD5 hex string`, 'use genhash to compute it');
    else if (v !== undefined) u.digest = v.toLowerCase();
  },
  status_code: (u, st, cx) => {
    const codes = statusCodes(st, cx);
    if (codes.length) u.statusCodes = codes;
  },
  virtualhost: (u, st, cx) => void (u.virtualhost = strArg(st, 1, cx.d, 'host') ?? u.virtualhost),
  regex: (u, st, cx) => void (u.regex = strArg(st, 1, cx.d, 'regex') ?? u.regex),
  regex_no_match: (u) => void (u.regexNoMatch = true),
});
restrict(urlTable, URL_KEYWORDS);

export const checkerTable: Table<C> = table<C>({
  connect_ip: address((c, v) => (c.connectIp = v)),
  connect_port: port((c, v) => (c.connectPort = v)),
  bindto: address((c, v) => (c.bindto = v)),
  bind_port: port((c, v) => (c.bindPort = v)),
  bind_if: str((c, v) => (c.bindIf = v), 'interface'),
  fwmark: (c, st, cx) => void (c.fwmark = intArg(st, 1, cx.d, 0, 0xffffffff) ?? c.fwmark),
  connect_timeout: timer('connectTimeoutMs'),
  retry: (c, st, cx) => void (c.retry = intArg(st, 1, cx.d, 0, 0xffffffff) ?? c.retry),
  nb_get_retry: (c, st, cx) => void (c.retry = intArg(st, 1, cx.d, 0, 0xffffffff) ?? c.retry),
  delay_before_retry: timer('delayBeforeRetryMs'),
  warmup: timer('warmupMs'),
  delay_loop: timer('delayLoopMs'),
  alpha: (c, st, cx) => void (c.alpha = boolArg(st, 1, cx.d) ?? c.alpha),
  log_all_failures: (c, st, cx) => void (c.logAllFailures = boolArg(st, 1, cx.d) ?? c.logAllFailures),
  url: {
    block: 'sub',
    accepts: urlTable,
    run: (c, st, cx) => {
      const u: HttpUrlConfig = { statusCodes: [[200, 299]], regexNoMatch: false };
      walkUrl(u, st, cx);
      c.urls.push(u);
    },
  },
  http_protocol: str((c, v) => (c.httpProtocol = v), '1.0|1.0C|1.1'),
  virtualhost: str((c, v) => (c.virtualhost = v), 'host'),
  enable_sni: (c, st, cx) => void (c.enableSni = boolArg(st, 1, cx.d) ?? c.enableSni),
  misc_path: (c, st, cx) => {
    const s = parseScript(st, cx.d, { allowUser: false });
    if (s) c.misc = { ...(c.misc ?? { dynamic: false }), command: s };
  },
  misc_timeout: (c, st, cx) => {
    const us = timerArg(st, 1, cx.d, 0, 0xffffffff * 1000);
    if (us !== undefined) c.misc = { ...(c.misc ?? { dynamic: false }), timeoutMs: ms(us) };
  },
  misc_dynamic: (c) => void (c.misc = { ...(c.misc ?? {}), dynamic: true }),
  user: (c, st, cx) => {
    const u = strArg(st, 1, cx.d, 'user');
    if (u !== undefined && c.misc?.command) c.misc.command.user = u;
  },
  helo_name: str((c, v) => (c.heloName = v), 'name'),
  type: str((c, v) => (c.dns = { name: c.dns?.name ?? '.', type: v }), 'record type'),
  name: (c, st, cx) => {
    const v = strArg(st, 1, cx.d, 'name');
    if (v === undefined) return;
    if (c.kind === 'BFD_CHECK') c.bfdName = v;
    else c.dns = { type: c.dns?.type ?? 'SOA', name: v };
  },
  payload: str((c, v) => (c.udp = { ...c.udp, payload: v }), 'hex'),
  require_reply: (c, st) => void (c.udp = { ...c.udp, requireReply: st.words[1]?.text ?? '' }),
  min_reply_length: (c, st, cx) => void (c.udp = { ...c.udp, minReplyLength: intArg(st, 1, cx.d, 0, 65535) }),
  max_reply_length: (c, st, cx) => void (c.udp = { ...c.udp, maxReplyLength: intArg(st, 1, cx.d, 0, 65535) }),
  track_file: str((c, v) => (c.file = { ...(c.file ?? { reverse: false, dynamic: false }), trackFile: v }), 'name'),
  dynamic: (c) => void (c.file = { ...(c.file ?? { reverse: false }), dynamic: true }),
  weight: (c, st, cx) => {
    const w = intArg(st, 1, cx.d, -254, 254, 'weight');
    if (w !== undefined) c.file = { ...(c.file ?? { dynamic: false }), weight: w, reverse: st.words[2]?.text === 'reverse' };
  },
  host: { block: 'sub', run: (c, st, cx) => walk(newChecker(c.kind, st), st.block, checkerTable, cx, 'host') },
});

function walkUrl(u: HttpUrlConfig, st: Stmt, cx: Cx) {
  walk(u, st.block, urlTable, cx, 'url');
}

/** Per checker kind, only the keywords keepalived registers for that checker. */
export const checkerTables = Object.fromEntries(
  CHECKER_KINDS.map((kind) => {
    return [kind, restrict(new Map(checkerTable), CHECKER_KEYWORDS_BY_KIND[kind])];
  }),
) as Record<CheckerKind, Table<C>>;
