/**
 * What the simulator needs to know about a host's compiled config (for invariants, faults and
 * scenario checks), behind an adapter so tests can drive the world with a toy model.
 */
import type { KeepalivedConfig } from '../config/model.js';
import { canonicalIp } from '../protocol/addr.js';
import type { VrrpExpectations } from '../protocol/vrrp/index.js';
import { expectationsFromInstance } from '../actors/vrrp/expectations.js';

export interface InstanceFacts {
  name: string;
  vrid: number;
  family: 4 | 6;
  /** Interface the instance runs on ('' for interface-less unicast). */
  ifname: string;
  version: 2 | 3;
  /** Configured (base) priority. */
  priority: number;
  advertIntervalCs: number;
  nopreempt: boolean;
  preemptDelayMs: number;
  downTimerAdverts: number;
  /** VIP addresses (canonical text, no prefix). */
  vips: string[];
  mcastDstIp: string;
  unicast: boolean;
  syncGroup?: string;
}

export interface ModelFacts {
  instances: InstanceFacts[];
  startupDelayMs: number;
  /** Longest time a tracked script/file needs to change the priority after its input changed. */
  trackSettleMs: number;
  /** Command lines of the vrrp_scripts (what chaos can make fail). */
  scripts: string[];
}

export interface ModelAdapter {
  facts(model: unknown): ModelFacts;
  /** A copy of `model` with one instance's base priority changed (for a "priority" fault). */
  withPriority(model: unknown, instance: string, priority: number): unknown;
  /** The command line of a vrrp_script by name, if the model has it. */
  scriptCommand(model: unknown, scriptName: string): string | undefined;
  /**
   * What a peer with the same config would accept from this instance (S4 checks every advert
   * the instance sends against it). Unicast peers are replaced by the sender itself.
   */
  expectations?(model: unknown, instance: string, src: string): VrrpExpectations | undefined;
}

/** The adapter for the real compiled keepalived.conf model (config/model.ts). */
export const keepalivedModels: ModelAdapter = {
  facts(model) {
    const m = model as KeepalivedConfig;
    let trackSettleMs = 0;
    for (const s of m.vrrpScripts) trackSettleMs = Math.max(trackSettleMs, s.intervalMs * Math.max(s.rise, s.fall) + s.timeoutMs);
    return {
      startupDelayMs: m.globalDefs.vrrpStartupDelayMs,
      trackSettleMs,
      scripts: m.vrrpScripts.flatMap((s) => (s.command ? [s.command.argv.join(' ')] : [])),
      instances: m.vrrpInstances.map((i) => ({
        name: i.name,
        vrid: i.vrid,
        family: i.family,
        ifname: i.interface ?? '',
        version: i.version,
        priority: i.priority,
        advertIntervalCs: i.advertIntervalCs,
        nopreempt: i.nopreempt,
        preemptDelayMs: i.preemptDelayMs,
        downTimerAdverts: i.downTimerAdverts,
        vips: i.vips.map((v) => canonicalIp(v.address) ?? v.address),
        mcastDstIp: i.mcastDstIp,
        unicast: i.unicastPeers.length > 0,
        ...(i.syncGroup !== undefined ? { syncGroup: i.syncGroup } : {}),
      })),
    };
  },
  withPriority(model, instance, priority) {
    const m = model as KeepalivedConfig;
    return { ...m, vrrpInstances: m.vrrpInstances.map((i) => (i.name === instance ? { ...i, priority } : i)) };
  },
  scriptCommand(model, scriptName) {
    const s = (model as KeepalivedConfig).vrrpScripts.find((x) => x.name === scriptName);
    return s?.command?.argv.join(' ');
  },
  expectations(model, instance, src) {
    const inst = (model as KeepalivedConfig).vrrpInstances.find((i) => i.name === instance);
    if (!inst) return undefined;
    const x = expectationsFromInstance(inst);
    return x.unicastPeers && x.unicastPeers.length > 0 ? { ...x, unicastPeers: [{ address: src }], checkUnicastSrc: false } : x;
  },
};

/**
 * Master_Down_Interval bounds in ms for one instance (RFC 3768 §6.1 / RFC 5798 §6.1, with
 * keepalived's down_timer_adverts). v2 skew is (256−p)/256 s in the RFC; implementations that
 * scale it by the advert interval differ when the interval is not 1 s, so both readings bound it.
 */
export function masterDownRangeMs(f: InstanceFacts, priority: number, masterAdverIntervalCs = f.advertIntervalCs): [number, number] {
  const intervalMs = (f.version === 3 ? masterAdverIntervalCs : f.advertIntervalCs) * 10;
  const scaledSkewMs = ((256 - priority) * intervalMs) / 256;
  const rfcSkewMs = f.version === 3 ? scaledSkewMs : ((256 - priority) * 1000) / 256;
  const base = f.downTimerAdverts * intervalMs;
  return [base + Math.min(scaledSkewMs, rfcSkewMs), base + Math.max(scaledSkewMs, rfcSkewMs)];
}
