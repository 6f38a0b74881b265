/**
 * vrrp_track_process: `param_match` in all its forms, compiled to what keepalived 2.2.7 holds
 * (its -d dump: "Param match" for exact, "Full command = true"), and the exit status it gives.
 */
import { describe, expect, it } from 'vitest';
import { compileText, configTestExitCode, printConfig, type TrackProcessConfig } from '../../config/index.js';
import { comparable, PROBE_HOST } from './helpers.js';
import { PARITY_CASES, trackProcess } from './parity-cases.js';

function compileProcess(conf: string) {
  const { model, diagnostics } = compileText(conf, 'tp.conf', PROBE_HOST);
  return { p: model.trackProcesses[0] as TrackProcessConfig, diagnostics, exit: configTestExitCode(diagnostics), model };
}

const match = (p: TrackProcessConfig) => ({ params: p.params, paramMatch: p.paramMatch, fullCommand: p.fullCommand, noParams: p.noParams });

describe('vrrp_track_process param_match', () => {
  it('bare param_match: exact parameters (none), full command, accepted without a diagnostic', () => {
    const r = compileProcess(trackProcess('process sshd', 'param_match'));
    expect(r.diagnostics).toEqual([]);
    expect(r.exit).toBe(0);
    expect(match(r.p)).toEqual({ params: [], paramMatch: 'exact', fullCommand: true, noParams: true });
  });

  it('bare param_match before a process line with parameters: exact on those parameters', () => {
    const r = compileProcess(trackProcess('param_match', 'process sshd -D'));
    expect(r.diagnostics).toEqual([]);
    expect(match(r.p)).toEqual({ params: ['-D'], paramMatch: 'exact', fullCommand: true, noParams: undefined });
  });

  it('a later param_match partial replaces a bare one, and the other way round', () => {
    expect(match(compileProcess(trackProcess('process sshd', 'param_match', 'param_match partial')).p)).toEqual({ params: [], paramMatch: 'partial', fullCommand: true, noParams: undefined });
    expect(match(compileProcess(trackProcess('param_match partial', 'param_match', 'process sshd')).p)).toEqual({ params: [], paramMatch: 'exact', fullCommand: true, noParams: true });
  });

  it('parameters or param_match initial/partial switch on full_command, as in keepalived; a plain name does not', () => {
    expect(match(compileProcess(trackProcess('process sshd -D')).p)).toEqual({ params: ['-D'], paramMatch: 'exact', fullCommand: true, noParams: undefined });
    expect(match(compileProcess(trackProcess('process sshd', 'param_match initial')).p)).toEqual({ params: [], paramMatch: 'initial', fullCommand: true, noParams: undefined });
    expect(match(compileProcess(trackProcess('process sshd')).p)).toEqual({ params: [], paramMatch: 'exact', fullCommand: false, noParams: undefined });
  });

  it('an unknown type is an error at its column, ignored (keepalived: exit 5)', () => {
    const r = compileProcess(trackProcess('process sshd', 'param_match bogus'));
    expect(r.diagnostics).toEqual([
      { file: 'tp.conf', line: 3, column: 14, severity: 'error', message: "Invalid param_match type 'bogus' - ignoring", fix: 'write param_match, param_match initial or param_match partial' },
    ]);
    expect(r.exit).toBe(5);
    expect(match(r.p)).toEqual({ params: [], paramMatch: 'exact', fullCommand: false, noParams: undefined });
  });

  it('--print keeps a bare param_match', () => {
    const first = compileProcess(trackProcess('process sshd', 'param_match')).model;
    const text = printConfig(first);
    expect(text).toMatch(/\n\s+process sshd\n\s+param_match\n/);
    expect(comparable(compileText(text, 'printed.conf').model)).toEqual(comparable(first));
  });
});

describe('vrrp_track_process process names longer than the kernel keeps (lint)', () => {
  it('warns at the name, with both fixes, without changing the exit status', () => {
    const r = compileProcess(trackProcess('weight 2', 'process haproxy-ingress-ctl'));
    expect(r.diagnostics).toEqual([
      {
        file: 'tp.conf', line: 3, column: 10, severity: 'warning', kind: 'lint',
        message: "process name 'haproxy-ingress-ctl' is 19 bytes: without full_command it is compared with the kernel's process name (/proc/PID/comm), which Linux cuts to 15 bytes, so it never matches",
        fix: 'add full_command, or use the first 15 bytes: process haproxy-ingress',
      },
    ]);
    expect(r.exit).toBe(0);
    expect(r.p.process).toBe('haproxy-ingress-ctl');
  });

  it('counts bytes, not characters: 15 bytes pass, 16 warn', () => {
    expect(compileProcess(trackProcess('process abcdefghijklmno')).diagnostics).toEqual([]);
    expect(compileProcess(trackProcess('process abcdefghijklmnop')).diagnostics.map((d) => d.fix)).toEqual(['add full_command, or use the first 15 bytes: process abcdefghijklmno']);
    // 14 ASCII bytes + 'é' (2 bytes): 16 bytes, and the 15-byte cut splits the 'é'.
    expect(compileProcess(trackProcess('process abcdefghijklmné')).diagnostics.map((d) => [d.line, d.column, d.fix])).toEqual([[2, 10, 'add full_command']]);
  });

  it('is silent when argv[0] is compared: full_command, parameters or param_match', () => {
    for (const extra of [['full_command'], ['param_match'], ['param_match partial']]) {
      expect(compileProcess(trackProcess('process haproxy-ingress-ctl', ...extra)).diagnostics).toEqual([]);
    }
    expect(compileProcess(trackProcess('process haproxy-ingress-ctl -f /etc/h.cfg')).diagnostics).toEqual([]);
  });
});

describe('parity cases (statuses recorded from keepalived -t)', () => {
  for (const c of PARITY_CASES) {
    it(c.name, () => expect(configTestExitCode(compileText(c.conf, 'case.conf', PROBE_HOST).diagnostics)).toBe(c.exit));
  }
});
