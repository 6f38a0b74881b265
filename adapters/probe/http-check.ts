/**
 * HTTP_GET and SSL_GET: every url of the checker is fetched on each attempt, all at once, each
 * on its own connection, under the attempt's one deadline. The attempt passes when every url
 * passes (status, then digest, then regex: protocol/check/http-judge.ts) and fails with the first
 * url that fails. keepalived fetches one url per delay_loop and needs N loops to notice anything;
 * see docs/lvs.md. A checker without urls passes without a request, as in keepalived.
 */
import type { ProbeOutcome, ProbeRequest } from '../../actors/lvs/prober-port.js';
import type { HttpUrlConfig } from '../../config/model-lvs.js';
import { judgeHttpAnswer, urlRegex, type HttpCheckName } from '../../protocol/check/http-judge.js';
import { hostHeader, httpRequest, httpVersion, sniName, urlVirtualhost } from '../../protocol/check/http-request.js';
import { failure, type Attempt } from './attempt.js';
import { fetchHttp, TIMEOUT_MESSAGE, type HttpFetch, type HttpFetchOptions } from './http-fetch.js';
import { sslContext } from './tls-context.js';

export interface HttpProbeDeps {
  netns?: string | undefined;
}

/** The fetch options of one url: request line and headers, SNI, client context. */
export function urlFetchOptions(req: ProbeRequest, url: HttpUrlConfig, tlsOn: boolean, netns?: string): HttpFetchOptions | Error {
  const c = req.checker;
  const vhost = urlVirtualhost(url, c, req.virtualhosts);
  let tls: HttpFetchOptions['tls'];
  if (tlsOn) {
    const context = sslContext(req.ssl);
    if (context instanceof Error) return context;
    // keepalived sends SNI only with enable_sni, from the same virtualhost as the Host header.
    tls = { servername: c.enableSni ? sniName(vhost) : undefined, secureContext: context };
  }
  return {
    target: req.target,
    socket: c,
    netns,
    request: httpRequest(url.path ?? '/', httpVersion(c.httpProtocol), hostHeader(vhost, req.target)),
    tls,
    keepText: url.regex !== undefined,
  };
}

export function probeHttp(req: ProbeRequest, tlsOn: boolean, deps: HttpProbeDeps, a: Attempt): void {
  // keepalived drops a url without a path ("url has no path - ignoring").
  const urls = req.checker.urls.filter((u) => u.path !== undefined);
  if (!urls.length) return a.finish({ ok: true, detail: 'no url to check' });

  const passed: Array<HttpCheckName | undefined> = urls.map(() => undefined);
  const fetches: Array<HttpFetch | undefined> = [];
  a.onDeadline = (): ProbeOutcome => {
    const i = passed.findIndex((p) => p === undefined);
    const f = fetches[i];
    const phase = f?.phase() ?? 'connect';
    return failure('timeout', TIMEOUT_MESSAGE[phase], `no complete answer for ${urls[i]?.path} within ${req.timeoutMs} ms (${f?.received() ?? 0} bytes received)`, { url: urls[i]?.path ?? '/' });
  };

  urls.forEach((url, i) => {
    const path = url.path!;
    const opts = urlFetchOptions(req, url, tlsOn, deps.netns);
    if (opts instanceof Error) return a.fail('local-error', opts.message);
    // An invalid regex fails its url (bad-regex) every time; `check` reports it.
    const regex = urlRegex(url);
    fetches[i] = fetchHttp(opts, a.signal, (r) => {
      if (a.ended) return;
      if (!r.ok) return a.fail(r.failure, r.message, r.detail !== undefined ? `${path}: ${r.detail}` : path, { url: path });
      const verdict = judgeHttpAnswer(url, r.answer, regex);
      if (!verdict.ok) return a.fail(verdict.failure, verdict.message, verdict.detail, { url: path });
      passed[i] = verdict.passed;
      if (passed.every((p) => p !== undefined)) {
        a.finish({ ok: true, urls: urls.map((u, j) => ({ path: u.path!, passed: passed[j]! })) });
      }
    });
  });
}
