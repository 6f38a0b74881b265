/**
 * The three statecharts' inputs for one virtual server, built when the actors are spawned (at start
 * and by a reload) from the plan and what the running node knows: track file values, how often the
 * virtual server's address is on a local interface (ha_suspend), the warmup draws, and on a reload
 * the state each kept checker carries over. The real server and the virtual server are given the
 * same start state the checkers will have (realServerStart), so the three agree from the first event.
 */
import type { CheckerInput } from '../../machines/check/checker.machine.js';
import { familyOf, initialCounters, type Counters } from '../../machines/check/checker-steps.js';
import { realServerStart } from '../../machines/check/real-server.machine.js';
import type { CheckerStart, RealServerInput, VirtualServerInput, VsRealServer } from '../../machines/check/types.js';
import type { CheckerPlan, LvsPlan, RsPlan, VsPlan } from './plan.js';

/** What only the running node knows about one checker when it is spawned. */
export interface CheckerFacts {
  enabled: boolean;
  warmupDraw: number;
  /** FILE_CHECK: the file's value now. */
  fileValue?: number;
  /** The state a reload carries over, or a fresh checker's start state forced down. */
  resume?: Counters;
}

/** The counters a checker starts with: carried over, or keepalived's start state. */
export function startCounters(c: CheckerPlan, f: Pick<CheckerFacts, 'fileValue' | 'resume'>): Counters {
  if (f.resume) return f.resume;
  const file = c.file ?? { weight: 0, reverse: false };
  return initialCounters({ family: familyOf(c.config.kind), retry: c.config.retry, alpha: c.config.alpha, file }, f.fileValue ?? 0);
}

export function checkerInput(plan: LvsPlan, vs: VsPlan, rs: RsPlan, c: CheckerPlan, f: CheckerFacts, env: unknown): CheckerInput {
  const virtualhosts = { ...(rs.virtualhost !== undefined ? { realServer: rs.virtualhost } : {}), ...(vs.virtualhost !== undefined ? { virtualServer: vs.virtualhost } : {}) };
  const http = c.config.kind === 'HTTP_GET' || c.config.kind === 'SSL_GET';
  return {
    realServer: rs.systemId,
    index: c.index,
    checker: c.config,
    target: c.target,
    rs: { name: rs.name, pair: rs.pair, weight: rs.weight },
    vs: { name: vs.name, delayLoopMs: vs.delayLoopMs },
    warmupDraw: f.warmupDraw,
    enabled: f.enabled,
    logAllFailures: plan.logAllFailures,
    fastRecovery: false,
    ...(c.file ? { file: { weight: c.file.weight, reverse: c.file.reverse, value: f.fileValue ?? 0 } } : {}),
    ...(f.resume ? { resume: f.resume } : {}),
    ...(http && Object.keys(virtualhosts).length > 0 ? { virtualhosts } : {}),
    ...(c.config.kind === 'SSL_GET' && plan.ssl ? { ssl: plan.ssl } : {}),
    env,
  };
}

export function checkerStartOf(c: CheckerPlan, counters: Counters): CheckerStart {
  return { systemId: c.systemId, up: counters.up, contribution: counters.contribution };
}

export function realServerInput(plan: LvsPlan, vs: VsPlan, rs: RsPlan, starts: CheckerStart[]): RealServerInput {
  return {
    virtualServer: vs.systemId,
    systemId: rs.systemId,
    name: rs.name,
    vsName: vs.name,
    weight: rs.weight,
    inhibitOnFailure: rs.inhibitOnFailure,
    ...(rs.notifyUp ? { notifyUp: rs.notifyUp } : {}),
    ...(rs.notifyDown ? { notifyDown: rs.notifyDown } : {}),
    smtpAlert: rs.smtpAlert,
    noCheckerEmails: plan.noCheckerEmails,
    checkers: starts,
  };
}

export function vsRealServer(rs: RsPlan, starts: CheckerStart[]): VsRealServer {
  const start = realServerStart(rs.weight, starts);
  return {
    systemId: rs.systemId,
    name: rs.name,
    dest: rs.dest,
    inhibitOnFailure: rs.inhibitOnFailure,
    failedCheckers: start.failedCheckers,
    weight: start.weight,
    ...(rs.notifyUp ? { notifyUp: rs.notifyUp } : {}),
    ...(rs.notifyDown ? { notifyDown: rs.notifyDown } : {}),
    smtpAlert: rs.smtpAlert,
  };
}

export function virtualServerInput(plan: LvsPlan, vs: VsPlan, servers: VsRealServer[], addressCount: number): VirtualServerInput {
  return {
    name: vs.name,
    ...(vs.group !== undefined ? { group: vs.group } : {}),
    services: vs.services,
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    omega: vs.omega,
    haSuspend: vs.haSuspend,
    addressCount,
    ...(vs.quorumUp ? { quorumUp: vs.quorumUp } : {}),
    ...(vs.quorumDown ? { quorumDown: vs.quorumDown } : {}),
    smtpAlert: vs.smtpAlert,
    rsInitNotifies: plan.rsInitNotifies,
    ...(vs.sorryServer ? { sorryServer: vs.sorryServer } : {}),
    realServers: servers,
  };
}
