/**
 * keepalived-ts genhash -s IP -p PORT -u PATH [-S] [-I] [-V VHOST] [-P 1.0|1.0C|1.1] [-t SECONDS] [-m FWMARK] [-v]
 *
 * Prints the MD5 digest an HTTP_GET (or, with -S, SSL_GET) url block would compare, fetched by
 * the very code the checker uses (adapters/probe/http-fetch.ts): same request, same parser, same
 * idea of the body (de-chunked, after the headers, cut at Content-Length). Options and output
 * follow keepalived's genhash (`keepalived --genhash`): the digest alone on a line, -v adds the
 * status line, headers and response time. Unlike keepalived's, it exits 1 when the request fails
 * (refused, timeout, not HTTP), and it gives up after -t seconds (default 5) instead of waiting
 * forever. A status outside 200-299 is reported on stderr: a digest of an error page is rarely
 * what a url block wants.
 */
import { EXIT_USAGE } from '../cli-usage.js';
import type { ProbeTarget } from '../../../actors/lvs/prober-port.js';
import type { CheckerConfig, HttpUrlConfig } from '../../../config/model-lvs.js';
import { canonicalIp, parseIp } from '../../../protocol/addr.js';
import { statusAllowed } from '../../../protocol/check/http-judge.js';
import { runAttempt } from '../../probe/attempt.js';
import { fetchHttp, TIMEOUT_MESSAGE, type HttpAnswerData, type HttpFetch } from '../../probe/http-fetch.js';
import { urlFetchOptions } from '../../probe/http-check.js';

const USAGE = `Usage: keepalived-ts genhash COMMAND [OPTIONS]
Commands:
   -s server-address -p port -u url
   -S -s server-address -p port -u url
   -h

Options:
Either long or short options are allowed.
   --use-ssl         -S       Use SSL connection to remote server.
   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).
   --server          -s       Use the specified remote server address.
   --port            -p       Use the specified remote server port.
   --url             -u       Use the specified remote server url.
   --use-virtualhost -V       Use the specified virtualhost in GET query.
   --verbose         -v       Use verbose mode output.
   --help            -h       Display this short inlined help screen.
   --fwmark          -m       Use the specified FW mark.
   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.
                                1.0c means 1.0 with 'Connection: close'
   --timeout         -t       Timeout in seconds (default 5)`;

export interface GenhashOptions {
  server: string;
  family: 4 | 6;
  port: number;
  url: string;
  ssl: boolean;
  sni: boolean;
  virtualhost?: string;
  protocol?: string;
  timeoutMs: number;
  fwmark?: number;
  verbose: boolean;
}

const LONG: Record<string, string> = {
  help: 'h', verbose: 'v', 'use-ssl': 'S', 'use-sni': 'I', server: 's', 'use-virtualhost': 'V',
  port: 'p', url: 'u', fwmark: 'm', protocol: 'P', timeout: 't',
};
const WITH_VALUE = new Set(['s', 'V', 'p', 'u', 'm', 'P', 't']);

/** keepalived genhash's command line, with its error messages; `help` for -h. */
export function parseGenhashArgs(argv: string[]): GenhashOptions | { error: string } | 'help' {
  const seen = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    let opts: Array<[string, string | undefined]> = [];
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const short = LONG[name];
      if (!short) return { error: `Unknown option ${a}` };
      opts = [[short, inline]];
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (WITH_VALUE.has(c)) {
          opts.push([c, a.length > j + 1 ? a.slice(j + 1) : undefined]);
          break;
        }
        opts.push([c, undefined]);
      }
    } else {
      return { error: `Unexpected argument(s): ${argv.slice(i).join(' ')}` };
    }
    for (const [c, inline] of opts) {
      if (c === 'h') return 'help';
      if (WITH_VALUE.has(c)) {
        const v = inline ?? argv[++i];
        if (v === undefined) return { error: a.startsWith('--') ? `Missing parameter for option ${a}` : `Missing parameter for option -${c}` };
        seen.set(c, v);
      } else if ('vSI'.includes(c)) flags.add(c);
      else return { error: `Unknown option -${c}` };
    }
  }
  const server = seen.get('s');
  const ip = server !== undefined ? parseIp(server) : undefined;
  if (server !== undefined && !ip) return { error: `server should be an IP, not ${server}` };
  const portText = seen.get('p');
  const port = portText !== undefined && /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (portText !== undefined && !(port > 0 && port <= 65535)) return { error: `invalid port number '${portText}'` };
  const proto = seen.get('P');
  if (proto !== undefined && !['1.0', '1.0c', '1.0C', '1.1'].includes(proto)) return { error: `invalid HTTP protocol version '${proto}'` };
  const t = seen.get('t');
  if (t !== undefined && !/^\s*\d+$/.test(t)) return { error: `invalid timeout '${t}'` };
  const m = seen.get('m');
  if (m !== undefined && !(/^\s*\d+$/.test(m) && Number(m) <= 0xffffffff)) return { error: `invalid fwmark '${m}'` };
  if (!ip || !portText || seen.get('u') === undefined) return { error: 'server (-s), port (-p) and url (-u) are required' };
  return {
    server: canonicalIp(server!) ?? server!,
    family: ip.family,
    port,
    url: seen.get('u')!,
    ssl: flags.has('S'),
    sni: flags.has('I'),
    ...(seen.has('V') ? { virtualhost: seen.get('V')! } : {}),
    ...(proto !== undefined ? { protocol: proto } : {}),
    timeoutMs: t !== undefined ? Number(t) * 1000 : 5000,
    ...(m !== undefined ? { fwmark: Number(m) } : {}),
    verbose: flags.has('v'),
  };
}

