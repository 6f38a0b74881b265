/**
 * enable_script_security and script_user through the runtime: every script run carries `secure`
 * and the default user; a script the port refuses as unsafe never runs, and a tracked one counts
 * as failed (weight 0: FAULT), with keepalived's message in the log.
 */
import { describe, expect, it } from 'vitest';
import { twoNodes, vi1 } from './two-nodes.js';

const top = (global: string) => `
global_defs {
  ${global}
}
vrrp_script chk {
  script /etc/keepalived/chk.sh
  interval 1
}`;
const body = 'track_script { chk }\n  notify_master /etc/keepalived/master.sh';

describe('enable_script_security and script_user', () => {
  it('refuses an unsafe tracked script: the instance is FAULT and the refusal is logged', () => {
    const { lan, a, rtA } = twoNodes(vi1(150, body, top('enable_script_security\n  script_user nobody')), vi1(100), false);
    a.scripts['/etc/keepalived/chk.sh'] = { exitCode: 0, insecure: true };
    rtA.start();
    lan.clock.runUntil(8000);
    expect(rtA.status()[0]!.state).toBe('FAULT');
    expect(a.logLines().some((l) => l.includes("Unsafe permissions found for script '/etc/keepalived/chk.sh' - disabling."))).toBe(true);
    expect(a.scriptRuns.every((r) => r.secure === true && r.user === 'nobody')).toBe(true);
  });

  it('runs safe scripts as script_user, and notify scripts too', () => {
    const { lan, a, rtA } = twoNodes(vi1(150, body, top('enable_script_security\n  script_user nobody nogroup')), vi1(100));
    lan.clock.runUntil(8000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    const master = a.scriptRuns.find((r) => r.argv[0] === '/etc/keepalived/master.sh');
    expect(master).toMatchObject({ user: 'nobody', secure: true });
  });

  it('without enable_script_security an unsafe script still runs (keepalived only warns)', () => {
    const { lan, a, rtA } = twoNodes(vi1(150, body, top('')), vi1(100), false);
    a.scripts['/etc/keepalived/chk.sh'] = { exitCode: 0, insecure: true };
    rtA.start();
    lan.clock.runUntil(8000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(a.scriptRuns.some((r) => r.secure)).toBe(false);
  });
});
