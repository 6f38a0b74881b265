/**
 * The compiled model → what the VRRP subsystem runs: its actors, keyed by deterministic systemIds,
 * and the node-wide settings its I/O applies. `reload` compares two plans (actors/vrrp/reload.ts),
 * so everything here is plain, comparable data.
 */
import type { KeepalivedConfig, NotifyScripts, ScriptCommand } from '../../config/model.js';
import type { NotifierConfig, NotifyCommand, NotifyTarget } from '../../machines/notify/notifier.machine.js';
import type { TrackerInput } from '../../machines/track/tracker.machine.js';
import type { SyncGroupInput } from '../../machines/vrrp/sync-group.machine.js';
import type { InterfaceInfo } from '../ports.js';
import type { ScriptPolicy } from '../io-env.js';
import { canonicalIp } from '../../protocol/addr.js';
import { notifyMailSettings } from '../notify-mail.js';
import { NOTIFIER_ID, trackerId } from '../names.js';
import { groupId, instanceId, trackingId } from './names.js';
import { planInstance, type InstancePlan } from './plan-instance.js';
import type { StaticConfig } from './static-io.js';

export interface PlanOptions {
  hostname: string;
  /** Notify scripts are run one at a time; each may take this long (default 10 s). */
  notifyScriptTimeoutMs?: number;
  /** The ports can create use_vmac interfaces. */
  vmac?: boolean;
}

export interface VrrpPlan {
  instances: Map<string, InstancePlan>;
  groups: Map<string, SyncGroupInput>;
  /** By systemId (`track/<kind>/<name>`). */
  trackers: Map<string, TrackerInput>;
  notifier: NotifierConfig;
  /** static_ipaddress, static_routes, static_rules. */
  statics: StaticConfig;
  /** vrrp_garp_interval / vrrp_gna_interval. */
  garpIntervalMs: number;
  gnaIntervalMs: number;
  /** enable_script_security and script_user, for every script run. */
  scriptPolicy: ScriptPolicy;
}

function command(c: ScriptCommand | undefined): NotifyCommand | undefined {
  if (!c || c.argv.length === 0) return undefined;
  return { argv: [...c.argv], ...(c.user !== undefined ? { user: c.user } : {}), ...(c.group !== undefined ? { group: c.group } : {}) };
}

function scripts(n: NotifyScripts): NotifyTarget['scripts'] {
  const out: NotifyTarget['scripts'] = {};
  const set = (k: keyof NotifyTarget['scripts'], c: ScriptCommand | undefined) => {
    const v = command(c);
    if (v) out[k] = v;
  };
  set('notify', n.notify);
  set('master', n.master);
  set('backup', n.backup);
  set('fault', n.fault);
  set('stop', n.stop);
  set('deleted', n.deleted);
  set('masterRxLowerPri', n.masterRxLowerPri);
  return out;
}

function notifierConfig(model: KeepalivedConfig, opts: PlanOptions): NotifierConfig {
  const g = model.globalDefs;
  const targets: NotifyTarget[] = [
    ...model.vrrpInstances.map((i) => ({
      scope: 'INSTANCE' as const,
      name: i.name,
      scripts: scripts(i.notify),
      notifyDeleted: i.notifyDeleted,
      smtpAlert: i.smtpAlert,
      notifyPriorityChanges: i.notifyPriorityChanges,
    })),
    ...model.vrrpSyncGroups.map((s) => ({
      scope: 'GROUP' as const,
      name: s.name,
      scripts: scripts(s.notify),
      notifyDeleted: s.notifyDeleted,
      smtpAlert: s.smtpAlert,
      notifyPriorityChanges: false,
    })),
  ];
  const fifos = [g.notifyFifo?.path, g.vrrpNotifyFifo?.path].filter((p): p is string => !!p);
  const mail = notifyMailSettings(model, opts.hostname);
  return {
    targets,
    fifos,
    ...(mail ? { mail } : {}),
    scriptTimeoutMs: opts.notifyScriptTimeoutMs ?? 10_000,
    fifoTimeoutMs: 1000,
    mailTimeoutMs: g.smtpConnectTimeoutMs + 10_000,
  };
}

