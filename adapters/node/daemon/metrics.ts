/**
 * The daemon's status as Prometheus metrics (text exposition format 0.0.4, via prom-client).
 *
 * Names follow Prometheus conventions (`_total` counters, base units, a `keepalived_` prefix).
 * Where keepalived's exporters already have a metric for the same thing, the name is theirs
 * (cafebazaar/keepalived-exporter: keepalived_up, keepalived_vrrp_state, keepalived_advertisements_
 * received_total, …, keepalived_script_status), so dashboards carry over; their counters' values
 * are keepalived 2.2.7's own statistics (the numbers /tmp/keepalived.stats shows). Unlike that
 * exporter, counters have no `state` label (a label whose value changes starts a new series).
 * The list, with what each means, is in docs/daemon.md "Status, metrics and the journal".
 *
 * A fresh registry per scrape: label sets follow the configuration (instances, trackers, virtual
 * servers) and vanish with it.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { VrrpStateName } from '../../../actors/runtime-types.js';
import { serviceText } from '../control/lvs-format.js';
import type { DaemonStatus } from './status.js';
import type { VrrpStats } from './vrrp-stats.js';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** keepalived's state numbers (vrrp.h), as keepalived_vrrp_state reports them. */
export const STATE_VALUE: Readonly<Record<VrrpStateName, number>> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, DELETED: 97, STOP: 98 };

/** keepalived's statistics → the exporter's counter names. */
const STAT_METRICS: ReadonlyArray<[keyof VrrpStats, string, string]> = [
  ['advertRcvd', 'keepalived_advertisements_received_total', 'Adverts received (counted as keepalived 2.2.7 counts them)'],
  ['advertSent', 'keepalived_advertisements_sent_total', 'Adverts sent'],
  ['becomeMaster', 'keepalived_become_master_total', 'Times the instance became MASTER'],
  ['releaseMaster', 'keepalived_release_master_total', 'Times the instance left MASTER'],
  ['packetLenErr', 'keepalived_packet_length_errors_total', 'Adverts with a bad length'],
  ['advertIntervalErr', 'keepalived_advertisements_interval_errors_total', 'Advert interval errors (keepalived 2.2.7 never counts any)'],
  ['ipTtlErr', 'keepalived_ip_ttl_errors_total', 'Adverts with a bad TTL / hop limit'],
  ['invalidTypeRcvd', 'keepalived_invalid_type_received_total', 'Packets of a VRRP type other than advertisement'],
  ['addrListErr', 'keepalived_address_list_errors_total', 'Adverts whose address list differs from ours'],
  ['invalidAuthtype', 'keepalived_authentication_invalid_total', 'Adverts with an invalid authentication type'],
  ['authtypeMismatch', 'keepalived_authentication_mismatch_total', 'Adverts with another authentication type than ours'],
  ['authFailure', 'keepalived_authentication_failure_total', 'Adverts that failed authentication'],
  ['priZeroRcvd', 'keepalived_priority_zero_received_total', 'Priority-0 adverts received (a master giving up)'],
  ['priZeroSent', 'keepalived_priority_zero_sent_total', 'Priority-0 adverts sent'],
];

