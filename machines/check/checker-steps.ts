/**
 * What one probe result means for a checker, per checker family, exactly as keepalived 2.2.7
 * counts (pure functions; the checker machine applies them):
 *
 *   TCP_CHECK             check_tcp.c   tcp_check_thread, tcp_epilog
 *   UDP_CHECK             check_udp.c   udp_check_thread, udp_epilog
 *   PING_CHECK            check_ping.c  icmp_check_thread, icmp_epilog
 *   HTTP_GET / SSL_GET    check_http.c  http_handle_response, timeout_epilog, epilog
 *   SMTP_CHECK            check_smtp.c  smtp_final, smtp_start_check_thread
 *   DNS_CHECK             check_dns.c   dns_final
 *   MISC_CHECK            check_misc.c  misc_check_child_thread
 *   FILE_CHECK            trackers/track_file.c process_update_checker_track_file_status
 *
 * Counters as keepalived keeps them: `up` (is_up), `hasRun` (has_run), `retryIt` (retry_it,
 * which starts at `retry` so the very first failure takes a checker down). A verdict is reported
 * to the real server whenever keepalived calls update_svr_checker_state.
 *
 * Two places where 2.2.7's code differs from what is usually written about it, followed here:
 *  - SMTP_CHECK resets retry_it at every scheduled run (smtp_start_check_thread), so even the
 *    first result needs retry+1 failures, and retries keep cycling while the checker is down.
 *  - HTTP_GET's timeout_epilog marks the checker as run before counting, so the first failure
 *    logs "failed after R retries." (not "failed."), and an alpha HTTP checker's first failure
 *    reports nothing (no notify_down), unlike TCP_CHECK.
 */
import type { ProbeFailure, ProbeOutcome } from '../../actors/lvs/prober-port.js';
import type { CheckerKind } from '../../config/model-lvs.js';
import { FILE_FAULT, fileCheckStatus } from './file-check.js';
import type { CheckerReportEvent } from './types.js';

export type CheckerFamily = 'tcp' | 'udp' | 'ping' | 'http' | 'smtp' | 'dns' | 'misc' | 'file' | 'unsupported';

export function familyOf(kind: CheckerKind): CheckerFamily {
  switch (kind) {
    case 'TCP_CHECK':
      return 'tcp';
    case 'UDP_CHECK':
      return 'udp';
    case 'PING_CHECK':
      return 'ping';
    case 'HTTP_GET':
    case 'SSL_GET':
      return 'http';
    case 'SMTP_CHECK':
      return 'smtp';
    case 'DNS_CHECK':
      return 'dns';
    case 'MISC_CHECK':
      return 'misc';
    case 'FILE_CHECK':
      return 'file';
    default:
      return 'unsupported';
  }
}

export interface Counters {
  up: boolean;
  hasRun: boolean;
  retryIt: number;
  /** HTTP: the URL being checked (keepalived url_it) and the URL that took the checker down. */
  urlIt: number;
  failedUrl: number | null;
  /** MISC: last exit status seen (misc_dynamic applies a weight only when it changes). */
  lastExitCode: number | undefined;
  /** This checker's dynamic weight contribution (keepalived cur_weight). */
  contribution: number;
  /** FILE_CHECK: the file's last value. */
  fileValue: number;
}

/** What a URL's success is logged as: the last test it passed (status, then digest, then regex). */
export type UrlTest = 'HTTP status code' | 'MD5 digest' | 'Regex match';

export interface StepConfig {
  family: CheckerFamily;
  retry: number;
  delayLoopMs: number;
  delayBeforeRetryMs: number;
  logAllFailures: boolean;
  alpha: boolean;
  fastRecovery: boolean;
  /** FMT_CHK (the real server), FMT_VS. */
  rs: string;
  vs: string;
  /** Where probes go: `[ip]:port` (SMTP lines), the address alone, and the real server's `[ip]:port`. */
  targetPair: string;
  targetAddress: string;
  rsPair: string;
  ipv6: boolean;
  urls: Array<{ path: string; test: UrlTest }>;
  miscPath: string;
  /** Configured real-server weight (misc_dynamic: contribution = status − 2 − weight). */
  rsWeight: number;
  file: { weight: number; reverse: boolean };
}

export type CheckerOp =
  | { op: 'log'; message: string }
  | { op: 'weight'; contribution: number }
  | { op: 'report'; report: Omit<CheckerReportEvent, 'type' | 'index'> };

