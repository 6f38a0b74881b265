/**
 * Everything the simulator records, in one union. `t` is simulated time in integer µs.
 *
 * Low-volume events (faults, state changes, VIPs, GARPs, neighbour-cache changes, violations,
 * expectations) are always kept: the timeline, the SVG and the expectations read them. The
 * high-volume kinds marked "trace only" are produced only when a trace is being written.
 * Dropped adverts are in between: every one is seen by the listeners (trace, timeline), only the
 * first of each host/instance/reason is kept.
 */
import type { VrrpStateName } from '../actors/runtime-types.js';
import type { Fault } from './faults.js';

export type SimEvent =
  | { t: number; type: 'fault'; fault: Fault; text: string }
  | { t: number; type: 'daemon'; host: string; what: 'start' | 'stopping' | 'stopped' | 'crashed' | 'killed' | 'power-on' | 'exception'; detail?: string }
  | { t: number; type: 'state'; host: string; instance: string; from: VrrpStateName; to: VrrpStateName; priority: number; reason: string }
  | { t: number; type: 'priority'; host: string; instance: string; priority: number }
  | { t: number; type: 'group'; host: string; group: string; to: VrrpStateName }
  | { t: number; type: 'vip'; host: string; nic: string; address: string; op: 'add' | 'remove' }
  | { t: number; type: 'garp'; host: string; nic: string; address: string; mac: string; kind: 'arp' | 'na' }
  | { t: number; type: 'neighbour'; host: string; address: string; mac: string; owner: string }
  | { t: number; type: 'mail'; host: string; subject: string }
  | { t: number; type: 'notify'; host: string; argv: string[] }
  | { t: number; type: 'violation'; id: string; message: string; host?: string; instance?: string }
  | { t: number; type: 'expect'; ok: boolean; text: string; detail: string }
  /** A runtime dropped a received advert (instance '' when it could not be decoded); `n` counts this host/instance/reason. */
  | { t: number; type: 'advert-drop'; host: string; instance: string; reason: string; n: number }
  // trace only:
  | { t: number; type: 'advert'; segment: string; host: string; nic: string; vrid: number; priority: number; version: number; dst: string }
  | { t: number; type: 'drop'; segment: string; from: string; to: string; reason: string; what: string }
  | { t: number; type: 'log'; host: string; level: string; message: string }
  | { t: number; type: 'script'; host: string; argv: string[]; exit: number | null; timedOut: boolean }
  | { t: number; type: 'send-error'; host: string; nic: string; error: string }
  | { t: number; type: 'runtime'; host: string; event: string; detail: string };

export type SimEventType = SimEvent['type'];

/** Kinds produced only while tracing. */
export const TRACE_ONLY: ReadonlySet<SimEventType> = new Set(['advert', 'drop', 'log', 'script', 'send-error', 'runtime']);
