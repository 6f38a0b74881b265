/**
 * The compiled model → what the LVS subsystem runs (keepalived's checker process): one virtual
 * server actor per virtual_server, one real server actor per real_server, one checker actor per
 * checker block, with deterministic systemIds derived from each one's identity, so a reload can
 * tell what it keeps. Plain, comparable data; the actors' inputs are built from it when they are
 * spawned (inputs.ts), since they also depend on what only the running node knows (track file
 * values, local addresses, the state a reload carries over).
 *
 * Defaults and inheritance are config/'s (delay_loop, retry, … already resolved on every
 * checker); here: alpha and inhibit_on_failure inherited from the virtual server, quorum and
 * hysteresis clamped as keepalived does (effectiveQuorum), smtp_alert's defaults (check_data.c
 * check_check_config: a real server alerts unless global smtp_alert_checker/smtp_alert say no).
 */
import type { KeepalivedConfig, ScriptCommand } from '../../config/model.js';
import type { CheckerConfig, RealServerConfig, SslConfig, VirtualServerConfig } from '../../config/model-lvs.js';
import { formatPair } from '../../machines/check/format.js';
import type { SorryServer } from '../../machines/check/types.js';
import { effectiveQuorum } from '../../machines/check/virtual-server.logic.js';
import type { NotifierConfig } from '../../machines/notify/notifier.machine.js';
import { canonicalIp } from '../../protocol/addr.js';
import type { ScriptPolicy } from '../io-env.js';
import { notifyMailSettings } from '../notify-mail.js';
import type { LbDestination, LbGlobals, LbMethod, LbService } from './lb-port.js';
import { checkerId, realServerId, virtualServerId } from './names.js';
import type { ProbeTarget } from './prober-port.js';
import { destinationOf, layoutOf, methodOf, methodsOf, realServerName, realServerPort } from './services.js';

export interface LvsPlanOptions {
  hostname: string;
  /** Notify scripts run one at a time; each may take this long (default 10 s). */
  notifyScriptTimeoutMs?: number;
}

export interface CheckerPlan {
  systemId: string;
  index: number;
  /** kind + every setting that says what is checked (not how often): a reload keeps the state of a checker whose identity stays. */
  identity: string;
  config: CheckerConfig;
  target: ProbeTarget;
  /** FILE_CHECK: the track_file it follows and the weight/reverse that apply. */
  file?: { name: string; path?: string; weight: number; reverse: boolean };
}

export interface RsPlan {
  key: string;
  systemId: string;
  /** FMT_RS, and `[ip]:port` for SMTP and DNS lines. */
  name: string;
  pair: string;
  /** Configured weight (keepalived iweight). */
  weight: number;
  inhibitOnFailure: boolean;
  notifyUp?: ScriptCommand;
  notifyDown?: ScriptCommand;
  smtpAlert: boolean;
  dest: Omit<LbDestination, 'weight'>;
  virtualhost?: string;
  checkers: CheckerPlan[];
}

export interface VsPlan {
  key: string;
  systemId: string;
  name: string;
  group?: string;
  services: LbService[];
  methods: LbMethod[];
  /** Addresses ha_suspend looks for on local interfaces. */
  addresses: string[];
  quorum: number;
  hysteresis: number;
  omega: boolean;
  haSuspend: boolean;
  quorumUp?: ScriptCommand;
  quorumDown?: ScriptCommand;
  smtpAlert: boolean;
  sorryServer?: SorryServer;
  delayLoopMs: number;
  virtualhost?: string;
  realServers: RsPlan[];
  /** Where the virtual server was written, for messages about it. */
  source: { file: string; line: number };
}

export interface LvsPlan {
  virtualServers: VsPlan[];
  /** lvs_flush, lvs_flush_on_stop, lvs_timeouts, lvs_sync_daemon. */
  globals: LbGlobals;
  notifier: NotifierConfig;
  /** global_defs router_id (default: the host name), for alert mail subjects. */
  routerId: string;
  rsInitNotifies: boolean;
  noCheckerEmails: boolean;
  logAllFailures: boolean;
  ssl?: SslConfig;
  scriptPolicy: ScriptPolicy;
}

