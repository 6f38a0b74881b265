/**
 * One documented sample per exported machine: the input one of its actors gets from the
 * representative configuration docs/statecharts/sample.conf, compiled with config/ and planned with
 * actors/vrrp/plan.ts as the daemon does. The exporter (export-diagrams.ts) turns the input into the
 * export's initial context and reads every named delay's value from it.
 *
 * `walk`: events that take the machine, from its initial state, to where a delay that depends on
 * run-time context is armed (the notifier's job timeout needs a queued job, a checker's next run a
 * finished check). The exporter replays them as pure XState transitions: nothing runs, no actor
 * starts. A machine without a sample makes the exporter fail: add one here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createActor, fromCallback, type EventObject } from 'xstate';
import { buildPlan } from '../../actors/vrrp/plan.js';
import type { InterfaceInfo } from '../../actors/ports.js';
import { trackerId } from '../../actors/names.js';
import { groupId, instanceId, trackingId } from '../../actors/vrrp/names.js';
import type { LbService } from '../../actors/lvs/lb-port.js';
import { compileText, formatDiagnostic, type KeepalivedConfig } from '../../config/index.js';
import type { CheckerInput } from '../../machines/check/checker.machine.js';
import { familyOf, initialCounters } from '../../machines/check/checker-steps.js';
import { formatPair, formatRealServer, formatVirtualServer, vsProtoName } from '../../machines/check/format.js';
import { realServerStart } from '../../machines/check/real-server.machine.js';
import type { CheckerStart, ProbeResultEvent, RealServerInput, VirtualServerInput } from '../../machines/check/types.js';
import type { DaemonInput } from '../../machines/daemon.machine.js';
import type { NotifierConfig, NotifierEvent } from '../../machines/notify/notifier.machine.js';
import type { ProcessProbeInput } from '../../machines/track/process-probe.machine.js';
import type { ScriptProbeInput } from '../../machines/track/script-probe.machine.js';
import type { TrackerInput } from '../../machines/track/tracker.machine.js';
import type { TrackingInput } from '../../machines/track/tracking.machine.js';
import type { InstanceInput } from '../../machines/vrrp/types.js';
import type { SyncGroupInput } from '../../machines/vrrp/sync-group.machine.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');

/** The sample configuration, relative to the repository root. */
export const SAMPLE_CONF = 'docs/statecharts/sample.conf';

/** The interfaces the sample host has (the plan reads addresses and MACs from them). */
export const SAMPLE_INTERFACES: InterfaceInfo[] = [
  { name: 'eth0', index: 2, mac: '52:54:00:00:00:02', up: true, running: true, addresses: ['198.51.100.2/24'] },
  { name: 'eth1', index: 3, mac: '52:54:00:00:00:03', up: true, running: true, addresses: ['203.0.113.2/24'] },
];

/** keepalived's random()/RAND_MAX for the sample checker's warmup draw (the runtime draws it). */
export const SAMPLE_WARMUP_DRAW = 0.5;

/** The daemon's graceful-stop limit when `--stop-timeout` is not given (actors/runtime.ts). */
const DEFAULT_STOP_TIMEOUT_MS = 5000;

export interface MachineSample {
  /** The machine's input, as the composition root would spawn the actor. */
  input: unknown;
  /** Which actor of the sample this is, for the README. */
  actor: string;
  /** Events replayed (pure transitions) to arm delays that depend on run-time context. */
  walk?: EventObject[];
}

/** `xstate.after.<delay>.<state id>`: the event XState raises when a named delay elapses. */
export const afterEvent = (delay: string, stateId: string): EventObject => ({ type: `xstate.after.${delay}.${stateId}` });

