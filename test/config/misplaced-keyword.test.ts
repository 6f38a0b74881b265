/**
 * A keyword written in the parent of the block it belongs to ("auth_pass" directly in
 * vrrp_instance): still an unknown keyword, as in keepalived 2.2.7 (exit 5), but the message
 * names the sub-block(s) of this block that accept it, and the fix shows the moved line.
 */
import { describe, expect, it } from 'vitest';
import { compileText, configTestExitCode } from '../../config/index.js';
import { inst } from './broken-cases.js';
import { PROBE_HOST } from './helpers.js';

const check = (conf: string) => {
  const { diagnostics } = compileText(conf, 'm.conf', PROBE_HOST);
  return { diagnostics, exit: configTestExitCode(diagnostics) };
};

describe('keywords that belong inside a sub-block', () => {
  it('auth_type and auth_pass directly in vrrp_instance name authentication { }', () => {
    const r = check(inst(' auth_type PASS\n auth_pass secret'));
    expect(r.diagnostics).toEqual([
      { file: 'm.conf', line: 4, column: 2, severity: 'warning', message: "unknown keyword 'auth_type' in vrrp_instance A - 'auth_type' belongs inside 'authentication { }' of vrrp_instance A", fix: 'move it into the block: authentication { auth_type PASS }' },
      { file: 'm.conf', line: 5, column: 2, severity: 'warning', message: "unknown keyword 'auth_pass' in vrrp_instance A - 'auth_pass' belongs inside 'authentication { }' of vrrp_instance A", fix: 'move it into the block: authentication { auth_pass ******** }' },
    ]);
    expect(r.exit).toBe(5);
  });

  it('at the top level, names the blocks with their arguments; the old name vrrp_track_file is left out', () => {
    const r = check('weight 2\nfile /run/flag\n');
    expect(r.diagnostics.map((d) => [d.line, d.message, d.fix])).toEqual([
      [1, "unknown keyword 'weight' - 'weight' belongs inside 'vrrp_script NAME { }', 'track_file NAME { }', 'vrrp_track_process NAME { }' or 'virtual_server IP PORT { }'", 'move it into one of those blocks: … { weight 2 }'],
      [2, "unknown keyword 'file' - 'file' belongs inside 'track_file NAME { }'", 'move it into the block: track_file NAME { file /run/flag }'],
    ]);
  });

  it('a misplaced block keeps its braces in the fix', () => {
    const conf = 'virtual_server 10.0.0.1 80 {\n protocol TCP\n TCP_CHECK {\n  connect_timeout 3\n }\n real_server 10.0.0.2 80 {\n  weight 1\n }\n}\n';
    const d = check(conf).diagnostics.find((x) => x.line === 3)!;
    expect([d.column, d.message, d.fix]).toEqual([2, "unknown keyword 'TCP_CHECK' in virtual_server - 'TCP_CHECK' belongs inside 'real_server IP PORT { }' of virtual_server", 'move it into the block: real_server IP PORT { TCP_CHECK { … } }']);
  });

  it('typos still get the nearest keyword of the block', () => {
    const r = check(inst(' authentication {\n  autp_pass 1234\n }\n prioirty 50'));
    expect(r.diagnostics.map((d) => [d.line, d.message])).toEqual([
      [5, "unknown keyword 'autp_pass' in authentication - did you mean auth_pass?"],
      [7, "unknown keyword 'prioirty' in vrrp_instance A - did you mean priority?"],
    ]);
  });

  it('keywords valid where they are written are untouched (delay_before_retry in virtual_server is keepalived 2.2.7 syntax)', () => {
    const conf = 'virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo rr\n lb_kind NAT\n delay_before_retry 3\n real_server 10.0.0.2 80 {\n  weight 1\n }\n}\n';
    expect(check(conf)).toEqual({ diagnostics: [], exit: 0 });
  });
});