/** Only tracked objects that some instance or group references get an actor (keepalived does the same). */
function trackers(model: KeepalivedConfig, instances: Map<string, InstancePlan>, problems: string[]): Map<string, TrackerInput> {
  const out = new Map<string, TrackerInput>();
  for (const p of instances.values()) {
    for (const e of p.entries) {
      const id = trackerId(e.kind, e.name);
      if (out.has(id)) continue;
      if (e.kind === 'interface') {
        out.set(id, { kind: 'interface', name: e.name, probe: { ifname: e.name } });
      } else if (e.kind === 'script') {
        const s = model.vrrpScripts.find((x) => x.name === e.name);
        const argv = s?.command?.argv ?? [];
        if (!s || argv.length === 0) {
          problems.push(`No script set for vrrp_script ${e.name} - it counts as failed`);
          out.set(id, { kind: 'script', name: e.name, probe: {}, initial: { known: true, ok: false, value: 0 } });
          continue;
        }
        const probe = {
          argv: [...argv],
          ...(s.command?.user !== undefined ? { user: s.command.user } : {}),
          ...(s.command?.group !== undefined ? { group: s.command.group } : {}),
          intervalMs: s.intervalMs,
          timeoutMs: s.timeoutMs,
          rise: s.rise,
          fall: s.fall,
          initFail: s.initFail,
        };
        out.set(id, { kind: 'script', name: e.name, probe });
      } else if (e.kind === 'file') {
        const f = model.trackFiles.find((x) => x.name === e.name);
        out.set(id, { kind: 'file', name: e.name, probe: { path: f?.path ?? '', ...(f?.initFile ? { initFile: f.initFile } : {}) } });
      } else {
        const t = model.trackProcesses.find((x) => x.name === e.name);
        const delay = t?.delayMs ?? 0;
        out.set(id, {
          kind: 'process',
          name: e.name,
          probe: {
            match: { process: t?.process ?? e.name, params: [...(t?.params ?? [])], paramMatch: t?.paramMatch ?? 'exact', fullCommand: t?.fullCommand ?? false, ...(t?.noParams ? { noParams: true } : {}) },
            quorum: t?.quorum ?? 1,
            ...(t?.quorumMax !== undefined ? { quorumMax: t.quorumMax } : {}),
            forkDelayMs: t?.forkDelayMs || delay,
            terminateDelayMs: t?.terminateDelayMs || delay,
          },
        });
      }
    }
  }
  return out;
}

/** The plan and the problems found on the way, in the order they are logged. */
export function buildPlan(model: KeepalivedConfig, ifs: readonly InterfaceInfo[], opts: PlanOptions): { plan: VrrpPlan; problems: string[] } {
  const problems: string[] = [];
  const instances = new Map<string, InstancePlan>();
  for (const inst of model.vrrpInstances) {
    const p = planInstance(inst, model, ifs, opts.vmac ?? false);
    problems.push(...p.problems);
    instances.set(inst.name, p);
  }
  const groups = new Map<string, SyncGroupInput>();
  for (const g of model.vrrpSyncGroups) {
    const members = g.members.filter((m) => instances.get(m)?.syncGroup === g.name);
    if (members.length === 0) {
      problems.push(`Sync group ${g.name} has no virtual router(s). removing`);
      continue;
    }
    groups.set(g.name, { name: g.name, members: members.map((m) => ({ name: m, systemId: instanceId(m) })), notifier: NOTIFIER_ID });
  }
  // Members of a removed group run alone.
  for (const p of instances.values()) {
    if (p.syncGroup !== undefined && !groups.has(p.syncGroup)) {
      delete p.syncGroup;
      delete p.input.syncGroup;
      p.ignoreWeights = false;
    } else if (p.syncGroup !== undefined) {
      p.input.syncGroup = groupId(p.syncGroup);
    }
  }
  const g = model.globalDefs;
  const plan: VrrpPlan = {
    instances,
    groups,
    trackers: trackers(model, instances, problems),
    notifier: notifierConfig(model, opts),
    statics: { staticIpaddresses: model.staticIpaddresses, staticRoutes: model.staticRoutes, staticRules: model.staticRules },
    garpIntervalMs: g.vrrpGarpIntervalMs,
    gnaIntervalMs: g.vrrpGnaIntervalMs,
    scriptPolicy: { secure: g.enableScriptSecurity, ...g.scriptUser },
  };
  // Instances that start in FAULT for want of an address say so after the other problems.
  for (const p of instances.values()) problems.push(...Object.values(p.fixedFaults));
  return { plan, problems };
}

