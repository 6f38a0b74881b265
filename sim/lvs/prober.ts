/**
 * The simulator's Prober (actors/lvs/prober-port.ts): one health-check attempt from a director
 * host to a simulated real server (sim/lvs/services.ts), over the simulated network
 * (sim/lvs/transport.ts), on the director's clock and CPU.
 *
 * Like the daemon's prober (adapters/probe/), an attempt has one deadline armed before anything
 * is sent, ends exactly once, and reports the same failure categories with the same keepalived
 * phrases and detail texts; the checks that judge an answer are the daemon's own pure code
 * (HTTP status/digest/regex, DNS header, UDP require_reply, MISC exit status). What is modelled
 * instead of done: TCP and TLS handshakes are round trips, an HTTP answer is a status and a body
 * (the digest is the MD5 of that body), SMTP is greeting → HELO → QUIT. The DNS query is the real
 * dns-packet encoding and the server decodes it. MISC_CHECK runs the director's scripted programs
 * (ScriptRunner port), FILE_CHECK and BFD_CHECK are not probed (as in the daemon).
 */
import { createHash } from 'node:crypto';
import { decode as decodeDns, encode as encodeDns, RECURSION_AVAILABLE, RECURSION_DESIRED } from 'dns-packet';
import type { ProbeFailure, ProbeOutcome, ProbeRequest, Prober } from '../../actors/lvs/prober-port.js';
import type { ScriptRunner } from '../../actors/ports.js';
import { scriptSpec } from '../../actors/script-spec.js';
import type { ScriptPolicy } from '../../actors/io-env.js';
import type { HttpUrlConfig } from '../../config/model-lvs.js';
import { dnsQuery, judgeDnsReply } from '../../protocol/check/dns-query.js';
import { judgeHttpAnswer, urlRegex, type HttpCheckName } from '../../protocol/check/http-judge.js';
import { miscOutcome } from '../../protocol/check/misc-outcome.js';
import { replyMismatch, udpCheckSetup } from '../../protocol/check/udp-check.js';
import type { Host } from '../host/host.js';
import type { ProcessLife } from '../host/host-clock.js';
import type { Prng } from '../prng.js';
import { SMTP_HELO_CODE, type ServiceState } from './services.js';
import { DATA_RTO_MS, exchange, NEIGHBOUR_TIMEOUT_MS, oneWay, route, SYN_RTO_MS, type Exchange, type Route, type Transport } from './transport.js';

/** Linux's signal numbers (the simulated hosts are Linux). */
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

export const ERRNO = {
  refused: 'Connection refused (ECONNREFUSED)',
  reset: 'Connection reset by peer (ECONNRESET)',
  netUnreachable: 'Network is unreachable (ENETUNREACH)',
  hostUnreachable: 'No route to host (EHOSTUNREACH)',
} as const;

/** What one finished attempt looked like (the world records it as a trace event). */
export interface ProbeRecord {
  kind: string;
  target: string;
  startedUs: number;
  outcome: ProbeOutcome;
}

export interface SimProberOptions {
  /** The director. */
  host: Host;
  /** The daemon process probing: nothing it scheduled survives it. */
  life: ProcessLife;
  transport: Transport;
  /** The host's ScriptRunner port (MISC_CHECK). */
  scripts: ScriptRunner;
  scriptPolicy?: () => ScriptPolicy;
  /** DNS query IDs. */
  rng: Prng;
  nowUs(): number;
  onProbe?(r: ProbeRecord): void;
}

function failure(f: ProbeFailure, message: string, detail?: string, extra: { url?: string; exitStatus?: number } = {}): ProbeOutcome {
  return { ok: false, failure: f, message, ...(detail !== undefined ? { detail } : {}), ...extra };
}

/** One attempt: a deadline armed first, one ending, the outcome delivered later on the director's CPU. */
class Attempt {
  ended = false;
  endedBy: 'finish' | 'deadline' | 'cancel' | undefined;
  onDeadline: () => ProbeOutcome;
  private readonly cleanups: Array<() => void> = [];
  private readonly deadline;