/** What makes a checker the same one across a reload: its kind and what it checks, not its timers. */
export function checkerIdentity(c: CheckerConfig, target: ProbeTarget): string {
  const { source: _s, connectTimeoutMs: _t, retry: _r, delayBeforeRetryMs: _d, delayLoopMs: _l, warmupMs: _w, alpha: _a, logAllFailures: _f, ...what } = c;
  const misc = what.misc ? { ...what.misc, command: what.misc.command?.argv, timeoutMs: undefined } : undefined;
  return JSON.stringify({ ...what, ...(misc ? { misc } : {}), target });
}

function command(c: ScriptCommand | undefined): ScriptCommand | undefined {
  return c && c.argv.length > 0 ? c : undefined;
}

function planChecker(model: KeepalivedConfig, vsKey: string, rsName: string, rs: RealServerConfig, address: string, port: number, c: CheckerConfig, index: number, alpha: boolean, problems: string[]): CheckerPlan {
  const config: CheckerConfig = { ...c, alpha };
  const target: ProbeTarget = { family: c.connectIp ? (c.connectIp.includes(':') ? 6 : 4) : rs.family, address: c.connectIp ? (canonicalIp(c.connectIp) ?? c.connectIp) : address, port: c.connectPort ?? port };
  const plan: CheckerPlan = { systemId: checkerId(vsKey, rsName, index), index, identity: checkerIdentity(config, target), config, target };
  if (c.kind === 'FILE_CHECK') {
    const name = c.file?.trackFile ?? '';
    const tf = model.trackFiles.find((t) => t.name === name);
    if (!tf) problems.push(`FILE_CHECK for service ${rsName}: no track_file ${name || '(none named)'} - the checker stays as it starts`);
    const own = c.file?.weight !== undefined;
    plan.file = {
      name,
      ...(tf?.path !== undefined ? { path: tf.path } : {}),
      weight: own ? c.file!.weight! : (tf?.weight ?? 0),
      reverse: own ? c.file!.reverse : (tf?.reverse ?? false),
    };
  }
  return plan;
}

function planRealServer(model: KeepalivedConfig, vs: VirtualServerConfig, vsKey: string, layout: ReturnType<typeof layoutOf>, rs: RealServerConfig, seen: Map<string, number>, problems: string[]): RsPlan {
  const g = model.globalDefs;
  const name = realServerName(vs, layout, rs);
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  const key = n === 1 ? name : `${name}#${n}`;
  const address = canonicalIp(rs.address) ?? rs.address;
  const port = realServerPort(vs, rs);
  const alpha = rs.alpha || vs.alpha;
  const notifyUp = command(rs.notifyUp);
  const notifyDown = command(rs.notifyDown);
  return {
    key,
    systemId: realServerId(vsKey, key),
    name,
    pair: formatPair(address, port),
    weight: rs.weight,
    inhibitOnFailure: rs.inhibitOnFailure || vs.inhibitOnFailure,
    ...(notifyUp ? { notifyUp } : {}),
    ...(notifyDown ? { notifyDown } : {}),
    smtpAlert: rs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? true,
    dest: destinationOf(vs, rs),
    ...(rs.virtualhost !== undefined ? { virtualhost: rs.virtualhost } : {}),
    checkers: rs.checkers.map((c, i) => planChecker(model, vsKey, key, rs, address, port, c, i, c.alpha || alpha, problems)),
  };
}

/** A key unique among the virtual servers: FMT_VS does not tell a TCP and a UDP user of one group apart. */
function vsKeyOf(vs: VirtualServerConfig, name: string, family: number): string {
  const t = vs.target;
  if (t.kind === 'ip') return name;
  if (t.kind === 'fwmark') return `${name}/${family === 6 ? 'inet6' : 'inet'}`;
  return `${name}/${vs.protocol.toLowerCase()}`;
}

