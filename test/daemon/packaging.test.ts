import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PID_PATHS } from '../../adapters/node/daemon/pidfiles.js';

const UNIT = new URL('../../packaging/keepalived-ts.service', import.meta.url).pathname;

function settings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

describe('systemd unit', () => {
  const s = settings(readFileSync(UNIT, 'utf8'));
  it('forks like keepalived, with the pid file the daemon writes, and reloads with SIGHUP', () => {
    expect(s.get('Type')).toEqual(['forking']);
    expect(s.get('PIDFile')).toEqual([DEFAULT_PID_PATHS.parent]);
    expect(s.get('KillMode')).toEqual(['process']);
    expect(s.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(s.get('ExecStart')?.[0]).toMatch(/keepalived-ts \$DAEMON_ARGS$/);
    expect(s.get('ExecStart')?.[0]).not.toMatch(/ -n| --dont-fork/);
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))('passes systemd-analyze verify (apart from the binary not being installed here)', () => {
    let out = '';
    try {
      out = execFileSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    } catch (e) {
      out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    }
    const problems = out.split('\n').filter((l) => l.trim() && !/is not executable: No such file or directory/.test(l));
    expect(problems).toEqual([]);
  });
});
