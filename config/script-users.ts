/**
 * Who runs each script, decided while the configuration is read, as keepalived 2.2.7 decides it
 * (lib/notify.c get_default_script_user / set_script_uid_gid, vrrp_vscript_end_handler,
 * misc_end_handler, notify_script_init):
 *
 *  - a script's own user (`user` in vrrp_script and MISC_CHECK, the words after a notify command)
 *    must exist, else the script is dropped;
 *  - scripts without one run as the default user: global_defs `script_user` (which must exist,
 *    else every such script is dropped), else `keepalived_script` when that user exists, else
 *    root — except with enable_script_security, where keepalived refuses root: "Unable to set
 *    default user keepalived_script for script" (once, at the first script that needs it), and
 *    every script needing the default is dropped.
 *
 * A dropped vrrp_script is gone before track_script references are resolved, so instances and
 * sync groups that track it report "track script NAME not found, ignoring..." and run without
 * it, as keepalived's do. A dropped notify script is simply not run (keepalived only logs that).
 * Users are looked up through a host fact (HostFacts.scriptUser); without it nothing is checked.
 * Pure: no I/O.
 */
import type { Diags, Pos } from './diag.js';
import { userKeywordAt } from './keywords/script.js';
import type { GlobalDefs, NotifyScripts, ScriptCommand, SourceRef } from './model.js';
import type { VirtualServerConfig } from './model-lvs.js';

/** Does this user (and group, when given) exist on the host? */
export type ScriptUserLookup = (user: string, group?: string) => boolean;

/** keepalived's default user for scripts, when global_defs has no script_user. */
export const DEFAULT_SCRIPT_USER = 'keepalived_script';

export interface ScriptUserInput {
  files: readonly string[];
  globalDefs: GlobalDefs;
  /** vrrp_script drafts; the ones whose user cannot be set are removed from this array. */
  vrrpScripts: Array<{ name: string; source: SourceRef; command?: ScriptCommand }>;
  /** Instances and sync groups (drafts): their notify scripts. */
  notifyHolders: ReadonlyArray<{ notify: NotifyScripts }>;
  virtualServers: readonly VirtualServerConfig[];
}

interface Use {
  at: Pos;
  command: ScriptCommand;
  /** The script's own user was not found. */
  ownUserFailed: () => void;
  /** No own user, and the default user cannot be set. */
  defaultFailed: () => void;
}

/** keepalived's cmd_str(): every word in single quotes. */
export function quotedCommand(c: ScriptCommand): string {
  return c.argv.map((w, i) => (i === 0 && /^[<>]/.test(w) ? w : `'${w}'`)).join(' ');
}


