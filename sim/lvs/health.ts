/**
 * Would one attempt of this checker, started now from this director, pass? Judged from the world
 * as it is (the real server's services and faults, the network between them, the director's
 * scripts and files), with the daemon's own pure checks, and without drawing any randomness:
 *
 *   pass    certainly: the path is clean (no loss) and even the slowest answer beats the deadline
 *   fail    certainly: refused, dropped, cut off, unreachable, a wrong status, body or reply, an
 *           answer slower than the deadline however fast the network is, a failing script …
 *   unsure  it depends on luck (loss, jitter near the deadline) or cannot be judged (a paused
 *           real server, BFD_CHECK)
 *
 * The invariant monitor (C1, C2) only judges servers whose state is certain.
 */
import { createHash } from 'node:crypto';
import type { CheckerConfig, KeepalivedConfig } from '../../config/model.js';
import { FILE_FAULT, fileCheckStatus, parseCheckFileValue } from '../../machines/check/file-check.js';
import { judgeHttpAnswer, urlRegex } from '../../protocol/check/http-judge.js';
import { DEFAULT_UDP_PAYLOAD_LENGTH, fillPayload, parseHexPattern, replyMismatch, replyRule } from '../../protocol/check/udp-check.js';
import type { Host } from '../host/host.js';
import { attemptMs } from './bounds.js';
import { route } from './transport.js';

export type Health = 'pass' | 'fail' | 'unsure';

export interface Target {
  address: string;
  port: number;
}

interface Path {
  server: Host;
  /** Round-trip time bounds (ms) and whether packets may be lost. */
  rttMin: number;
  rttMax: number;
  lossy: boolean;
}

/** The path to the target, or the certain failure ('fail') / uncertainty ('unsure') there is. */
function pathTo(director: Host, address: string, bindIf: string | undefined): Path | 'fail' | 'unsure' {
  if (bindIf !== undefined && !director.nic(bindIf)) return 'unsure'; // a local error: never counted
  const r = route(director, address, bindIf);
  if (r.kind === 'no-route' || r.kind === 'no-neighbour') return 'fail';
  if (r.kind === 'local') return { server: director, rttMin: 0, rttMax: 0, lossy: false };
  const server = r.peer.owner as Host;
  const seg = r.nic.segment!;
  if (!r.nic.running || !r.peer.running || !server.powered) return 'fail';
  if (!seg.canReach(director.name, server.name) || !seg.canReach(server.name, director.name)) return 'fail';
  if (server.cpu.paused) return 'unsure';
  const p = seg.profile;
  return { server, rttMin: 2 * p.delayMs, rttMax: 2 * seg.maxDelayMs(), lossy: p.lossPct > 0 };
}

/** `rounds` round trips plus the service's own delay against the deadline. */
function timing(p: Path, rounds: number, slowMs: number, deadlineMs: number): Health {
  if (rounds * p.rttMin + slowMs >= deadlineMs) return 'fail';
  if (rounds * p.rttMax + slowMs < deadlineMs && !p.lossy) return 'pass';
  return 'unsure';
}

function tcpService(p: Path, port: number) {
  const svc = p.server.services.get('tcp', port);
  return svc && svc.mode === 'up' ? svc : undefined;
}

function http(director: Host, c: CheckerConfig, t: Target, tls: boolean, deadline: number): Health {
  // Without a url the checker passes without a request (as keepalived's does).
  if (!c.urls.some((u) => u.path !== undefined)) return 'pass';
  const p = pathTo(director, t.address, c.bindIf);
  if (typeof p === 'string') return p;
  const svc = tcpService(p, t.port);
  if (!svc) return 'fail';
  const urls = c.urls.filter((u) => u.path !== undefined);
  if (svc.kind !== (tls ? 'https' : 'http')) return 'fail';
  const body = svc.body ?? '';
  const digest = createHash('md5').update(body, 'utf8').digest('hex');
  for (const url of urls) if (!judgeHttpAnswer(url, { status: svc.status, digest, text: body }, urlRegex(url)).ok) return 'fail';
  return timing(p, tls ? 3 : 2, svc.slowMs, deadline);
}

