/**
 * `keepalived-ts lvs`'s table (adapters/node/control/lvs-format.ts): ipvsadm -Ln's layout, each
 * destination with its checkers' state, real servers the table lacks without the arrow, refused
 * virtual servers with the reason; and the view the control socket's `lvs` request answers.
 */
import { describe, expect, it } from 'vitest';
import { formatLvsTable, lvsView, serviceLine } from '../../adapters/node/control/lvs-format.js';
import { parseRequest } from '../../adapters/node/control/protocol.js';
import { LVS_SERVERS, LVS_TABLE } from './fixtures/lvs-status.js';
import { SAMPLE } from './fixtures/daemon-status.js';

const view = { daemon: { name: 'lb-a', pid: 100, version: '0.1.0' }, checker: { role: 'checker' as const, pid: 102, answering: true, restarts: 0 }, table: LVS_TABLE, virtualServers: LVS_SERVERS };

describe('keepalived-ts lvs', () => {
  it("prints the table in ipvsadm -Ln's layout with the checkers' state", () => {
    expect(formatLvsTable(view)).toBe(
      [
        'IP Virtual Server table of keepalived-ts (lb-a, checker pid 102), backend ipvs',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight State                Checkers',
        'TCP  198.51.100.10:80 wrr',
        '  -> 198.51.100.21:80             Masq    3      alive                HTTP_GET up',
        '     198.51.100.22:80             Masq    -      down, removed        TCP_CHECK down',
        'TCP  198.51.100.11:80 rr  # not in the table: lvs_method DR needs IPVS',
        '',
      ].join('\n'),
    );
  });

  it('service lines carry persistence, flags and fwmarks as ipvsadm prints them; IPv6 in brackets', () => {
    expect(serviceLine({ family: 4, protocol: 'tcp', address: '198.51.100.10', port: 443, scheduler: 'sh', flags: ['sh-port', 'ops'], persistenceTimeoutS: 300, netmask: '255.255.255.0' })).toBe(
      'TCP  198.51.100.10:443 sh (sh-port) persistent 300 mask 255.255.255.0 ops',
    );
    expect(serviceLine({ family: 6, fwmark: 7, scheduler: 'rr', flags: [], persistenceTimeoutS: 0 })).toBe('FWM  7 IPv6 rr');
    expect(serviceLine({ family: 6, protocol: 'udp', address: '2001:db8::10', port: 53, scheduler: 'wlc', flags: [], persistenceTimeoutS: 0 })).toBe('UDP  [2001:db8::10]:53 wlc');
  });

  it('an inhibited server stays with weight 0; no table or no checker says so', () => {
    const inhibited = structuredClone(LVS_SERVERS);
    inhibited[0]!.realServers[1]!.set = true;
    inhibited[0]!.realServers[1]!.inhibitOnFailure = true;
    inhibited[0]!.realServers[0]!.checkers[0] = { ...inhibited[0]!.realServers[0]!.checkers[0]!, retry: 3, retryIt: 1 };
    const table = structuredClone(LVS_TABLE);
    table.services[0]!.destinations.push({ family: 4, address: '198.51.100.22', port: 80, method: 'NAT', weight: 0, upperThreshold: 0, lowerThreshold: 0 });
    const t = formatLvsTable({ ...view, table, virtualServers: inhibited });
    expect(t).toContain('  -> 198.51.100.22:80             Masq    0      down, inhibited (weight 0) TCP_CHECK down\n');
    expect(t).toContain('  -> 198.51.100.21:80             Masq    3      alive                HTTP_GET up, failing (retry 1 of 3)\n');
    const noTable = formatLvsTable({ ...view, checker: { ...view.checker, answering: false }, table: undefined });
    expect(noTable).toContain('The checker process did not answer: the table is not known.\n');
    expect(noTable).toContain('TCP  198.51.100.10:80 wrr  # not in the table\n');
    expect(formatLvsTable({ daemon: view.daemon, virtualServers: [] })).toBe(
      'IP Virtual Server table of keepalived-ts (lb-a, no checker process)\nNo virtual servers: the configuration has no virtual_server.\n',
    );
  });

  it('the lvs view is drawn from the daemon status; lvs is a control request', () => {
    const v = lvsView({ ...SAMPLE, lbTable: LVS_TABLE, virtualServers: LVS_SERVERS });
    expect(v).toEqual({ daemon: { name: 'lb-a', pid: 100, version: '0.1.0' }, checker: SAMPLE.processes[1], table: LVS_TABLE, virtualServers: LVS_SERVERS });
    expect(parseRequest('{"cmd":"lvs"}')).toEqual({ ok: true, request: { cmd: 'lvs' } });
    expect(parseRequest('{"cmd":"lsv"}')).toMatchObject({ ok: false, response: { code: 'unknown-command', error: expect.stringContaining('did you mean lvs?') } });
  });
});
