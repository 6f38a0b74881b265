/**
 * Result type used by every decoder in protocol/: wire input is never trusted and never thrown on.
 * A failure carries a machine-readable `reason` (a closed string union per decoder, each one a
 * drop counter later) and a human-readable `detail` for logs.
 */
export type Result<T, R extends string = string> =
  | { ok: true; value: T }
  | { ok: false; reason: R; detail: string };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<R extends string>(reason: R, detail: string): { ok: false; reason: R; detail: string } {
  return { ok: false, reason, detail };
}
