/**
 * The ScriptRunner port: vrrp_script checks, notify scripts and MISC_CHECK programs.
 *
 * Each script runs in its own process group (so a timeout kills the whole tree, including
 * anything a shell script started), with stdio on /dev/null, as script_user when given, and
 * inside the daemon's network namespace. On timeout the group gets SIGTERM and, if still there
 * after `killGraceMs`, SIGKILL — keepalived's sequence. Nothing here blocks the event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ScriptResult, ScriptRunner, ScriptSpec } from '../../actors/ports.js';
import { errorText } from '../linux/native.js';
import { inNetns } from '../linux/netns.js';
import { resolveScriptIdentity, type ScriptIdentity } from '../linux/users.js';
import { checkScriptSecurity } from '../linux/script-security.js';
import { DEFAULT_SCRIPT_USER } from '../../config/script-users.js';

export interface NodeScriptRunnerOptions {
  /** Network namespace scripts start in (keepalived's net_namespace). */
  netns?: string;
  /** Delay between SIGTERM and SIGKILL after a timeout (default 2000 ms). */
  killGraceMs?: number;
  /**
   * Who runs a script that names no user (and no global_defs script_user): this user when it
   * exists, else root — but never root with enable_script_security. Default keepalived_script,
   * keepalived's default.
   */
  defaultUser?: string;
}

export interface NodeScriptRunner extends ScriptRunner {
  /** Scripts still running. */
  running(): number;
  /** Kill every running script's process group (daemon shutdown). */
  killAll(): void;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* the group is already gone */
  }
}

export function createNodeScriptRunner(opts: NodeScriptRunnerOptions = {}): NodeScriptRunner {
  const grace = opts.killGraceMs ?? 2000;
  const defaultUser = opts.defaultUser ?? DEFAULT_SCRIPT_USER;
  const live = new Set<ChildProcess>();

  const start = (spec: ScriptSpec, id: ScriptIdentity | undefined, finish: (r: ScriptResult) => void, state: { child?: ChildProcess; cancelled: boolean }): void => {
    const [cmd, ...args] = spec.argv;
    if (!cmd) return finish({ exitCode: null, timedOut: false, error: 'empty command' });
    let child: ChildProcess;
    try {
      child = inNetns(opts.netns, () =>
        spawn(cmd, args, {
          detached: true, // own process group: the timeout kills the whole tree
          stdio: 'ignore',
          env: { ...process.env, ...spec.env },
          ...(id ? { uid: id.uid, gid: id.gid } : {}),
        }),
      );
    } catch (e) {
      return finish({ exitCode: null, timedOut: false, error: `cannot run ${cmd}: ${errorText(e)}` });
    }
    state.child = child;
    live.add(child);
    let timedOut = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const timeout = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), grace);
    }, spec.timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      live.delete(child);
    };
    child.once('error', (e) => {
      cleanup();
      finish({ exitCode: null, timedOut: false, error: `cannot run ${cmd}: ${errorText(e)}` });
    });
    child.once('exit', (code, signal) => {
      cleanup();
      // Whatever the script left in its group goes with it once the timeout fired.
      if (timedOut) killGroup(child, 'SIGKILL');
      finish({ exitCode: code, ...(signal ? { signal } : {}), timedOut });
    });
  };

  return {
    run(spec, done) {
      const state: { child?: ChildProcess; cancelled: boolean } = { cancelled: false };
      let finished = false;
      const finish = (r: ScriptResult): void => {
        if (finished || state.cancelled) return;
        finished = true;
        done(r);
      };
      const launch = (id?: ScriptIdentity): void => {
        if (!state.cancelled) start(spec, id, finish, state);
      };
      // enable_script_security: every path component must be root's and not writable by others.
      const go = (id?: ScriptIdentity): void => {
        const cmd = spec.argv[0];
        if (!spec.secure || !cmd) return launch(id);
        checkScriptSecurity(cmd, { scriptSecurity: true, ...(id ? { uid: id.uid, gid: id.gid } : {}) }, (r) =>
          r.inhibit ? finish({ exitCode: null, timedOut: false, error: r.messages.join(' ') || `script '${cmd}' refused` }) : launch(id),
        );
      };
      if (spec.user !== undefined) {
        resolveScriptIdentity(spec.user, spec.group, (id, error) => (id ? go(id) : finish({ exitCode: null, timedOut: false, error: error ?? 'unknown user' })));
      } else {
        // keepalived's default script user: keepalived_script when it exists, else ourselves
        // (root), except that enable_script_security never runs a script as root. The config
        // loader already drops such scripts (config/script-users.ts); this is the last guard.
        // (resolveScriptIdentity answers asynchronously: never inside the call that asked.)
        resolveScriptIdentity(defaultUser, undefined, (id) => {
          if (id) return go(id);
          if (spec.secure) {
            return finish({ exitCode: null, timedOut: false, error: `Unable to set default user ${defaultUser} for script - not running '${spec.argv[0] ?? ''}' as root (enable_script_security)` });
          }
          go();
        });
      }
      return {
        cancel() {
          state.cancelled = true;
          if (state.child) killGroup(state.child, 'SIGKILL');
        },
      };
    },
    running: () => live.size,
    killAll() {
      for (const c of live) killGroup(c, 'SIGKILL');
    },
  };
}