  constructor(
    private readonly o: SimProberOptions,
    timeoutMs: number,
    private readonly deliver: (outcome: ProbeOutcome) => void,
  ) {
    this.onDeadline = () => failure('timeout', 'timeout', `no answer within ${timeoutMs} ms`);
    this.deadline = o.host.cpu.schedule(() => this.end(this.onDeadline(), 'deadline'), Math.max(0, timeoutMs), o.life);
  }

  finish(outcome: ProbeOutcome): void {
    this.end(outcome, 'finish');
  }

  fail(f: ProbeFailure, message: string, detail?: string, extra?: { url?: string; exitStatus?: number }): void {
    this.end(failure(f, message, detail, extra), 'finish');
  }

  onEnd(fn: () => void): void {
    if (this.ended) fn();
    else this.cleanups.push(fn);
  }

  /** `fn` after `ms` on the director's CPU, unless the attempt has ended by then. */
  after(ms: number, fn: () => void): void {
    this.o.host.cpu.schedule(() => this.ended || fn(), ms, this.o.life);
  }

  end(outcome: ProbeOutcome | undefined, by: 'finish' | 'deadline' | 'cancel'): void {
    if (this.ended || !this.o.life.alive) return;
    this.ended = true;
    this.endedBy = by;
    this.o.host.cpu.cancel(this.deadline);
    for (const c of this.cleanups.splice(0)) c();
    if (outcome) this.o.host.cpu.schedule(() => this.deliver(outcome), 0, this.o.life);
  }
}

/** bind_if / bindto as the daemon's sockets apply them: a local error when they cannot be. */
function localProblem(host: Host, req: ProbeRequest): string | undefined {
  const c = req.checker;
  if (c.bindIf !== undefined && !host.nic(c.bindIf)) return `bind_if ${c.bindIf}: No such device`;
  if (c.bindto !== undefined) {
    const family = c.bindto.includes(':') ? 6 : 4;
    if (family !== req.target.family) return `bindto ${c.bindto} is not an IPv${req.target.family} address like the server's`;
    if (!host.nics.some((n) => n.hasAddress(c.bindto!))) return `bindto ${c.bindto}${c.bindPort ? ` port ${c.bindPort}` : ''}: Cannot assign requested address`;
  }
  return undefined;
}

type Reachable = Extract<Route, { kind: 'peer' | 'local' }>;

function responderOf(r: Reachable): Host {
  return r.kind === 'local' ? r.host : (r.peer.owner as Host);
}

/**
 * Route to the target, or report why there is none the way a socket would: no route at once
 * (ENETUNREACH), a neighbour that never answers after NEIGHBOUR_TIMEOUT_MS (EHOSTUNREACH), when the
 * deadline has not come first.
 */
function reach(host: Host, req: ProbeRequest, a: Attempt, unreachable: (errno: string) => void): Reachable | undefined {
  const r = route(host, req.target.address, req.checker.bindIf);
  if (r.kind === 'no-route') {
    unreachable(ERRNO.netUnreachable);
    return undefined;
  }
  if (r.kind === 'no-neighbour') {
    a.after(NEIGHBOUR_TIMEOUT_MS, () => unreachable(ERRNO.hostUnreachable));
    return undefined;
  }
  return r;
}

type Syn = 'syn-ack' | 'rst';

/** The kernel's answer to a SYN for `port`: a listener (unless refused or dropped), else RST. */
function synAnswer(server: Host, port: number, respond: (a: Syn) => void): void {
  const svc = server.services.get('tcp', port);
  if (!svc || svc.mode === 'refuse') respond('rst');
  else if (svc.mode === 'up') respond('syn-ack');
}

