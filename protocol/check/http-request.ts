/**
 * HTTP_GET / SSL_GET requests as keepalived 2.2.7 writes them (check_http.c `http_request_thread`):
 *
 *   GET <path> HTTP/1.<0|1>\r\n
 *   User-Agent: KeepAliveClient\r\n
 *   [Connection: close\r\n]            (http_protocol 1.0C and 1.1)
 *   Host: <virtualhost | ip:port | [ipv6]:port>\r\n
 *   \r\n
 *
 * No other header: no Accept, no Accept-Encoding (so servers answer uncompressed).
 */
import type { CheckerConfig, HttpUrlConfig } from '../../config/model-lvs.js';

/** `http_protocol`: 1.0 (default), 1.0C (1.0 + Connection: close), 1.1 (+ Connection: close). */
export type HttpVersion = '1.0' | '1.0C' | '1.1';

export function httpVersion(configured: string | undefined): HttpVersion {
  if (configured === '1.1') return '1.1';
  if (configured === '1.0C' || configured === '1.0c') return '1.0C';
  return '1.0';
}

export interface InheritedVirtualhosts {
  realServer?: string | undefined;
  virtualServer?: string | undefined;
}

/** The virtualhost of one url: url > checker > real_server > virtual_server (keepalived's order). */
export function urlVirtualhost(url: Pick<HttpUrlConfig, 'virtualhost'>, checker: Pick<CheckerConfig, 'virtualhost'>, inherited: InheritedVirtualhosts = {}): string | undefined {
  return url.virtualhost ?? checker.virtualhost ?? inherited.realServer ?? inherited.virtualServer;
}

/** The Host header: the virtualhost as written, else the address connected to with its port. */
export function hostHeader(virtualhost: string | undefined, target: { family: 4 | 6; address: string; port: number }): string {
  if (virtualhost !== undefined) return virtualhost;
  return target.family === 6 ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The SNI name for `enable_sni`: the virtualhost without a port. An IP literal is not a valid
 * server name (RFC 6066 §3), so none is sent for one.
 */
export function sniName(virtualhost: string | undefined): string | undefined {
  if (virtualhost === undefined) return undefined;
  const name = virtualhost.startsWith('[') ? '' : virtualhost.replace(/:\d+$/, '');
  if (name === '' || IPV4.test(name) || name.includes(':')) return undefined;
  return name;
}

export function httpRequest(path: string, version: HttpVersion, host: string): string {
  return (
    `GET ${path} HTTP/1.${version === '1.1' ? 1 : 0}\r\n` +
    'User-Agent: KeepAliveClient\r\n' +
    (version === '1.0' ? '' : 'Connection: close\r\n') +
    `Host: ${host}\r\n\r\n`
  );
}
