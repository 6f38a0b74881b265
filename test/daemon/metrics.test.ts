/**
 * The metrics text (adapters/node/daemon/metrics.ts) is valid Prometheus exposition format: read
 * back by a parser (parse-prometheus-text-format, a port of the Python client's parser) and
 * checked line by line against the format's grammar; names follow the conventions (counters end
 * in _total, every family has HELP and TYPE); the values are the status's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../adapters/node/daemon/metrics.js';
import type { DaemonStatus } from '../../adapters/node/daemon/status.js';
import { zeroStats } from '../../adapters/node/daemon/vrrp-stats.js';
import { formatStatus } from '../../adapters/node/control/status-table.js';

type Family = { name: string; help: string; type: string; metrics: Array<{ value?: string; labels?: Record<string, string> }> };
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

export const SAMPLE: DaemonStatus = {
  daemon: { version: '0.1.0', pid: 100, name: 'lb-a', configFile: '/etc/keepalived/keepalived.conf', started: '2026-01-01T00:00:00.000Z', uptimeSeconds: 125, reloads: 2 },
  processes: [
    { role: 'vrrp', pid: 101, answering: true, restarts: 1, started: '2026-01-01T00:00:01.000Z' },
    { role: 'checker', pid: 102, answering: true, restarts: 0 },
  ],
  instances: [
    {
      name: 'VI_1',
      vrid: 51,
      family: 4,
      interface: 'eth0',
      state: 'MASTER',
      priority: { base: 150, effective: 130 },
      master: '198.51.100.1',
      vips: ['198.51.100.100/24', '198.51.100.101/32'],
      inStateSeconds: 61,
      lastTransition: { time: '2026-01-01T00:01:04.000Z', from: 'BACKUP', to: 'MASTER', reason: 'master-down' },
      tracked: [
        { kind: 'interface', name: 'eth0', weight: 0, reverse: false, known: true, ok: true, value: 1, effect: 0 },
        { kind: 'script', name: 'chk "http"', weight: -20, reverse: false, known: true, ok: false, value: 0, effect: -20 },
      ],
      stats: { ...zeroStats(), advertRcvd: 12, advertSent: 60, becomeMaster: 1, priZeroRcvd: 1, addrListErr: 3 },
      drops: { 'bad-checksum': 3000, 'addr-list-mismatch': 3 },
      transitions: [
        { from: 'INIT', to: 'BACKUP', reason: 'startup', count: 1 },
        { from: 'BACKUP', to: 'MASTER', reason: 'master-down', count: 1 },
      ],
      counters: { adverts_sent: 60, master_changes: 1, garp_sent: 10, send_errors: 0 },
    },
    {
      name: 'VI_6',
      vrid: 52,
      family: 6,
      interface: 'eth0',
      state: 'BACKUP',
      priority: { base: 100, effective: 100 },
      master: 'fe80::1',
      masterPriority: 200,
      vips: [],
      syncGroup: 'G1',
      inStateSeconds: 3,
      tracked: [],
      stats: zeroStats(),
      drops: {},
      transitions: [],
      counters: {},
    },
  ],
  syncGroups: [{ name: 'G1', state: 'BACKUP', members: ['VI_6'] }],
  trackers: [
    { kind: 'script', name: 'chk "http"', known: true, ok: false, value: 0 },
    { kind: 'file', name: 'prio', known: true, ok: true, value: -12 },
    { kind: 'process', name: 'haproxy', known: false, ok: false, value: 0 },
  ],
  notifyQueue: 2,
  virtualServers: [
    {
      name: 'tcp 198.51.100.10:80',
      scheduler: 'wrr',
      quorumUp: true,
      realServers: [
        { address: '198.51.100.21:80', up: true, weight: 3, effectiveWeight: 3, checkers: [{ kind: 'HTTP_GET', up: true }] },
        { address: '198.51.100.22:80', up: false, weight: 2, effectiveWeight: 0, checkers: [{ kind: 'TCP_CHECK', up: false, failures: 3, detail: 'TCP connection to [198.51.100.22]:tcp:80 timeout.' }] },
      ],
    },
  ],
  unassignedDrops: { 'too-short': 2, 'vrid-unknown': 5 },
  counters: { vrrp: { tracker_changes: 4, notify_script: 6, notify_failed: 1, packets_received: 3100 } },
};

/** One sample line of the text format 0.0.4: name, optional labels, value (no timestamps here). */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/;

