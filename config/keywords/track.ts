/**
 * Entries of track_interface / track_script / track_file / track_process / track_bfd blocks:
 * `NAME [weight N] [reverse|noreverse]`. Weights are resolved against the tracked object later
 * (config/normalise-vrrp.ts), so here a missing weight stays undefined.
 */
import type { Diags, Pos } from '../diag.js';
import type { Stmt } from '../tree.js';
import { checkInt, posOf } from '../values.js';

export interface RawTrack {
  name: string;
  weight?: number;
  /** undefined when neither reverse nor noreverse was written. */
  reverse?: boolean;
  at: Pos;
}

export type TrackKind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

/** keepalived's weight limits per tracker kind. */
export const WEIGHT_LIMIT: Record<TrackKind, number> = { interface: 253, script: 253, file: 254, process: 254, bfd: 253 };

export function parseTrackBlock(st: Stmt, kind: TrackKind, d: Diags): RawTrack[] {
  const out: RawTrack[] = [];
  const limit = WEIGHT_LIMIT[kind];
  for (const line of st.block ?? []) {
    const w = line.words;
    const t: RawTrack = { name: w[0]!.text, at: posOf(line) };
    let ok = true;
    for (let i = 1; i < w.length; i++) {
      const word = w[i]!.text;
      if (word === 'weight') {
        const v = w[i + 1];
        if (!v) {
          d.error(posOf(line, i), `track_${kind} ${t.name}: weight needs a value`, `write: ${t.name} weight N`);
          ok = false;
          break;
        }
        i++;
        const n = checkInt(v.text, posOf(line, i), d, -limit, limit, `track_${kind} ${t.name} weight`);
        if (n === undefined) ok = false;
        else t.weight = n;
      } else if (word === 'reverse' || word === 'noreverse') {
        t.reverse = word === 'reverse';
      } else {
        d.error(posOf(line, i), `track_${kind} ${t.name}: unknown option '${word}'`, 'expected: weight N, reverse or noreverse');
      }
    }
    if (ok) out.push(t);
  }
  return out;
}
