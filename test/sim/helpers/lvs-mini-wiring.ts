/**
 * A test-only stand-in for the LVS subsystem's wiring (which belongs to the composition root and
 * is not there yet): the three real LVS statecharts of machines/check/ for each virtual_server of
 * a director's compiled config, spawned flat on the director's own clock, with the simulator's
 * prober as their probe actor, their table commands sent to the simulator's table port, and their
 * state events handed to World.onLvsEvent. It covers what the examples need (address virtual
 * servers, real servers, sorry server, quorum); groups, fwmarks, notifies and reload are the real
 * wiring's job.
 */
import { createActor, enqueueActions, fromCallback, setup, type AnyActorRef, type EventObject } from 'xstate';
import type { LbCommand, LbMethod, LbService } from '../../../actors/lvs/lb-port.js';
import type { ProbeRequest } from '../../../actors/lvs/prober-port.js';
import type { KeepalivedConfig } from '../../../config/model.js';
import { checkerMachine, type CheckerInput } from '../../../machines/check/checker.machine.js';
import { familyOf, initialCounters } from '../../../machines/check/checker-steps.js';
import { formatPair, formatRealServer, formatTrio, formatVirtualServer, vsProtoName } from '../../../machines/check/format.js';
import { realServerMachine, realServerStart } from '../../../machines/check/real-server.machine.js';
import type { LvsEmitted, RealServerInput, VirtualServerInput } from '../../../machines/check/types.js';
import { effectiveQuorum } from '../../../machines/check/virtual-server.logic.js';
import { virtualServerMachine } from '../../../machines/check/virtual-server.machine.js';
import { canonicalIp } from '../../../protocol/addr.js';
import type { DaemonProcess, Host } from '../../../sim/host/host.js';
import type { SimLvsPorts } from '../../../sim/lvs/lvs-sim.js';
import type { CreateRuntime } from '../../../actors/runtime-types.js';
import { createDaemonRuntime } from '../../../sim/daemon-runtime.js';
import { keepalivedModels } from '../../../sim/model.js';
import { Recorder } from '../../../sim/recorder.js';
import { timelineFor, violationsAsExpected } from '../../../sim/run.js';
import { armExpectations, type ExpectResult } from '../../../sim/scenario/expect.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { World } from '../../../sim/world.js';

type Spawn = { src: 'vs' | 'rs' | 'checker'; systemId: string; input: unknown };

function plan(model: KeepalivedConfig, host: Host, ports: SimLvsPorts): Spawn[] {
  const out: Spawn[] = [];
  model.virtualServers.forEach((vs, v) => {
    if (vs.target.kind !== 'ip') throw new Error('the mini wiring only takes address virtual servers');
    const proto = vsProtoName(vs.target, vs.protocol);
    const address = canonicalIp(vs.target.address)!;
    const port = vs.target.port ?? 0;
    const name = formatVirtualServer(vs.target, proto);
    const service: LbService = { family: vs.target.family, protocol: proto as 'tcp', address, port, scheduler: vs.lvsSched, flags: [], persistenceTimeoutS: vs.persistenceTimeoutS ?? 0 };
    const vsId = `lvs/vs/${v}`;
    const realServers: VirtualServerInput['realServers'] = [];
    const rsSpawns: Spawn[] = [];
    const checkerSpawns: Spawn[] = [];
    vs.realServers.forEach((rs, r) => {
      const rsId = `lvs/rs/${v}/${r}`;
      const rsAddress = canonicalIp(rs.address)!;
      const rsName = formatRealServer({ address: rsAddress, ...(rs.port !== undefined ? { port: rs.port } : {}) }, proto);
      const method = (rs.lvsMethod ?? vs.lvsMethod) as LbMethod;
      const starts = rs.checkers.map((c, i) => {
        const alpha = c.alpha || rs.alpha || vs.alpha;
        const counters = initialCounters({ family: familyOf(c.kind), retry: c.retry, alpha, file: { weight: 0, reverse: false } });
        const systemId = `lvs/check/${v}/${r}/${i}`;
        const input: CheckerInput = {
          realServer: rsId,
          index: i,
          checker: { ...c, alpha },
          target: { family: rs.family, address: c.connectIp ?? rsAddress, port: c.connectPort ?? rs.port ?? 0 },
          rs: { name: rsName, pair: formatPair(rsAddress, rs.port), weight: rs.weight },
          vs: { name, delayLoopMs: vs.delayLoopMs },
          warmupDraw: ports.warmupDraw(),
          enabled: true,
          logAllFailures: c.logAllFailures,
          fastRecovery: false,
        };
        checkerSpawns.push({ src: 'checker', systemId, input });
        return { systemId, up: counters.up, contribution: counters.contribution };
      });
      const start = realServerStart(rs.weight, starts);
      const rsInput: RealServerInput = { virtualServer: vsId, systemId: rsId, name: rsName, vsName: name, weight: rs.weight, inhibitOnFailure: rs.inhibitOnFailure || vs.inhibitOnFailure, smtpAlert: false, noCheckerEmails: true, checkers: starts };
      rsSpawns.push({ src: 'rs', systemId: rsId, input: rsInput });
      realServers.push({
        systemId: rsId,
        name: rsName,
        dest: { family: rs.family, address: rsAddress, port: method === 'NAT' ? (rs.port ?? 0) : port, method, upperThreshold: 0, lowerThreshold: 0 },
        inhibitOnFailure: rsInput.inhibitOnFailure,
        failedCheckers: start.failedCheckers,
        weight: start.weight,
        smtpAlert: false,
      });
    });
    const { quorum, hysteresis } = effectiveQuorum(vs.quorum, vs.hysteresis, vs.realServers.map((r) => r.weight));
    const sorry = vs.sorryServer;
    const sorryAddress = sorry ? canonicalIp(sorry.address)! : undefined;
    const input: VirtualServerInput = {
      name,
      services: [service],
      quorum,
      hysteresis,
      omega: vs.omega,
      haSuspend: vs.haSuspend,
      addressCount: host.nics.some((n) => n.hasAddress(address)) ? 1 : 0,
      smtpAlert: false,
      rsInitNotifies: false,
      ...(sorry && sorryAddress
        ? {
            sorryServer: {
              name: formatTrio(sorryAddress, proto, sorry.port ?? port),
              dest: { family: vs.target.family, address: sorryAddress, port: vs.lvsMethod === 'NAT' ? (sorry.port ?? port) : port, method: vs.lvsMethod as LbMethod, weight: 1, upperThreshold: 0, lowerThreshold: 0 },
              inhibit: vs.sorryServerInhibit,
              duplicatesRs: false,
            },
          }
        : {}),
      realServers,
    };
    out.push({ src: 'vs', systemId: vsId, input }, ...rsSpawns, ...checkerSpawns);
  });
  return out;
}

