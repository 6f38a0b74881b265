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
import { formatStatus } from '../../adapters/node/control/status-table.js';
import { SAMPLE } from './fixtures/daemon-status.js';

type Family = { name: string; help: string; type: string; metrics: Array<{ value?: string; labels?: Record<string, string> }> };
const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

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
    expect(value('keepalived_ts_vrrp_adverts_backstop_total', vi1)).toBe('2');
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
    const vs = { vs: '[198.51.100.10]:tcp:80' };
    const rs22 = { ...vs, rs: '[198.51.100.22]:tcp:80' };
    expect(value('keepalived_lvs_virtual_server_quorum_up', vs)).toBe('1');
    expect(value('keepalived_lvs_virtual_server_live_weight', vs)).toBe('3');
    expect(value('keepalived_lvs_virtual_server_programmed', { ...vs, backend: 'ipvs' })).toBe('1');
    expect(value('keepalived_lvs_virtual_server_programmed', { vs: '[198.51.100.11]:tcp:80' })).toBe('0');
    expect(value('keepalived_lvs_real_server_up', rs22)).toBe('0');
    expect(value('keepalived_lvs_real_server_in_table', rs22)).toBe('0');
    expect(value('keepalived_lvs_real_server_weight', { ...vs, rs: '[198.51.100.21]:tcp:80' })).toBe('3');
    expect(value('keepalived_lvs_checker_up', { ...rs22, checker: 'TCP_CHECK' })).toBe('0');
    expect(value('keepalived_lvs_checker_retries', { ...rs22, checker: 'TCP_CHECK' })).toBe('2');
    expect(value('keepalived_lvs_checker_results_total', { ...rs22, checker: 'TCP_CHECK', result: 'down' })).toBe('2');
    expect(value('keepalived_lvs_checker_changes_total')).toBe('3');
    expect(value('keepalived_lvs_table_commands_total', { command: 'addDest' })).toBe('2');
    expect(value('keepalived_lvs_table_destinations', { backend: 'ipvs', service: 'TCP  198.51.100.10:80' })).toBe('1');
    // A label value with a quote is escaped, not broken.
    expect(text).toContain('keepalived_script_status{name="chk \\"http\\""} 0');
  });

  it('a process that did not answer makes keepalived_up 0; no LVS families without virtual servers', async () => {
    const text = await renderMetrics({ ...SAMPLE, virtualServers: [], lbTable: undefined, processes: [{ role: 'vrrp', answering: false, restarts: 3 }] });
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
    expect(t).toMatch(/^VIRTUAL SERVER +SCHED +QUORUM +REAL SERVER +STATE +WEIGHT +CHECKERS$/m);
    expect(t).toMatch(/^\[198\.51\.100\.10\]:tcp:80 +wrr ipvs +up \(3 >= 1\) +\[198\.51\.100\.21\]:tcp:80 +alive +3 +HTTP_GET up$/m);
    expect(t).toMatch(/^ +\[198\.51\.100\.22\]:tcp:80 +down, removed +2 +TCP_CHECK down$/m);
    expect(t).toMatch(/^\[198\.51\.100\.11\]:tcp:80 +rr ipvs +not programmed: lvs_method DR needs IPVS +- +- +- +-$/m);
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
