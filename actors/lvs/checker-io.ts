/**
 * The checker statechart with its `probe` actor: one attempt through the runtime's Prober port.
 * The checker passes its `env` (the prober and the script policy, given in its input) on to each
 * probe without reading it, so one process-wide logic serves every runtime.
 */
import { fromCallback, type EventObject } from 'xstate';
import { checkerMachine } from '../../machines/check/checker.machine.js';
import type { ScriptPolicy } from '../io-env.js';
import type { Prober, ProbeRequest } from './prober-port.js';

export interface LvsProbeEnv {
  prober: Prober;
  /** enable_script_security / script_user of the running configuration (MISC_CHECK). */
  scriptPolicy: () => ScriptPolicy | undefined;
}

export const probeActor = fromCallback<EventObject, ProbeRequest & { env?: unknown }>(({ input, sendBack }) => {
  const { env, ...req } = input;
  const e = env as LvsProbeEnv | undefined;
  if (!e?.prober) throw new Error('lvs probe: spawned without its prober (compose it through actors/lvs)');
  let live = true;
  const policy = req.checker.kind === 'MISC_CHECK' ? e.scriptPolicy() : undefined;
  const h = e.prober.probe(policy ? { ...req, scriptPolicy: policy } : req, (outcome) => {
    if (!live) return;
    live = false;
    sendBack({ type: 'probe.result', outcome });
  });
  return () => {
    if (!live) return;
    live = false;
    h.cancel();
  };
});

/** Provided once per process. */
export const checkerLogic = checkerMachine.provide({ actors: { probe: probeActor } });