export interface MiniWiringOptions {
  /** Drop table commands of this kind (a planted bug, for the invariants to catch). */
  dropCommand?: LbCommand['cmd'];
}

/** Start the LVS statecharts of `model` on the director; returns a stop function. */
export function startLvs(w: World, host: Host, proc: DaemonProcess, ports: SimLvsPorts, model: KeepalivedConfig, o: MiniWiringOptions = {}): () => void {
  const probe = fromCallback<EventObject, ProbeRequest>(({ input, sendBack }) => {
    const h = ports.prober.probe(input, (outcome) => sendBack({ type: 'probe.result', outcome }));
    return () => h.cancel();
  });
  const root = setup({
    types: { events: {} as { type: 'spawn'; children: Spawn[] } },
    actors: { vs: virtualServerMachine, rs: realServerMachine, checker: checkerMachine.provide({ actors: { probe } }) },
  }).createMachine({
    on: {
      spawn: {
        actions: enqueueActions(({ event, enqueue }) => {
          for (const c of event.children) enqueue.spawnChild(c.src, { id: c.systemId, systemId: c.systemId, input: c.input as never });
        }),
      },
    },
  });
  const actor = createActor(root, { clock: proc.clock });
  const children = plan(model, host, ports);
  const ids = new Set(children.map((c) => c.systemId));
  actor.start();
  const sub = actor.system.inspect((ev) => {
    if (ev.type !== '@xstate.actor') return;
    const ref = ev.actorRef as AnyActorRef;
    if (!ids.has(ref.id)) return;
    ref.on('*', (e: LvsEmitted) => {
      if (e.type === 'lvs.lb') {
        if (e.command.cmd !== o.dropCommand) ports.lb.apply([e.command], () => undefined);
      } else if (e.type === 'lvs.log') w.onLog(host, e.level === 'warning' ? 'warning' : 'info', e.message);
      else w.onLvsEvent(host, e);
    });
  });
  actor.send({ type: 'spawn', children });
  sub.unsubscribe();
  return () => actor.stop();
}

/** runScenario, with the stand-in LVS wiring started beside each daemon that has virtual servers. */
export function runWithStandIn(scn: Scenario, seed = scn.seed): { world: World; results: ExpectResult[]; violations: string[]; passed: boolean } {
  const holder: { world?: World } = {};
  const createRuntime: CreateRuntime = (ports, model, opts) => {
    const rt = createDaemonRuntime(ports, model, opts);
    const world = holder.world!;
    const host = world.hosts.get(opts.name ?? '')!;
    const m = model as KeepalivedConfig;
    if (m.virtualServers.length > 0 && host.proc) startLvs(world, host, host.proc, world.lvsPorts(host, host.proc), m);
    return rt;
  };
  const world = new World(scn.world, { seed, createRuntime, models: keepalivedModels, recorder: new Recorder(), checks: scn.checks });
  holder.world = world;
  world.schedule(timelineFor(scn, seed));
  const results: ExpectResult[] = [];
  armExpectations(world, scn.expectations, results);
  world.runUntil(scn.durationMs);
  const v = world.recorder.of('violation');
  return { world, results, violations: v.map((x) => `${x.id} at ${x.t / 1e6}: ${x.message}`), passed: violationsAsExpected(scn, v) && results.every((r) => r.ok) };
}