/** The checker block genhash stands for: one url, no digest, any status. */
function checkerFor(o: GenhashOptions): { checker: CheckerConfig; url: HttpUrlConfig; target: ProbeTarget } {
  const url: HttpUrlConfig = { path: o.url, statusCodes: [[100, 599]], regexNoMatch: false };
  const checker: CheckerConfig = {
    kind: o.ssl ? 'SSL_GET' : 'HTTP_GET',
    source: { file: 'genhash', line: 0 },
    connectTimeoutMs: o.timeoutMs,
    retry: 0,
    delayBeforeRetryMs: 0,
    delayLoopMs: 0,
    alpha: false,
    logAllFailures: false,
    urls: [url],
    enableSni: o.sni,
    ...(o.virtualhost !== undefined ? { virtualhost: o.virtualhost } : {}),
    ...(o.protocol !== undefined ? { httpProtocol: o.protocol } : {}),
    ...(o.fwmark !== undefined ? { fwmark: o.fwmark } : {}),
  };
  return { checker, url, target: { family: o.family, address: o.server, port: o.port } };
}

type GenhashResult = { ok: true; answer: HttpAnswerData; elapsedUs: number } | { ok: false; message: string; detail?: string };

/** Fetches the url once, under one deadline, with the checker's own code. */
export function genhash(o: GenhashOptions, done: (r: GenhashResult) => void): void {
  const { checker, url, target } = checkerFor(o);
  const opts = urlFetchOptions({ checker, target, timeoutMs: o.timeoutMs }, url, o.ssl);
  if (opts instanceof Error) return done({ ok: false, message: opts.message });
  const started = process.hrtime.bigint();
  let answer: HttpAnswerData | undefined;
  let fetch: HttpFetch | undefined;
  runAttempt(
    o.timeoutMs,
    (outcome) => {
      if (outcome.ok && answer) done({ ok: true, answer, elapsedUs: Number((process.hrtime.bigint() - started) / 1000n) });
      else if (!outcome.ok) done({ ok: false, message: outcome.message, ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}) });
    },
    (a) => {
      a.onDeadline = () => ({ ok: false, failure: 'timeout', message: TIMEOUT_MESSAGE[fetch?.phase() ?? 'connect'], detail: `no complete answer within ${o.timeoutMs} ms` });
      fetch = fetchHttp(opts, a.signal, (r) => {
        if (!r.ok) return a.fail(r.failure, r.message, r.detail);
        answer = r.answer;
        a.finish({ ok: true });
      });
    },
  );
}

export function run(argv: string[]): Promise<number> {
  const o = parseGenhashArgs(argv);
  if (o === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return Promise.resolve(0);
  }
  if ('error' in o) {
    process.stderr.write(`${o.error}\n${USAGE}\n`);
    return Promise.resolve(EXIT_USAGE);
  }
  const where = o.family === 6 ? `[${o.server}]:${o.port}` : `${o.server}:${o.port}`;
  return new Promise((resolve) => {
    genhash(o, (r) => {
      if (!r.ok) {
        process.stderr.write(`genhash: ${r.message.trimEnd()} server ${where}${r.detail ? `: ${r.detail}` : ''}\n`);
        return resolve(1);
      }
      const a = r.answer;
      if (o.verbose) {
        const out = [a.statusLine];
        for (let i = 0; i + 1 < a.headers.length; i += 2) out.push(`${a.headers[i]}: ${a.headers[i + 1]}`);
        out.push('', `body: ${a.bodyBytes} bytes${a.chunked ? ' (de-chunked)' : ''}${a.contentLength !== undefined ? `, Content-Length ${a.contentLength}` : ''}`, `MD5 digest:`);
        process.stdout.write(`${out.join('\n')}\n`);
      }
      process.stdout.write(`${a.digest}\n`);
      if (o.verbose) process.stdout.write(`\nGlobal response time for [${o.url}] = ${r.elapsedUs} usecs\n`);
      if (!statusAllowed(a.status, [[200, 299]])) {
        process.stderr.write(`genhash: note: HTTP status ${a.status} from ${where}: an url block with the default status_code (200-299) fails on this answer\n`);
      }
      resolve(0);
    });
  });
}
