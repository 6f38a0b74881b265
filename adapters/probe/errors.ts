/** Socket errors sorted into the prober port's failure categories, with errno text for the log. */
import { constants } from 'node:os';
import { STRERROR } from '../../actors/errno.js';
import type { ProbeFailure } from '../../actors/lvs/prober-port.js';

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "Connection refused (ECONNREFUSED)" from an errno name; the error's own message when unknown. */
export function errnoText(e: unknown): string {
  const code = errnoCode(e);
  const text = code ? STRERROR[code] : undefined;
  return text ? `${text} (${code})` : e instanceof Error ? e.message : String(e);
}

/** keepalived's `errno %d (%s)`: the number and strerror text. */
export function errnoNumberText(e: unknown): string {
  const code = errnoCode(e);
  const n = code ? (constants.errno as Record<string, number>)[code] : undefined;
  return `errno ${n ?? '?'} (${(code && STRERROR[code]) ?? (e instanceof Error ? e.message : String(e))})`;
}


/** The category of a connect-phase error. `syscall` bind/setsockopt errors are local. */
export function connectFailure(e: unknown): ProbeFailure {
  const code = errnoCode(e);
  const syscall = (e as { syscall?: unknown } | null)?.syscall;
  if (syscall === 'bind' || syscall === 'setsockopt' || syscall === 'socket') return 'local-error';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code && UNREACHABLE.has(code)) return 'unreachable';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'connect-error';
}

/** An error raised while preparing a socket (socket, setsockopt, bind): never counted. */
export class LocalError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}