/** A TCP connection to the target; `connected` with the route, or `failed` with the errno text. */
function connect(o: SimProberOptions, req: ProbeRequest, a: Attempt, connected: (r: Reachable) => void, failed: (f: ProbeFailure, errno: string) => void): void {
  const r = reach(o.host, req, a, (errno) => failed('unreachable', errno));
  if (!r) return;
  const ex = exchange<Syn>({
    initiator: o.host,
    initiatorLife: o.life,
    responder: responderOf(r),
    rtoMs: SYN_RTO_MS,
    forward: oneWay(o.transport, r, false, 'probe syn'),
    serve: (respond) => synAnswer(responderOf(r), req.target.port, respond),
    backward: () => oneWay(o.transport, r, true, 'probe syn-ack'),
    done: (answer) => (answer === 'syn-ack' ? connected(r) : failed('refused', ERRNO.refused)),
  });
  a.onEnd(() => ex.abandon());
}

/** One request on an open connection, answered by the service as it behaves when the request arrives. */
function request<R>(o: SimProberOptions, a: Attempt, r: Reachable, port: number, serve: (svc: ServiceState, respond: (answer: R | 'rst', afterMs?: number) => void) => void, done: (answer: R | 'rst') => void): Exchange {
  const server = responderOf(r);
  const ex = exchange<R | 'rst'>({
    initiator: o.host,
    initiatorLife: o.life,
    responder: server,
    rtoMs: DATA_RTO_MS,
    forward: oneWay(o.transport, r, false, 'probe data'),
    serve: (respond) => {
      const svc = server.services.get('tcp', port);
      if (!svc || svc.mode === 'refuse') respond('rst');
      else if (svc.mode === 'up') serve(svc, respond);
    },
    backward: () => oneWay(o.transport, r, true, 'probe data'),
    done,
  });
  a.onEnd(() => ex.abandon());
  return ex;
}

// --- TCP_CHECK ---------------------------------------------------------------------------------

function probeTcp(o: SimProberOptions, req: ProbeRequest, a: Attempt): void {
  a.onDeadline = () => failure('timeout', 'timeout', `no connection within ${req.timeoutMs} ms`);
  connect(o, req, a, () => a.finish({ ok: true }), (f, errno) => a.fail(f, 'failed', errno));
}

// --- HTTP_GET / SSL_GET ------------------------------------------------------------------------

type HttpPhase = 'connect' | 'handshake' | 'wait' | 'done';
const TIMEOUT_MESSAGE: Record<HttpPhase, string> = { connect: 'Timeout connecting', handshake: 'Timeout connecting', wait: 'Timeout WEB read', done: 'Timeout HTTP read' };

type HttpAnswer = { status: number; body: string } | 'tls-alert' | 'not-http';
type TlsAnswer = 'server-hello' | 'not-tls';

