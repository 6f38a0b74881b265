/**
 * The client side of the control socket: one request, one answer, bounded by a timeout. Used by
 * `keepalived-ts status|reload|stop` (adapters/node/commands/control.ts).
 */
import { createConnection } from 'node:net';
import { parseResponse, type ControlCommand, type ControlResponse } from './protocol.js';

export type ClientResult =
  | { ok: true; response: ControlResponse }
  /** `absent`: nothing listens there (no socket file, or a stale one): the caller may fall back to signals. */
  | { ok: false; absent: boolean; error: string };

export function controlRequest(path: string, cmd: ControlCommand, timeoutMs = 5000): Promise<ClientResult> {
  return new Promise((resolve) => {
    let settled = false;
    let buf = '';
    const socket = createConnection(path);
    const finish = (r: ClientResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, absent: false, error: `no answer from ${path} within ${timeoutMs} ms` }), timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify({ cmd })}\n`));
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        finish({ ok: true, response: parseResponse(buf.slice(0, nl)) });
      } catch (e) {
        finish({ ok: false, absent: false, error: `unreadable answer from ${path}: ${(e as Error).message}` });
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const absent = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
      const why = e.code === 'ENOENT' ? 'no such socket' : e.code === 'ECONNREFUSED' ? 'nothing is listening (stale socket)' : e.code === 'EACCES' ? 'permission denied (the socket is root-only)' : e.message;
      finish({ ok: false, absent, error: `cannot connect to ${path}: ${why}` });
    });
    socket.on('close', () => finish({ ok: false, absent: false, error: `${path} closed the connection without an answer` }));
  });
}
