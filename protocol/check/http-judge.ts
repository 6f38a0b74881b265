/**
 * What keepalived 2.2.7 checks in an HTTP_GET / SSL_GET answer, in its order
 * (check_http.c `http_handle_response`): an answer at all, the status code against the url's
 * `status_code` ranges, then the MD5 `digest` of the body, then the `regex`. The url passes on the
 * last check it made ("HTTP status code", "MD5 digest" or "Regex match").
 */
import type { HttpUrlConfig } from '../../config/model-lvs.js';

export type HttpCheckName = 'HTTP status code' | 'MD5 digest' | 'Regex match';

/** The part of an answer the checks look at. */
export interface HttpAnswer {
  status: number;
  /** MD5 of the body, lower-case hex (see docs/lvs.md for what "the body" is). */
  digest: string;
  /** The body as text, for `regex` (possibly a prefix of a long body). */
  text: string;
}

export type HttpVerdict =
  | { ok: true; passed: HttpCheckName }
  | { ok: false; failure: 'bad-status' | 'bad-digest' | 'bad-regex'; message: string; detail: string };

/** `status_code 200-299 404`: inclusive ranges; keepalived's default is 200-299. */
export function statusAllowed(status: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  const list = ranges.length ? ranges : [[200, 299] as const];
  return list.some(([lo, hi]) => status >= lo && status <= hi);
}

export function rangesText(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(' ');
}

/** A url's regex as a JavaScript RegExp; undefined when it does not compile. */
export function urlRegex(url: Pick<HttpUrlConfig, 'regex'>): RegExp | undefined {
  if (url.regex === undefined) return undefined;
  try {
    return new RegExp(url.regex);
  } catch {
    return undefined;
  }
}

export function judgeHttpAnswer(url: HttpUrlConfig, answer: HttpAnswer, regex = urlRegex(url)): HttpVerdict {
  const path = url.path ?? '/';
  if (!statusAllowed(answer.status, url.statusCodes)) {
    return { ok: false, failure: 'bad-status', message: 'HTTP status code error to', detail: `status ${answer.status} for ${path}, expected ${rangesText(url.statusCodes.length ? url.statusCodes : [[200, 299]])}` };
  }
  let passed: HttpCheckName = 'HTTP status code';
  if (url.digest !== undefined) {
    if (answer.digest !== url.digest.toLowerCase()) {
      return { ok: false, failure: 'bad-digest', message: 'MD5 digest error to', detail: `digest ${answer.digest} for ${path}, expected ${url.digest.toLowerCase()}` };
    }
    passed = 'MD5 digest';
  }
  if (url.regex !== undefined) {
    const matched = regex ? regex.test(answer.text) : false;
    if (matched === url.regexNoMatch) {
      return {
        ok: false,
        failure: 'bad-regex',
        message: 'Regex match failed',
        detail: regex ? `${path}: the body ${url.regexNoMatch ? 'matches' : 'does not match'} /${url.regex}/` : `${path}: invalid regex /${url.regex}/`,
      };
    }
    passed = 'Regex match';
  }
  return { ok: true, passed };
}