function probeHttp(o: SimProberOptions, req: ProbeRequest, tls: boolean, a: Attempt): void {
  const urls = req.checker.urls.filter((u): u is HttpUrlConfig & { path: string } => u.path !== undefined);
  if (!urls.length) return a.finish({ ok: true, detail: 'no url to check' });
  const passed: Array<HttpCheckName | undefined> = urls.map(() => undefined);
  const phases: HttpPhase[] = urls.map(() => 'connect');
  a.onDeadline = () => {
    const i = passed.findIndex((p) => p === undefined);
    return failure('timeout', TIMEOUT_MESSAGE[phases[i] ?? 'connect'], `no complete answer for ${urls[i]?.path} within ${req.timeoutMs} ms (0 bytes received)`, { url: urls[i]?.path ?? '/' });
  };
  const port = req.target.port;
  urls.forEach((url, i) => {
    const path = url.path;
    const get = (r: Reachable): void => {
      phases[i] = 'wait';
      request<HttpAnswer>(
        o,
        a,
        r,
        port,
        (svc, respond) => {
          if (svc.kind === 'https' && !tls) respond('tls-alert');
          else if (svc.kind === 'http' || svc.kind === 'https') respond({ status: svc.status, body: svc.body ?? '' }, svc.slowMs);
          else if (svc.kind === 'smtp') respond('not-http', svc.slowMs);
          // A bare listener reads the request and never answers.
        },
        (answer) => {
          phases[i] = 'done';
          if (answer === 'rst') return a.fail('connect-error', 'Read error with', `${path}: ${ERRNO.reset}`, { url: path });
          if (answer === 'tls-alert') return a.fail('bad-reply', 'Read, no data received from ', `${path}: not an HTTP response (a TLS alert: the service speaks HTTPS)`, { url: path });
          if (answer === 'not-http') return a.fail('bad-reply', 'Read, no data received from ', `${path}: not an HTTP response (an SMTP greeting)`, { url: path });
          const digest = createHash('md5').update(answer.body, 'utf8').digest('hex');
          const verdict = judgeHttpAnswer(url, { status: answer.status, digest, text: answer.body }, urlRegex(url));
          if (!verdict.ok) return a.fail(verdict.failure, verdict.message, verdict.detail, { url: path });
          passed[i] = verdict.passed;
          if (passed.every((p) => p !== undefined)) a.finish({ ok: true, urls: urls.map((u, j) => ({ path: u.path, passed: passed[j]! })) });
        },
      );
    };
    connect(
      o,
      req,
      a,
      (r) => {
        if (!tls) return get(r);
        phases[i] = 'handshake';
        request<TlsAnswer>(
          o,
          a,
          r,
          port,
          (svc, respond) => {
            if (svc.kind === 'https') respond('server-hello');
            else if (svc.kind === 'http') respond('not-tls');
            else if (svc.kind === 'smtp') respond('not-tls', svc.slowMs);
          },
          (answer) => {
            if (answer === 'rst') return a.fail('tls-error', 'SSL handshake/communication error connecting to', `${path}: ${ERRNO.reset}`, { url: path });
            if (answer === 'not-tls') return a.fail('tls-error', 'SSL handshake/communication error connecting to', `${path}: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)`, { url: path });
            get(r);
          },
        );
      },
      (f, errno) => a.fail(f, 'Error connecting', `${path}: ${errno}`, { url: path }),
    );
  });
}

// --- SMTP_CHECK --------------------------------------------------------------------------------

type SmtpAnswer = { code: number; text: string };

function probeSmtp(o: SimProberOptions, req: ProbeRequest, a: Attempt): void {
  let stage: 'connect' | 'greeting' | 'helo' | 'quit' = 'connect';
  a.onDeadline = () =>
    stage === 'connect'
      ? failure('timeout', 'Connection timeout to server', `no connection within ${req.timeoutMs} ms`)
      : failure('timeout', 'Read timeout from server', `no complete ${stage === 'greeting' ? 'greeting' : stage === 'helo' ? 'HELO reply' : 'QUIT reply'} within ${req.timeoutMs} ms`);
  const port = req.target.port;
  const reset = () => a.fail('connect-error', 'Read failure from server', ERRNO.reset);
  connect(
    o,
    req,
    a,
    (r) => {
      const server = responderOf(r).name;
      stage = 'greeting';
      // The greeting: the server speaks first once the connection is accepted.
      request<SmtpAnswer>(
        o,
        a,
        r,
        port,
        (svc, respond) => {
          if (svc.kind === 'smtp') respond({ code: svc.status, text: svc.status === 220 ? `${server} ESMTP` : `${server} Service not available` }, svc.slowMs);
        },
        (g) => {
          if (g === 'rst') return reset();
          if (g.code !== 220) return a.fail('bad-reply', 'Bad greeting banner from server', `${g.code} ${g.text}`);
          stage = 'helo';
          request<SmtpAnswer>(
            o,
            a,
            r,
            port,
            (_svc, respond) => respond({ code: SMTP_HELO_CODE, text: server }),
            (h) => {
              if (h === 'rst') return reset();
              if (h.code !== 250) return a.fail('bad-reply', 'Bad HELO response from server', `${h.code} ${h.text}`);
              stage = 'quit';
              request<SmtpAnswer>(
                o,
                a,
                r,
                port,
                (_svc, respond) => respond({ code: 221, text: `${server} closing connection` }),
                (q) => (q === 'rst' ? reset() : a.finish({ ok: true })),
              );
            },
          );
        },
      );
    },
    (f, errno) => a.fail(f, 'Error connecting to server', errno),
  );
}

