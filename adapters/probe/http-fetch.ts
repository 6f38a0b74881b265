/**
 * One HTTP GET on its own connection (HTTP_GET, SSL_GET and genhash): connect, optional TLS, write
 * keepalived's request, parse the answer with a real HTTP/1.x parser (http-parser-js: status line
 * with or without reason phrase, Content-Length, chunked, or a body up to EOF), and hash the body.
 *
 * What "the body" is (the MD5 digest input): the message body after the header block, de-chunked
 * when the server sends Transfer-Encoding: chunked, never decompressed (no Accept-Encoding is
 * sent), cut at Content-Length when there is one. For a Content-Length or close-delimited answer
 * this is exactly keepalived's digest; keepalived does not de-chunk (its digest then covers the
 * chunk framing, which changes with the server's buffering), see docs/lvs.md.
 *
 * The answer is complete at the end of the message (Content-Length reached, last chunk), not only
 * at EOF as in keepalived, so a server that keeps the connection open does not time out.
 * No deadline here: the caller aborts `signal` (one deadline for the whole attempt).
 */
import { createHash } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { HTTPParser } from 'http-parser-js';
import type { ProbeFailure, ProbeTarget } from '../../actors/lvs/prober-port.js';
import { connectFailure, errnoText, LocalError } from './errors.js';
import { connectTcp, type SocketOptions } from './tcp-socket.js';

/** How much of the body is kept as text for `regex` (the digest covers all of it). */
export const REGEX_TEXT_LIMIT = 1024 * 1024;

export interface HttpFetchOptions {
  target: ProbeTarget;
  socket: SocketOptions;
  netns?: string | undefined;
  /** The request as keepalived writes it (protocol/check/http-request.ts). */
  request: string;
  /** SSL_GET: TLS with this SNI name (none when undefined) and client context. */
  tls?: { servername?: string | undefined; secureContext?: tls.SecureContext | undefined } | undefined;
  /** Keep up to REGEX_TEXT_LIMIT bytes of body text. */
  keepText?: boolean;
}

export interface HttpAnswerData {
  status: number;
  statusLine: string;
  /** Header names and values, alternating, as received. */
  headers: string[];
  digest: string;
  bodyBytes: number;
  contentLength?: number;
  chunked: boolean;
  text: string;
}

export interface HttpFetchFailure {
  failure: ProbeFailure;
  /** keepalived's phrase (check_http.c timeout_epilog): "Error connecting", "Read error with", … */
  message: string;
  detail?: string;
}

/** Where the exchange is, for the deadline's message (keepalived's phrases). */
export type HttpPhase = 'connect' | 'handshake' | 'write' | 'wait' | 'read' | 'done';

export const TIMEOUT_MESSAGE: Record<HttpPhase, string> = {
  connect: 'Timeout connecting',
  handshake: 'Timeout connecting',
  write: 'Timeout WEB write',
  wait: 'Timeout WEB read',
  read: 'Timeout HTTP read',
  done: 'Timeout HTTP read',
};

export interface HttpFetch {
  phase(): HttpPhase;
  /** Bytes of answer received so far. */
  received(): number;
}

/** "wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)" rather than OpenSSL's whole error queue line. */
function tlsErrorText(e: Error): string {
  const { reason, code } = e as Error & { reason?: unknown; code?: unknown };
  if (typeof reason === 'string') return typeof code === 'string' ? `${reason} (${code})` : reason;
  return errnoText(e);
}

