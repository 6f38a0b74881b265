/**
 * The checker statechart with its `probe` actor: attempts through the runtime's Prober port.
 * The checker passes its `env` (the prober and the script policy, given in its input) on with
 * each attempt without reading it, so one process-wide logic serves every runtime.
 */
import { fromCallback } from 'xstate';
import { checkerMachine } from '../../machines/check/checker.machine.js';
import type { ProbeCommand, ProbeErrorEvent, ProbeResultEvent } from '../../machines/check/types.js';
import type { ScriptPolicy } from '../io-env.js';
import type { Clock } from '../ports.js';
import { startProbeLoop, type ProbeLoop } from './probe-loop.js';
import type { Prober, ProbeRequest } from './prober-port.js';

export interface LvsProbeEnv {
  prober: Prober;
  /** The runtime's clock: the waits and deadlines of a healthy checker's loop (probe-loop.ts). */
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout' | 'timer'>;
  /** enable_script_security / script_user of the running configuration (MISC_CHECK). */
  scriptPolicy: () => ScriptPolicy | undefined;
}

/** The request without the checker's env, with the script policy a MISC_CHECK runs under. */
function unpack(request: ProbeRequest): { req: ProbeRequest; env: LvsProbeEnv } {
  const { env, ...rest } = request as ProbeRequest & { env?: unknown };
  const x = env as LvsProbeEnv | undefined;
  if (!x?.prober) throw new Error('lvs probe: started without its prober (compose it through actors/lvs)');
  const policy = rest.checker.kind === 'MISC_CHECK' ? x.scriptPolicy() : undefined;
  return { req: policy ? { ...rest, scriptPolicy: policy } : rest, env: x };
}

/**
 * A checker's `probe` actor, for the checker's whole life:
 *  - `probe.start`: one attempt through the Prober port, answered with one `probe.result`;
 *    `probe.cancel` (the checker's deadline passed) abandons the attempt and drops its late answer;
 *  - `probe.loop`: a healthy checker's repeat runs (probe-loop.ts), every `everyMs` after the
 *    previous one finished, each with its own deadline; only the first outcome that is not a
 *    success comes back (`probe.result`, `probe.error`), or `probe.due` for a run that fell due
 *    after `probe.hold` (the checker was suspended). `probe.cancel` stops it too.
 * A prober that throws is reported as `probe.error` (logged by the checker, retried at
 * delay_loop); this actor never fails, so the checker keeps its probe. Stopping it (the checker
 * stops, or is replaced on reload) cancels the attempt or the loop.
 */
export const probeActor = fromCallback<ProbeCommand>(({ receive, sendBack }) => {
  let current: { cancel(): void } | undefined;
  let loop: ProbeLoop | undefined;
  let attempt = 0;
  const cancel = (): void => {
    attempt++;
    const h = current;
    current = undefined;
    h?.cancel();
    const l = loop;
    loop = undefined;
    l?.cancel();
  };
  receive((e) => {
    if (e.type === 'probe.cancel') return cancel();
    if (e.type === 'probe.hold') return loop?.hold(e.held);
    if (current || loop) cancel();
    const mine = ++attempt;
    try {
      const { req, env } = unpack(e.request);
      if (e.type === 'probe.loop') {
        const l = startProbeLoop(env, req, e.everyMs, (end) => {
          if (loop !== l) return;
          loop = undefined;
          sendBack(end);
        });
        loop = l;
        return;
      }
      const h = env.prober.probe(req, (outcome) => {
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
