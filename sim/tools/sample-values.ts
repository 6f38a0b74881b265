/**
 * What a machine's export carries from its sample (export-samples.ts): the initial context as plain
 * data, and the value in ms of every named delay.
 *
 * - context: the machine's own `context` function applied to the sample input. Actor references
 *   (a probe's `parent`) cannot be written as data and are left out (listed in `omitted`); any other
 *   value that is not plain data (Map, Set, Date, class instance, function, NaN) is an error, so an
 *   export never carries a silently mangled context.
 * - delays: the machine's own delay implementations, recorded as XState evaluates them while it
 *   arms timers during the initial transition and the sample's walk (pure transitions: nothing
 *   runs). A delay the walk does not arm is evaluated against the initial context. Every value must
 *   be a positive finite number: a zero delay on a re-entering transition (scriptProbe's interval)
 *   fires again at once, for ever.
 */
import { initialTransition, transition, type AnyStateMachine } from 'xstate';
import type { MachineSample } from './export-samples.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface SampleValues {
  context: { [key: string]: Json };
  /** Context paths left out (actor references). */
  omitted: string[];
  /** Named delay → ms. */
  delays: Record<string, number>;
}

const isActorRef = (v: object): boolean => 'sessionId' in v && typeof (v as { send?: unknown }).send === 'function';

function plainData(value: unknown, path: string, omitted: string[]): Json | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`context ${path}: ${value} cannot be written as data`);
    return value;
  }
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => {
      const d = plainData(v, `${path}[${i}]`, omitted);
      return d === undefined ? [] : [d];
    });
  }
  if (typeof value === 'object') {
    if (isActorRef(value)) {
      omitted.push(path);
      return undefined;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    // A value type that says how it is written (IpAddress: its text) is written that way.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (proto !== Object.prototype && typeof toJSON === 'function') return plainData(toJSON.call(value) as unknown, path, omitted);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`context ${path}: a ${value.constructor?.name ?? 'non-plain object'} cannot be written as data`);
    }
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const d = plainData(v, path ? `${path}.${k}` : k, omitted);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
  throw new Error(`context ${path}: a ${typeof value} cannot be written as data`);
}

/** The initial context the machine's `context` function gives for `input`. */
function initialContext(machine: AnyStateMachine, input: unknown): unknown {
  const ctx = (machine.config as { context?: unknown }).context;
  if (typeof ctx !== 'function') return ctx ?? {};
  return (ctx as (args: unknown) => unknown)({
    input,
    self: undefined,
    spawn: () => {
      throw new Error(`${machine.id}: its context function spawns; the exporter cannot sample it`);
    },
  });
}

type DelayImpl = number | ((args: unknown, params: unknown) => number);

function delayValues(machine: AnyStateMachine, sample: MachineSample, context: unknown): Record<string, number> {
  const impls = (machine.implementations.delays ?? {}) as Record<string, DelayImpl>;
  const seen: Record<string, number> = {};
  const recording = Object.fromEntries(
    Object.entries(impls).map(([name, impl]) => [
      name,
      (args: unknown, params: unknown) => {
        const v = typeof impl === 'function' ? impl(args, params) : impl;
        if (!(name in seen)) seen[name] = v;
        return v;
      },
    ]),
  );
  const logic = machine.provide({ delays: recording } as never);
  let [snapshot] = initialTransition(logic, sample.input as never);
  for (const event of sample.walk ?? []) {
    const before = JSON.stringify(snapshot.value);
    [snapshot] = transition(logic, snapshot, event as never);
    if (snapshot.status !== 'active') throw new Error(`${machine.id}: sample walk stopped at ${event.type} (${snapshot.status})`);
    if (JSON.stringify(snapshot.value) === before) throw new Error(`${machine.id}: sample walk event ${event.type} changed nothing in ${before}`);
  }
  const out: Record<string, number> = {};
  for (const [name, impl] of Object.entries(impls)) {
    const v = name in seen ? seen[name] : typeof impl === 'function' ? impl({ context, event: { type: 'xstate.init' } }, undefined) : impl;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new Error(`${machine.id}: delay ${name} is ${String(v)} for the sample; give it a positive value in the sample config or walk`);
    }
    out[name] = v;
  }
  return out;
}

/** Context and delay values of `machine` for `sample`. */
export function sampleValues(machine: AnyStateMachine, sample: MachineSample): SampleValues {
  const raw = initialContext(machine, sample.input);
  const omitted: string[] = [];
  const context = plainData(raw, '', omitted);
  if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new Error(`${machine.id}: context is not an object`);
  return { context, omitted, delays: delayValues(machine, sample, raw) };
}
