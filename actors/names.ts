/**
 * systemIds of the actors of one node, derived from config names only (style R11/R12): the same
 * config always yields the same ids, in the daemon, in the simulator and in traces.
 */
import type { TrackerKind } from '../machines/track/types.js';

export const NOTIFIER_ID = 'notifier';
export const instanceId = (name: string) => `vrrp/${name}`;
export const groupId = (name: string) => `group/${name}`;
export const trackingId = (instance: string) => `tracking/${instance}`;
export const trackerId = (kind: TrackerKind, name: string) => `track/${kind}/${name}`;
/** Receive socket per interface and family (glue, not an actor). */
export const socketKey = (ifname: string, family: 4 | 6) => `${ifname}/${family}`;
