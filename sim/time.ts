/**
 * Durations in scenario files and in printed output.
 *
 * Scenario text: "5s", "250ms", "1.5s", "2m", "1h", "100us"; a bare number means seconds.
 * Printed: simulated time as seconds with microsecond precision ("12.000350s").
 */

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from a duration, or an error message. */
export function parseDurationMs(value: unknown): number | { error: string } {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value !== 'string') return { error: `expected a duration like "5s" or "250ms", got ${JSON.stringify(value)}` };
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|min|h|d)?\s*$/.exec(value);
  if (!m) return { error: `bad duration ${JSON.stringify(value)} (use e.g. "5s", "250ms", "2m")` };
  return Number(m[1]) * UNIT_MS[m[2] ?? 's']!;
}

/** Simulated microseconds → "12.000350s". */
export function formatMicros(us: number): string {
  const sign = us < 0 ? '-' : '';
  const abs = Math.abs(Math.round(us));
  const s = Math.floor(abs / 1_000_000);
  const frac = String(abs % 1_000_000).padStart(6, '0');
  return `${sign}${s}.${frac}s`;
}

/** Milliseconds → the shortest readable duration ("4s", "3.61s", "250ms"). */
export function formatMs(ms: number): string {
  if (ms !== 0 && Math.abs(ms) < 1) return `${+(ms * 1000).toFixed(1)}us`;
  if (Math.abs(ms) < 1000) return `${+ms.toFixed(3)}ms`;
  if (Math.abs(ms) < 120_000) return `${+(ms / 1000).toFixed(6)}s`;
  if (Math.abs(ms) < 7_200_000) return `${+(ms / 60_000).toFixed(4)}m`;
  return `${+(ms / 3_600_000).toFixed(4)}h`;
}
