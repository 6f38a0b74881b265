/**
 * Whole-config checks keepalived makes after reading (vrrp_validate_config / check_validate_config):
 * sync-group membership, VRID collisions per interface and family, host interfaces (when the
 * caller tells us which exist), and script security (when the caller can stat scripts).
 */
import type { Diags, Pos } from './diag.js';
import type { KeepalivedConfig, ScriptCommand, TrackRef, VrrpInstanceConfig, VrrpSyncGroupConfig } from './model.js';
import { interfaceRef, keywordPositions, resolveTracks, type TrackTargets } from './normalise-vrrp.js';
import type { SyncGroupDraft } from './keywords/sync-group.js';

export type ScriptStatus = 'ok' | 'missing' | 'insecure';

export interface HostFacts {
  /** Interfaces present on the host. When absent, interface checks are skipped. */
  interfaces?: readonly string[];
  /** Status of a script's executable (argv[0]). When absent, every script is assumed present. */
  scriptStatus?: (path: string) => ScriptStatus;
  /**
   * Does this script user (and group) exist? When absent, script users are not checked (see
   * config/script-users.ts: with enable_script_security and no user to run a script as, the
   * script is dropped, as keepalived drops it).
   */
  scriptUser?: (user: string, group?: string) => boolean;
}

const pos = (s: { file: string; line: number }): Pos => ({ file: s.file, line: s.line });

export function finishSyncGroups(drafts: SyncGroupDraft[], instances: VrrpInstanceConfig[], targets: TrackTargets, d: Diags): VrrpSyncGroupConfig[] {
  const byName = new Map(instances.map((i) => [i.name, i]));
  const out: VrrpSyncGroupConfig[] = [];
  for (const g of drafts) {
    const members: string[] = [];
    for (const m of g.members) {
      const inst = byName.get(m.name);
      if (!inst) {
        d.error(m.at, `Virtual router ${m.name} specified in sync group ${g.name} doesn't exist - ignoring`, 'use the name of a vrrp_instance');
      } else if (inst.syncGroup !== undefined) {
        d.error(m.at, `VRRP instance ${m.name} cannot be in sync group ${g.name} - already in group ${inst.syncGroup}`, 'list each instance in one sync group only');
      } else {
        inst.syncGroup = g.name;
        members.push(m.name);
      }
    }
    if (members.length === 0) {
      d.lint('error', pos(g.source), `Sync group ${g.name} has no virtual router(s) - removing`, 'add: group { INSTANCE … }');
      continue;
    }
    if (members.length === 1) d.warn(pos(g.source), `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`, 'add the other instances, or drop the sync group');
    out.push({
      name: g.name, source: g.source, members, notify: g.notify, notifyDeleted: g.notifyDeleted, smtpAlert: g.smtpAlert ?? false,
      trackInterfaces: g.trackInterfaces.map(interfaceRef),
      trackScripts: resolveTracks(g, g.trackScripts, 'script', targets.scripts, d),
      trackFiles: resolveTracks(g, g.trackFiles, 'file', targets.files, d),
      trackProcesses: resolveTracks(g, g.trackProcesses, 'process', targets.processes, d),
      trackBfds: resolveTracks(g, g.trackBfds, 'bfd', undefined, d),
      syncGroupTrackingWeight: g.syncGroupTrackingWeight,
    });
  }
  // Members of a sync group ignore weighted trackers unless sync_group_tracking_weight is set.
  const groups = new Map(out.map((g) => [g.name, g]));
  for (const inst of instances) {
    const g = inst.syncGroup === undefined ? undefined : groups.get(inst.syncGroup);
    if (!g || g.syncGroupTrackingWeight) continue;
    const strip = (list: TrackRef[] | VrrpInstanceConfig['trackInterfaces'], kind: string) =>
      list.filter((t) => {
        if (t.weight === 0) return true;
        d.warn(pos(t.source), `(${inst.name}) ignoring tracked ${kind} ${t.name} with weight ${t.weight} due to sync group`, `set sync_group_tracking_weight in ${g.name}, or use weight 0`);
        return false;
      });
    inst.trackInterfaces = strip(inst.trackInterfaces, 'interface');
    inst.trackScripts = strip(inst.trackScripts, 'script') as TrackRef[];
    inst.trackFiles = strip(inst.trackFiles, 'file') as TrackRef[];
    inst.trackProcesses = strip(inst.trackProcesses, 'process') as TrackRef[];
  }
  return out;
}

/** Two instances on one interface with the same VRID and family (and overlapping peer sets). */
export function checkVridCollisions(instances: VrrpInstanceConfig[], d: Diags): void {
  const seen = new Map<string, VrrpInstanceConfig>();
  for (const i of instances) {
    const peers = i.unicastPeers.length ? i.unicastPeers.map((p) => p.address).sort().join(',') : i.mcastDstIp;
    const key = `${i.interface ?? ''}|${i.family}|${i.vrid}|${peers}`;
    const other = seen.get(key);
    if (other) {
      d.error(pos(i.source), `${other.name} and ${i.name} both use VRID ${i.vrid} with IPv${i.family} on interface ${i.interface ?? '(none)'}`, 'give each instance on a link its own virtual_router_id');
    } else seen.set(key, i);
  }
}