/**
 * When the next attempt starts: `after` ms from now (the check finished), or, for MISC_CHECK, at
 * the probe's start + delay_before_retry (`retry`) or + delay_loop (`loop`).
 */
export type NextRun = { after: number } | { mark: 'retry' | 'loop' };

export interface StepResult {
  counters: Counters;
  ops: CheckerOp[];
  next: NextRun;
  /** The next attempt starts a new cycle (SMTP_CHECK resets its retry count then). */
  newCycle: boolean;
}

export function initialCounters(cfg: Pick<StepConfig, 'family' | 'retry' | 'alpha' | 'file'>, fileValue = 0): Counters {
  const base: Counters = { up: !cfg.alpha, hasRun: false, retryIt: cfg.retry, urlIt: 0, failedUrl: null, lastExitCode: undefined, contribution: 0, fileValue };
  if (cfg.family !== 'file') return base;
  const status = fileCheckStatus(fileValue, cfg.file.weight, cfg.file.reverse);
  // FILE_CHECK is never alpha and counts as run: its state is known from the file at start.
  return { ...base, up: status !== FILE_FAULT, hasRun: true, contribution: status === FILE_FAULT ? 0 : status };
}

/** keepalived's update_svr_checker_state as seen from the checker: the report and the new counters. */
function verdict(
  c: Counters,
  cfg: StepConfig,
  up: boolean,
  alert: { body: string; always?: boolean } | undefined,
  extra: Partial<Pick<CheckerReportEvent, 'contribution' | 'detail'>> = {},
): CheckerOp {
  const changed = c.up !== up;
  const notify = !changed && !c.hasRun && (cfg.alpha || !up);
  const report: Omit<CheckerReportEvent, 'type' | 'index'> = { up, changed, notify, ...extra };
  if (alert && (alert.always || changed)) report.alert = alert.body;
  c.up = up;
  c.hasRun = true;
  return { op: 'report', report };
}

const log = (message: string): CheckerOp => ({ op: 'log', message });

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** A probe that failed on our side (socket, bind, bindto device): keepalived reschedules without counting. */
function rescheduled(cfg: StepConfig, c: Counters, message: string): StepResult {
  return { counters: { ...c }, ops: [log(message)], next: { after: cfg.delayLoopMs }, newCycle: true };
}

// --- TCP_CHECK -----------------------------------------------------------------------------------

function stepTcp(cfg: StepConfig, c0: Counters, o: ProbeOutcome): StepResult {
  if (!o.ok && o.failure === 'local-error') return rescheduled(cfg, c0, 'TCP socket bind failed. Rescheduling.');
  const c = { ...c0 };
  const ops: CheckerOp[] = [];
  if (!o.ok && c.up && cfg.logAllFailures && o.failure !== 'unreachable') {
    ops.push(log(o.failure === 'timeout' ? `TCP connection to ${cfg.rs} timeout.` : `TCP connection to ${cfg.rs} failed.`));
  }
  let next: number;
  if (o.ok || c.retryIt >= cfg.retry) {
    next = cfg.delayLoopMs;
    c.retryIt = 0;
    if (o.ok && (!c.up || !c.hasRun)) {
      ops.push(log(`TCP connection to ${cfg.rs} success.`));
      ops.push(verdict(c, cfg, true, { body: '=> TCP CHECK succeed on service <=' }));
    } else if (!o.ok && (c.up || !c.hasRun)) {
      ops.push(log(cfg.retry && c.hasRun ? `TCP_CHECK on service ${cfg.rs} failed after ${cfg.retry} retries.` : `TCP_CHECK on service ${cfg.rs} failed.`));
      ops.push(verdict(c, cfg, false, { body: '=> TCP CHECK failed on service <=' }, { detail: o.message }));
    }
  } else {
    next = cfg.delayBeforeRetryMs;
    c.retryIt++;
  }
  c.hasRun = true;
  return { counters: c, ops, next: { after: next }, newCycle: true };
}

// --- UDP_CHECK and PING_CHECK ----------------------------------------------------------------------