function sorryServerOf(vs: VirtualServerConfig, layout: ReturnType<typeof layoutOf>, rsDests: Array<Omit<LbDestination, 'weight'>>): SorryServer | undefined {
  const s = vs.sorryServer;
  if (!s) return undefined;
  const family = s.address.includes(':') ? 6 : 4;
  const d = destinationOf(vs, { address: s.address, family, ...(s.port !== undefined ? { port: s.port } : {}) });
  const dest: LbDestination = { ...d, method: methodOf(vs, {}), weight: 1 };
  return {
    name: realServerName(vs, layout, { address: s.address, family, ...(s.port !== undefined ? { port: s.port } : {}) } as RealServerConfig),
    dest,
    inhibit: vs.sorryServerInhibit,
    duplicatesRs: rsDests.some((r) => r.address === dest.address && r.port === dest.port),
  };
}

function notifierConfig(model: KeepalivedConfig, opts: LvsPlanOptions): NotifierConfig {
  const g = model.globalDefs;
  const fifos = [g.notifyFifo?.path, g.lvsNotifyFifo?.path].filter((p): p is string => !!p);
  const mail = notifyMailSettings(model, opts.hostname);
  return {
    targets: [],
    fifos,
    ...(mail ? { mail } : {}),
    scriptTimeoutMs: opts.notifyScriptTimeoutMs ?? 10_000,
    fifoTimeoutMs: 1000,
    mailTimeoutMs: g.smtpConnectTimeoutMs + 10_000,
  };
}

export function buildLvsPlan(model: KeepalivedConfig, opts: LvsPlanOptions): { plan: LvsPlan; problems: string[] } {
  const g = model.globalDefs;
  const problems: string[] = [];
  const keys = new Map<string, number>();
  const virtualServers: VsPlan[] = [];
  for (const vs of model.virtualServers) {
    const layout = layoutOf(vs, model.virtualServerGroups);
    problems.push(...layout.problems);
    if (layout.services.length === 0) continue;
    const base = vsKeyOf(vs, layout.name, layout.family);
    const n = (keys.get(base) ?? 0) + 1;
    keys.set(base, n);
    const key = n === 1 ? base : `${base}#${n}`;
    const seen = new Map<string, number>();
    const realServers = vs.realServers.map((rs) => planRealServer(model, vs, key, layout, rs, seen, problems));
    const q = effectiveQuorum(vs.quorum, vs.hysteresis, vs.realServers.map((r) => r.weight));
    const sorry = sorryServerOf(vs, layout, realServers.map((r) => r.dest));
    const quorumUp = command(vs.quorumUp);
    const quorumDown = command(vs.quorumDown);
    virtualServers.push({
      key,
      systemId: virtualServerId(key),
      name: layout.name,
      ...(vs.target.kind === 'group' ? { group: vs.target.group } : {}),
      services: layout.services,
      methods: methodsOf(vs),
      addresses: layout.addresses,
      quorum: q.quorum,
      hysteresis: q.hysteresis,
      omega: vs.omega,
      haSuspend: vs.haSuspend,
      ...(quorumUp ? { quorumUp } : {}),
      ...(quorumDown ? { quorumDown } : {}),
      smtpAlert: vs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? false,
      ...(sorry ? { sorryServer: sorry } : {}),
      delayLoopMs: vs.delayLoopMs,
      ...(vs.virtualhost !== undefined ? { virtualhost: vs.virtualhost } : {}),
      realServers,
      source: vs.source,
    });
  }
  const globals: LbGlobals = {
    ...(g.lvsFlush ? { lvsFlush: true } : {}),
    ...(g.lvsFlushOnStop ? { lvsFlushOnStop: g.lvsFlushOnStop } : {}),
    ...(g.lvsTimeouts ? { lvsTimeouts: g.lvsTimeouts } : {}),
    ...(g.lvsSyncDaemon ? { lvsSyncDaemon: g.lvsSyncDaemon } : {}),
  };
  const plan: LvsPlan = {
    virtualServers,
    globals,
    notifier: notifierConfig(model, opts),
    routerId: g.routerId ?? opts.hostname,
    rsInitNotifies: 'rs_init_notifies' in g.other,
    noCheckerEmails: 'no_checker_emails' in g.other,
    logAllFailures: 'checker_log_all_failures' in g.other,
    ...(model.ssl ? { ssl: model.ssl } : {}),
    scriptPolicy: { secure: g.enableScriptSecurity, ...g.scriptUser },
  };
  return { plan, problems };
}
