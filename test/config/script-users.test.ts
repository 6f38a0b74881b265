/**
 * Script users while reading the config (config/script-users.ts), with an injected user lookup:
 * with enable_script_security, no script_user and no keepalived_script user, keepalived 2.2.7
 * cannot set the default user, drops the script and `-t` exits 5; track_script references to the
 * dropped script are "not found, ignoring..." and the instance runs without it (issue 9 item 2).
 * The messages and statuses here are the ones keepalived 2.2.7 printed for the same configs
 * (test/system/script-users-keepalived.test.ts compares them with the binary).
 */
import { describe, expect, it } from 'vitest';
import { compileText, configTestExitCode, type CompileResult } from '../../config/index.js';

/** A host whose users are exactly `users`. */
const usersAre =
  (...users: string[]) =>
  (user: string, group?: string): boolean =>
    users.includes(user) && (group === undefined || users.includes(group));

const NO_KEEPALIVED_SCRIPT = usersAre('root', 'nobody', 'nogroup');
const WITH_KEEPALIVED_SCRIPT = usersAre('root', 'keepalived_script');

function compile(conf: string, scriptUser = NO_KEEPALIVED_SCRIPT): CompileResult & { code: number; messages: string[] } {
  const r = compileText(conf, 'k.conf', { interfaces: ['lo', 'eth0'], scriptStatus: () => 'ok', scriptUser });
  return { ...r, code: configTestExitCode(r.diagnostics), messages: r.diagnostics.map((d) => `${d.line} ${d.severity}: ${d.message}`) };
}

const INSTANCE = (extra = '  track_script {\n    chk\n  }\n') =>
  `vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    203.0.113.10/32\n  }\n${extra}}\n`;
const SECURE = 'global_defs {\n  enable_script_security\n}\n';
const CHK = 'vrrp_script chk {\n  script "/bin/true"\n  interval 1\n}\n';

describe('enable_script_security without a user to run scripts as', () => {
  it('the vrrp_script is removed, the track reference ignored, and -t exits 5 (keepalived 2.2.7)', () => {
    const r = compile(SECURE + CHK + INSTANCE());
    expect(r.messages).toEqual([
      '4 error: Unable to set default user keepalived_script for script',
      '4 error: Unable to set default user for vrrp script chk - removing',
      '17 error: (VI_1) track script chk not found, ignoring...',
    ]);
    expect(r.code).toBe(5);
    expect(r.model.vrrpScripts).toEqual([]);
    expect(r.model.vrrpInstances[0]!.trackScripts).toEqual([]);
    // The instance itself is kept: keepalived runs it, without the script.
    expect(r.model.vrrpInstances.map((i) => i.name)).toEqual(['VI_1']);
  });

  it('notify scripts are dropped (keepalived logs it; the status comes from the default-user error)', () => {
    const r = compile(SECURE + INSTANCE('  notify_master "/bin/true master"\n  notify /bin/true\n'));
    expect(r.messages).toEqual([
      '12 error: Unable to set default user keepalived_script for script',
      '12 warning: Failed to set default user for notify script /bin/true - ignoring',
      '13 warning: Failed to set default user for notify script /bin/true - ignoring',
    ]);
    expect(r.code).toBe(5);
    expect(r.model.vrrpInstances[0]!.notify).toEqual({});
  });

  it('the one-time error lands on the first script in file order; each script is then removed', () => {
    const r = compile(`${SECURE}vrrp_script a {\n  script "/bin/true"\n  user nobody\n}\nvrrp_script b {\n  script "/bin/true"\n}\nvrrp_script c {\n  script "/bin/true"\n  user nosuchuser\n}\n${INSTANCE('  track_script {\n    a\n    b\n    c\n  }\n')}`);
    expect(r.messages).toEqual([
      '8 error: Unable to set default user keepalived_script for script',
      '8 error: Unable to set default user for vrrp script b - removing',
      '13 error: Unable to set uid/gid for script \'/bin/true\'',
      '25 error: (VI_1) track script b not found, ignoring...',
      '26 error: (VI_1) track script c not found, ignoring...',
    ]);
    expect(r.model.vrrpScripts.map((s) => s.name)).toEqual(['a']);
    expect(r.model.vrrpInstances[0]!.trackScripts.map((t) => t.name)).toEqual(['a']);
  });

  it('MISC_CHECK and quorum scripts get keepalived\'s words too', () => {
    const r = compile(`${SECURE}virtual_server 203.0.113.10 80 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n  quorum_up "/bin/true up"\n  real_server 203.0.113.20 80 {\n    MISC_CHECK {\n      misc_path "/bin/true"\n    }\n    MISC_CHECK {\n      misc_path "/bin/false"\n      user nosuchuser\n    }\n  }\n}\n`);
    expect(r.messages).toEqual([
      '8 error: Unable to set default user keepalived_script for script',
      '8 warning: Failed to set default user for quorum script /bin/true - ignoring',
      '10 error: Unable to set default user for misc script \'/bin/true\' - removing',
      '15 error: Failed to set uid/gid for misc checker script \'/bin/false\' - removing',
    ]);
    expect(r.code).toBe(5);
    expect(r.model.virtualServers[0]!.realServers[0]!.checkers).toEqual([]);
    expect(r.model.virtualServers[0]!.quorumUp).toBeUndefined();
  });

  it('startup_script without a user is "Invalid startup script"', () => {
    const r = compile('global_defs {\n  enable_script_security\n  startup_script "/bin/true start"\n}\n' + INSTANCE(''));
    expect(r.messages).toEqual(['3 error: Unable to set default user keepalived_script for script', '3 error: Invalid startup script']);
    expect(r.model.globalDefs.startupScript).toBeUndefined();
  });
});

