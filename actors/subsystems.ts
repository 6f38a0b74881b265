/**
 * The subsystems every runtime runs, in order (start-up, reload and stop take them in this order).
 * The one root file that knows them by name. RuntimeOptions.subsystems picks some by name
 * ('vrrp', 'lvs'): the daemon's VRRP child runs VRRP only, its checker child LVS only.
 */
import { lvsSubsystem } from './lvs/lvs-subsystem.js';
import type { SubsystemFactory } from './subsystem.js';
import { vrrpSubsystem } from './vrrp/vrrp-subsystem.js';

export const SUBSYSTEMS: readonly SubsystemFactory[] = [vrrpSubsystem, lvsSubsystem];
