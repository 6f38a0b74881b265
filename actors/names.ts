/**
 * systemIds of the shared actors of one node, derived from config names only (style R11/R12): the
 * same config always yields the same ids, in the daemon, in the simulator and in traces. Each
 * subsystem names its own actors (actors/vrrp/names.ts).
 */
import type { TrackerKind } from '../machines/track/types.js';

export const NOTIFIER_ID = 'notifier';
export const trackerId = (kind: TrackerKind, name: string) => `track/${kind}/${name}`;
