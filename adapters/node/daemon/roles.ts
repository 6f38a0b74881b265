/**
 * Which child processes run, and which part of the model each one gets.
 *
 * keepalived starts the VRRP child when the configuration has VRRP instances or static
 * addresses/routes/rules, and the checker child when it has virtual servers; `--all` starts both
 * anyway, `-P` keeps only VRRP and `-C` only the checker. Each child sees the whole global_defs
 * but only its own subsystem's blocks (keepalived's children skip the other blocks the same way).
 */
// defaults.js, not index.js: a child process needs the empty model, not the compiler.
import { emptyConfig } from '../../../config/defaults.js';
import type { KeepalivedConfig } from '../../../config/index.js';
import type { ChildRole } from './ipc.js';

export interface RoleSelection {
  vrrpOnly: boolean;
  checkOnly: boolean;
  all: boolean;
}

export function hasVrrpSection(m: KeepalivedConfig): boolean {
  return (
    m.vrrpInstances.length > 0 ||
    m.staticIpaddresses.length > 0 ||
    m.staticRoutes.length > 0 ||
    m.staticRules.length > 0
  );
}

export function hasCheckerSection(m: KeepalivedConfig): boolean {
  return m.virtualServers.length > 0;
}

/** Which subsystems a configuration has: all the parent keeps to choose its children. */
export interface Sections {
  vrrp: boolean;
  checker: boolean;
}

export function sectionsOf(m: KeepalivedConfig): Sections {
  return { vrrp: hasVrrpSection(m), checker: hasCheckerSection(m) };
}

export function rolesFor(s: Sections, sel: RoleSelection): ChildRole[] {
  // -P and -C together mean both, as in keepalived.
  const wantVrrp = !sel.checkOnly || sel.vrrpOnly;
  const wantChecker = !sel.vrrpOnly || sel.checkOnly;
  const roles: ChildRole[] = [];
  if (wantVrrp && (sel.all || s.vrrp)) roles.push('vrrp');
  if (wantChecker && (sel.all || s.checker)) roles.push('checker');
  return roles;
}

/** The model a child hands to createRuntime: global_defs plus its own subsystem only. */
export function modelForRole(m: KeepalivedConfig, role: ChildRole): KeepalivedConfig {
  if (role === 'vrrp') return { ...m, virtualServers: [], virtualServerGroups: [] };
  return { ...emptyConfig(m.files), globalDefs: m.globalDefs, virtualServerGroups: m.virtualServerGroups, virtualServers: m.virtualServers };
}
