/**
 * The subsystems every runtime runs, in order (start-up, reload and stop take them in this order).
 * The one root file that knows them by name: a new subsystem (LVS, actors/lvs/) is one more entry.
 */
import type { SubsystemFactory } from './subsystem.js';
import { vrrpSubsystem } from './vrrp/vrrp-subsystem.js';

export const SUBSYSTEMS: readonly SubsystemFactory[] = [vrrpSubsystem];
