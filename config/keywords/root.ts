/** Top-level keywords: each one names a block and hands its body to the block's own table. */
import { defaultGlobalDefs } from '../defaults.js';
import type { GlobalDefs, IpAddressConfig, RouteConfig, RuleConfig, TrackFileConfig, TrackProcessConfig, VirtualServerGroupConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { posOf } from '../values.js';
import { parseAddressLine } from './address.js';
import { restrict, table, walk, type Table } from './engine.js';
import { globalTable } from './global.js';
import { ROOT_KEYWORDS } from './known.js';
import { parseRouteLine, parseRuleLine } from './routes.js';
import { newSyncGroupDraft, syncGroupTable, type SyncGroupDraft } from './sync-group.js';
import { newScriptDraft, newTrackFile, newTrackProcess, scriptTable, trackFileTable, trackProcessTable, type ScriptDraft } from './trackers.js';
import { newVsDraft, parseVsGroup, parseVsTarget, virtualServerTable, type VsDraft } from './virtual-server.js';
import { instanceTable, newInstanceDraft, type InstanceDraft, type VrrpCx } from './vrrp-instance.js';

export interface Drafts {
  globalDefs: GlobalDefs;
  staticIpaddresses: IpAddressConfig[];
  staticRoutes: RouteConfig[];
  staticRules: RuleConfig[];
  instances: InstanceDraft[];
  syncGroups: SyncGroupDraft[];
  scripts: ScriptDraft[];
  trackFiles: TrackFileConfig[];
  trackProcesses: TrackProcessConfig[];
  virtualServerGroups: VirtualServerGroupConfig[];
  virtualServers: VsDraft[];
  /** name → kind, for duplicate detection (per kind). */
  seen: Map<string, true>;
}

export function newDrafts(): Drafts {
  return {
    globalDefs: defaultGlobalDefs(), staticIpaddresses: [], staticRoutes: [], staticRules: [], instances: [], syncGroups: [],
    scripts: [], trackFiles: [], trackProcesses: [], virtualServerGroups: [], virtualServers: [], seen: new Map(),
  };
}

/** `KEYWORD NAME {` — exactly one name, unique per kind. */
function blockName(d: Drafts, st: Stmt, cx: VrrpCx): string | undefined {
  const kw = st.words[0]!.text;
  if (st.words.length !== 2) {
    cx.d.error(posOf(st), `${kw} must have exactly one name - skipping the block`, `write: ${kw} NAME {`);
    return undefined;
  }
  const name = st.words[1]!.text;
  const key = `${kw === 'vrrp_track_file' ? 'track_file' : kw}\u0000${name}`;
  if (d.seen.has(key)) {
    cx.d.error(posOf(st, 1), `${kw} ${name} already defined - skipping this one`, 'rename one of the blocks');
    return undefined;
  }
  d.seen.set(key, true);
  return name;
}

function trackFileBlock(d: Drafts, st: Stmt, cx: VrrpCx) {
  const name = blockName(d, st, cx);
  if (name === undefined) return;
  const f = newTrackFile(name, st);
  walk(f, st.block, trackFileTable, cx, `track_file ${name}`);
  if (f.path === undefined) cx.d.error(posOf(st), `no file set for track_file ${name} - removing`, 'add: file "/path"');
  else d.trackFiles.push(f);
}

export const rootTable: Table<Drafts, VrrpCx> = table<Drafts, VrrpCx>({
  global_defs: { block: 'sub', run: (d, st, cx) => walk(d.globalDefs, st.block, globalTable, cx, 'global_defs') },
  static_ipaddress: {
    block: 'values',
    run: (d, st, cx) => {
      for (const l of st.block ?? []) {
        const a = parseAddressLine(l, cx.d);
        if (a) d.staticIpaddresses.push(a);
      }
    },
  },
  static_routes: {
    block: 'values',
    run: (d, st, cx) => {
      for (const l of st.block ?? []) {
        const r = parseRouteLine(l, cx.d);
        if (r) d.staticRoutes.push(r);
      }
    },
  },
  static_rules: {
    block: 'values',
    run: (d, st, cx) => {
      for (const l of st.block ?? []) {
        const r = parseRuleLine(l, cx.d, cx.rules);
        if (r) d.staticRules.push(r);
      }
    },
  },
  vrrp_sync_group: {
    block: 'sub',
    run: (d, st, cx) => {
      const name = blockName(d, st, cx);
      if (name === undefined) return;
      const g = newSyncGroupDraft(name, st);
      walk(g, st.block, syncGroupTable, cx, `vrrp_sync_group ${name}`);
      d.syncGroups.push(g);
    },
  },
  vrrp_instance: {
    block: 'sub',
    run: (d, st, cx) => {
      const name = blockName(d, st, cx);
      if (name === undefined) return;
      const v = newInstanceDraft(name, st);
      walk(v, st.block, instanceTable, cx, `vrrp_instance ${name}`);
      d.instances.push(v);
    },
  },
  vrrp_script: {
    block: 'sub',
    run: (d, st, cx) => {
      const name = blockName(d, st, cx);
      if (name === undefined) return;
      const s = newScriptDraft(name, st);
      walk(s, st.block, scriptTable, cx, `vrrp_script ${name}`);
      if (!s.command) cx.d.error(posOf(st), `no script set for vrrp_script ${name} - removing`, 'add: script "/path/to/check"');
      else d.scripts.push(s);
    },
  },
  track_file: { block: 'sub', run: trackFileBlock },
  vrrp_track_file: { block: 'sub', run: trackFileBlock, deprecated: 'use track_file' },
  vrrp_track_process: {
    block: 'sub',
    run: (d, st, cx) => {
      const name = blockName(d, st, cx);
      if (name === undefined) return;
      const p = newTrackProcess(name, st);
      walk(p, st.block, trackProcessTable, cx, `vrrp_track_process ${name}`);
      if (p.process === undefined) cx.d.error(posOf(st), `no process set for vrrp_track_process ${name} - removing`, 'add: process NAME');
      else d.trackProcesses.push(p);
    },
  },
  virtual_server_group: {
    block: 'values',
    run: (d, st, cx) => {
      const name = blockName(d, st, cx);
      if (name !== undefined) d.virtualServerGroups.push(parseVsGroup(name, st, cx));
    },
  },
  virtual_server: {
    block: 'sub',
    run: (d, st, cx) => {
      const target = parseVsTarget(st, cx);
      if (!target) return;
      const v = newVsDraft(target, st);
      walk(v, st.block, virtualServerTable, cx, 'virtual_server');
      d.virtualServers.push(v);
    },
  },
});
restrict(rootTable, ROOT_KEYWORDS);

