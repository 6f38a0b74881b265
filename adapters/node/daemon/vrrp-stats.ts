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

/**
 * Drop reasons of protocol/vrrp (advert.dropped events) → the keepalived counter the same check
 * increments in keepalived 2.2.7 (vrrp.c vrrp_check_packet). Reasons keepalived has no counter
 * for (bad version, checksum, unknown VRID…) only appear in the runtime's own counters. A VRRPv2
 * advert-interval mismatch counts nothing: 2.2.7 drops it without touching advert_interval_err
 * (which nothing in 2.2.7 increments).
 */
const DROP_STAT: Readonly<Record<string, keyof VrrpStats>> = {
  'too-short': 'packetLenErr',
  'bad-length': 'packetLenErr',
  'bad-ip-total-length': 'packetLenErr',
  'bad-ttl': 'ipTtlErr',
  'unicast-ttl-out-of-range': 'ipTtlErr',
  'bad-type': 'invalidTypeRcvd',
  'addr-list-mismatch': 'addrListErr',
  'addr-count-mismatch': 'addrListErr',
  'bad-auth-type': 'invalidAuthtype',
  'auth-type-mismatch': 'authtypeMismatch',
  'auth-mismatch': 'authFailure',
  'ah-spi-mismatch': 'authFailure',
  'ah-replay': 'authFailure',
};

export function statForDropReason(reason: string): keyof VrrpStats | undefined {
  return Object.hasOwn(DROP_STAT, reason) ? DROP_STAT[reason] : undefined;
}

/**
 * Drops whose checks come after keepalived's "Correct type, version, and length. Count as VRRP
 * advertisement" (++advert_rcvd): the address list, the unicast source and its TTL range. An
 * advert that fails them was counted as received by 2.2.7, so it is here too. (The strict-mode
 * owner's drop is ours: 2.2.7 has no such check, and the packet passed all of its checks.)
 */
export const RECEIVED_THEN_DROPPED: readonly string[] = ['addr-list-mismatch', 'owner-ignores-adverts', 'unicast-src-unknown', 'unicast-ttl-out-of-range'];

/** Fields the runtime counts itself (actors/sink.ts: `<instance>:<counter>`), summed. */
const RUNTIME_COUNTER: Partial<Record<keyof VrrpStats, readonly string[]>> = {
  advertRcvd: ['adverts_received', ...RECEIVED_THEN_DROPPED.map((r) => `drop.${r}`)],
  advertSent: ['adverts_sent'],
  priZeroRcvd: ['priority_zero_received'],
  priZeroSent: ['priority_zero_sent'],
};

/** The runtime events the tracker counts from (the rest of its fields come from counters). */
export const STATS_EVENTS: ReadonlyArray<RuntimeEvent['type']> = ['advert.dropped', 'instance.state'];

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

  /** Current values for one instance (runtime counters where it keeps them, else event counts), minus the baseline. */
  stats(instance: string, counters: Record<string, number>): VrrpStats {
    const counted = this.entry(instance);
    const base = this.baseline.get(instance) ?? zeroStats();
    const out = zeroStats();
    for (const f of STAT_FIELDS) {
      const names = RUNTIME_COUNTER[f];
      const fromRuntime = names?.some((n) => `${instance}:${n}` in counters) ? names.reduce((sum, n) => sum + (counters[`${instance}:${n}`] ?? 0), 0) : undefined;
      out[f] = Math.max(0, (fromRuntime ?? counted[f]) - base[f]);
    }
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
