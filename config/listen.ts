/**
 * `[ADDR:]PORT` for the daemon's own listeners (`--metrics`, `keepalived_ts_metrics`): a port
 * alone means 127.0.0.1; an address must be an IP literal (IPv6 in brackets). Pure.
 */
import { IpAddress } from '../protocol/addr.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const LISTEN_FORMS = 'PORT, ADDR:PORT or [IPv6]:PORT, e.g. 9650, 127.0.0.1:9650, 0.0.0.0:9650, [::1]:9650';

export function parseListen(text: string): ListenAddress | { error: string } {
  const bad = (why: string) => ({ error: `'${text}' ${why}: write ${LISTEN_FORMS}` });
  let host = '127.0.0.1';
  let portText = text;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (v6) {
    const ip = IpAddress.parse(v6[1]!);
    if (!ip || ip.family !== 6) return bad('is not an IPv6 address and port');
    host = ip.text;
    portText = v6[2]!;
  } else if (text.includes(':')) {
    const at = text.lastIndexOf(':');
    const addr = text.slice(0, at);
    if (addr === '') return bad('has no address before the colon');
    const ip = IpAddress.parse(addr);
    if (!ip || ip.family !== 4) return bad(addr.includes(':') ? 'has an IPv6 address without brackets' : `has '${addr}', which is not an IP address`);
    host = ip.text;
    portText = text.slice(at + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return bad(`has no port between 1 and 65535`);
  return { host, port: Number(portText) };
}

/** `127.0.0.1:9650`, `[::1]:9650`. */
export function listenText(l: ListenAddress): string {
  return l.host.includes(':') ? `[${l.host}]:${l.port}` : `${l.host}:${l.port}`;
}