describe('when there is a user to run scripts as', () => {
  it('script_user that exists: nothing to say, the script stays', () => {
    const r = compile(`global_defs {\n  enable_script_security\n  script_user nobody\n}\n${CHK}${INSTANCE()}`);
    expect(r.messages).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.model.vrrpInstances[0]!.trackScripts.map((t) => t.name)).toEqual(['chk']);
  });

  it('a keepalived_script user on the host is the default', () => {
    const r = compile(SECURE + CHK + INSTANCE(), WITH_KEEPALIVED_SCRIPT);
    expect(r.messages).toEqual([]);
    expect(r.model.vrrpScripts.map((s) => s.name)).toEqual(['chk']);
  });

  it('a script with its own existing user needs no default', () => {
    const r = compile(`${SECURE}vrrp_script chk {\n  script "/bin/true"\n  user nobody\n}\n${INSTANCE()}`);
    expect(r.messages).toEqual([]);
  });

  it('without enable_script_security, root is the default (keepalived then reports the SECURITY VIOLATION, 6)', () => {
    const r = compile(CHK + INSTANCE());
    expect(r.model.vrrpScripts.map((s) => s.name)).toEqual(['chk']);
    expect(r.code).toBe(6);
  });
});

describe('a script_user that does not exist', () => {
  it('"Error setting global script uid/gid", and every script needing the default is removed, even without script security', () => {
    const r = compile(`global_defs {\n  script_user nosuchuser\n}\n${CHK}${INSTANCE('  track_script {\n    chk\n  }\n  notify_master "/bin/true master"\n')}`);
    expect(r.messages).toEqual([
      '2 error: Error setting global script uid/gid',
      '4 error: Unable to set default user for vrrp script chk - removing',
      '19 warning: Failed to set default user for notify script /bin/true - ignoring',
      '17 error: (VI_1) track script chk not found, ignoring...',
    ]);
    expect(r.code).toBe(5);
  });

  it('a notify script with a user that does not exist is dropped quietly (status 0, as keepalived)', () => {
    const r = compile(SECURE + INSTANCE('  notify_master "/bin/true master" nosuchuser\n'));
    expect(r.messages).toEqual(['12 warning: Invalid user/group for notify script /bin/true - ignoring']);
    expect(r.code).toBe(0);
  });
});

it('without a user lookup (check --no-host) script users are not checked', () => {
  const r = compileText(SECURE + CHK + INSTANCE(), 'k.conf', {});
  expect(r.diagnostics).toEqual([]);
  expect(r.model.vrrpScripts.map((s) => s.name)).toEqual(['chk']);
});
