/**
 * script_user / script_group resolution from /etc/passwd and /etc/group (read asynchronously).
 * Users that exist only in NSS databases other than files (LDAP, sssd) are not found: configure a
 * numeric id instead ("script_user 1001 1001" works).
 */
import { readFile, readFileSync } from 'node:fs';

export interface ScriptIdentity {
  uid: number;
  gid: number;
}

function lookup(path: string, name: string, done: (fields: string[] | undefined, error?: string) => void): void {
  readFile(path, 'utf8', (err, text) => {
    if (err) return done(undefined, `cannot read ${path}: ${err.message}`);
    const line = text.split('\n').find((l) => l.split(':')[0] === name);
    done(line?.split(':'));
  });
}

const numeric = (s: string): number | undefined => (/^\d+$/.test(s) ? Number(s) : undefined);

/** Resolve a user (name or number) and optional group (name or number; default: the user's group). */
export function resolveScriptIdentity(user: string, group: string | undefined, done: (id: ScriptIdentity | undefined, error?: string) => void): void {
  const withGroup = (uid: number, primaryGid: number | undefined): void => {
    if (group === undefined) {
      if (primaryGid === undefined) return done(undefined, `script user ${user} has no group: give one`);
      return done({ uid, gid: primaryGid });
    }
    const n = numeric(group);
    if (n !== undefined) return done({ uid, gid: n });
    lookup('/etc/group', group, (fields, error) => {
      const gid = fields ? numeric(fields[2] ?? '') : undefined;
      if (gid === undefined) return done(undefined, error ?? `unknown script group '${group}'`);
      done({ uid, gid });
    });
  };
  const n = numeric(user);
  if (n !== undefined) return withGroup(n, group === undefined ? n : undefined);
  lookup('/etc/passwd', user, (fields, error) => {
    const uid = fields ? numeric(fields[2] ?? '') : undefined;
    if (uid === undefined) return done(undefined, error ?? `unknown script user '${user}'`);
    withGroup(uid, numeric(fields?.[3] ?? ''));
  });
}

export interface UserDatabases {
  passwd: string;
  group: string;
}

const SYSTEM_DATABASES: UserDatabases = { passwd: '/etc/passwd', group: '/etc/group' };

function names(text: string | undefined): Set<string> {
  return new Set((text ?? '').split('\n').map((l) => l.split(':')[0]!).filter(Boolean));
}

function readOrEmpty(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A synchronous "does this script user (and group) exist?" for reading the configuration
 * (config/script-users.ts), with the same rules as resolveScriptIdentity: a name in the
 * databases, or a number. `db` replaces /etc/passwd and /etc/group (tests).
 */
export function scriptUserLookup(db: UserDatabases = SYSTEM_DATABASES): (user: string, group?: string) => boolean {
  return (user, group) => {
    const userOk = numeric(user) !== undefined || names(readOrEmpty(db.passwd)).has(user);
    const groupOk = group === undefined || numeric(group) !== undefined || names(readOrEmpty(db.group)).has(group);
    return userOk && groupOk;
  };
}