function stepUdpOrPing(cfg: StepConfig, c0: Counters, o: ProbeOutcome): StepResult {
  const ping = cfg.family === 'ping';
  if (ping && !o.ok && o.failure === 'local-error') return rescheduled(cfg, c0, `ICMP${cfg.ipv6 ? 'v6' : ''} connect fail to create socket. Rescheduling.`);
  const c = { ...c0 };
  const ops: CheckerOp[] = [];
  if (!o.ok && c.up && cfg.logAllFailures && o.failure !== 'local-error') {
    if (ping) ops.push(log(o.failure === 'timeout' ? `ICMP connection to address ${cfg.rs} timeout.` : `ICMP connection to ${cfg.rs} of ${cfg.vs} failed.`));
    else ops.push(log(o.failure === 'bad-reply' ? `UDP check to ${cfg.rs} reply data mismatch.` : `UDP connection to ${cfg.rs} failed.`));
  }
  const name = ping ? 'ICMP' : 'UDP';
  let next = cfg.delayLoopMs;
  if (o.ok || ((c.up || !c.hasRun) && c.retryIt >= cfg.retry)) {
    c.retryIt = 0;
    if (o.ok && (!c.up || !c.hasRun)) {
      ops.push(log(`${name} connection to ${cfg.rs} success.`));
      ops.push(verdict(c, cfg, true, { body: `=> ${name} CHECK succeed on service <=` }));
    } else if (!o.ok && (c.up || !c.hasRun)) {
      const after = cfg.retry && c.hasRun;
      if (ping) ops.push(log(after ? `ICMP CHECK on service ${cfg.rs} of ${cfg.vs} failed after ${cfg.retry} retries.` : `ICMP CHECK on service ${cfg.rs} failed.`));
      else ops.push(log(after ? `UDP_CHECK on service ${cfg.rs} failed after ${cfg.retry} retries.` : `UDP_CHECK on service ${cfg.rs} failed.`));
      ops.push(verdict(c, cfg, false, { body: `=> ${name} CHECK failed on service <=` }, { detail: o.message }));
    }
  } else if (c.up) {
    next = cfg.delayBeforeRetryMs;
    c.retryIt++;
  }
  c.hasRun = true;
  return { counters: c, ops, next: { after: next }, newCycle: true };
}

// --- HTTP_GET / SSL_GET ----------------------------------------------------------------------------

/** keepalived's timeout_epilog messages, as the log_all_failures line prints them ("%s server %s."). */
const HTTP_TEXT: Partial<Record<ProbeFailure, string>> = {
  timeout: 'Timeout connecting',
  refused: 'Error connecting',
  unreachable: 'HTTP_CHECK - network unreachable',
  'connect-error': 'Connection failed',
  'bad-status': 'HTTP status code error to',
  'bad-digest': 'MD5 digest error to',
  'bad-regex': 'Regex match failed',
  'bad-reply': 'Read, no data received from ',
  'tls-error': 'SSL handshake/communication error connecting to',
};

const HTTP_KNOWN = new Set([
  ...Object.values(HTTP_TEXT),
  'Timeout HTTP read',
  'Read error with',
  'Timeout WEB read',
  'Timeout WEB write',
  'Cannot send get request to',
  'Timeout SSL read',
  'SSL read error from',
]);

export function httpFailureText(o: Extract<ProbeOutcome, { ok: false }>): string {
  if (HTTP_KNOWN.has(o.message)) return o.message;
  return HTTP_TEXT[o.failure] ?? 'Connection failed';
}