describe('metrics', () => {
  it('parse as Prometheus text format, follow the naming conventions, and carry the status', async () => {
    const text = await renderMetrics(SAMPLE);
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      expect(line).toMatch(SAMPLE_LINE);
    }
    const families = parse(text);
    const by = new Map(families.map((f) => [f.name, f]));
    for (const f of families) {
      expect(f.help.length, f.name).toBeGreaterThan(0);
      expect(['COUNTER', 'GAUGE'], f.name).toContain(f.type);
      if (f.type === 'COUNTER') expect(f.name).toMatch(/_total$/);
      else expect(f.name).not.toMatch(/_total$/);
      expect(f.name).toMatch(/^keepalived_/);
    }
    const value = (name: string, labels: Record<string, string> = {}) =>
      by.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;
    const vi1 = { iname: 'VI_1', intf: 'eth0', vrid: '51' };
    expect(value('keepalived_up')).toBe('1');
    expect(value('keepalived_vrrp_state', vi1)).toBe('2');
    expect(value('keepalived_vrrp_state', { iname: 'VI_6' })).toBe('1');
    expect(value('keepalived_vrrp_priority', vi1)).toBe('130');
    expect(value('keepalived_vrrp_base_priority', vi1)).toBe('150');
    expect(by.get('keepalived_vrrp_vip')!.metrics.map((m) => m.labels!.ip_address)).toEqual(['198.51.100.100', '198.51.100.101']);
    expect(value('keepalived_vrrp_transitions_total', { ...vi1, from: 'BACKUP', to: 'MASTER', reason: 'master-down' })).toBe('1');
    expect(value('keepalived_vrrp_adverts_dropped_total', { ...vi1, reason: 'bad-checksum' })).toBe('3000');
    expect(value('keepalived_vrrp_adverts_dropped_total', { iname: '', reason: 'vrid-unknown' })).toBe('5');
    expect(value('keepalived_vrrp_master_changes_total', vi1)).toBe('1');
    expect(value('keepalived_vrrp_gratuitous_arp_sent_total', { ...vi1, kind: 'arp' })).toBe('10');
    expect(value('keepalived_advertisements_received_total', vi1)).toBe('12');
    expect(value('keepalived_priority_zero_received_total', vi1)).toBe('1');
    expect(value('keepalived_address_list_errors_total', vi1)).toBe('3');
    expect(value('keepalived_script_status', { name: 'chk "http"' })).toBe('0');
    expect(value('keepalived_tracker_value', { name: 'prio' })).toBe('-12');
    expect(by.get('keepalived_tracker_up')!.metrics.map((m) => m.labels!.name)).toEqual(['chk "http"', 'prio']);
    expect(value('keepalived_notify_queue_length')).toBe('2');
    expect(value('keepalived_notify_failures_total', { outcome: 'failed' })).toBe('1');
    expect(value('keepalived_ts_process_restarts_total', { process: 'vrrp' })).toBe('1');
    expect(value('keepalived_ts_reloads_total')).toBe('2');
    expect(value('keepalived_vrrp_sync_group_state', { group: 'G1' })).toBe('1');
    expect(value('keepalived_lvs_real_server_up', { rs: '198.51.100.22:80' })).toBe('0');
    expect(value('keepalived_lvs_real_server_weight', { rs: '198.51.100.21:80' })).toBe('3');
    expect(value('keepalived_lvs_checker_failures', { rs: '198.51.100.22:80', checker: 'TCP_CHECK' })).toBe('3');
    // A label value with a quote is escaped, not broken.
    expect(text).toContain('keepalived_script_status{name="chk \\"http\\""} 0');
  });

  it('a process that did not answer makes keepalived_up 0; no LVS families without virtual servers', async () => {
    const text = await renderMetrics({ ...SAMPLE, virtualServers: [], processes: [{ role: 'vrrp', answering: false, restarts: 3 }] });
    const by = new Map(parse(text).map((f) => [f.name, f]));
    expect(by.get('keepalived_up')!.metrics[0]!.value).toBe('0');
    expect(by.get('keepalived_ts_process_up')!.metrics[0]).toMatchObject({ labels: { process: 'vrrp' }, value: '0' });
    expect([...by.keys()].filter((n) => n.startsWith('keepalived_lvs_'))).toEqual([]);
  });

  it('the status table shows every section of the same status', () => {
    process.env.TZ = 'UTC'; // transition times are shown in local time
    const t = formatStatus(SAMPLE);
    expect(t).toContain('keepalived-ts 0.1.0  lb-a  pid 100  up 2m05s  reloads 2  config /etc/keepalived/keepalived.conf\n');
    expect(t).toContain('processes: vrrp pid 101, 1 restart; checker pid 102, 0 restarts\n');
    expect(t).toMatch(/^VI_1 +MASTER +150 +130 +198\.51\.100\.1 \(this node\) +198\.51\.100\.100\/24,198\.51\.100\.101\/32 +1m01s +BACKUP->MASTER master-down at 00:01:04 +-$/m);
    expect(t).toMatch(/^VI_6 +BACKUP +100 +100 +fe80::1 \(prio 200\) +- +3s +- +G1$/m);
    expect(t).toMatch(/^G1 +BACKUP +VI_6$/m);
    expect(t).toMatch(/^VI_1 +script chk "http" +failed +-20 +-20$/m);
    expect(t).toMatch(/^VI_1 +bad-checksum +3000$/m);
    expect(t).toMatch(/^\(none\) +vrid-unknown +5$/m);
    expect(t).toMatch(/^tcp 198\.51\.100\.10:80 +wrr +198\.51\.100\.21:80 +up +3 +HTTP_GET up$/m);
    expect(t).toMatch(/^ +198\.51\.100\.22:80 +down +0 \(of 2\) +TCP_CHECK down \(3 failed\): TCP connection to \[198\.51\.100\.22\]:tcp:80 timeout\.$/m);
    expect(t).toContain('notifications waiting: 2');
  });
});

describe('the example Grafana dashboard (docs/grafana/keepalived-ts.json)', () => {
  it('is a dashboard whose queries use only metrics the daemon serves', async () => {
    const dash = JSON.parse(readFileSync(new URL('../../docs/grafana/keepalived-ts.json', import.meta.url), 'utf8')) as {
      title: string;
      panels: Array<{ id: number; title: string; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ query: { query: string } }> };
    };
    expect(dash.title).toBe('keepalived-ts');
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
    const served = new Set(parse(await renderMetrics(SAMPLE)).map((f) => f.name));
    const used = [...dash.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...dash.templating.list.map((v) => v.query.query)].flatMap((e) => e.match(/\bkeepalived_[a-z_]+\b/g) ?? []);
    expect(used.length).toBeGreaterThan(10);
    expect([...new Set(used)].filter((n) => !served.has(n))).toEqual([]);
  });
});
