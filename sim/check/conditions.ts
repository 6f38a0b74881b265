/**
 * "Bad if it lasts": named conditions that become violations only when they hold continuously
 * for longer than their limit. Each episode is reported once; a condition that clears and
 * comes back starts a new episode.
 */
import type { SimClock } from '../clock.js';

interface Episode {
  sinceUs: number;
  timer: number;
  message: string;
}

export class Conditions {
  private readonly active = new Map<string, Episode>();

  constructor(
    private readonly clock: SimClock,
    private readonly onExpire: (key: string, sinceUs: number, message: string) => void,
  ) {}

  /** Start (or keep) condition `key`; it expires `limitMs` after it started. */
  hold(key: string, limitMs: number, message: string): void {
    const e = this.active.get(key);
    if (e) {
      e.message = message;
      return;
    }
    const sinceUs = this.clock.nowMicros();
    const ep: Episode = { sinceUs, timer: 0, message };
    ep.timer = this.clock.setTimeout(() => {
      if (this.active.get(key) === ep) this.onExpire(key, ep.sinceUs, ep.message);
    }, limitMs);
    this.active.set(key, ep);
  }

  release(key: string): void {
    const e = this.active.get(key);
    if (!e) return;
    this.clock.clearTimeout(e.timer);
    this.active.delete(key);
  }

  /** Make the conditions under `prefix` exactly `wanted` (key → [limitMs, message]). */
  sync(prefix: string, wanted: Map<string, [number, string]>): void {
    for (const key of [...this.active.keys()]) if (key.startsWith(prefix) && !wanted.has(key)) this.release(key);
    for (const [key, [limitMs, message]] of wanted) this.hold(key, limitMs, message);
  }

  isHeld(key: string): boolean {
    return this.active.has(key);
  }
}