function stepHttp(cfg: StepConfig, c0: Counters, o: ProbeOutcome): StepResult {
  if (!o.ok && o.failure === 'local-error') return rescheduled(cfg, c0, 'WEB socket bind failed. Rescheduling');
  const c = { ...c0 };
  const ops: CheckerOp[] = [];
  const n = Math.max(1, cfg.urls.length);
  let method: 'new' | 'retry' | 'failed';
  if (o.ok) {
    const url = cfg.urls[c.urlIt];
    if (!c.up && url) ops.push(log(`${url.test} success to ${cfg.rs} url(${url.path})`));
    method = 'new';
  } else if (c.up || !c.hasRun) {
    if (cfg.logAllFailures) ops.push(log(`${httpFailureText(o)} server ${cfg.rs}.`));
    c.hasRun = true;
    method = 'retry';
  } else {
    method = 'failed';
  }
  // epilog()
  let walkDone = false;
  if (method === 'new') {
    if (c.urlIt >= n - 1) walkDone = true;
    else c.urlIt++;
    c.retryIt = 0;
  } else if (method === 'retry') {
    c.retryIt++;
  }
  if (method === 'new' && walkDone && c.failedUrl === null) {
    if (!c.up || !c.hasRun) {
      ops.push(log(`Remote Web server ${cfg.rs} succeed on service.`));
      ops.push(verdict(c, cfg, true, { body: '=> CHECK succeed on service <=' }));
    }
    c.urlIt = 0;
    c.retryIt = 0;
  } else if (method === 'retry' && c.retryIt > cfg.retry) {
    if (c.up || !c.hasRun) {
      ops.push(log(c.hasRun && cfg.retry ? `HTTP_CHECK on service ${cfg.rs} failed after ${c.retryIt - 1} retries.` : `HTTP_CHECK on service ${cfg.rs} failed.`));
      ops.push(verdict(c, cfg, false, { body: '=> CHECK failed on service : HTTP request failed <=' }, { detail: o.ok ? undefined : o.message }));
    }
    c.failedUrl = c.urlIt;
  } else if (method === 'new' && c.failedUrl !== null) {
    // The failed URL answers again: walk every URL from the first before coming up.
    c.failedUrl = null;
    c.urlIt = 0;
    c.retryIt = 0;
  }
  let next: number;
  if (method === 'new') {
    next = cfg.delayLoopMs;
    if (!c.hasRun) c.retryIt = cfg.retry;
  } else if (c.failedUrl !== null) {
    next = Math.max(cfg.delayBeforeRetryMs, cfg.delayLoopMs);
  } else {
    next = cfg.delayBeforeRetryMs;
  }
  if (cfg.fastRecovery && (!c.hasRun || (!c.up && c.failedUrl === null))) next = 0;
  return { counters: c, ops, next: { after: next }, newCycle: true };
}

// --- SMTP_CHECK ------------------------------------------------------------------------------------

const SMTP_PHRASES: Array<[string, 'from' | 'to']> = [
  ['Bad greeting banner', 'from'],
  ['Bad HELO response', 'from'],
  ['Read timeout', 'from'],
  ['Read failure', 'from'],
  ['Write timeout', 'to'],
  ['Write failure', 'to'],
  ['Connection timeout', 'to'],
  ['Error connecting', 'to'],
  ['Could not connect', 'to'],
  ['Unknown connection error', 'to'],
];

/** smtp_final's message ("Bad greeting banner from server [198.51.100.21]:25"), without the "SMTP_CHECK " prefix. */
export function smtpFailureText(cfg: Pick<StepConfig, 'targetPair' | 'targetAddress' | 'rsPair'>, o: Extract<ProbeOutcome, { ok: false }>): string {
  const known = SMTP_PHRASES.find(([p]) => o.message.startsWith(p));
  const phrase: [string, 'from' | 'to'] | undefined =
    known ??
    (o.failure === 'timeout' ? ['Connection timeout', 'to']
    : o.failure === 'refused' ? ['Error connecting', 'to']
    : o.failure === 'connect-error' ? ['Could not connect', 'to']
    : o.failure === 'unreachable' ? undefined
    : ['Bad greeting banner', 'from']);
  if (!phrase) return `Network unreachable for server ${cfg.targetAddress} - real server ${cfg.rsPair}`;
  return `${phrase[0]} ${phrase[1]} server ${cfg.targetPair}`;
}

function stepSmtp(cfg: StepConfig, c0: Counters, o: ProbeOutcome): StepResult {
  if (!o.ok && o.failure === 'local-error') return rescheduled(cfg, c0, 'SMTP_CHECK socket bind failed. Rescheduling.');
  const c = { ...c0 };
  const ops: CheckerOp[] = [];
  if (!o.ok) {
    const text = smtpFailureText(cfg, o);
    if ((c.up || !c.hasRun) && (cfg.logAllFailures || c.retryIt >= cfg.retry)) ops.push(log(`SMTP_CHECK ${text}`));
    if (++c.retryIt <= cfg.retry) return { counters: c, ops, next: { after: cfg.delayBeforeRetryMs }, newCycle: false };
    if (c.up || !c.hasRun) ops.push(verdict(c, cfg, false, { body: `=> CHECK failed on service : ${text} <=` }, { detail: o.message }));
    return { counters: c, ops, next: { after: cfg.delayLoopMs }, newCycle: true };
  }
  c.retryIt = 0;
  if (!c.up || !c.hasRun) {
    ops.push(log(`Remote SMTP server ${cfg.rs} succeed on service.`));
    ops.push(verdict(c, cfg, true, { body: '=> CHECK succeed on service <=' }));
  }
  c.hasRun = true;
  return { counters: c, ops, next: { after: cfg.delayLoopMs }, newCycle: true };
}

