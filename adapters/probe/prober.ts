/**
 * The daemon's Prober (actors/lvs/prober-port.ts): one attempt per call, with real sockets,
 * under one absolute deadline (attempt.ts), dispatched to one file per checker kind.
 */
import type { Prober, ProbeRequest } from '../../actors/lvs/prober-port.js';
import type { ScriptRunner } from '../../actors/ports.js';
import type { ScriptPolicy } from '../../actors/io-env.js';
import { runAttempt, type Attempt } from './attempt.js';
import { probeDns } from './dns-check.js';
import { probeHttp } from './http-check.js';
import { probeMisc } from './misc-check.js';
import { probePing } from './ping-check.js';
import { probeSmtp } from './smtp-check.js';
import { probeTcp, probeTcpBare } from './tcp-check.js';
import { probeUdp } from './udp-check.js';

export interface ProberOptions {
  /** Runs MISC_CHECK programs (adapters/node/scripts.ts in the daemon). */
  scripts: ScriptRunner;
  scriptPolicy?: () => ScriptPolicy;
  /** keepalived's net_namespace: every probe socket is made inside it. */
  netns?: string;
  /**
   * TCP_CHECK's connect: 'bare' (default) uses the addon without a stream where it loads, and
   * falls back to a net.Socket where it does not; 'stream' always uses a net.Socket.
   */
  tcpConnect?: 'bare' | 'stream';
}

function dispatch(req: ProbeRequest, o: ProberOptions, a: Attempt): void {
  const netns = o.netns;
  switch (req.checker.kind) {
    case 'TCP_CHECK':
      return probeTcp(req, netns, a);
    case 'HTTP_GET':
      return probeHttp(req, false, { netns }, a);
    case 'SSL_GET':
      return probeHttp(req, true, { netns }, a);
    case 'SMTP_CHECK':
      return probeSmtp(req, netns, a);
    case 'DNS_CHECK':
      return probeDns(req, netns, a);
    case 'UDP_CHECK':
      return probeUdp(req, netns, a);
    case 'PING_CHECK':
      return probePing(req, netns, a);
    case 'MISC_CHECK':
      return probeMisc(req, { scripts: o.scripts, scriptPolicy: o.scriptPolicy }, a);
    case 'FILE_CHECK':
      return a.fail('local-error', 'FILE_CHECK is not probed: the checker follows its track_file through the Files port');
    case 'BFD_CHECK':
      return a.fail('local-error', 'BFD_CHECK is not supported');
  }
}

export function createProber(o: ProberOptions): Prober {
  const bare = o.tcpConnect !== 'stream';
  return {
    probe: (req, done) =>
      (bare && req.checker.kind === 'TCP_CHECK' ? probeTcpBare(req, o.netns, done) : undefined) ?? runAttempt(req.timeoutMs, done, (a) => dispatch(req, o, a)),
  };
}
