/** Top-level keywords: each one names a block and hands its body to the block's own table. */
import { defaultGlobalDefs } from '../defaults.js';
import type { GlobalDefs, IpAddressConfig, SslConfig, RouteConfig, RuleConfig, TrackFileConfig, TrackProcessConfig, VirtualServerGroupConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { posOf } from '../values.js';
import { parseAddressLine } from './address.js';
import { restrict, table, walk, type Keyword, type Table } from './engine.js';
import { globalTable } from './global.js';
import { ROOT_KEYWORDS } from './known.js';
import { parseRouteLine, parseRuleLine } from './routes.js';
import { parseSsl, sslTable } from './ssl.js';
import { newSyncGroupDraft, syncGroupTable, type SyncGroupDraft } from './sync-group.js';
import { lintProcessName, newScriptDraft, newTrackFile, newTrackProcess, scriptTable, trackFileTable, trackProcessTable, type ScriptDraft } from './trackers.js';
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
  ssl?: SslConfig;
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

/**
 * A named block: make the draft, walk its body with its table, then `keep` decides whether it
 * is complete (and reports why not).
 */
function named<T>(make: (name: string, st: Stmt) => T, tbl: Table<T, VrrpCx>, keep: (d: Drafts, t: T, st: Stmt, cx: VrrpCx) => void): Keyword<Drafts, VrrpCx> {
  return {
    block: 'sub',
    accepts: tbl,
    args: 'NAME',
    run: (d, st, cx) => {
      const name = blockName(d, st, cx);
      if (name === undefined) return;
      const t = make(name, st);
      walk(t, st.block, tbl, cx, `${st.words[0]!.text} ${name}`);
      keep(d, t, st, cx);
    },
  };
}

/** A block of value lines, each parsed into one entry. */
function lines<T>(parse: (l: Stmt, cx: VrrpCx) => T | undefined, list: (d: Drafts) => T[]): Keyword<Drafts, VrrpCx> {
  return {
    block: 'values',
    run: (d, st, cx) => {
      for (const l of st.block ?? []) {
        const v = parse(l, cx);
        if (v) list(d).push(v);
      }
    },
  };
}

const trackFile = named(newTrackFile, trackFileTable, (d, f, st, cx) => {
  if (f.path === undefined) cx.d.error(posOf(st), `no file set for track_file ${f.name} - removing`, 'add: file "/path"');
  else d.trackFiles.push(f);
});

export const rootTable: Table<Drafts, VrrpCx> = table<Drafts, VrrpCx>({
  global_defs: { block: 'sub', accepts: globalTable, run: (d, st, cx) => walk(d.globalDefs, st.block, globalTable, cx, 'global_defs') },
  static_ipaddress: lines((l, cx) => parseAddressLine(l, cx.d), (d) => d.staticIpaddresses),
  static_routes: lines((l, cx) => parseRouteLine(l, cx.d), (d) => d.staticRoutes),
  static_rules: lines((l, cx) => parseRuleLine(l, cx.d, cx.rules), (d) => d.staticRules),
  vrrp_sync_group: named(newSyncGroupDraft, syncGroupTable, (d, g) => void d.syncGroups.push(g)),
  vrrp_instance: named(newInstanceDraft, instanceTable, (d, v) => void d.instances.push(v)),
  vrrp_script: named(newScriptDraft, scriptTable, (d, s, st, cx) => {
    if (!s.command) cx.d.error(posOf(st), `no script set for vrrp_script ${s.name} - removing`, 'add: script "/path/to/check"');
    else d.scripts.push(s);
  }),
  track_file: trackFile,
  vrrp_track_file: {
    ...trackFile,
    accepts: undefined, // the old name: misplaced keywords are sent to track_file
    run: (d, st, cx) => {
      cx.d.lint('info', posOf(st), 'vrrp_track_file is the old name of track_file', 'rename it track_file');
      trackFile.run(d, st, cx);
    },
  },
  vrrp_track_process: named(newTrackProcess, trackProcessTable, (d, p, st, cx) => {
    if (p.process === undefined) cx.d.error(posOf(st), `no process set for vrrp_track_process ${p.name} - removing`, 'add: process NAME');
    else {
      lintProcessName(p, st.block ?? [], cx.d);
      d.trackProcesses.push(p);
    }
  }),
  SSL: { block: 'sub', accepts: sslTable, run: (d, st, cx) => void (d.ssl = parseSsl(st, cx, d.ssl)) },
  virtual_server_group: {
    block: 'values',
    run: (d, st, cx) => {
      const name = blockName(d, st, cx);
      if (name !== undefined) d.virtualServerGroups.push(parseVsGroup(name, st, cx));
    },
  },
  virtual_server: {
    block: 'sub',
    accepts: virtualServerTable,
    args: 'IP PORT',
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