// --- DNS_CHECK -------------------------------------------------------------------------------------

export function dnsFailureText(cfg: Pick<StepConfig, 'targetPair'>, o: Extract<ProbeOutcome, { ok: false }>): string {
  if (o.failure === 'timeout') return 'read timeout from socket';
  if (o.failure === 'unreachable') return `network unreachable for ${cfg.targetPair}`;
  if (o.message) return o.message;
  return o.failure === 'refused' ? 'failed to read socket; errno 111 (Connection refused)' : 'connection error.';
}

function stepDns(cfg: StepConfig, c0: Counters, o: ProbeOutcome): StepResult {
  if (!o.ok && o.failure === 'local-error') return rescheduled(cfg, c0, `DNS_CHECK (${cfg.rs}) UDP socket bind failed. Rescheduling.`);
  const c = { ...c0 };
  const ops: CheckerOp[] = [];
  if (!o.ok) {
    if (c.up || !c.hasRun) {
      const text = dnsFailureText(cfg, o);
      if (cfg.logAllFailures || c.retryIt >= cfg.retry) {
        const suffix = c.hasRun && c.retryIt >= cfg.retry ? ` after ${cfg.retry} retries` : '';
        ops.push(log(`DNS_CHECK (${cfg.rs}) ${text}${suffix}`));
      }
      if (c.retryIt < cfg.retry) {
        c.retryIt++;
        c.hasRun = true;
        return { counters: c, ops, next: { after: cfg.delayBeforeRetryMs }, newCycle: false };
      }
      ops.push(verdict(c, cfg, false, { body: '=> DNS_CHECK: failed on service <=' }, { detail: text }));
    }
  } else if (!c.up || !c.hasRun) {
    ops.push(verdict(c, cfg, true, { body: '=> DNS_CHECK: succeed on service <=' }));
  }
  c.retryIt = 0;
  return { counters: c, ops, next: { after: cfg.delayLoopMs }, newCycle: true };
}

// --- MISC_CHECK ------------------------------------------------------------------------------------

function stepMisc(cfg: StepConfig, c0: Counters, o: ProbeOutcome): StepResult {
  const c = { ...c0 };
  const ops: CheckerOp[] = [];
  const who = `Misc check for [${cfg.rs} VS ${cfg.vs}] by [${cfg.miscPath}]`;
  if (!o.ok && o.failure === 'local-error') {
    // keepalived stops scheduling a script it could not start; we log and try again next loop.
    return { counters: c, ops: [log(`${who} could not be run (${o.message}). Rescheduling.`)], next: { after: cfg.delayLoopMs }, newCycle: true };
  }
  let exitType: 'succeeded' | 'failed' | 'timed out' | undefined;
  let reason: [string, number] | undefined;
  let success = false;
  let messageOnly = false;
  let resetContribution = false;
  if (o.ok) {
    const status = o.weight !== undefined ? o.weight + 2 : 0;
    if (status !== c.lastExitCode) {
      const contribution = status ? status - 2 - cfg.rsWeight : 0;
      if (contribution !== c.contribution) ops.push({ op: 'weight', contribution });
      c.contribution = contribution;
      c.lastExitCode = status;
    }
    if (!c.up || !c.hasRun) {
      exitType = 'succeeded';
      success = true;
    }
    c.retryIt = 0;
  } else if (c.up || !c.hasRun) {
    if (o.failure === 'timeout') exitType = 'timed out';
    else {
      exitType = 'failed';
      reason = o.failure === 'signal' ? ['due to signal', o.exitStatus ?? 0] : ['exited with status', o.exitStatus ?? 1];
    }
    if (c.retryIt < cfg.retry) {
      c.retryIt++;
      if (cfg.logAllFailures) messageOnly = true;
      else exitType = undefined;
    } else {
      c.retryIt = 0;
      // keepalived resets the contribution only for a script that exited; we reset it for any
      // final failure, so a killed dynamic script cannot leave a stale weight behind.
      resetContribution = c.contribution !== 0;
      c.contribution = 0;
      if (o.failure === 'exit-status') c.lastExitCode = o.exitStatus ?? 1;
    }
  }
  if (exitType) {
    let suffix = '';
    if (!success) {
      if (cfg.retry) {
        if (c.retryIt === 1) suffix = `, will do ${cfg.retry} ${plural(cfg.retry, 'retry', 'retries')}`;
        else if (c.retryIt > 1) suffix = ` on retry ${c.retryIt - 1}/${cfg.retry}`;
        else suffix = ` after ${cfg.retry} ${plural(cfg.retry, 'retry', 'retries')}`;
      } else suffix = ' with retry disabled';
    }
    ops.push(log(reason ? `${who} ${exitType}${suffix} (${reason[0]} ${reason[1]}).` : `${who} ${exitType}${suffix}.`));
    if (!messageOnly) {
      ops.push(
        verdict(c, cfg, success, { body: `=> MISC CHECK ${exitType} on service <=`, always: true }, {
          ...(resetContribution ? { contribution: { value: 0, when: 'before' as const } } : {}),
          ...(!o.ok ? { detail: o.message } : {}),
        }),
      );
    }
  }
  c.hasRun = true;
  return { counters: c, ops, next: { mark: c.retryIt ? 'retry' : 'loop' }, newCycle: true };
}

