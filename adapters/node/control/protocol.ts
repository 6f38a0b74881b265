/**
 * The control socket's protocol: JSON lines over a Unix stream socket. Pure: no I/O.
 *
 *   → {"cmd":"status","id":1}
 *   ← {"id":1,"ok":true,"result":{…DaemonStatus…}}
 *   → {"cmd":"reload"}
 *   ← {"ok":true,"result":{"reloaded":true,"errors":[]}}
 *   → hello
 *   ← {"ok":false,"code":"bad-json","error":"a request is one JSON object per line, like {\"cmd\":\"status\"}: …"}
 *
 * One request per line (at most MAX_REQUEST_BYTES), answered in order with one line each. `id`
 * is optional and echoed (any JSON string or number). A connection may carry many requests.
 * Commands: status, lvs (the checker child's table and virtual servers), reload, stop, ping. See docs/daemon.md "Status, metrics and the journal".
 */
import { nearestKeyword } from '../../../config/suggest.js';

export const CONTROL_COMMANDS = ['status', 'lvs', 'reload', 'stop', 'ping'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export const MAX_REQUEST_BYTES = 64 * 1024;

export type ControlErrorCode = 'bad-json' | 'bad-request' | 'unknown-command' | 'too-long' | 'failed';

export type RequestId = string | number;

export interface ControlRequest {
  id?: RequestId;
  cmd: ControlCommand;
}

export type ControlResponse =
  | { id?: RequestId; ok: true; result: unknown }
  | { id?: RequestId; ok: false; code: ControlErrorCode; error: string };

const EXAMPLE = 'like {"cmd":"status"}';

export function parseRequest(line: string): { ok: true; request: ControlRequest } | { ok: false; response: ControlResponse } {
  const fail = (code: ControlErrorCode, error: string, id?: RequestId) => ({ ok: false as const, response: { ...(id !== undefined ? { id } : {}), ok: false as const, code, error } });
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return fail('bad-json', `a request is one JSON object per line, ${EXAMPLE}: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('bad-request', `a request is a JSON object, ${EXAMPLE}`);
  const o = value as Record<string, unknown>;
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : undefined;
  if (o.id !== undefined && id === undefined) return fail('bad-request', '"id" must be a string or a number');
  if (typeof o.cmd !== 'string') return fail('bad-request', `"cmd" is missing: one of ${CONTROL_COMMANDS.join(', ')}`, id);
  if (!(CONTROL_COMMANDS as readonly string[]).includes(o.cmd)) {
    const near = nearestKeyword(o.cmd, CONTROL_COMMANDS);
    return fail('unknown-command', `unknown command '${o.cmd}'${near ? ` (did you mean ${near.keyword}?)` : ''}: one of ${CONTROL_COMMANDS.join(', ')}`, id);
  }
  const extra = Object.keys(o).filter((k) => k !== 'cmd' && k !== 'id');
  if (extra.length > 0) return fail('bad-request', `unexpected field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}: a request has "cmd" and an optional "id"`, id);
  return { ok: true, request: { ...(id !== undefined ? { id } : {}), cmd: o.cmd as ControlCommand } };
}

export function tooLong(): ControlResponse {
  return { ok: false, code: 'too-long', error: `request longer than ${MAX_REQUEST_BYTES} bytes without a newline - closing` };
}

export function responseLine(r: ControlResponse): string {
  return `${JSON.stringify(r)}\n`;
}

/** A response line from the daemon, checked. */
export function parseResponse(line: string): ControlResponse {
  const v = JSON.parse(line) as unknown;
  if (typeof v !== 'object' || v === null || typeof (v as { ok?: unknown }).ok !== 'boolean') throw new Error('not a control response');
  return v as ControlResponse;
}