const vipSets = new WeakMap<VrrpPlan, ReadonlySet<string>>();

/** Every VIP and E-VIP address of the plan's instances, made once per plan (a plan is never
 *  changed after buildPlan: a reload builds a new one). */
export function vipAddresses(plan: VrrpPlan): ReadonlySet<string> {
  let set = vipSets.get(plan);
  if (!set) {
    const all = new Set<string>();
    for (const p of plan.instances.values()) for (const v of [...p.io.vips, ...p.io.excludedVips]) all.add(v.address);
    vipSets.set(plan, (set = all));
  }
  return set;
}

const vipOwnerMaps = new WeakMap<VrrpPlan, ReadonlyMap<string, readonly InstancePlan[]>>();

/** The key of an address on an interface for vipOwners: its canonical text, so that every way of
 *  writing an IPv6 address is one key; undefined for text that is not an address. */
export function vipKey(ifname: string, address: string): string | undefined {
  const canonical = canonicalIp(address);
  return canonical === undefined ? undefined : `${ifname} ${canonical}`;
}

/**
 * The instances with a VIP or E-VIP at each address on each interface (vipKey), in the plan's
 * order, made once per plan. An address event is matched against these few, not against every
 * instance's lists: stopping 1,000 masters removes 1,000 VIPs, and a walk over all instances per
 * removal was a million lookups.
 */
export function vipOwners(plan: VrrpPlan): ReadonlyMap<string, readonly InstancePlan[]> {
  let map = vipOwnerMaps.get(plan);
  if (!map) {
    const all = new Map<string, InstancePlan[]>();
    for (const p of plan.instances.values()) {
      for (const v of [...p.io.vips, ...p.io.excludedVips]) {
        const key = vipKey(v.ifname, v.address);
        if (key === undefined) continue;
        const owners = all.get(key);
        if (!owners) all.set(key, [p]);
        else if (owners[owners.length - 1] !== p) owners.push(p);
      }
    }
    vipOwnerMaps.set(plan, (map = all));
  }
  return map;
}

const subscriberMaps = new WeakMap<VrrpPlan, ReadonlyMap<string, readonly string[]>>();

/**
 * The tracking actors that subscribe to each tracker (trackerId → trackingIds), in the plan's
 * order, each once: what the subscriptions of start-up add up to. The root spawns each tracker
 * with its list, so 1,000 instances tracking one script do not grow a list one copy at a time.
 */
export function trackerSubscribers(plan: VrrpPlan): ReadonlyMap<string, readonly string[]> {
  let map = subscriberMaps.get(plan);
  if (!map) {
    const all = new Map<string, string[]>();
    for (const p of plan.instances.values()) {
      const me = trackingId(p.name);
      for (const e of p.entries) {
        const id = trackerId(e.kind, e.name);
        if (!plan.trackers.has(id)) continue;
        const list = all.get(id);
        if (!list) all.set(id, [me]);
        else if (list[list.length - 1] !== me) list.push(me);
      }
    }
    subscriberMaps.set(plan, (map = all));
  }
  return map;
}