// --- datagrams: DNS_CHECK, UDP_CHECK, PING_CHECK -----------------------------------------------

type Datagram = { reply: Uint8Array } | 'port-unreachable';

/** One UDP datagram to the target and the first thing that comes back (a reply or ICMP port unreachable). */
function datagram(o: SimProberOptions, r: Reachable, port: number, payload: Uint8Array, a: Attempt, done: (d: Datagram) => void): void {
  const server = responderOf(r);
  const ex = exchange<Datagram>({
    initiator: o.host,
    initiatorLife: o.life,
    responder: server,
    forward: oneWay(o.transport, r, false, 'probe udp'),
    serve: (respond) => {
      const svc = server.services.get('udp', port);
      if (!svc || svc.mode === 'refuse') return respond('port-unreachable');
      if (svc.mode === 'drop') return;
      const reply = svc.kind === 'dns' ? dnsAnswer(svc, payload) : svc.body !== undefined ? new TextEncoder().encode(svc.body) : payload;
      if (reply) respond({ reply }, svc.slowMs);
    },
    backward: () => oneWay(o.transport, r, true, 'probe udp'),
    done,
  });
  a.onEnd(() => ex.abandon());
}

/** A simulated DNS server's answer: the query's header with QR, RA and the service's RCODE; nothing for what is not a query. */
function dnsAnswer(svc: ServiceState, query: Uint8Array): Uint8Array | undefined {
  let q;
  try {
    q = decodeDns(Buffer.from(query));
  } catch {
    return undefined;
  }
  if (q.type !== 'query' || !q.questions?.length) return undefined;
  return encodeDns({ type: 'response', id: q.id ?? 0, flags: RECURSION_DESIRED | RECURSION_AVAILABLE | (svc.status & 0x0f), questions: q.questions });
}

function probeDns(o: SimProberOptions, req: ProbeRequest, a: Attempt): void {
  const id = o.rng.int(0, 0xffff);
  const query = dnsQuery(id, req.checker.dns?.type, req.checker.dns?.name);
  let ignored = '';
  a.onDeadline = () => failure('timeout', 'read timeout from socket', `no answer within ${req.timeoutMs} ms${ignored ? ` (ignored: ${ignored})` : ''}`);
  const r = reach(o.host, req, a, (errno) =>
    errno === ERRNO.netUnreachable ? a.fail('unreachable', 'failed to write socket.', errno) : a.fail('unreachable', 'failed to read socket; errno 113 (No route to host)', errno),
  );
  if (!r) return;
  datagram(o, r, req.target.port, query, a, (d) => {
    if (d === 'port-unreachable') return a.fail('refused', 'failed to read socket; errno 111 (Connection refused)', ERRNO.refused);
    const v = judgeDnsReply(id, d.reply);
    if (v.kind === 'ignore') ignored = v.why;
    else if (v.kind === 'ok') a.finish({ ok: true });
    else a.fail('bad-reply', `read error occurred. (rcode = ${v.rcode})`, `RCODE ${v.rcode}`);
  });
}

function probeUdp(o: SimProberOptions, req: ProbeRequest, a: Attempt): void {
  const setup = udpCheckSetup(req.checker.udp);
  if (setup instanceof Error) return a.fail('local-error', setup.message);
  const { payload, rule } = setup;
  a.onDeadline = () => (rule ? failure('timeout', 'failed', `no reply within ${req.timeoutMs} ms`) : { ok: true, detail: 'no ICMP error before the deadline' });
  const r = reach(o.host, req, a, (errno) => a.fail('unreachable', 'failed', errno));
  if (!r) return;
  datagram(o, r, req.target.port, payload, a, (d) => {
    if (d === 'port-unreachable') return a.fail('refused', 'failed', ERRNO.refused);
    const why = rule ? replyMismatch(d.reply, rule) : undefined;
    if (why) a.fail('bad-reply', 'reply data mismatch', why);
    else a.finish({ ok: true, detail: `reply of ${d.reply.length} bytes` });
  });
}

