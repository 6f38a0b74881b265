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
  /** A change that reached a host's load-balancer table (sim/lvs/table.ts). */
  | { t: number; type: 'lb'; host: string; op: 'add-service' | 'del-service' | 'set-service' | 'add-dest' | 'set-dest' | 'del-dest' | 'flush'; service?: string; dest?: string; weight?: number; scheduler?: string; reason?: string }
  /** One client connection to a virtual service, when it ended (sim/lvs/traffic.ts); `start` in µs. */
  | { t: number; type: 'conn'; host: string; id: number; service: string; director?: string; dest?: string; server?: string; via?: 'scheduler' | 'persistence'; result: 'ok' | 'error' | 'refused' | 'reset' | 'timeout' | 'unreachable'; detail?: string; status?: number; start: number }
  /** The LVS subsystem's own view, as its statecharts emit it (World.onLvsEvent). */
  | { t: number; type: 'lvs-checker'; host: string; vs: string; rs: string; kind: string; up: boolean; detail?: string }
  | { t: number; type: 'lvs-rs'; host: string; vs: string; rs: string; alive: boolean; weight: number }
  | { t: number; type: 'lvs-quorum'; host: string; vs: string; up: boolean; sum: number; threshold: number }
  /** A runtime dropped a received advert (instance '' when it could not be decoded); `n` counts this host/instance/reason. */
  | { t: number; type: 'advert-drop'; host: string; instance: string; reason: string; n: number }
  // trace only:
  | { t: number; type: 'advert'; segment: string; host: string; nic: string; vrid: number; priority: number; version: number; dst: string }
  | { t: number; type: 'drop'; segment: string; from: string; to: string; reason: string; what: string }
  | { t: number; type: 'log'; host: string; level: string; message: string }
  | { t: number; type: 'script'; host: string; argv: string[]; exit: number | null; timedOut: boolean }
  | { t: number; type: 'send-error'; host: string; nic: string; error: string }
  | { t: number; type: 'runtime'; host: string; event: string; detail: string }
  /** One health-check attempt by a director's prober (sim/lvs/prober.ts); `start` in µs. */
  | { t: number; type: 'probe'; host: string; kind: string; target: string; ok: boolean; failure?: string; message?: string; detail?: string; start: number }
  /** A statechart actor changed state (actors/actor-feed.ts); `state` is [] once it stopped. */
  | { t: number; type: 'actor'; host: string; actor: string; machine: string; state: string[]; event: string };

export type SimEventType = SimEvent['type'];

/** Kinds produced only while tracing. */
export const TRACE_ONLY: ReadonlySet<SimEventType> = new Set(['advert', 'drop', 'log', 'script', 'send-error', 'runtime', 'probe', 'actor']);
