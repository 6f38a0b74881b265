/** `vrrp_sync_group NAME { group { A B } notify… track_… }`. */
import type { NotifyScripts, SourceRef } from '../model.js';
import type { Stmt } from '../tree.js';
import { append, boolArg, posOf } from '../values.js';
import { restrict, table, type Cx, type Handler } from './engine.js';
import { VRRP_SYNC_GROUP_KEYWORDS } from './known.js';
import { notifyKeyword } from './script.js';
import { parseTrackBlock, type RawTrack, type TrackKind } from './track.js';

export interface SyncGroupDraft {
  name: string;
  source: SourceRef;
  members: Array<{ name: string; at: { file: string; line: number; col: number } }>;
  groupSeen: boolean;
  notify: NotifyScripts;
  notifyDeleted: boolean;
  smtpAlert?: boolean;
  trackInterfaces: RawTrack[];
  trackScripts: RawTrack[];
  trackFiles: RawTrack[];
  trackProcesses: RawTrack[];
  trackBfds: RawTrack[];
  syncGroupTrackingWeight: boolean;
}

export function newSyncGroupDraft(name: string, st: Stmt): SyncGroupDraft {
  return {
    name, source: { file: st.file, line: st.line }, members: [], groupSeen: false, notify: {}, notifyDeleted: false,
    trackInterfaces: [], trackScripts: [], trackFiles: [], trackProcesses: [], trackBfds: [], syncGroupTrackingWeight: false,
  };
}

type G = SyncGroupDraft;

const notifyKw = (key: keyof NotifyScripts): Handler<G> => notifyKeyword<G>(key, (g) => `vrrp group ${g.name}:`);

const trackKw = (key: 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackBfds', kind: TrackKind) => ({
  block: 'values' as const,
  run: (g: G, st: Stmt, cx: Cx) => void append(g[key], parseTrackBlock(st, kind, cx.d)),
});

export const syncGroupTable = table<G>({
  group: {
    block: 'values',
    run: (g, st, cx) => {
      if (g.groupSeen) return cx.d.error(posOf(st), `group list already specified for sync group ${g.name}`, 'merge the group blocks');
      g.groupSeen = true;
      for (const l of st.block ?? []) for (const t of l.words) g.members.push({ name: t.text, at: { file: l.file, line: l.line, col: t.col } });
    },
  },
  notify: notifyKw('notify'),
  notify_master: notifyKw('master'),
  notify_backup: notifyKw('backup'),
  notify_fault: notifyKw('fault'),
  notify_stop: notifyKw('stop'),
  notify_deleted: (g, st, cx) => {
    g.notifyDeleted = true;
    if (st.words.length > 1) notifyKw('deleted')(g, st, cx);
  },
  smtp_alert: (g, st, cx) => {
    const b = boolArg(st, 1, cx.d);
    if (b !== undefined) g.smtpAlert = b;
  },
  track_interface: trackKw('trackInterfaces', 'interface'),
  track_script: trackKw('trackScripts', 'script'),
  track_file: trackKw('trackFiles', 'file'),
  track_process: trackKw('trackProcesses', 'process'),
  track_bfd: trackKw('trackBfds', 'bfd'),
  sync_group_tracking_weight: (g) => void (g.syncGroupTrackingWeight = true),
  global_tracking: {
    run: (g) => void (g.syncGroupTrackingWeight = true),
    deprecated: 'use track_interface/track_script/track_file on the sync group',
  },
});
restrict(syncGroupTable, VRRP_SYNC_GROUP_KEYWORDS);