function compileSample(): KeepalivedConfig {
  const { model, diagnostics } = compileText(readFileSync(join(root, SAMPLE_CONF), 'utf8'), SAMPLE_CONF);
  if (diagnostics.length > 0) throw new Error(`${SAMPLE_CONF} must compile cleanly:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return model;
}

/** A parent reference for the probes' input; it is never started and the export leaves it out. */
const parentRef = (systemId: string) => createActor(fromCallback(() => {}), { id: systemId });

function only<T>(items: Iterable<T>, what: string): T {
  const list = [...items];
  if (list.length === 0) throw new Error(`${SAMPLE_CONF} has no ${what}`);
  return list[0]!;
}

/** The LVS inputs for the sample's first virtual server, its first real server and that server's first checker. */
function lvsSamples(model: KeepalivedConfig): { vs: VirtualServerInput; rs: RealServerInput; checker: CheckerInput } {
  const vsConf = only(model.virtualServers, 'virtual_server');
  if (vsConf.target.kind !== 'ip') throw new Error(`${SAMPLE_CONF}: the sample virtual_server must be an address`);
  const proto = vsProtoName(vsConf.target, vsConf.protocol);
  const vsName = formatVirtualServer(vsConf.target, proto);
  const vsId = 'lvs/vs/1';
  const service: LbService = {
    family: vsConf.target.family,
    protocol: proto === 'tcp' || proto === 'udp' || proto === 'sctp' ? proto : 'tcp',
    address: vsConf.target.address,
    ...(vsConf.target.port !== undefined ? { port: vsConf.target.port } : {}),
    scheduler: vsConf.lvsSched,
    flags: [],
    persistenceTimeoutS: vsConf.persistenceTimeoutS ?? 0,
  };
  const realServers = vsConf.realServers.map((r, i) => {
    const systemId = `lvs/rs/1/${i}`;
    const name = formatRealServer(r, proto);
    const checkers = r.checkers.map((c, j) => {
      const counters = initialCounters({ family: familyOf(c.kind), retry: c.retry, alpha: c.alpha, file: { weight: 0, reverse: false } });
      const start: CheckerStart = { systemId: `lvs/check/1/${i}/${j}`, up: counters.up, contribution: counters.contribution };
      const input: CheckerInput = {
        realServer: systemId,
        index: j,
        checker: c,
        target: { family: r.family, address: c.connectIp ?? r.address, port: c.connectPort ?? r.port ?? 0 },
        rs: { name, pair: formatPair(r.address, r.port), weight: r.weight },
        vs: { name: vsName, delayLoopMs: vsConf.delayLoopMs },
        warmupDraw: SAMPLE_WARMUP_DRAW,
        enabled: !vsConf.haSuspend,
        logAllFailures: false,
        fastRecovery: false,
      };
      return { start, input };
    });
    const start = realServerStart(r.weight, checkers.map((c) => c.start));
    const rs: RealServerInput = {
      virtualServer: vsId,
      systemId,
      name,
      vsName,
      weight: r.weight,
      inhibitOnFailure: r.inhibitOnFailure,
      ...(r.notifyUp ? { notifyUp: r.notifyUp } : {}),
      ...(r.notifyDown ? { notifyDown: r.notifyDown } : {}),
      smtpAlert: r.smtpAlert ?? true,
      noCheckerEmails: false,
      checkers: checkers.map((c) => c.start),
    };
    const vsEntry: VirtualServerInput['realServers'][number] = {
      systemId,
      name,
      dest: { family: r.family, address: r.address, port: r.port ?? 0, method: 'NAT', upperThreshold: r.uthreshold ?? 0, lowerThreshold: r.lthreshold ?? 0 },
      inhibitOnFailure: r.inhibitOnFailure,
      failedCheckers: start.failedCheckers,
      weight: start.weight,
      ...(r.notifyUp ? { notifyUp: r.notifyUp } : {}),
      ...(r.notifyDown ? { notifyDown: r.notifyDown } : {}),
      smtpAlert: r.smtpAlert ?? true,
    };
    return { rs, vsEntry, checkers };
  });
  const sorry = vsConf.sorryServer;
  const vs: VirtualServerInput = {
    name: vsName,
    services: [service],
    quorum: vsConf.quorum,
    hysteresis: vsConf.hysteresis,
    omega: vsConf.omega,
    haSuspend: vsConf.haSuspend,
    addressCount: 0,
    ...(vsConf.quorumUp ? { quorumUp: vsConf.quorumUp } : {}),
    ...(vsConf.quorumDown ? { quorumDown: vsConf.quorumDown } : {}),
    smtpAlert: vsConf.smtpAlert ?? false,
    rsInitNotifies: false,
    ...(sorry
      ? {
          sorryServer: {
            name: formatRealServer(sorry, proto),
            dest: { family: vsConf.target.family, address: sorry.address, port: sorry.port ?? 0, method: 'NAT', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
            inhibit: vsConf.sorryServerInhibit,
            duplicatesRs: vsConf.realServers.some((r) => r.address === sorry.address && r.port === sorry.port),
          },
        }
      : {}),
    realServers: realServers.map((r) => r.vsEntry),
  };
  const first = only(realServers, 'real_server');
  return { vs, rs: first.rs, checker: only(first.checkers, 'checker in the first real_server').input };
}

/** The sample of every exported machine, by machine id. */
export function exportSamples(): Record<string, MachineSample> {
  const model = compileSample();
  const { plan, problems } = buildPlan(model, SAMPLE_INTERFACES, { hostname: 'lb1' });
  if (problems.length > 0) throw new Error(`${SAMPLE_CONF} must plan cleanly:\n${problems.join('\n')}`);
  const instance = only(plan.instances.values(), 'vrrp_instance');
  const group = only(plan.groups.values(), 'vrrp_sync_group');
  const scriptTracker = only([...plan.trackers.values()].filter((t) => t.kind === 'script'), 'vrrp_script tracked by an instance');
  const processTracker = only([...plan.trackers.values()].filter((t) => t.kind === 'process'), 'vrrp_track_process tracked by an instance');
  // As actors/vrrp/vrrp-subsystem.ts trackingChild does for a first start.
  const tracking: TrackingInput = {
    instance: instance.name,
    systemId: trackingId(instance.name),
    target: instanceId(instance.name),
    basePriority: instance.input.basePriority,
    entries: instance.entries,
    ignoreWeights: instance.ignoreWeights,
    startInstance: true,
    fixedFaults: instance.fixedFaults,
    ...(instance.syncGroup ? { group: groupId(instance.syncGroup) } : {}),
  };
  // As the tracker's `probeInput` does: its probe config, its name, itself as parent.
  const scriptProbe = {
    ...scriptTracker.probe,
    name: scriptTracker.name,
    parent: parentRef(trackerId('script', scriptTracker.name)),
  } as unknown as ScriptProbeInput;
  const processProbe = {
    ...processTracker.probe,
    name: processTracker.name,
    parent: parentRef(trackerId('process', processTracker.name)),
  } as unknown as ProcessProbeInput;
  const lvs = lvsSamples(model);
  const notifier: NotifierConfig = plan.notifier;
  // The subsystems' plans are opaque to the chart (and the runtime's env is left out).
  const daemon: DaemonInput = { stopTimeoutMs: DEFAULT_STOP_TIMEOUT_MS, plans: [] };
  const vrrpInstance: InstanceInput = instance.input;
  // The notifier's job timeout needs a job: the instance's notify script for MASTER.
  const notifyMaster: NotifierEvent = { type: 'notify.state', scope: 'INSTANCE', name: instance.name, state: 'MASTER', priority: instance.input.basePriority };
  // A checker's next run (`waiting`) follows a finished check that is not a steady success (a
  // healthy checker's repeat runs are its probe actor's loop, no timer of the chart): the first
  // one is refused, which takes the checker down with the next run delay_loop away.
  const probeRefused: ProbeResultEvent = { type: 'probe.result', outcome: { ok: false, failure: 'refused', message: 'failed' } };
  const syncGroup: SyncGroupInput = group;
  const tracker: TrackerInput = scriptTracker;
  return {
    vrrpInstance: { input: vrrpInstance, actor: `vrrp_instance ${instance.name} (${instanceId(instance.name)})` },
    syncGroup: { input: syncGroup, actor: `vrrp_sync_group ${group.name} (${groupId(group.name)})` },
    tracker: { input: tracker, actor: `vrrp_script ${scriptTracker.name} (${trackerId('script', scriptTracker.name)})` },
    scriptProbe: { input: scriptProbe, actor: `the probe of vrrp_script ${scriptTracker.name}` },
    processProbe: { input: processProbe, actor: `the probe of vrrp_track_process ${processTracker.name}` },
    tracking: { input: tracking, actor: `what ${instance.name} tracks (${tracking.systemId})` },
    notifier: {
      input: notifier,
      actor: 'the notifier (notify scripts, FIFOs, mail)',
      walk: [notifyMaster],
    },
    daemon: { input: daemon, actor: `the daemon root (not from the config: the default stop timeout, ${DEFAULT_STOP_TIMEOUT_MS / 1000} s)` },
    lvsVirtualServer: { input: lvs.vs, actor: `virtual_server ${lvs.vs.name} (lvs/vs/1)` },
    lvsRealServer: { input: lvs.rs, actor: `real_server ${lvs.rs.name} (${lvs.rs.systemId})` },
    lvsChecker: {
      input: lvs.checker,
      actor: `the ${lvs.checker.checker.kind} of real_server ${lvs.checker.rs.name}, warmup draw ${SAMPLE_WARMUP_DRAW}`,
      walk: [afterEvent('firstRun', 'lvsChecker.warmup'), probeRefused],
    },
  };
}