export function fetchHttp(o: HttpFetchOptions, signal: AbortSignal, done: (r: { ok: true; answer: HttpAnswerData } | ({ ok: false } & HttpFetchFailure)) => void): HttpFetch {
  let phase: HttpPhase = 'connect';
  let received = 0;
  let finished = false;
  let raw: net.Socket | undefined;
  let stream: net.Socket | tls.TLSSocket | undefined;

  const finish = (r: { ok: true; answer: HttpAnswerData } | ({ ok: false } & HttpFetchFailure)): void => {
    if (finished) return;
    finished = true;
    phase = 'done';
    signal.removeEventListener('abort', onAbort);
    stream?.destroy();
    raw?.destroy();
    done(r);
  };
  const fail = (failure: ProbeFailure, message: string, detail?: string) => finish({ ok: false, failure, message, ...(detail !== undefined ? { detail } : {}) });
  const onAbort = (): void => {
    finished = true;
    stream?.destroy();
    raw?.destroy();
  };
  if (signal.aborted) return { phase: () => phase, received: () => received };
  signal.addEventListener('abort', onAbort);

  // The answer.
  const hash = createHash('md5');
  const textChunks: Buffer[] = [];
  let textBytes = 0;
  let bodyBytes = 0;
  let head: { status: number; statusLine: string; headers: string[]; contentLength?: number; chunked: boolean } | undefined;
  let interim = false;
  const parser = new HTTPParser(HTTPParser.RESPONSE);
  parser[HTTPParser.kOnHeadersComplete] = (info) => {
    interim = info.statusCode >= 100 && info.statusCode < 200 && info.statusCode !== 101;
    if (interim) return;
    const headers = info.headers;
    let contentLength: number | undefined;
    let chunked = false;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i]!.toLowerCase();
      if (name === 'content-length') contentLength = Number(headers[i + 1]);
      if (name === 'transfer-encoding') chunked = headers[i + 1]!.toLowerCase().includes('chunked');
    }
    head = {
      status: info.statusCode,
      statusLine: `HTTP/${info.versionMajor}.${info.versionMinor} ${info.statusCode}${info.statusMessage ? ` ${info.statusMessage}` : ''}`,
      headers,
      ...(contentLength !== undefined && !chunked && Number.isFinite(contentLength) ? { contentLength } : {}),
      chunked,
    };
  };
  parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
    const piece = chunk.subarray(offset, offset + length);
    hash.update(piece);
    bodyBytes += piece.length;
    if (o.keepText && textBytes < REGEX_TEXT_LIMIT) {
      const keep = piece.subarray(0, REGEX_TEXT_LIMIT - textBytes);
      textChunks.push(Buffer.from(keep));
      textBytes += keep.length;
    }
  };
  let complete = false;
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (interim) {
      interim = false;
      return;
    }
    complete = true;
  };
  const answer = (): HttpAnswerData => ({
    ...head!,
    digest: hash.digest('hex'),
    bodyBytes,
    text: o.keepText ? Buffer.concat(textChunks).toString('utf8') : '',
  });

  const onData = (chunk: Buffer): void => {
    if (finished) return;
    received += chunk.length;
    phase = 'read';
    const r = parser.execute(chunk);
    if (r instanceof Error) {
      if (head) fail('bad-reply', 'Read error with', `malformed HTTP body: ${r.message}`);
      else fail('bad-reply', 'Read, no data received from ', `not an HTTP response (${r.message}): ${JSON.stringify(chunk.subarray(0, 60).toString('latin1'))}`);
      return;
    }
    if (complete) finish({ ok: true, answer: answer() });
  };
  const onEnd = (): void => {
    if (finished) return;
    const r = parser.finish();
    if (complete) return finish({ ok: true, answer: answer() });
    if (!head) {
      return fail('bad-reply', 'Read, no data received from ', received ? 'connection closed inside the header block' : 'connection closed without an answer');
    }
    // Closed before Content-Length or the last chunk: keepalived judges what arrived (and only
    // logs the length mismatch); so do we, saying so in the detail of a failure.
    if (r instanceof Error && head.chunked) return fail('bad-reply', 'Read error with', 'connection closed inside a chunked body');
    finish({ ok: true, answer: answer() });
  };
  const onError = (e: Error): void => {
    if (finished) return;
    if (phase === 'connect') fail(connectFailure(e), connectFailure(e) === 'local-error' ? `cannot connect: ${errnoText(e)}` : 'Error connecting', errnoText(e));
    else if (phase === 'handshake') fail('tls-error', 'SSL handshake/communication error connecting to', tlsErrorText(e));
    else if (phase === 'write') fail('connect-error', 'Cannot send get request to', errnoText(e));
    else fail('connect-error', 'Read error with', errnoText(e));
  };

  const send = (s: net.Socket | tls.TLSSocket): void => {
    phase = 'write';
    s.write(o.request, () => {
      if (phase === 'write') phase = 'wait';
    });
  };

  try {
    raw = connectTcp({ target: o.target, socket: o.socket, netns: o.netns });
  } catch (e) {
    const local = e instanceof LocalError;
    setImmediate(() => fail(local ? 'local-error' : 'connect-error', local ? (e as Error).message : 'Error connecting', local ? undefined : errnoText(e)));
    return { phase: () => phase, received: () => received };
  }
  raw.on('error', onError);
  if (!o.tls) {
    stream = raw;
    raw.once('connect', () => {
      raw!.resume();
      send(raw!);
    });
    raw.on('data', onData);
    raw.on('end', onEnd);
  } else {
    raw.once('connect', () => (phase = 'handshake'));
    const t = tls.connect({
      socket: raw,
      rejectUnauthorized: false, // keepalived never verifies the server's certificate
      ...(o.tls.servername !== undefined ? { servername: o.tls.servername } : {}),
      ...(o.tls.secureContext ? { secureContext: o.tls.secureContext } : {}),
    });
    stream = t;
    t.on('error', onError);
    t.once('secureConnect', () => send(t));
    t.on('data', onData);
    t.on('end', onEnd);
  }
  return { phase: () => phase, received: () => received };
}