// --- FILE_CHECK ------------------------------------------------------------------------------------

/** A new value of the tracked file (no timers, no retries). */
export function stepFile(cfg: StepConfig, c0: Counters, value: number): { counters: Counters; ops: CheckerOp[] } {
  const c = { ...c0 };
  if (value === c.fileValue) return { counters: c, ops: [] };
  const prev = fileCheckStatus(c.fileValue, cfg.file.weight, cfg.file.reverse);
  const next = fileCheckStatus(value, cfg.file.weight, cfg.file.reverse);
  c.fileValue = value;
  if (prev === next) return { counters: c, ops: [] };
  if (next === FILE_FAULT) {
    c.contribution = 0;
    return { counters: c, ops: [verdict(c, cfg, false, undefined, { contribution: { value: 0, when: 'after' } })] };
  }
  c.contribution = next;
  if (prev === FILE_FAULT) return { counters: c, ops: [verdict(c, cfg, true, undefined, { contribution: { value: next, when: 'before' } })] };
  return { counters: c, ops: [{ op: 'weight', contribution: next }] };
}

// ---------------------------------------------------------------------------------------------------

/** What an attempt counts as when its deadline passes first (the chart's deadline, or the probe loop's). */
export const DEADLINE_OUTCOME: ProbeOutcome = Object.freeze({ ok: false, failure: 'timeout', message: 'timeout' } as const);

const SUCCESS: ProbeOutcome = Object.freeze({ ok: true } as const);

/** Every counter equal (all are plain values): a counter added to Counters is compared too. */
function sameCounters(a: Counters, b: Counters): boolean {
  for (const k of Object.keys(a) as Array<keyof Counters>) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Counting a success from these counters would change nothing: the same counters, no log line,
 * weight or verdict, the next run delay_loop after this one finished, and a new cycle. A healthy
 * checker is in this state between its checks, so its repeat runs need no counting at all (the
 * checker's `healthy` state hands them to its probe actor's loop, which reports only an outcome
 * that is not a success). False for every case that a success does change: the first result, a
 * checker down or retrying, HTTP with several urls (url_it moves on), fast_recovery while down,
 * MISC_CHECK (its next run is at a mark from the script's start, and misc_dynamic weights come
 * with the success), FILE_CHECK, and a delay_loop of 0.
 */
export function successIsFixedPoint(cfg: StepConfig, c: Counters): boolean {
  if (cfg.family === 'file' || cfg.family === 'unsupported' || cfg.family === 'misc' || !(cfg.delayLoopMs > 0)) return false;
  const r = stepChecker(cfg, c, SUCCESS);
  return r.ops.length === 0 && r.newCycle && 'after' in r.next && r.next.after === cfg.delayLoopMs && sameCounters(r.counters, c);
}

export function stepChecker(cfg: StepConfig, c: Counters, o: ProbeOutcome): StepResult {
  switch (cfg.family) {
    case 'tcp':
      return stepTcp(cfg, c, o);
    case 'udp':
    case 'ping':
      return stepUdpOrPing(cfg, c, o);
    case 'http':
      return stepHttp(cfg, c, o);
    case 'smtp':
      return stepSmtp(cfg, c, o);
    case 'dns':
      return stepDns(cfg, c, o);
    case 'misc':
      return stepMisc(cfg, c, o);
    default:
      return { counters: { ...c }, ops: [], next: { after: cfg.delayLoopMs }, newCycle: true };
  }
}
