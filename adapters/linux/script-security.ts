/**
 * enable_script_security: a script run as root must not be replaceable by anyone but root.
 * Like keepalived, every component of the script's resolved path is checked: each must be owned
 * by root, and (for files, and directories without the sticky bit) not writable by a non-root
 * group or by others. keepalived's log wording is kept, because operators grep for it.
 */
import { realpath, stat, type Stats } from 'node:fs';
import { dirname } from 'node:path';

export interface ScriptSecurityReport {
  /** Some path component is unsafe (logged even without enable_script_security). */
  insecure: boolean;
  /** The script must not run: insecure with script security on, missing, or of a wrong type. */
  inhibit: boolean;
  notFound: boolean;
  /** The file has an execute bit the running user can use. */
  executable: boolean;
  /** Log lines in keepalived's words. */
  messages: string[];
}

/** Path prefixes of an absolute path: /a/b/c → ['/', '/a', '/a/b', '/a/b/c']. */
export function pathPrefixes(path: string): string[] {
  const out: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    out.unshift(p);
    if (p === dirname(p)) return out;
  }
}

function unsafe(s: Stats): boolean {
  const S_ISVTX = 0o1000;
  if (s.uid !== 0) return true;
  const checked = s.isFile() || (s.isDirectory() && (s.mode & S_ISVTX) === 0);
  return checked && ((s.gid !== 0 && (s.mode & 0o020) !== 0) || (s.mode & 0o002) !== 0);
}

/**
 * Check `script` (the program path, argv[0]) for running as `uid`/`gid` (default root).
 * `scriptSecurity` is enable_script_security.
 */
export function checkScriptSecurity(
  script: string,
  opts: { scriptSecurity: boolean; uid?: number; gid?: number },
  done: (r: ScriptSecurityReport) => void,
): void {
  const r: ScriptSecurityReport = { insecure: false, inhibit: false, notFound: false, executable: false, messages: [] };
  const disabling = opts.scriptSecurity ? ' - disabling' : '';
  realpath(script, (err, real) => {
    if (err) {
      r.notFound = true;
      r.inhibit = true;
      r.messages.push(
        err.code === 'ENOENT'
          ? `check_script_secure could not find script '${script}'${disabling}`
          : `check_script_secure('${script}') returned errno ${-(err.errno ?? 0)} - ${err.message}${disabling}`,
      );
      return done(r);
    }
    const parts = pathPrefixes(real);
    const next = (i: number): void => {
      const part = parts[i];
      if (part === undefined) return done(r);
      stat(part, (e, s) => {
        if (e) {
          r.notFound = true;
          r.inhibit = true;
          r.messages.push(`check_script_secure('${script}') returned errno ${-(e.errno ?? 0)} - ${e.message}${disabling}`);
          return done(r);
        }
        const last = i === parts.length - 1;
        if (!s.isDirectory() && !s.isFile()) {
          r.inhibit = true;
          r.messages.push(`Wrong file type found in script path '${script}'.`);
          return done(r);
        }
        if (unsafe(s)) {
          r.insecure = true;
          r.inhibit = opts.scriptSecurity;
          r.messages.push(`Unsafe permissions found for script '${script}'${disabling}.`);
          return done(r);
        }
        if (last) {
          const uid = opts.uid ?? 0;
          const gid = opts.gid ?? 0;
          r.executable =
            ((uid === 0 || uid === s.uid) && (s.mode & 0o100) !== 0) ||
            ((uid === 0 || uid !== s.uid) && (gid === 0 || gid === s.gid) && (s.mode & 0o010) !== 0) ||
            ((uid === 0 || uid !== s.uid) && (gid === 0 || gid !== s.gid) && (s.mode & 0o001) !== 0);
          if (!r.executable) {
            r.inhibit = true;
            r.messages.push(`WARNING - script '${script}' is not executable for uid:gid ${uid}:${gid} - disabling.`);
          }
        }
        next(i + 1);
      });
    };
    next(0);
  });
}
