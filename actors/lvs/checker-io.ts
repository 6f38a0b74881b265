/**
 * The checker statechart with its `probe` actor: attempts through the runtime's Prober port.
 * The checker passes its `env` (the prober and the script policy, given in its input) on with
 * each attempt without reading it, so one process-wide logic serves every runtime.
 */
import { fromCallback } from 'xstate';
import { checkerMachine } from '../../machines/check/checker.machine.js';
import type { ProbeCommand, ProbeErrorEvent, ProbeResultEvent } from '../../machines/check/types.js';
import type { ScriptPolicy } from '../io-env.js';
import type { Prober, ProbeRequest } from './prober-port.js';

export interface LvsProbeEnv {
  prober: Prober;
  /** enable_script_security / script_user of the running configuration (MISC_CHECK). */
  scriptPolicy: () => ScriptPolicy | undefined;
}

/**
 * A checker's `probe` actor, for the checker's whole life: each `probe.start` is one attempt
 * through the Prober port, answered with one `probe.result`; `probe.cancel` (the checker's
 * deadline passed) abandons the attempt and drops its late answer. A prober that throws is
 * reported as `probe.error` (logged by the checker, retried at delay_loop); this actor never
 * fails, so the checker keeps its probe. Stopping it (the checker stops) cancels the attempt.
 */
export const probeActor = fromCallback<ProbeCommand>(({ receive, sendBack }) => {
  let current: { cancel(): void } | undefined;
  let attempt = 0;
  const cancel = (): void => {
    attempt++;
    const h = current;
    current = undefined;
    h?.cancel();
  };
  receive((e) => {
    if (e.type === 'probe.cancel') return cancel();
    if (e.type !== 'probe.start') return;
    if (current) cancel();
    const mine = ++attempt;
    const { env, ...req } = e.request as ProbeRequest & { env?: unknown };
    const x = env as LvsProbeEnv | undefined;
    try {
      if (!x?.prober) throw new Error('lvs probe: started without its prober (compose it through actors/lvs)');
      const policy = req.checker.kind === 'MISC_CHECK' ? x.scriptPolicy() : undefined;
      const h = x.prober.probe(policy ? { ...req, scriptPolicy: policy } : req, (outcome) => {
        if (attempt !== mine) return;
        current = undefined;
        attempt++;
        sendBack({ type: 'probe.result', outcome } satisfies ProbeResultEvent);
      });
      if (attempt === mine) current = h;
    } catch (error) {
      if (attempt === mine) attempt++;
      sendBack({ type: 'probe.error', error } satisfies ProbeErrorEvent);
    }
  });
  return cancel;
});

/** Provided once per process. */
export const checkerLogic = checkerMachine.provide({ actors: { probe: probeActor } });
