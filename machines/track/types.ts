/**
 * Shared vocabulary of the tracking actors (keepalived's track_script / track_file /
 * track_process / track_interface).
 *
 * One tracker actor exists per tracked object (systemId `track/<kind>/<name>`), however many
 * instances or sync groups track it. It reports a `TrackerStatus`; what that status means for an
 * instance (weight, reverse, FAULT) is decided per instance by the tracking machine
 * (machines/track/tracking.machine.ts), because keepalived attaches weights to the *reference*
 * (`track_script { chk weight -20 }`), not to the tracked object.
 */

export type TrackerKind = 'script' | 'file' | 'process' | 'interface';

export interface TrackerStatus {
  kind: TrackerKind;
  name: string;
  /** False until the first result (keepalived's SCRIPT_INIT_STATE_INIT): holds unweighted trackers' instances in INIT. */
  known: boolean;
  /** Script succeeded / process quorum held / interface up. Always true for files once read. */
  ok: boolean;
  /** track_file: the value read from the file (clamped to −254..254); 1/0 for the other kinds. */
  value: number;
}

/** A tracker sends this to each subscriber whenever its status changes, and once on subscription. */
export type TrackerStatusEvent = { type: 'tracker.status'; status: TrackerStatus };

/** Sent by a probe (the kind-specific child of a tracker) to its tracker. */
export type TrackerUpdateEvent = { type: 'tracker.update'; ok: boolean; value: number; note?: string };

/** A log-worthy fact from a probe ("Script `chk` now returning 1"), relayed by the tracker. */
export type TrackerNoteEvent = { type: 'tracker.note'; level: 'detail' | 'info' | 'warning'; message: string };

export type TrackerSubscribeEvent = { type: 'tracker.subscribe'; subscriber: string } | { type: 'tracker.unsubscribe'; subscriber: string };
