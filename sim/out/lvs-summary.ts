/**
 * The LVS lines of a run's summary: per client and virtual service, how many connections each
 * real server served and how many failed, and why.
 *
 *   client → 198.51.100.28:80: 250 connections: rs1 118, rs2 97 ok; 35 failed (timeout 20, refused 15)
 */
import type { SimEvent } from '../events.js';

export function connectionSummary(history: readonly SimEvent[]): string[] {
  const groups = new Map<string, { ok: Map<string, number>; failed: Map<string, number>; n: number }>();
  for (const e of history) {
    if (e.type !== 'conn') continue;
    const key = `${e.host} → ${e.service}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ok: new Map(), failed: new Map(), n: 0 }));
    g.n++;
    if (e.result === 'ok') g.ok.set(e.server ?? '?', (g.ok.get(e.server ?? '?') ?? 0) + 1);
    else g.failed.set(e.result, (g.failed.get(e.result) ?? 0) + 1);
  }
  const out: string[] = [];
  for (const [key, g] of groups) {
    const served = [...g.ok].sort((a, b) => a[0].localeCompare(b[0])).map(([s, n]) => `${s} ${n}`);
    const failed = [...g.failed.values()].reduce((s, n) => s + n, 0);
    const why = [...g.failed].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`);
    out.push(`${key}: ${g.n} connection${g.n === 1 ? '' : 's'}: ${served.length ? `${served.join(', ')} ok` : 'none served'}${failed ? `; ${failed} failed (${why.join(', ')})` : ''}`);
  }
  return out;
}
