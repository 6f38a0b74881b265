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
 */
import type { CheckerConfig } from '../../config/model-lvs.js';
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
}

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
      /** misc_dynamic: the weight the script asked for (exit status − 2). */
      weight?: number;
      /** What succeeded, for success log lines (e.g. the URL). */
      detail?: string;
    }
  | {
      ok: false;
      failure: ProbeFailure;
      /** keepalived-style detail: "HTTP status code", "exited with status 1", "Bad greeting banner", errno text. */
      message: string;
      /** Exit status of a MISC_CHECK script, when it exited. */
      exitStatus?: number;
    };

export interface Prober {
  probe(req: ProbeRequest, done: (outcome: ProbeOutcome) => void): { cancel(): void };
}