function udpCheck(director: Host, c: CheckerConfig, t: Target, deadline: number): Health {
  const rule = replyRule(c.udp);
  const payload = c.udp?.payload !== undefined ? parseHexPattern(c.udp.payload, false)?.data : fillPayload(DEFAULT_UDP_PAYLOAD_LENGTH);
  if (!payload || rule instanceof Error) return 'unsure';
  const p = pathTo(director, t.address, c.bindIf);
  // Without require_reply silence passes: a cut path is a pass, only an ICMP error fails.
  if (typeof p === 'string') return rule ? p : 'pass';
  const svc = p.server.services.get('udp', t.port);
  if (!svc || svc.mode === 'refuse') return rule || !p.lossy ? 'fail' : 'unsure';
  if (!rule) return 'pass';
  if (svc.kind === 'dns') return 'unsure';
  if (svc.mode === 'drop') return 'fail';
  const reply = svc.body !== undefined ? new TextEncoder().encode(svc.body) : payload;
  if (replyMismatch(reply, rule)) return 'fail';
  return timing(p, 1, svc.slowMs, deadline);
}

function misc(director: Host, model: KeepalivedConfig, c: CheckerConfig, deadline: number): Health {
  const argv = c.misc?.command?.argv;
  if (!argv?.length) return 'unsure';
  const b = director.scripts.lookup(argv);
  if ((b.insecure && model.globalDefs.enableScriptSecurity) || b.error !== undefined) return 'fail';
  if (b.durationMs >= deadline || b.exit === null) return 'fail';
  if (b.exit === 0 || (c.misc?.dynamic && b.exit >= 2 && b.exit <= 255)) return 'pass';
  return 'fail';
}

function fileCheck(director: Host, model: KeepalivedConfig, c: CheckerConfig): Health {
  const tf = model.trackFiles.find((f) => f.name === c.file?.trackFile);
  if (!tf?.path) return 'unsure';
  const v = parseCheckFileValue(director.files.get(tf.path));
  if (!('value' in v)) return 'unsure';
  return fileCheckStatus(v.value, c.file?.weight ?? tf.weight, c.file?.reverse ?? tf.reverse) === FILE_FAULT ? 'fail' : 'pass';
}

/** The verdict one attempt of checker `c` against `t` would get now. */
export function checkerHealth(director: Host, model: KeepalivedConfig, c: CheckerConfig, t: Target): Health {
  const deadline = attemptMs(c);
  switch (c.kind) {
    case 'TCP_CHECK': {
      const p = pathTo(director, t.address, c.bindIf);
      if (typeof p === 'string') return p;
      return tcpService(p, t.port) ? timing(p, 1, 0, deadline) : 'fail';
    }
    case 'HTTP_GET':
      return http(director, c, t, false, deadline);
    case 'SSL_GET':
      return http(director, c, t, true, deadline);
    case 'SMTP_CHECK': {
      const p = pathTo(director, t.address, c.bindIf);
      if (typeof p === 'string') return p;
      const svc = tcpService(p, t.port);
      if (!svc || svc.kind !== 'smtp' || svc.status !== 220) return 'fail';
      return timing(p, 4, svc.slowMs, deadline);
    }
    case 'DNS_CHECK': {
      const p = pathTo(director, t.address, c.bindIf);
      if (typeof p === 'string') return p;
      const svc = p.server.services.get('udp', t.port);
      if (!svc || svc.mode !== 'up' || svc.kind !== 'dns' || (svc.status & 0x0f) !== 0) return 'fail';
      return timing(p, 1, svc.slowMs, deadline);
    }
    case 'UDP_CHECK':
      return udpCheck(director, c, t, deadline);
    case 'PING_CHECK': {
      const p = pathTo(director, t.address, c.bindIf);
      if (typeof p === 'string') return p;
      const echo = p.server.services.icmp;
      return echo.mode === 'up' ? timing(p, 1, echo.slowMs, deadline) : 'fail';
    }
    case 'MISC_CHECK':
      return misc(director, model, c, deadline);
    case 'FILE_CHECK':
      return fileCheck(director, model, c);
    default:
      return 'unsure';
  }
}
