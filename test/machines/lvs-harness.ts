/**
 * Test harness for the LVS statecharts: one virtual server, its real servers and their checkers
 * spawned flat under a tiny host actor on SimClock (like the runtime will), a scripted prober,
 * and every emitted event recorded with its simulated time.
 */
import { createActor, enqueueActions, setup, type AnyActorRef, type EventObject } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import type { ProbeOutcome, ProbeRequest, Prober as ProberPort } from '../../actors/lvs/prober-port.js';
import { probeActor, type LvsProbeEnv } from '../../actors/lvs/checker-io.js';
import type { LbCommand, LbService } from '../../actors/lvs/lb-port.js';
import type { CheckerConfig } from '../../config/model-lvs.js';
import type { ScriptCommand } from '../../config/model.js';
import { checkerMachine, type CheckerInput } from '../../machines/check/checker.machine.js';
import { realServerMachine, realServerStart } from '../../machines/check/real-server.machine.js';
import { virtualServerMachine } from '../../machines/check/virtual-server.machine.js';
import { formatPair, formatRealServer, formatTrio } from '../../machines/check/format.js';
import { initialCounters, familyOf } from '../../machines/check/checker-steps.js';
import type { LvsEmitted, RealServerInput, VirtualServerInput } from '../../machines/check/types.js';

export const VS_ADDR = '203.0.113.10';
export const VS = `[${VS_ADDR}]:tcp:80`;
export const rsAddr = (i: number) => `198.51.100.${21 + i}`;
export const RS = (i: number) => `[${rsAddr(i)}]:tcp:80`;

const src = { file: 'test.conf', line: 1 };
export const script = (path: string): ScriptCommand => ({ argv: [path], source: src });

export type CheckerSpec = Partial<Omit<CheckerConfig, 'kind' | 'file'>> & {
  kind: CheckerConfig['kind'];
  warmupDraw?: number;
  fastRecovery?: boolean;
  file?: { weight: number; reverse: boolean; value?: number; trackFile?: string; dynamic?: boolean };
  /** Send checks to another port (connect_port). */
  connectPort?: number;
};

export interface RsSpec {
  weight?: number;
  inhibit?: boolean;
  notifyUp?: ScriptCommand;
  notifyDown?: ScriptCommand;
  smtpAlert?: boolean;
  checkers: CheckerSpec[];
}

export interface VsSpec {
  quorum?: number;
  hysteresis?: number;
  omega?: boolean;
  haSuspend?: boolean;
  addressCount?: number;
  quorumUp?: ScriptCommand;
  quorumDown?: ScriptCommand;
  smtpAlert?: boolean;
  rsInitNotifies?: boolean;
  noCheckerEmails?: boolean;
  logAllFailures?: boolean;
  sorry?: { address: string; port?: number; inhibit?: boolean };
  realServers: RsSpec[];
}

/** A probe answer: outcome after a delay, or undefined for "never answers" (the deadline fires). */
export type Answer = { outcome: ProbeOutcome; afterMs?: number } | undefined;
export type Prober = (req: ProbeRequest, now: number, rs: number) => Answer;

export const OK: ProbeOutcome = { ok: true };
export const REFUSED: ProbeOutcome = { ok: false, failure: 'refused', message: 'Connection refused' };
export const exit = (status: number): ProbeOutcome => ({ ok: false, failure: 'exit-status', message: `exited with status ${status}`, exitStatus: status });

export const SERVICE: LbService = { family: 4, protocol: 'tcp', address: VS_ADDR, port: 80, scheduler: 'wlc', flags: [], persistenceTimeoutS: 0 };

function checkerConfig(c: CheckerSpec): CheckerConfig {
  const { warmupDraw: _w, fastRecovery: _f, file, connectPort, ...rest } = c;
  return {
    source: src,
    connectTimeoutMs: 3000,
    retry: 1,
    delayBeforeRetryMs: 2000,
    delayLoopMs: 10_000,
    warmupMs: 0,
    alpha: false,
    logAllFailures: false,
    urls: [],
    enableSni: false,
    ...(file ? { file: { weight: file.weight, reverse: file.reverse, dynamic: false } } : {}),
    ...(connectPort !== undefined ? { connectPort } : {}),
    ...rest,
  } as CheckerConfig;
}

export type Spawn = { src: 'vs' | 'rs' | 'checker'; systemId: string; input: unknown };

