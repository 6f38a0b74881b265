/**
 * The prober port: one health-check attempt against one real server, with one absolute deadline.
 *
 * keepalived applies connect_timeout to every I/O wait separately, so a server that dribbles its
 * answer never times out (keepalived issue #1822). Here an attempt has a single deadline: whatever
 * the protocol does, `done` is called once, at the latest `timeoutMs` after `probe()`.
 *
 * The daemon implements the port with real sockets (adapters/), the simulator with virtual real
 * servers on its segments. The checker statechart (machines/check/) decides what a result means
 * (retry counting, up/down); the prober only reports what happened, with enough detail for
 * keepalived's log lines (for example `TCP connection to [198.51.100.21]:tcp:80 timeout.`).
 *
 * Callback style like every port: `done` is never called re-entrantly inside `probe()`.
 *
 * `message` of a failure is keepalived's own phrase for it, so the checker can print keepalived's
 * log line around it; `detail` says what exactly happened (errno, status seen, bytes, signal):
 *   TCP_CHECK        'timeout' | 'failed'                 → `TCP connection to <rs> <message>.`
 *   HTTP_GET/SSL_GET 'Timeout connecting', 'Error connecting', 'Timeout WEB read',
 *                    'HTTP status code error to', 'MD5 digest error to', 'Regex match failed',
 *                    'Read, no data received from ' (sic), … → `<message> server <rs>.`
 *   SMTP_CHECK       'Bad greeting banner from server', 'Read timeout from server', …
 *                                                          → `SMTP_CHECK <message> [ip]:port`
 *   DNS_CHECK        'read timeout from socket', 'read error occurred. (rcode = 2)', …
 *                                                          → `DNS_CHECK (<rs>) <message>`
 *   UDP_CHECK        'failed' | 'reply data mismatch'     → `UDP connection to <rs> failed.` / `UDP check to <rs> reply data mismatch.`
 *   PING_CHECK       'timeout' | 'failed'                 → `ICMP connection to <rs> <message>.`
 *   MISC_CHECK       'exited with status N', 'due to signal N', 'timed out', 'failed to run'
 *   'local-error'    a sentence for the log (`bind_if eth9: setsockopt: No such device`), never counted.
 *
 * FILE_CHECK is not probed: the checker machine follows its track_file through the Files port.
 */
import type { CheckerConfig, SslConfig } from '../../config/model-lvs.js';
import type { HttpCheckName } from '../../protocol/check/http-judge.js';
import type { ScriptPolicy } from '../io-env.js';
import type { Family } from '../ports.js';

export interface ProbeTarget {
  family: Family;
  /** Where to connect: connect_ip / connect_port, else the real server's address and port. */
  address: string;
  port: number;
}

export interface ProbeRequest {
  /** The checker block as configured (kind, urls, payloads, bindto, fwmark, …). */
  checker: CheckerConfig;
  target: ProbeTarget;
  /** The one deadline for the whole attempt (connect_timeout, or misc_timeout for MISC_CHECK). */
  timeoutMs: number;
  /**
   * HTTP_GET / SSL_GET: the real server's and virtual server's `virtualhost`, the fallbacks of the
   * Host header and SNI after the url's and the checker's own (url > checker > real server > VS).
   */
  virtualhosts?: { realServer?: string; virtualServer?: string };
  /** SSL_GET: the global `SSL { }` block (client certificate, key, password). */
  ssl?: SslConfig;
  /** MISC_CHECK: enable_script_security and script_user as the running configuration says. */
  scriptPolicy?: ScriptPolicy;
}

/** HTTP_GET / SSL_GET: what one url passed on, keepalived's words ("MD5 digest success to …"). */
export type { HttpCheckName };

/** Why an attempt failed, in categories keepalived's log lines distinguish. */
export type ProbeFailure =
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'connect-error'
  | 'bad-status'
  | 'bad-digest'
  | 'bad-regex'
  | 'bad-reply'
  | 'tls-error'
  | 'exit-status'
  | 'signal'
  /** Local trouble (socket, bind, bindto device): keepalived reschedules without counting it. */
  | 'local-error';

export type ProbeOutcome =
  | {
      ok: true;
      /** misc_dynamic: the weight the script asked for (exit status − 2); absent = configured weight. */
      weight?: number;
      /** What succeeded, for success log lines (e.g. the URL). */
      detail?: string;
      /** HTTP_GET / SSL_GET: every url of the checker, in order, with the check it passed. */
      urls?: Array<{ path: string; passed: HttpCheckName }>;
    }
  | {
      ok: false;
      failure: ProbeFailure;
      /** keepalived's phrase for this failure (see the table above). */
      message: string;
      /** What exactly happened: errno text, the status or reply seen, the url. */
      detail?: string;
      /** HTTP_GET / SSL_GET: the url that failed. */
      url?: string;
      /** Exit status of a MISC_CHECK script, when it exited. */
      exitStatus?: number;
    };

/** One attempt under way. */
export interface ProbeHandle {
  /** Abandons the attempt (its sockets closed); `done` is not called. */
  cancel(): void;
  /**
   * Optional, asked by a healthy checker's loop at its deadline before it counts a timeout: the
   * outcome if the attempt has in fact ended and only its delivery is late (a connect that
   * completed while the event loop was busy, so the deadline's timer ran before the socket was
   * read). The attempt is then over, with that outcome instead of `done`. Undefined: still
   * running (the checker cancels it and counts the timeout). An overloaded checker is then slow
   * rather than wrong.
   */
  settle?(): ProbeOutcome | undefined;
}

export interface Prober {
  probe(req: ProbeRequest, done: (outcome: ProbeOutcome) => void): ProbeHandle;
}
