/**
 * Seed-chosen faults (swarm testing, as TigerBeetle's VOPR): the scenario says how many, which
 * kinds and in which window; the seed's 'chaos' stream picks targets, instants, durations and
 * strengths. Every chaos fault is undone before the window closes, so the cluster must converge
 * afterwards and the liveness checks apply.
 */
import type { Fault, TimelineEntry } from './faults.js';
import { actionProblem, serviceKey, type ServerAction } from './lvs/services.js';
import type { Prng } from './prng.js';
import type { ChaosSpec } from './scenario/types.js';
import type { WorldSpec } from './world.js';

export interface ChaosContext {
  world: WorldSpec;
  /** vrrp_script command lines per host (for script flips). */
  scriptsOf(host: string): string[];
  /** Instance names per host (for priority changes). */
  instancesOf(host: string): string[];
}

function randomSplit(prng: Prng, hosts: string[]): string[][] {
  const shuffled = prng.shuffled(hosts);
  const cut = prng.int(1, Math.max(1, shuffled.length - 1));
  return [shuffled.slice(0, cut).sort(), shuffled.slice(cut).sort()];
}

function pickFault(kind: string, prng: Prng, ctx: ChaosContext, daemonHosts: string[], maxMs: number): { fault: Fault; forMs: number } | undefined {
  const host = prng.pick(daemonHosts);
  const spec = ctx.world.hosts.find((h) => h.name === host)!;
  const segments = ctx.world.segments.map((s) => s.name);
  const segment = prng.pick(segments);
  const onSegment = ctx.world.hosts.filter((h) => h.nics.some((n) => n.segment === segment)).map((h) => h.name);
  const forMs = Math.round(prng.between(Math.min(500, maxMs), maxMs));
  switch (kind) {
    case 'crash':
    case 'stop':
    case 'kill':
      return { fault: { kind, host }, forMs };
    case 'pause':
      return { fault: { kind: 'pause', host }, forMs: Math.min(forMs, Math.round(prng.between(200, 6000))) };
    case 'link': {
      const nic = prng.pick(spec.nics).name;
      return { fault: { kind: 'link', host, nic, up: false }, forMs };
    }
    case 'partition':
      return onSegment.length < 2 ? undefined : { fault: { kind: 'partition', segment, groups: randomSplit(prng, onSegment) }, forMs };
    case 'block': {
      if (onSegment.length < 2) return undefined;
      const [from, to] = prng.shuffled(onSegment);
      return { fault: { kind: 'block', segment, from: from!, to: to! }, forMs };
    }
    case 'loss':
      return { fault: { kind: 'net', segment, profile: { lossPct: Math.round(prng.between(5, 60)) } }, forMs };
    case 'delay':
      return { fault: { kind: 'net', segment, profile: { delayMs: Math.round(prng.between(1, 150)), jitterMs: Math.round(prng.between(0, 50)) } }, forMs };
    case 'net':
      return { fault: { kind: 'net', segment, profile: { dupPct: Math.round(prng.between(0, 20)), reorderPct: Math.round(prng.between(0, 30)), reorderMs: 20 } }, forMs };
    case 'drift':
      return { fault: { kind: 'drift', host, ppm: Math.round(prng.between(-50_000, 50_000)) }, forMs };
    case 'script': {
      const scripts = ctx.scriptsOf(host);
      return scripts.length === 0 ? undefined : { fault: { kind: 'script', host, command: prng.pick(scripts), exit: 1 }, forMs };
    }
    case 'server': {
      // A real server's service refuses, drops, slows down or answers 5xx (never the daemons').
      const servers = ctx.world.hosts.filter((h) => h.services?.length);
      if (servers.length === 0) return undefined;
      const rs = prng.pick(servers);
      const svc = prng.pick(rs.services!);
      const choices: ServerAction[] = [{ do: 'refuse' }, { do: 'drop' }, { do: 'slow', ms: Math.round(prng.between(100, 6000)) }, { do: 'status', code: 500 }];
      const action = prng.pick(choices.filter((a) => actionProblem(svc.kind, a) === undefined));
      return { fault: { kind: 'server', host: rs.name, service: serviceKey(svc.proto, svc.port), action }, forMs };
    }
    case 'priority': {
      const instances = ctx.instancesOf(host);
      return instances.length === 0 ? undefined : { fault: { kind: 'priority', host, instance: prng.pick(instances), priority: prng.int(1, 254) }, forMs };
    }
    default:
      return undefined;
  }
}

export function chaosTimeline(spec: ChaosSpec, prng: Prng, ctx: ChaosContext): TimelineEntry[] {
  const daemonHosts = ctx.world.hosts.filter((h) => h.model !== undefined).map((h) => h.name);
  if (daemonHosts.length === 0 || spec.toMs <= spec.fromMs) return [];
  const out: TimelineEntry[] = [];
  for (let i = 0; i < spec.faults; i++) {
    const kind = prng.pick(spec.kinds);
    const atMs = Math.round(prng.between(spec.fromMs, spec.toMs - 100));
    const maxMs = Math.max(100, Math.min(spec.maxDurationMs, spec.toMs - atMs));
    const picked = pickFault(kind, prng, ctx, daemonHosts, maxMs);
    if (picked) out.push({ atMs, fault: picked.fault, forMs: Math.min(picked.forMs, spec.toMs - atMs), origin: 'chaos' });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