/** The three kinds of inputs for one virtual server, consistent with each other. */
export function plan(spec: VsSpec): Spawn[] {
  const vsId = 'lvs/vs/1';
  const rsInputs: RealServerInput[] = [];
  const checkerInputs: Array<{ systemId: string; input: CheckerInput }> = [];
  const vsServers: VirtualServerInput['realServers'] = [];
  spec.realServers.forEach((r, i) => {
    const rsId = `lvs/rs/1/${i}`;
    const name = formatRealServer({ address: rsAddr(i), port: 80 }, 'tcp');
    const weight = r.weight ?? 1;
    const starts = r.checkers.map((c, j) => {
      const cfg = checkerConfig(c);
      const family = familyOf(cfg.kind);
      const counters = initialCounters({ family, retry: cfg.retry, alpha: cfg.alpha, file: { weight: c.file?.weight ?? 0, reverse: c.file?.reverse ?? false } }, c.file?.value ?? 0);
      const systemId = `lvs/check/1/${i}/${j}`;
      checkerInputs.push({
        systemId,
        input: {
          realServer: rsId,
          index: j,
          checker: cfg,
          target: { family: 4, address: rsAddr(i), port: c.connectPort ?? 80 },
          rs: { name, pair: formatPair(rsAddr(i), 80), weight },
          vs: { name: VS, delayLoopMs: 10_000 },
          warmupDraw: c.warmupDraw ?? 0,
          enabled: !spec.haSuspend || (spec.addressCount ?? 0) > 0,
          logAllFailures: !!spec.logAllFailures,
          fastRecovery: !!c.fastRecovery,
          ...(c.file ? { file: { weight: c.file.weight, reverse: c.file.reverse, value: c.file.value ?? 0 } } : {}),
        },
      });
      return { systemId, up: counters.up, contribution: counters.contribution };
    });
    const start = realServerStart(weight, starts);
    rsInputs.push({
      virtualServer: vsId,
      systemId: rsId,
      name,
      vsName: VS,
      weight,
      inhibitOnFailure: !!r.inhibit,
      ...(r.notifyUp ? { notifyUp: r.notifyUp } : {}),
      ...(r.notifyDown ? { notifyDown: r.notifyDown } : {}),
      smtpAlert: r.smtpAlert ?? true,
      noCheckerEmails: !!spec.noCheckerEmails,
      checkers: starts,
    });
    vsServers.push({
      systemId: rsId,
      name,
      dest: { family: 4, address: rsAddr(i), port: 80, method: 'NAT', upperThreshold: 0, lowerThreshold: 0 },
      inhibitOnFailure: !!r.inhibit,
      failedCheckers: start.failedCheckers,
      weight: start.weight,
      ...(r.notifyUp ? { notifyUp: r.notifyUp } : {}),
      ...(r.notifyDown ? { notifyDown: r.notifyDown } : {}),
      smtpAlert: r.smtpAlert ?? true,
    });
  });
  const vsInput: VirtualServerInput = {
    name: VS,
    services: [SERVICE],
    quorum: spec.quorum ?? 1,
    hysteresis: spec.hysteresis ?? 0,
    omega: !!spec.omega,
    haSuspend: !!spec.haSuspend,
    addressCount: spec.addressCount ?? 0,
    ...(spec.quorumUp ? { quorumUp: spec.quorumUp } : {}),
    ...(spec.quorumDown ? { quorumDown: spec.quorumDown } : {}),
    smtpAlert: !!spec.smtpAlert,
    rsInitNotifies: !!spec.rsInitNotifies,
    ...(spec.sorry
      ? {
          sorryServer: {
            name: formatTrio(spec.sorry.address, 'tcp', spec.sorry.port ?? 80),
            dest: { family: 4, address: spec.sorry.address, port: spec.sorry.port ?? 80, method: 'NAT', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
            inhibit: !!spec.sorry.inhibit,
            duplicatesRs: false,
          },
        }
      : {}),
    realServers: vsServers,
  };
  return [
    { src: 'vs', systemId: vsId, input: vsInput },
    ...rsInputs.map((input) => ({ src: 'rs' as const, systemId: input.systemId, input })),
    ...checkerInputs.map((c) => ({ src: 'checker' as const, systemId: c.systemId, input: c.input })),
  ];
}

/** `add 198.51.100.21:80 w1`, `set … w0`, `del …`, `addService`, `delService`. */
export function showCommand(c: LbCommand): string {
  if (c.cmd === 'addService' || c.cmd === 'delService') return c.cmd;
  const verb = c.cmd === 'addDest' ? 'add' : c.cmd === 'setDest' ? 'set' : 'del';
  return `${verb} ${c.dest.address}:${c.dest.port} w${c.dest.weight}`;
}

/** One recorded event as a line: `log: …`, `lb: …`, `notify: RS … DOWN (script)`, `smtp: …`. */
export function show(e: LvsEmitted): string | undefined {
  switch (e.type) {
    case 'lvs.log':
      return `log: ${e.message}`;
    case 'lvs.lb':
      return `lb: ${showCommand(e.command)}`;
    case 'lvs.notify':
      return `notify: ${e.fifoLine.trimEnd()}${e.script ? ` (${e.script.argv.join(' ')})` : ''}${e.shutdown ? ' [shutdown]' : ''}`;
    case 'lvs.smtp':
      return `smtp: ${e.scope} ${e.rs ?? e.vs} ${e.state} ${e.body}`;
    default:
      return undefined;
  }
}

/**
 * `opts.loop: false` runs the checker without its `healthy` state (guard outcomeLoops never
 * holds), as the chart ran before the probe loop: every check is its own two macrosteps. Tests
 * compare the two to show the loop changes no timing and no line.
 */
export function startLvs(spec: VsSpec, prober: Prober = () => ({ outcome: OK }), opts: { loop?: boolean } = {}) {
  const clock = new SimClock();
  const probes: Array<[number, string, string | undefined]> = [];
  const cancelled: number[] = [];
  // The checker's `probe` actor is the runtime's own (actors/lvs/checker-io.ts: one attempt per
  // probe.start, a healthy checker's loop per probe.loop), here over a Prober port that asks the
  // scripted prober and answers on the clock.
  const port: ProberPort = {
    probe(input, done) {
      const now = clock.now();
      const i = Number(input.target.address.split('.')[3]) - 21;
      probes.push([now, input.target.address, input.checker.urls[0]?.path]);
      const answer = prober(input, now, i);
      if (!answer) return { cancel: () => void cancelled.push(clock.now()) };
      const { outcome, afterMs } = answer;
      const id = clock.setTimeout(() => done(outcome), afterMs ?? 0);
      return { cancel: () => clock.clearTimeout(id) };
    },
  };
  const env: LvsProbeEnv = { prober: port, clock, scriptPolicy: () => undefined };
  const host = setup({
    types: { events: {} as { type: 'spawn'; children: Spawn[] } | { type: 'stop'; id: string } },
    actors: { vs: virtualServerMachine, rs: realServerMachine, checker: checkerMachine.provide({ actors: { probe: probeActor }, ...(opts.loop === false ? { guards: { outcomeLoops: () => false } } : {}) }) },
  }).createMachine({
    on: {
      spawn: {
        actions: enqueueActions(({ event, enqueue }) => {
          for (const c of event.children) enqueue.spawnChild(c.src, { id: c.systemId, systemId: c.systemId, input: c.input as never });
        }),
      },
      stop: { actions: enqueueActions(({ event, enqueue }) => enqueue.stopChild(event.id)) },
    },
  });
  const root = createActor(host, { clock });
  const events: Array<{ t: number; from: string; e: LvsEmitted }> = [];
  const errors: unknown[] = [];
  root.start();
  const children = plan(spec).map((c) => (c.src === 'checker' ? { ...c, input: { ...(c.input as CheckerInput), env } } : c));
  const ids = new Set(children.map((c) => c.systemId));
  const sub = root.system.inspect((ev) => {
    if (ev.type !== '@xstate.actor') return;
    const ref = ev.actorRef as AnyActorRef;
    if (!ids.has(ref.id)) return;
    ref.on('*', (e: LvsEmitted) => events.push({ t: clock.now(), from: ref.id, e }));
    ref.subscribe({ error: (err: unknown) => errors.push(err) });
  });
  root.send({ type: 'spawn', children });
  sub.unsubscribe();
  const get = (id: string) => root.system.get(id) as AnyActorRef;
  return {
    clock,
    root,
    probes,
    cancelled,
    events,
    errors,
    vs: () => get('lvs/vs/1'),
    rs: (i: number) => get(`lvs/rs/1/${i}`),
    checker: (i: number, j = 0) => get(`lvs/check/1/${i}/${j}`),
    /** Every recorded observable line with its time, in order. */
    lines: (filter?: (line: string) => boolean): Array<[number, string]> =>
      events.flatMap(({ t, e }) => {
        const l = show(e);
        return l !== undefined && (!filter || filter(l)) ? [[t, l] as [number, string]] : [];
      }),
    probeTimes: (address?: string) => probes.filter(([, a]) => !address || a === address).map(([t]) => t),
  };
}

export const logsOnly = (l: string) => l.startsWith('log: ');
export const noActivation = (l: string) => !/ctivating healthchecker/.test(l);
