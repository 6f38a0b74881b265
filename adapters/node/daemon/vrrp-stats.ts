/**
 * keepalived's per-instance VRRP statistics (the fields of /tmp/keepalived.stats and of the
 * "stats" object in /tmp/keepalived.json), kept by counting runtime events and completed from
 * the runtime's counters() where it has a matching name.
 *
 * SIGFUNC=STATS_CLEAR is implemented with a baseline: clearing records the current values, and
 * later dumps show the difference (the runtime's own counters are never reset).
 */
import type { RuntimeEvent } from '../../../actors/runtime-types.js';

export interface VrrpStats {
  advertRcvd: number;
  advertSent: number;
  becomeMaster: number;
  releaseMaster: number;
  packetLenErr: number;
  ipTtlErr: number;
  invalidTypeRcvd: number;
  advertIntervalErr: number;
  addrListErr: number;
  invalidAuthtype: number;
  authtypeMismatch: number;
  authFailure: number;
  priZeroRcvd: number;
  priZeroSent: number;
}

export const STAT_FIELDS: ReadonlyArray<keyof VrrpStats> = [
  'advertRcvd',
  'advertSent',
  'becomeMaster',
  'releaseMaster',
  'packetLenErr',
  'ipTtlErr',
  'invalidTypeRcvd',
  'advertIntervalErr',
  'addrListErr',
  'invalidAuthtype',
  'authtypeMismatch',
  'authFailure',
  'priZeroRcvd',
  'priZeroSent',
];

export function zeroStats(): VrrpStats {
  return Object.fromEntries(STAT_FIELDS.map((f) => [f, 0])) as unknown as VrrpStats;
}

/** Drop reasons (advert.dropped) → the keepalived counter they increment. Matched by substring. */
const DROP_REASONS: Array<[RegExp, keyof VrrpStats]> = [
  [/ttl|hop/i, 'ipTtlErr'],
  [/len|short|truncat|size/i, 'packetLenErr'],
  [/interval/i, 'advertIntervalErr'],
  [/addr.*list|address list|vip|ip address/i, 'addrListErr'],
  [/auth.*type.*mismatch|mismatch.*auth/i, 'authtypeMismatch'],
  [/invalid.*auth.*type|unknown.*auth|auth.*type/i, 'invalidAuthtype'],
  [/auth|password|pass/i, 'authFailure'],
  [/type/i, 'invalidTypeRcvd'],
];

export function statForDropReason(reason: string): keyof VrrpStats | undefined {
  return DROP_REASONS.find(([re]) => re.test(reason))?.[1];
}

/**
 * Counter names the runtime may use for an instance, `<instance>.<name>` or `<name>.<instance>`
 * with keepalived's snake_case or camelCase. The first present name wins over the event count.
 */
function counterFor(counters: Record<string, number>, instance: string, field: keyof VrrpStats): number | undefined {
  const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  for (const name of [snake, field]) {
    for (const key of [`${instance}.${name}`, `${name}.${instance}`, `vrrp.${instance}.${name}`]) {
      const v = counters[key];
      if (typeof v === 'number') return v;
    }
  }
  return undefined;
}

export class VrrpStatsTracker {
  private readonly counted = new Map<string, VrrpStats>();
  private readonly baseline = new Map<string, VrrpStats>();

  private entry(instance: string): VrrpStats {
    let s = this.counted.get(instance);
    if (!s) this.counted.set(instance, (s = zeroStats()));
    return s;
  }

  observe(e: RuntimeEvent): void {
    switch (e.type) {
      case 'advert.sent': {
        const s = this.entry(e.instance);
        s.advertSent++;
        if (e.priority === 0) s.priZeroSent++;
        break;
      }
      case 'advert.dropped': {
        const field = statForDropReason(e.reason);
        if (field) this.entry(e.instance)[field]++;
        break;
      }
      case 'instance.state':
        if (e.to === 'MASTER' && e.from !== 'MASTER') this.entry(e.instance).becomeMaster++;
        if (e.from === 'MASTER' && e.to !== 'MASTER') this.entry(e.instance).releaseMaster++;
        break;
      default:
        break;
    }
  }

  /** Current values for one instance (runtime counters first, else event counts), minus the baseline. */
  stats(instance: string, counters: Record<string, number>): VrrpStats {
    const counted = this.entry(instance);
    const base = this.baseline.get(instance) ?? zeroStats();
    const out = zeroStats();
    for (const f of STAT_FIELDS) out[f] = Math.max(0, (counterFor(counters, instance, f) ?? counted[f]) - base[f]);
    return out;
  }

  /** STATS_CLEAR: later dumps count from now. */
  clear(instances: readonly string[], counters: Record<string, number>): void {
    for (const name of instances) {
      this.baseline.delete(name);
      this.baseline.set(name, this.stats(name, counters));
    }
  }
}
