/**
 * JSON-lines trace: one event per line, `t` in seconds (µs precision) first. The same scenario
 * and seed give byte-identical lines; `digest()` is a 64-bit FNV-1a of everything written, the
 * cheap way to compare two runs (S9).
 */
import type { SimEvent } from '../events.js';

export function eventToJson(e: SimEvent): string {
  const { t, ...rest } = e;
  return JSON.stringify({ t: t / 1e6, ...rest });
}

export class TraceWriter {
  private h1 = 0x811c9dc5;
  private h2 = 0xcbf29ce4;
  lines = 0;

  constructor(private readonly sink?: (line: string) => void) {}

  write(e: SimEvent): void {
    const line = eventToJson(e);
    this.lines++;
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x000001b3) ^ (h1 >>> 15);
    }
    this.h1 = Math.imul(h1 ^ 10, 0x01000193);
    this.h2 = h2;
    this.sink?.(line);
  }

  digest(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}