function probePing(o: SimProberOptions, req: ProbeRequest, a: Attempt): void {
  a.onDeadline = () => failure('timeout', 'timeout', `no echo reply within ${req.timeoutMs} ms`);
  const r = reach(o.host, req, a, (errno) => a.fail('unreachable', 'failed', errno));
  if (!r) return;
  const server = responderOf(r);
  const ex = exchange<'echo-reply'>({
    initiator: o.host,
    initiatorLife: o.life,
    responder: server,
    forward: oneWay(o.transport, r, false, 'probe icmp'),
    serve: (respond) => {
      const echo = server.services.icmp;
      if (echo.mode === 'up') respond('echo-reply', echo.slowMs);
    },
    backward: () => oneWay(o.transport, r, true, 'probe icmp'),
    done: () => a.finish({ ok: true }),
  });
  a.onEnd(() => ex.abandon());
}

// --- MISC_CHECK --------------------------------------------------------------------------------

function probeMisc(o: SimProberOptions, req: ProbeRequest, a: Attempt): void {
  const misc = req.checker.misc;
  const command = misc?.command;
  if (!command?.argv.length) return a.fail('local-error', 'MISC_CHECK has no misc_path');
  a.onDeadline = () => failure('timeout', 'timed out', `still running after ${req.timeoutMs} ms`);
  const spec = scriptSpec(req.scriptPolicy ?? o.scriptPolicy?.(), { argv: command.argv, timeoutMs: req.timeoutMs, user: command.user, group: command.group });
  const run = o.scripts.run(spec, (r) => a.finish(miscOutcome(r, misc?.dynamic ?? false, (name) => SIGNALS[name])));
  a.onEnd(() => {
    if (a.endedBy === 'cancel') run.cancel();
  });
}

// --- the port ----------------------------------------------------------------------------------

function dispatch(o: SimProberOptions, req: ProbeRequest, a: Attempt): void {
  const kind = req.checker.kind;
  if (kind === 'FILE_CHECK') return a.fail('local-error', 'FILE_CHECK is not probed: the checker follows its track_file through the Files port');
  if (kind === 'BFD_CHECK') return a.fail('local-error', 'BFD_CHECK is not supported');
  if (kind === 'MISC_CHECK') return probeMisc(o, req, a);
  const local = localProblem(o.host, req);
  // keepalived counts a UDP_CHECK socket or bind failure against the server (check_udp.c).
  if (local) return kind === 'UDP_CHECK' ? a.fail('connect-error', 'failed', local) : a.fail('local-error', local);
  switch (kind) {
    case 'TCP_CHECK':
      return probeTcp(o, req, a);
    case 'HTTP_GET':
      return probeHttp(o, req, false, a);
    case 'SSL_GET':
      return probeHttp(o, req, true, a);
    case 'SMTP_CHECK':
      return probeSmtp(o, req, a);
    case 'DNS_CHECK':
      return probeDns(o, req, a);
    case 'UDP_CHECK':
      return probeUdp(o, req, a);
    case 'PING_CHECK':
      return probePing(o, req, a);
  }
}

export function createSimProber(o: SimProberOptions): Prober {
  return {
    probe(req, done) {
      const startedUs = o.nowUs();
      const target = req.target.family === 6 ? `[${req.target.address}]:${req.target.port}` : `${req.target.address}:${req.target.port}`;
      const a = new Attempt(o, req.timeoutMs, (outcome) => {
        o.onProbe?.({ kind: req.checker.kind, target, startedUs, outcome });
        done(outcome);
      });
      dispatch(o, req, a);
      return { cancel: () => a.end(undefined, 'cancel') };
    },
  };
}
