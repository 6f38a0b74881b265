/**
 * `--inspect`: the actor system seen through Stately's inspector protocol, with
 * @statelyai/inspect's WebSocket inspector. Each actor system (a simulated host, a daemon child)
 * gets its own inspector whose session ids carry a label (`lb1:x:0`), since every XState system
 * numbers its actors from x:0; names read `lb1 vrrp/VI_1`.
 *
 * Contexts are sent without their `env` (ports and sockets the runtime hands each actor),
 * snapshots without their `input` (the same glue), and
 * cut at a small depth, so inspecting costs little and shows no internals; values under keys
 * that name a password or secret (`auth_pass`, `authPass`, SMTP passwords) are masked, in
 * contexts and in events (a reload event carries the whole configuration).
 */
import { createWebSocketInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';

export { DEFAULT_INSPECT_PORT, parseInspectTarget, type InspectTarget } from './inspect-target.js';

const SECRET = /pass(word)?$|secret/i;

/** A copy of `v` without `env`, functions and secrets, cut below `depth` levels. */
export function scrub(v: unknown, depth = 6): unknown {
  if (typeof v === 'function') return undefined;
  if (typeof v !== 'object' || v === null) return v;
  if (depth <= 0) return '…';
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => scrub(x, depth - 1));
  if (ArrayBuffer.isView(v)) return `<${v.byteLength} bytes>`;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'env' || typeof x === 'function') continue;
    out[k] = SECRET.test(k) && x !== undefined && x !== null && x !== '' ? '***' : scrub(x, depth - 1);
  }
  return out;
}

const sanitizeContext = (ctx: unknown) => scrub(ctx) as Record<string, unknown>;
const sanitizeEvent = (e: { type: string }) => ({ ...(scrub(e) as object), type: e.type });

/** A snapshot without its `input`: an actor's input here is the runtime's glue (env, plans, the model). */
function withoutInput(e: StatelyInspectionEvent): StatelyInspectionEvent {
  if ((e.type !== '@xstate.actor' && e.type !== '@xstate.snapshot') || typeof e.snapshot !== 'object' || e.snapshot === null || !('input' in e.snapshot)) return e;
  const { input: _input, ...snapshot } = e.snapshot as Record<string, unknown>;
  return { ...e, snapshot } as StatelyInspectionEvent;
}

/** Prefix the ids of one inspection event with `label` (idempotent: deferred events pass twice). */
export function relabel(e: StatelyInspectionEvent, label: string): StatelyInspectionEvent {
  const p = (id: unknown) => (typeof id === 'string' && id !== 'anonymous' && !id.startsWith(`${label}:`) ? `${label}:${id}` : id);
  const out = { ...e } as Record<string, unknown>;
  for (const k of ['sessionId', 'rootId', 'parentId', 'sourceId']) if (typeof out[k] === 'string') out[k] = p(out[k]);
  if (e.type === '@xstate.actor' && typeof e.name === 'string' && !e.name.startsWith(`${label} `)) out.name = `${label} ${e.name}`;
  return out as unknown as StatelyInspectionEvent;
}

export interface StatelyConnection {
  /** The inspection observer to hand the runtime (RuntimeOptions.inspect). */
  inspect: (e: InspectionEvent) => void;
  stop(): void;
}

/**
 * Send one actor system's inspection events to `url`. Until the socket is open (and while it
 * reconnects, every 5 s) up to `keep` events wait; older ones are dropped.
 */
export function connectStately(url: string, label: string, keep = 10_000): StatelyConnection {
  const inspector = createWebSocketInspector({
    url,
    maxDeferredEvents: keep,
    serializationDepthLimit: 5,
    sanitizeContext: sanitizeContext as never,
    sanitizeEvent: sanitizeEvent as never,
    serialize: (e) => relabel(withoutInput(e), label),
  });
  return {
    inspect: (e) => inspector.inspect.next?.(e),
    stop: () => inspector.stop(),
  };
}
