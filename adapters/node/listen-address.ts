/**
 * `[ADDR:]PORT` as `--web` and `--inspect` take it: loopback (127.0.0.1) unless an address is
 * given; IPv6 in brackets (`[::1]:8080`); port 0 lets the kernel choose (tests). Pure.
 */
export interface ListenAddress {
  host: string;
  port: number;
}

export const LOOPBACK = '127.0.0.1';

export function parseListenAddress(text: string, option: string): ListenAddress | { error: string } {
  const bad = { error: `${option} wants [ADDR:]PORT (for example 8080, 127.0.0.1:8080 or [::1]:8080), got '${text}'` };
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text.trim());
  if (!m) return bad;
  const port = Number(m[2]);
  if (port > 65535) return { error: `${option}: port ${port} is out of range (0-65535)` };
  const host = m[1] === undefined ? LOOPBACK : m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  if (host === '') return bad;
  return { host, port };
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `http://127.0.0.1:8080/`, with IPv6 in brackets. */
export function urlOf(scheme: 'http' | 'ws', a: ListenAddress): string {
  return `${scheme}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/`;
}