/** Returns true when an interface is missing (keepalived then stops validating the VRRP side). */
export function checkInterfaces(m: KeepalivedConfig, ifaces: ReadonlySet<string>, d: Diags): boolean {
  let missing = false;
  /** Where the first missing interface is named: the summary points there (keepalived prints no position). */
  let firstAt: Pos | undefined;
  const devCheck = (dev: string | undefined, what: string, at: Pos) => {
    if (dev !== undefined && !ifaces.has(dev)) {
      d.warn(at, `WARNING - interface ${dev} for ${what} doesn't exist`, `create ${dev} or fix the name`);
      missing = true;
      firstAt ??= at;
    }
  };
  for (const a of m.staticIpaddresses) devCheck(a.dev, `ip address ${a.address}`, pos(a.source));
  for (const r of m.staticRoutes) devCheck(r.dev, 'VROUTE nexthop', pos(r.source));
  for (const i of m.vrrpInstances) {
    if (i.interface !== undefined) {
      if (i.interface === 'lo') d.error(keywordPositions.get(i)?.interface ?? pos(i.source), `(${i.name}) cannot use a loopback interface (lo) for vrrp - ignoring`, 'use the interface facing the peers');
      else devCheck(i.interface, `vrrp_instance ${i.name}`, keywordPositions.get(i)?.interface ?? pos(i.source));
    }
    for (const t of i.trackInterfaces) {
      if (!ifaces.has(t.name)) {
        d.warn(pos(t.source), `(${i.name}) tracked interface ${t.name} doesn't exist`, `create ${t.name} or remove it from track_interface`);
        missing = true;
        firstAt ??= pos(t.source);
      }
    }
    for (const a of [...i.vips, ...i.excludedVips]) devCheck(a.dev, `ip address ${a.address}`, pos(a.source));
    for (const r of i.virtualRoutes) devCheck(r.dev, 'VROUTE nexthop', pos(r.source));
  }
  if (missing) d.error(firstAt!, 'Non-existent interface specified in configuration', 'create the interfaces, or enable dynamic_interfaces', 'fatal');
  return missing;
}

/** Every script keepalived would run, by process (vrrp child / checker child), with what runs it. */
export function scriptsOf(m: KeepalivedConfig): Record<'vrrp' | 'check', Array<{ script: ScriptCommand; what: string; tracked?: boolean }>> {
  const vrrp: Array<{ script: ScriptCommand; what: string; tracked?: boolean }> = [];
  const check: Array<{ script: ScriptCommand; what: string }> = [];
  const tracked = new Set(m.vrrpInstances.flatMap((i) => i.trackScripts.map((t) => t.name)));
  for (const g of m.vrrpSyncGroups) for (const t of g.trackScripts) tracked.add(t.name);
  for (const s of m.vrrpScripts) if (s.command && tracked.has(s.name)) vrrp.push({ script: s.command, what: `vrrp_script ${s.name}`, tracked: true });
  for (const holder of [...m.vrrpInstances, ...m.vrrpSyncGroups]) {
    for (const [k, s] of Object.entries(holder.notify)) if (s) vrrp.push({ script: s, what: `${holder.name} notify ${k}` });
  }
  for (const vs of m.virtualServers) {
    for (const s of [vs.quorumUp, vs.quorumDown]) if (s) check.push({ script: s, what: 'quorum script' });
    for (const rs of vs.realServers) {
      for (const s of [rs.notifyUp, rs.notifyDown]) if (s) check.push({ script: s, what: 'real_server notify' });
      for (const c of rs.checkers) if (c.misc?.command) check.push({ script: c.misc.command, what: 'MISC_CHECK' });
    }
  }
  const g = m.globalDefs;
  if (g.notifyFifo?.script) {
    vrrp.push({ script: g.notifyFifo.script, what: 'notify_fifo_script' });
    check.push({ script: g.notifyFifo.script, what: 'notify_fifo_script' });
  }
  if (g.vrrpNotifyFifo?.script) vrrp.push({ script: g.vrrpNotifyFifo.script, what: 'vrrp_notify_fifo_script' });
  if (g.lvsNotifyFifo?.script) check.push({ script: g.lvsNotifyFifo.script, what: 'lvs_notify_fifo_script' });
  return { vrrp, check };
}

/**
 * keepalived checks script security per process after reading: a tracked vrrp_script that is
 * missing is disabled (reported); other missing scripts are silently skipped (we say so as lint);
 * any present script without enable_script_security is a SECURITY VIOLATION (exit 6). The VRRP
 * check is not reached when an interface is missing (keepalived stops validating first).
 */
export function checkScriptSecurity(m: KeepalivedConfig, facts: HostFacts, d: Diags, opts: { vrrpReached: boolean }): void {
  const all = scriptsOf(m);
  const parts: Array<['check' | 'vrrp', string]> = [['check', 'check scripts'], ['vrrp', 'scripts']];
  for (const [which, label] of parts) {
    if (which === 'vrrp' && !opts.vrrpReached) continue;
    let present = 0;
    let insecure = 0;
    let firstAt: Pos | undefined;
    for (const { script, what, tracked } of all[which] as Array<{ script: ScriptCommand; what: string; tracked?: boolean }>) {
      const status = facts.scriptStatus?.(script.argv[0]!) ?? 'ok';
      if (status === 'missing') {
        const msg = `${what}: script ${script.argv[0]} not found or not executable - it will not run`;
        if (tracked) d.warn(pos(script.source), `Disabling track script ${what.slice(12)} since not found/accessible`, 'install the script or fix its path');
        else d.lint('warning', pos(script.source), msg, 'install the script or fix its path');
        continue;
      }
      present++;
      if (status === 'insecure') insecure++;
      firstAt ??= pos(script.source);
    }
    if (present && !m.globalDefs.enableScriptSecurity) {
      // keepalived prints no position: we point at the first script that would run.
      d.error(
        firstAt!,
        `SECURITY VIOLATION - ${label} are being executed but script_security not enabled.${insecure ? ' There are insecure scripts.' : ''}`,
        'add enable_script_security (and script_user) to global_defs',
        'security',
      );
    }
  }
}