export function applyScriptUsers(input: ScriptUserInput, lookup: ScriptUserLookup | undefined, d: Diags): void {
  if (!lookup) return;
  const g = input.globalDefs;
  const FIX_DEFAULT = g.scriptUser
    ? `create user ${g.scriptUser.user} or change script_user in global_defs`
    : `set script_user in global_defs, or create the user ${DEFAULT_SCRIPT_USER}`;
  const removeScript = new Set<object>();
  const removeChecker = new Set<ScriptCommand>();
  const uses: Use[] = [];
  const pos = (s: SourceRef): Pos => ({ file: s.file, line: s.line });

  for (const s of input.vrrpScripts) {
    const c = s.command;
    if (!c) continue;
    uses.push({
      at: pos(s.source),
      command: c,
      ownUserFailed: () => {
        d.error(userKeywordAt.get(c) ?? pos(c.source), `Unable to set uid/gid for script ${quotedCommand(c)}`, `create user ${c.user} or change the vrrp_script's user`);
        removeScript.add(s);
      },
      defaultFailed: () => {
        d.error(pos(s.source), `Unable to set default user for vrrp script ${s.name} - removing`, FIX_DEFAULT);
        removeScript.add(s);
      },
    });
  }
  // notify scripts: keepalived only logs these (exit status unchanged) and does not run them.
  const notify = (holder: Record<string, ScriptCommand | undefined>, key: string, type: string): void => {
    const c = holder[key];
    if (!c) return;
    const drop = (message: string, fix: string) => () => {
      d.lint('warning', pos(c.source), message, fix);
      delete holder[key];
    };
    uses.push({
      at: pos(c.source),
      command: c,
      ownUserFailed: drop(`Invalid user/group for ${type} script ${c.argv[0]} - ignoring`, `create user ${c.user} or change the user after the command`),
      defaultFailed: drop(`Failed to set default user for ${type} script ${c.argv[0]} - ignoring`, FIX_DEFAULT),
    });
  };
  const globals = g as unknown as Record<string, ScriptCommand | undefined>;
  for (const [key, type] of [['startupScript', 'startup'], ['shutdownScript', 'shutdown']] as const) {
    const c = g[key];
    if (!c) continue;
    const invalid = () => {
      d.error(pos(c.source), `Invalid ${type} script`, FIX_DEFAULT);
      delete globals[key];
    };
    uses.push({ at: pos(c.source), command: c, ownUserFailed: invalid, defaultFailed: invalid });
  }
  for (const [key, type] of [['notifyFifo', 'notify_fifo'], ['vrrpNotifyFifo', 'vrrp_notify_fifo'], ['lvsNotifyFifo', 'lvs_notify_fifo']] as const) {
    const fifo = g[key];
    if (fifo?.script) notify(fifo as unknown as Record<string, ScriptCommand | undefined>, 'script', type);
  }
  for (const h of input.notifyHolders) for (const key of Object.keys(h.notify)) notify(h.notify as Record<string, ScriptCommand | undefined>, key, 'notify');
  for (const vs of input.virtualServers) {
    notify(vs as unknown as Record<string, ScriptCommand | undefined>, 'quorumUp', 'quorum');
    notify(vs as unknown as Record<string, ScriptCommand | undefined>, 'quorumDown', 'quorum');
    for (const rs of vs.realServers) {
      notify(rs as unknown as Record<string, ScriptCommand | undefined>, 'notifyUp', 'notify');
      notify(rs as unknown as Record<string, ScriptCommand | undefined>, 'notifyDown', 'notify');
      for (const ck of rs.checkers) {
        const c = ck.misc?.command;
        if (!c) continue;
        uses.push({
          at: pos(ck.source),
          command: c,
          ownUserFailed: () => {
            d.error(userKeywordAt.get(c) ?? pos(c.source), `Failed to set uid/gid for misc checker script ${quotedCommand(c)} - removing`, `create user ${c.user} or change the MISC_CHECK's user`);
            removeChecker.add(c);
          },
          defaultFailed: () => {
            d.error(pos(ck.source), `Unable to set default user for misc script ${quotedCommand(c)} - removing`, FIX_DEFAULT);
            removeChecker.add(c);
          },
        });
      }
    }
  }

  // keepalived decides while reading, so the one-time default-user error lands on the first
  // script (in file order) that needs it.
  const fileIndex = new Map(input.files.map((f, i) => [f, i]));
  uses.sort((a, b) => (fileIndex.get(a.at.file) ?? 0) - (fileIndex.get(b.at.file) ?? 0) || a.at.line - b.at.line);

  let defaultDecided = false;
  let defaultFailed = false;
  if (g.scriptUser) {
    defaultDecided = true;
    if (!lookup(g.scriptUser.user, g.scriptUser.group)) {
      defaultFailed = true;
      const at = userKeywordAt.get(g.scriptUser) ?? { file: input.files[0] ?? '', line: 0 };
      d.error(at, 'Error setting global script uid/gid', `create user ${g.scriptUser.user}${g.scriptUser.group ? ` and group ${g.scriptUser.group}` : ''}, or change script_user`);
    }
  }
  for (const u of uses) {
    if (u.command.user !== undefined) {
      if (!lookup(u.command.user, u.command.group)) u.ownUserFailed();
      continue;
    }
    if (!defaultDecided) {
      defaultDecided = true;
      if (!lookup(DEFAULT_SCRIPT_USER) && g.enableScriptSecurity) {
        defaultFailed = true;
        d.error(u.at, `Unable to set default user ${DEFAULT_SCRIPT_USER} for script`, FIX_DEFAULT);
      }
    }
    if (defaultFailed) u.defaultFailed();
  }

  // Apply the removals.
  for (let i = input.vrrpScripts.length - 1; i >= 0; i--) if (removeScript.has(input.vrrpScripts[i]!)) input.vrrpScripts.splice(i, 1);
  for (const vs of input.virtualServers) {
    for (const rs of vs.realServers) {
      if (removeChecker.size > 0) rs.checkers = rs.checkers.filter((ck) => !ck.misc?.command || !removeChecker.has(ck.misc.command));
    }
  }
}
