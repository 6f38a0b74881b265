/**
 * Health-checker blocks inside real_server: TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK,
 * MISC_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK, BFD_CHECK. Inherited timers
 * (connect_timeout, delay_loop) are left unset here and filled in by the virtual-server pass.
 */
import { IpAddress } from '../../protocol/addr.js';
import { urlRegex } from '../../protocol/check/http-judge.js';
import { parseHexPattern } from '../../protocol/check/udp-check.js';
import type { CheckerConfig, CheckerKind, HttpUrlConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { boolArg, intArg, posOf, strArg, timerArg } from '../values.js';
import { restrict, table, walk, type Cx, type Handler, type Table } from './engine.js';
import { CHECKER_KEYWORDS_BY_KIND, URL_KEYWORDS } from './known.js';
import { parseScript, userKeywordAt } from './script.js';

export type CheckerDraft = Omit<CheckerConfig, 'connectTimeoutMs' | 'delayLoopMs' | 'retry' | 'delayBeforeRetryMs'> & {
  connectTimeoutMs?: number;
  delayLoopMs?: number;
  retry?: number;
  delayBeforeRetryMs?: number;
};

export const CHECKER_KINDS: readonly CheckerKind[] = [
  'TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'SMTP_CHECK', 'MISC_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK',
];

/** keepalived 2.2.7 `http_protocol` values (1.0C: HTTP/1.0 with `Connection: close`). */
export const HTTP_PROTOCOLS: readonly string[] = ['1.0', '1.0C', '1.0c', '1.1'];
/** The record types keepalived's DNS_CHECK knows (check_dns.c). */
export const DNS_CHECK_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const;

export function newChecker(kind: CheckerKind, st: Stmt): CheckerDraft {
  return { kind, source: { file: st.file, line: st.line }, alpha: false, logAllFailures: false, urls: [], enableSni: false };
}

type C = CheckerDraft;
/** MISC_CHECK `user USER [GROUP]` seen in a checker block, for a misc_path that comes later. */
const miscUser = new WeakMap<C, { user: string; group?: string }>();
/** Where that `user` keyword was, for the script-user diagnostics. */
const miscUserAt = new WeakMap<C, ReturnType<typeof posOf>>();
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
    const ip = IpAddress.parse(t);
    if (!ip) return cx.d.error(posOf(st, 1), `invalid address '${t}'`, 'use an IPv4 or IPv6 address');
    set(c, ip.text);
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
  regex: (u, st, cx) => {
    const v = strArg(st, 1, cx.d, 'regex');
    if (v === undefined) return;
    if (!urlRegex({ regex: v })) cx.d.lint('warning', posOf(st, 1), `Invalid regex: '${v}' - the url always fails its regex check`, 'write a JavaScript regular expression (no PCRE-only syntax)');
    u.regex = v;
  },
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
  // keepalived 2.2.7 reports it as a configuration error (keepalived -t exits 5) and still uses it.
  nb_get_retry: (c, st, cx) => {
    cx.d.warn(posOf(st), "nb_get_retry is deprecated - please use 'retry'", `write: retry ${st.words[1]?.text ?? 'N'}`);
    c.retry = intArg(st, 1, cx.d, 0, 0xffffffff) ?? c.retry;
  },
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
  http_protocol: (c, st, cx) => {
    const v = strArg(st, 1, cx.d, '1.0|1.0C|1.1');
    if (v === undefined) return;
    if (!HTTP_PROTOCOLS.includes(v)) cx.d.error(posOf(st, 1), `Invalid http_protocol version ${v}`, 'use 1.0, 1.0C (1.0 with Connection: close) or 1.1');
    else c.httpProtocol = v;
  },
  virtualhost: str((c, v) => (c.virtualhost = v), 'host'),
  enable_sni: (c, st, cx) => void (c.enableSni = boolArg(st, 1, cx.d) ?? c.enableSni),
  misc_path: (c, st, cx) => {
    const s = parseScript(st, cx.d, { allowUser: false });
    if (!s) return;
    // `user` may come before misc_path (keepalived applies it either way).
    const runAs = miscUser.get(c);
    if (runAs) Object.assign(s, runAs);
    const at = miscUserAt.get(c);
    if (at) userKeywordAt.set(s, at);
    c.misc = { ...(c.misc ?? { dynamic: false }), command: s };
  },
  misc_timeout: (c, st, cx) => {
    const us = timerArg(st, 1, cx.d, 0, 0xffffffff * 1000);
    if (us !== undefined) c.misc = { ...(c.misc ?? { dynamic: false }), timeoutMs: ms(us) };
  },
  misc_dynamic: (c) => void (c.misc = { ...(c.misc ?? {}), dynamic: true }),
  user: (c, st, cx) => {
    const u = strArg(st, 1, cx.d, 'user');
    if (u === undefined) return;
    const runAs = { user: u, ...(st.words[2] ? { group: st.words[2].text } : {}) };
    miscUser.set(c, runAs);
    miscUserAt.set(c, posOf(st, 1));
    if (c.misc?.command) {
      Object.assign(c.misc.command, runAs);
      userKeywordAt.set(c.misc.command, posOf(st, 1));
    }
  },
  helo_name: str((c, v) => (c.heloName = v), 'name'),
  type: (c, st, cx) => {
    const v = strArg(st, 1, cx.d, 'record type');
    if (v === undefined) return;
    const type = DNS_CHECK_TYPES.find((t) => t === v.toUpperCase());
    if (!type) cx.d.error(posOf(st, 1), `Unknown DNS check type ${v} - ignoring`, `use one of ${DNS_CHECK_TYPES.join(' ')}`);
    else c.dns = { name: c.dns?.name ?? '.', type };
  },
  name: (c, st, cx) => {
    const v = strArg(st, 1, cx.d, 'name');
    if (v === undefined) return;
    if (c.kind === 'BFD_CHECK') c.bfdName = v;
    else if ((v.startsWith('.') && v !== '.') || v.includes('..')) cx.d.error(posOf(st, 1), `DNS_CHECK name '${v}' has empty label - ignoring`, 'write the name without empty labels, e.g. example.com');
    else c.dns = { type: c.dns?.type ?? 'SOA', name: v };
  },
  // keepalived joins every word after the keyword into one hex string.
  payload: (c, st, cx) => {
    const v = st.words.slice(1).map((w) => w.text).join(' ');
    if (v === '') return cx.d.error(posOf(st), 'UDP_CHECK payload requires a payload', 'write: payload 0102ab…');
    if (!parseHexPattern(v, false)) return cx.d.error(posOf(st, 1), 'Invalid hex string for UDP_CHECK payload', 'use hex digits, e.g. payload 0a0b0c');
    c.udp = { ...c.udp, payload: v };
  },
  require_reply: (c, st, cx) => {
    const v = st.words.slice(1).map((w) => w.text).join(' ');
    if (v !== '' && !parseHexPattern(v, true)) return cx.d.error(posOf(st, 1), 'Invalid hex string for UDP_CHECK reply', 'use hex digits, X for any nibble, e.g. require_reply 0aXX');
    c.udp = { ...c.udp, requireReply: v };
  },
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
