/** A loaded, validated scenario: the world, the fault timeline, expectations and check settings. */
import type { CheckOptions } from '../check/invariant-monitor.js';
import type { FaultKind, TimelineEntry } from '../faults.js';
import type { WorldSpec } from '../world.js';

export type Expectation =
  | { kind: 'state'; atMs: number; host: string; instance: string; state: string }
  | { kind: 'masters'; atMs: number; count: number; vrid?: number; segment?: string }
  | { kind: 'vip'; atMs: number; host: string; vip: string; present: boolean }
  | { kind: 'arp'; atMs: number; observer: string; vip: string; host: string }
  | { kind: 'garp'; fromMs: number; toMs: number; vip: string; host?: string; none: boolean }
  | { kind: 'transitions'; fromMs: number; toMs: number; max: number; min: number; host?: string; instance?: string }
  | { kind: 'mail'; fromMs: number; toMs: number; host?: string; subject?: string }
  /** A runtime log line containing `text` (none: no such line) in the window. */
  | { kind: 'log'; fromMs: number; toMs: number; text: string; none: boolean; host?: string }
  /** Client connections that ended in the window: to a server (host name), served or failed. */
  | { kind: 'connections'; fromMs: number; toMs: number; max: number; min: number; client?: string; server?: string; ok?: boolean }
  /** Quorum changes of a director's virtual servers (lvs-quorum events) in the window. */
  | { kind: 'quorum-changes'; fromMs: number; toMs: number; max: number; min: number; host?: string; vs?: string }
  /** Real-server changes (alive or weight) a director's LVS reported in the window. */
  | { kind: 'server-changes'; fromMs: number; toMs: number; max: number; min: number; host?: string; vs?: string; rs?: string }
  /** The destinations with weight > 0 a director's table has for a virtual service (addresses, sorted). */
  | { kind: 'pool'; atMs: number; host: string; service: string; servers: string[] };

export interface ChaosSpec {
  /** How many faults the seed draws. */
  faults: number;
  kinds: FaultKind[] | Array<FaultKind | 'loss' | 'delay'>;
  fromMs: number;
  /** Every chaos fault is undone by this time; after it the cluster must converge. */
  toMs: number;
  maxDurationMs: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** The file it came from (for messages and reproduction lines). */
  file: string;
  seed: number;
  durationMs: number;
  world: WorldSpec;
  timeline: TimelineEntry[];
  expectations: Expectation[];
  checks: Partial<CheckOptions>;
  chaos?: ChaosSpec;
  /**
   * Invariants this scenario is meant to break (a known hazard it demonstrates). The run passes
   * when each of them is violated at least once and nothing else is.
   */
  expectViolations: string[];
  /** Non-fatal findings of the config compiler, "host: file:line: message". */
  warnings: string[];
}