export async function renderMetrics(st: DaemonStatus): Promise<string> {
  const reg = new Registry();
  const registers = [reg];
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers });
  const INST = ['iname', 'intf', 'vrid'];

  gauge('keepalived_up', 'Whether every keepalived-ts process answered this scrape').set(st.processes.every((p) => p.answering) ? 1 : 0);
  gauge('keepalived_ts_build_info', 'keepalived-ts version, and the keepalived version it follows', ['version', 'keepalived']).set({ version: st.daemon.version, keepalived: '2.2.7' }, 1);
  gauge('keepalived_ts_start_time_seconds', 'When the daemon started, seconds since the epoch').set(Date.parse(st.daemon.started) / 1000);
  counter('keepalived_ts_reloads_total', 'Configuration reloads applied').inc(st.daemon.reloads);
  const up = gauge('keepalived_ts_process_up', 'Whether the child process answered (vrrp, checker)', ['process']);
  const restarts = counter('keepalived_ts_process_restarts_total', 'Times the child process was respawned', ['process']);
  for (const p of st.processes) {
    up.set({ process: p.role }, p.answering ? 1 : 0);
    restarts.inc({ process: p.role }, p.restarts);
  }

  const state = gauge('keepalived_vrrp_state', 'VRRP state: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP (keepalived\'s numbers)', INST);
  const prio = gauge('keepalived_vrrp_priority', 'Effective priority (what the instance advertises)', INST);
  const base = gauge('keepalived_vrrp_base_priority', 'Configured priority', INST);
  const vip = gauge('keepalived_vrrp_vip', 'A virtual address this node holds now (1)', [...INST, 'ip_address']);
  const since = gauge('keepalived_vrrp_last_transition_timestamp_seconds', 'When the instance last changed state (the process start when it has not)', INST);
  const changes = counter('keepalived_vrrp_master_changes_total', 'Times the master this instance sees changed (this node included)', INST);
  const transitions = counter('keepalived_vrrp_transitions_total', 'State changes by from, to and reason', [...INST, 'from', 'to', 'reason']);
  const drops = counter('keepalived_vrrp_adverts_dropped_total', 'Received VRRP packets dropped, by reason (iname empty: no instance could be named)', [...INST, 'reason']);
  const garps = counter('keepalived_vrrp_gratuitous_arp_sent_total', 'Gratuitous ARPs (arp) and unsolicited neighbour adverts (na) sent', [...INST, 'kind']);
  const sendErrors = counter('keepalived_vrrp_send_errors_total', 'Adverts that could not be sent', INST);
  const backstop = counter('keepalived_ts_vrrp_adverts_backstop_total', 'Adverts the advert backstop sent at their due time because the main thread was late (counted in keepalived_advertisements_sent_total too)', INST);
  const stats = STAT_METRICS.map(([field, name, help]) => [field, counter(name, help, INST)] as const);
  for (const i of st.instances) {
    const l = { iname: i.name, intf: i.interface, vrid: String(i.vrid) };
    state.set(l, STATE_VALUE[i.state]);
    prio.set(l, i.priority.effective);
    base.set(l, i.priority.base);
    for (const a of i.vips) vip.set({ ...l, ip_address: a.split('/')[0]! }, 1);
    since.set(l, (i.lastTransition ? Date.parse(i.lastTransition.time) : Date.now() - i.inStateSeconds * 1000) / 1000);
    changes.inc(l, i.counters.master_changes ?? 0);
    for (const t of i.transitions) transitions.inc({ ...l, from: t.from, to: t.to, reason: t.reason }, t.count);
    for (const [reason, n] of Object.entries(i.drops)) drops.inc({ ...l, reason }, n);
    garps.inc({ ...l, kind: 'arp' }, i.counters.garp_sent ?? 0);
    garps.inc({ ...l, kind: 'na' }, i.counters.na_sent ?? 0);
    sendErrors.inc(l, i.counters.send_errors ?? 0);
    backstop.inc(l, i.counters.adverts_backstop ?? 0);
    for (const [field, c] of stats) c.inc(l, i.stats[field]);
  }
  for (const [reason, n] of Object.entries(st.unassignedDrops)) drops.inc({ iname: '', intf: '', vrid: '', reason }, n);

  const group = gauge('keepalived_vrrp_sync_group_state', 'Sync group state (keepalived\'s numbers, as keepalived_vrrp_state)', ['group']);
  for (const g of st.syncGroups) group.set({ group: g.name }, STATE_VALUE[g.state as VrrpStateName] ?? -1);

  const script = gauge('keepalived_script_status', 'vrrp_script result: 1 succeeded, 0 failed (absent before its first result)', ['name']);
  const tracker = gauge('keepalived_tracker_up', 'Tracked object: 1 ok (script succeeded, interface up, process quorum held, file read), 0 not (absent before its first result)', ['kind', 'name']);
  const trackerValue = gauge('keepalived_tracker_value', 'track_file: the value read', ['name']);
  for (const t of st.trackers) {
    if (!t.known) continue;
    tracker.set({ kind: t.kind, name: t.name }, t.ok ? 1 : 0);
    if (t.kind === 'script') script.set({ name: t.name }, t.ok ? 1 : 0);
    if (t.kind === 'file') trackerValue.set({ name: t.name }, t.value);
  }
  const vrrp = st.counters.vrrp ?? {};
  counter('keepalived_tracker_changes_total', 'Changes of a tracked object\'s result (all objects)').inc(vrrp.tracker_changes ?? 0);
  gauge('keepalived_notify_queue_length', 'Notifications (scripts, FIFO lines, mail) waiting or running').set(st.notifyQueue);
  const notify = counter('keepalived_notify_total', 'Notifications started, by kind', ['kind']);
  for (const kind of ['script', 'fifo', 'mail']) notify.inc({ kind }, vrrp[`notify_${kind}`] ?? 0);
  const notifyFailures = counter('keepalived_notify_failures_total', 'Notifications that failed or timed out', ['outcome']);
  for (const outcome of ['failed', 'timeout']) notifyFailures.inc({ outcome }, vrrp[`notify_${outcome}`] ?? 0);
  counter('keepalived_vrrp_packets_received_total', 'VRRP packets read from the sockets (before any check)').inc(vrrp.packets_received ?? 0);

  if (st.virtualServers.length > 0 || st.lbTable) {
    const VS = ['vs'];
    const RS = ['vs', 'rs'];
    const CK = ['vs', 'rs', 'checker'];
    const programmed = gauge('keepalived_lvs_virtual_server_programmed', 'Virtual server in the load-balancer table: 1, or 0 when the backend refused it', [...VS, 'backend']);
    const quorum = gauge('keepalived_lvs_virtual_server_quorum_up', 'Virtual server quorum held (1) or lost (0)', VS);
    const threshold = gauge('keepalived_lvs_virtual_server_quorum', 'The quorum: the live weight the virtual server needs', VS);
    const live = gauge('keepalived_lvs_virtual_server_live_weight', 'Sum of the effective weights of its alive real servers', VS);
    const sorry = gauge('keepalived_lvs_virtual_server_sorry_server_active', 'The sorry server is in the table (1)', VS);
    const rsUp = gauge('keepalived_lvs_real_server_up', 'Real server alive by its checkers (1) or down (0)', RS);
    const rsSet = gauge('keepalived_lvs_real_server_in_table', 'Real server in the load-balancer table (1; inhibited servers stay with weight 0)', RS);
    const rsWeight = gauge('keepalived_lvs_real_server_weight', 'Real server weight now (configured plus dynamic)', RS);
    const rsConfigured = gauge('keepalived_lvs_real_server_configured_weight', 'Real server weight configured', RS);
    const rsFailed = gauge('keepalived_lvs_real_server_failed_checkers', 'Checkers of the real server whose verdict is down', RS);
    const checker = gauge('keepalived_lvs_checker_up', 'Checker verdict: 1 up, 0 down (absent before its first run)', CK);
    const retries = gauge('keepalived_lvs_checker_retries', 'Failed attempts of the checker in the current run of retries', CK);
    const results = counter('keepalived_lvs_checker_results_total', 'Checker verdict changes, by the verdict reached', [...CK, 'result']);
    for (const vs of st.virtualServers) {
      const l = { vs: vs.name };
      programmed.set({ ...l, backend: vs.backend }, vs.refused ? 0 : 1);
      quorum.set(l, vs.quorumUp ? 1 : 0);
      threshold.set(l, vs.quorum);
      live.set(l, vs.liveWeight);
      if (vs.sorryServer) sorry.set(l, vs.sorryServer.set ? 1 : 0);
      for (const rs of vs.realServers) {
        const rl = { vs: vs.name, rs: rs.name };
        rsUp.set(rl, rs.alive ? 1 : 0);
        rsSet.set(rl, rs.set ? 1 : 0);
        rsWeight.set(rl, rs.effectiveWeight);
        rsConfigured.set(rl, rs.weight);
        rsFailed.set(rl, rs.failedCheckers);
        rs.checkers.forEach((c, n) => {
          const cl = { ...rl, checker: checkerLabel(rs.checkers, n) };
          if (c.hasRun) checker.set(cl, c.up ? 1 : 0);
          retries.set(cl, c.retryIt);
        });
      }
    }
    for (const r of st.checkerResults) results.inc({ vs: r.vs, rs: r.rs, checker: r.checker, result: r.result }, r.count);
    const checkerCounters = st.counters.checker ?? {};
    counter('keepalived_lvs_checker_changes_total', 'Checker verdict changes (all checkers)').inc(checkerCounters.checker_changes ?? 0);
    const commands = counter('keepalived_lvs_table_commands_total', 'Commands sent to the load-balancer table, by command', ['command']);
    for (const cmd of ['addService', 'delService', 'addDest', 'setDest', 'delDest']) commands.inc({ command: cmd }, checkerCounters[`lb_${cmd}`] ?? 0);
    counter('keepalived_lvs_table_errors_total', 'Load-balancer table commands that failed').inc(checkerCounters.lb_errors ?? 0);
    if (st.lbTable) {
      const dests = gauge('keepalived_lvs_table_destinations', 'Destinations per service in the load-balancer table now', ['backend', 'service']);
      for (const s of st.lbTable.services) dests.set({ backend: st.lbTable.backend, service: serviceText(s.service) }, s.destinations.length);
    }
  }
  return reg.metrics();
}

/** A checker's label: its kind, with its place when the real server has several of that kind. */
export function checkerLabel(checkers: ReadonlyArray<{ kind: string }>, n: number): string {
  const kind = checkers[n]!.kind;
  return checkers.filter((o) => o.kind === kind).length > 1 ? `${kind}#${n}` : kind;
}
