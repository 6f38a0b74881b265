/** The simulated ProcessMonitor's matching (track_process) on a host's process table. */
import { describe, expect, it } from 'vitest';
import type { ProcessMatchSpec } from '../../actors/ports.js';
import type { Host } from '../../sim/host/host.js';
import { countProcesses } from '../../sim/ports/processes.js';

const host = (table: Record<string, number>) => ({ processes: new Map(Object.entries(table)) }) as unknown as Host;
const spec = (process: string, more: Partial<ProcessMatchSpec> = {}): ProcessMatchSpec => ({ process, params: [], paramMatch: 'exact', fullCommand: false, ...more });

describe('simulated track_process matching', () => {
  const h = host({ '/usr/sbin/haproxy -f /etc/haproxy.cfg': 2, '/usr/sbin/haproxy': 1, '/usr/bin/nginx': 4 });

  it('a plain name counts every process of that base name, whatever its parameters', () => {
    expect(countProcesses(h, spec('haproxy'))).toBe(3);
    expect(countProcesses(h, spec('nginx'))).toBe(4);
  });

  it('full_command compares the whole command path', () => {
    expect(countProcesses(h, spec('/usr/sbin/haproxy', { fullCommand: true }))).toBe(3);
    expect(countProcesses(h, spec('haproxy', { fullCommand: true }))).toBe(0);
  });

  it('a bare param_match (noParams) counts only processes started with no parameters', () => {
    expect(countProcesses(h, spec('/usr/sbin/haproxy', { fullCommand: true, noParams: true }))).toBe(1);
  });

  it("partial: the parameters are the process's first ones; initial: the last may be a prefix (as on Linux)", () => {
    expect(countProcesses(h, spec('haproxy', { params: ['-f'], paramMatch: 'partial' }))).toBe(2);
    expect(countProcesses(h, spec('haproxy', { params: ['/etc/haproxy.cfg'], paramMatch: 'partial' }))).toBe(0);
    expect(countProcesses(h, spec('haproxy', { params: ['-f', '/etc/hap'], paramMatch: 'partial' }))).toBe(0);
    expect(countProcesses(h, spec('haproxy', { params: ['-f', '/etc/hap'], paramMatch: 'initial' }))).toBe(2);
    expect(countProcesses(h, spec('haproxy', { params: ['-x'], paramMatch: 'initial' }))).toBe(0);
  });

  it('exact parameters count only that command line', () => {
    expect(countProcesses(h, spec('haproxy', { params: ['-f', '/etc/haproxy.cfg'] }))).toBe(2);
    expect(countProcesses(h, spec('haproxy', { params: ['-f'] }))).toBe(0);
  });
});
