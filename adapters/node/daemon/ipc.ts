/**
 * The parent ↔ child protocol over node's fork IPC channel (a Unix socketpair, the same shape
 * as keepalived 1.x's watchdog socket). Messages are plain data.
 *
 *   parent → child: start (model + log options), hello (every 5 s), reload, dump, stop,
 *                   (the model as held-config.ts's bytes, which the child unpacks)
 *                   status (for the control socket and the metrics; answered at once)
 *   child → parent: ready, hello.ack, reloaded, stopped, fatal, status (its ChildStatus, or none
 *                   before its runtime started); with --web also feed (trace records, batched)
 *                   and diagram (each machine once)
 *
 * A child that does not answer hellos is killed and respawned; a child whose channel closes
 * (the parent died) stops its runtime gracefully and exits.
 */
import type { MachineDiagram } from '../../../sim/view/diagram.js';
import type { TraceRecord } from '../../../sim/view/records.js';
import type { ChildWatchOptions } from '../web/runtime-watch.js';
import type { ModelBytes } from './held-config.js';
import type { DaemonLogOptions } from './log-sinks.js';
import type { ChildStatus } from './status.js';

export type ChildRole = 'vrrp' | 'checker';

export type DumpKind = 'data' | 'stats' | 'stats_clear' | 'json';

export interface ChildStartOptions {
  /** Node name for logs and traces (router_id or host name). */
  name: string;
  log: DaemonLogOptions;
  /** Where dumps go ($TMPDIR or /tmp). */
  dumpDir: string;
  /** Graceful stop budget before the child exits anyway. */
  stopTimeoutMs: number;
  /** Network namespace for the ports (-s or global_defs net_namespace). */
  netns?: string;
  /** --web / --inspect: what to report and where inspection events go. */
  watch?: ChildWatchOptions;
  /** --trace FILE: append the runtime's events as JSON lines (sim/out/trace.ts format). */
  trace?: string;
}

export type ParentMessage =
  | { type: 'start'; model: ModelBytes; options: ChildStartOptions }
  | { type: 'hello'; seq: number }
  | { type: 'reload'; model: ModelBytes }
  | { type: 'dump'; kind: DumpKind }
  | { type: 'status'; id: number }
  | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'hello.ack'; seq: number }
  | { type: 'reloaded' }
  | { type: 'stopped' }
  | { type: 'status'; id: number; status?: ChildStatus }
  | { type: 'fatal'; reason: string }
  | { type: 'feed'; records: TraceRecord[] }
  | { type: 'diagram'; diagram: MachineDiagram };

/** Exit code of a child that cannot run with this configuration: the parent stops everything. */
export const CHILD_EXIT_FATAL = 3;

const PARENT_TYPES = new Set(['start', 'hello', 'reload', 'dump', 'status', 'stop']);
const CHILD_TYPES = new Set(['ready', 'hello.ack', 'reloaded', 'stopped', 'status', 'fatal', 'feed', 'diagram']);

function typed(m: unknown): m is { type: string } {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

/** Anything else on the channel is dropped, never trusted. */
export function isParentMessage(m: unknown): m is ParentMessage {
  return typed(m) && PARENT_TYPES.has(m.type);
}

export function isChildMessage(m: unknown): m is ChildMessage {
  return typed(m) && CHILD_TYPES.has(m.type);
}

export const CHILD_LABEL: Readonly<Record<ChildRole, string>> = {
  vrrp: 'VRRP',
  checker: 'Healthcheck',
};
