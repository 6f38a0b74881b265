/** Entry points of the compiler (see config/index.ts): read → tree → keyword tables → normalise → validate. */
import { Diags } from './diag.js';
import { emptyConfig } from './defaults.js';
import type { ListDir } from './glob.js';
import { walk } from './keywords/engine.js';
import { newDrafts, rootTable } from './keywords/root.js';
import { finishVirtualServer, validateVirtualServer, type VsDraft } from './keywords/virtual-server.js';
import type { Diagnostic, KeepalivedConfig, VrrpInstanceConfig } from './model.js';
import { normaliseInstance, type TrackTargets } from './normalise-vrrp.js';
import { readConfig } from './reader.js';
import { applyScriptUsers } from './script-users.js';
import { TreeBuilder } from './tree.js';
import { checkInterfaces, checkScriptSecurity, checkVridCollisions, finishSyncGroups, type HostFacts } from './validate.js';

export interface CompileOptions extends HostFacts {
  /** Entries (file and directory names) of a directory, or undefined when it cannot be read. Used for include globs. */
  listDir?: ListDir;
  /** The config id matched by `@ID` lines (keepalived `-i`; keepalived's default is the short host name). */
  configId?: string;
  /** Seed for ${_RANDOM} (deterministic; keepalived uses the clock). */
  randomSeed?: number;
}

export interface CompileResult {
  model: KeepalivedConfig;
  diagnostics: Diagnostic[];
}

export function compileConfig(
  entryPath: string,
  readFile: (path: string) => string | undefined,
  opts: CompileOptions = {},
): CompileResult {
  const d = new Diags();
  try {
    return compile(entryPath, readFile, opts, d);
  } catch (e) {
    // A bug, not a bad config: still a config-test result (cannot run), never a stack trace.
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    d.add('error', { file: entryPath, line: 0 }, `internal error while compiling the configuration (${msg}) - please report it`, 'report the configuration that causes it', 'fatal', true);
    d.finish();
    return { model: emptyConfig([entryPath]), diagnostics: d.list };
  }
}

function compile(entryPath: string, readFile: (path: string) => string | undefined, opts: CompileOptions, d: Diags): CompileResult {
  const drafts = newDrafts();
  const cx = { d, rules: { nextAutoPreference: 16384 } };
  // Each top-level block is walked as soon as it is read, then dropped: memory stays at one block.
  let stopped = false;
  const builder = new TreeBuilder(d, (st) => {
    if (!stopped) walk(drafts, [st], rootTable, cx, '');
  });
  const read = readConfig(entryPath, readFile, opts, d, builder);
  const { files } = read;
  // A config that ran into a limit is refused: the block being read is dropped and nothing is
  // cross-checked (it would only report what the unread part defines). Earlier findings stay.
  stopped = read.stopped;
  builder.finish(stopped);
  if (stopped) {
    d.finish();
    return { model: emptyConfig(files), diagnostics: d.list };
  }

  const model = emptyConfig(files);
  model.globalDefs = drafts.globalDefs;
  model.staticIpaddresses = drafts.staticIpaddresses;
  model.staticRoutes = drafts.staticRoutes;
  model.staticRules = drafts.staticRules;
  model.trackFiles = drafts.trackFiles;
  model.trackProcesses = drafts.trackProcesses;
  model.virtualServerGroups = drafts.virtualServerGroups;
  if (drafts.ssl) model.ssl = drafts.ssl;
  model.virtualServers = drafts.virtualServers
    .map((v) => validateVirtualServer(v, d))
    .filter((v): v is VsDraft => v !== undefined)
    .map(finishVirtualServer);
  // Scripts nobody may run (no such user; root refused by enable_script_security) are dropped
  // here, before track_script references are resolved, as keepalived drops them while reading.
  applyScriptUsers(
    { files, globalDefs: drafts.globalDefs, vrrpScripts: drafts.scripts, notifyHolders: [...drafts.instances, ...drafts.syncGroups], virtualServers: model.virtualServers },
    opts.scriptUser,
    d,
  );
  model.vrrpScripts = drafts.scripts.map(({ timeoutSet, ...s }) => (timeoutSet ? s : { ...s, timeoutMs: s.intervalMs }));

  const weights = <T extends { name: string; weight: number; reverse: boolean }>(list: T[]) =>
    new Map(list.map((t) => [t.name, { weight: t.weight, reverse: t.reverse }]));
  const targets: TrackTargets = { scripts: weights(model.vrrpScripts), files: weights(model.trackFiles), processes: weights(model.trackProcesses) };
  model.vrrpInstances = drafts.instances
    .map((v) => normaliseInstance(v, model.globalDefs, targets, d))
    .filter((v): v is VrrpInstanceConfig => v !== undefined);
  model.vrrpSyncGroups = finishSyncGroups(drafts.syncGroups, model.vrrpInstances, targets, d);
  checkVridCollisions(model.vrrpInstances, d);
  const missingInterface = opts.interfaces ? checkInterfaces(model, new Set(opts.interfaces), d) : false;
  checkScriptSecurity(model, opts, d, { vrrpReached: !missingInterface });
  d.finish();
  return { model, diagnostics: d.list };
}

export function compileText(text: string, fileName = 'keepalived.conf', opts: CompileOptions = {}): CompileResult {
  return compileConfig(fileName, (p) => (p === fileName ? text : undefined), opts);
}
