/**
 * The virtual server's table logic as pure functions (keepalived 2.2.7 ipwrapper.c
 * init_service_vs, init_service_rs, update_quorum_state, perform_quorum_state, perform_svr_state,
 * update_svr_wgt, clear_service_vs, clear_service_rs; ipvswrapper.c ipvs_cmd). Each returns the
 * new context and the ops (log lines, LbCommands, notifies, mails) in keepalived's order.
 */
import type { LbCommand, LbDestination, LbService } from '../../actors/lvs/lb-port.js';
import { vsFifoLine, rsFifoLine } from './format.js';
import { clampWeight, type RsChangedEvent, type SorryServer, type VirtualServerInput, type VsRealServer } from './types.js';

/** A destination as the virtual server tracks it (keepalived's rs->alive / rs->set / rs->inhibit). */
export interface VsDest {
  name: string;
  dest: Omit<LbDestination, 'weight'>;
  weight: number;
  inhibit: boolean;
  failedCheckers: number;
  alive: boolean;
  /** Present in the table (keepalived rs->set). */
  set: boolean;
}

export interface VsServerState extends VsDest, Pick<VsRealServer, 'systemId' | 'notifyUp' | 'notifyDown' | 'smtpAlert'> {}

export interface VsContext {
  name: string;
  /** virtual_server_group name, for a group virtual server (reload's "VS … in group G" lines). */
  group?: string;
  services: LbService[];
  quorum: number;
  hysteresis: number;
  omega: boolean;
  haSuspend: boolean;
  quorumUpScript?: VirtualServerInput['quorumUp'];
  quorumDownScript?: VirtualServerInput['quorumDown'];
  smtpAlert: boolean;
  rsInitNotifies: boolean;
  servers: VsServerState[];
  sorry?: VsDest & Pick<SorryServer, 'duplicatesRs'>;
  quorumUp: boolean;
  addressCount: number;
  /** ha_suspend: the checkers run (the virtual server's address is local). */
  checkersEnabled: boolean;
}

export type VsOp =
  | { op: 'log'; message: string }
  | { op: 'lb'; command: LbCommand }
  | { op: 'notify'; scope: 'RS' | 'VS'; rs?: string; state: 'UP' | 'DOWN'; script?: VirtualServerInput['quorumUp']; fifoLine: string; shutdown: boolean }
  | { op: 'smtp'; scope: 'RS' | 'VS'; rs?: string; state: 'UP' | 'DOWN'; body: string }
  | { op: 'quorum'; up: boolean; sum: number; threshold: number }
  | { op: 'enable'; enabled: boolean };

export function contextFromInput(input: VirtualServerInput): VsContext {
  return {
    name: input.name,
    ...(input.group !== undefined ? { group: input.group } : {}),
    services: input.services,
    quorum: input.quorum,
    hysteresis: input.hysteresis,
    omega: input.omega,
    haSuspend: input.haSuspend,
    ...(input.quorumUp ? { quorumUpScript: input.quorumUp } : {}),
    ...(input.quorumDown ? { quorumDownScript: input.quorumDown } : {}),
    smtpAlert: input.smtpAlert,
    rsInitNotifies: input.rsInitNotifies,
    servers: input.realServers.map((r) => ({
      systemId: r.systemId,
      name: r.name,
      dest: r.dest,
      weight: r.weight,
      inhibit: r.inhibitOnFailure,
      failedCheckers: r.failedCheckers,
      alive: false,
      set: false,
      ...(r.notifyUp ? { notifyUp: r.notifyUp } : {}),
      ...(r.notifyDown ? { notifyDown: r.notifyDown } : {}),
      smtpAlert: r.smtpAlert,
    })),
    ...(input.sorryServer
      ? {
          sorry: {
            name: input.sorryServer.name,
            dest: input.sorryServer.dest,
            weight: input.sorryServer.dest.weight,
            inhibit: input.sorryServer.inhibit,
            failedCheckers: 0,
            alive: false,
            set: false,
            duplicatesRs: input.sorryServer.duplicatesRs,
          },
        }
      : {}),
    // keepalived set_quorum_states() runs before any real server is alive: quorum starts down.
    quorumUp: false,
    addressCount: input.addressCount,
    checkersEnabled: !input.haSuspend || input.addressCount > 0,
  };
}

/**
 * keepalived's clamping (check_data.c check_check_config): quorum at most the sum of the real
 * servers' weights, hysteresis below quorum.
 */
export function effectiveQuorum(quorum: number, hysteresis: number, weights: number[]): { quorum: number; hysteresis: number } {
  const total = weights.reduce((s, w) => s + w, 0);
  const q = Math.min(quorum, total);
  return { quorum: q, hysteresis: hysteresis >= q ? Math.max(0, q - 1) : hysteresis };
}

/** Σ effective weights of alive real servers (weigh_live_realservers). */
export function liveWeight(c: Pick<VsContext, 'servers'>): number {
  return c.servers.reduce((s, r) => s + (r.alive ? clampWeight(r.weight) : 0), 0);
}

/** The threshold update_quorum_state compares against: quorum ∓ hysteresis. */
export function quorumThreshold(c: Pick<VsContext, 'quorum' | 'hysteresis' | 'quorumUp'>): number {
  return c.quorum + (c.quorumUp ? -1 : 1) * c.hysteresis;
}

export function gainsQuorum(c: VsContext): boolean {
  return !c.quorumUp && liveWeight(c) >= quorumThreshold(c);
}

export function losesQuorum(c: VsContext): boolean {
  const sum = liveWeight(c);
  return c.quorumUp && (sum === 0 || sum < quorumThreshold(c));
}

/** Start-up below quorum with a sorry server: "Starting with quorum down" and the sorry server goes in. */
export function startsOnSorryServer(c: VsContext): boolean {
  return !c.quorumUp && !!c.sorry && !c.sorry.alive && !gainsQuorum(c);
}

/** Whether a real server's change reaches the table: quorum up, or no active sorry server. */
const poolOpen = (c: VsContext) => c.quorumUp || !c.sorry || !c.sorry.alive;

/**
 * keepalived's ipvs_cmd for a destination: with inhibit_on_failure "delete" becomes weight 0 and
 * "add" of a present destination becomes a weight change; `set` follows what the table holds.
 */
export function destCommands(c: Pick<VsContext, 'services'>, d: VsDest, cmd: 'add' | 'del' | 'edit'): { commands: LbCommand[]; set: boolean } {
  let weight = clampWeight(d.weight);
  let kind: LbCommand['cmd'];
  let set = d.set;
  if (cmd === 'del' && d.inhibit) {
    kind = 'setDest';
    weight = 0;
  } else if (cmd === 'add' && d.inhibit && d.set) {
    kind = 'setDest';
  } else if (cmd === 'add' && !d.set) {
    kind = 'addDest';
    set = true;
    if (d.inhibit && d.failedCheckers > 0) weight = 0;
  } else if (cmd === 'del' && d.set) {
    kind = 'delDest';
    set = false;
  } else {
    kind = cmd === 'add' ? 'addDest' : cmd === 'del' ? 'delDest' : 'setDest';
  }
  const dest: LbDestination = { ...d.dest, weight };
  // DR and TUN destinations carry the service's port (0 for a fwmark service), per group entry.
  const destFor = (service: LbService): LbDestination => (dest.method === 'NAT' ? dest : { ...dest, port: service.port ?? 0 });
  return { commands: c.services.map((service) => ({ cmd: kind, service, dest: destFor(service) }) as LbCommand), set };
}

type Draft = VsContext;

function draft(c: VsContext): Draft {
  return { ...c, servers: c.servers.map((s) => ({ ...s })), ...(c.sorry ? { sorry: { ...c.sorry } } : {}) };
}

function lb(c: Draft, ops: VsOp[], d: VsDest, cmd: 'add' | 'del' | 'edit'): void {
  const r = destCommands(c, d, cmd);
  d.set = r.set;
  for (const command of r.commands) ops.push({ op: 'lb', command });
}

function rsNotify(c: Draft, ops: VsOp[], s: VsServerState, shutdown: boolean): void {
  const state = s.alive ? 'UP' : 'DOWN';
  const script = s.alive ? s.notifyUp : s.notifyDown;
  ops.push({ op: 'notify', scope: 'RS', rs: s.name, state, ...(script ? { script } : {}), fifoLine: rsFifoLine(s.name, c.name, state), shutdown });
}

/** do_vs_notifies: quorum_up/quorum_down, the FIFO line, the alert mail. */
function vsNotifies(c: Draft, ops: VsOp[], init: boolean, threshold: number, sum: number, stopping: boolean): void {
  if (stopping && !c.omega) return;
  const state = c.quorumUp ? 'UP' : 'DOWN';
  const script = c.quorumUp ? c.quorumUpScript : c.quorumDownScript;
  ops.push({ op: 'notify', scope: 'VS', state, ...(script ? { script } : {}), fifoLine: vsFifoLine(c.name, state), shutdown: stopping });
  if (!c.smtpAlert) return;
  const what = c.quorumUp ? (init ? 'Starting with quorum up' : 'Gained quorum') : init ? 'Starting with quorum down' : 'Lost quorum';
  const body = stopping ? '=> Shutting down <=' : `=> ${what} ${c.quorum}+${c.hysteresis}=${threshold} <= ${sum} <=`;
  ops.push({ op: 'smtp', scope: 'VS', state, body });
}

/** perform_quorum_state: every alive real server in or out of the pool. */
function pool(c: Draft, ops: VsOp[], add: boolean): void {
  ops.push({ op: 'log', message: `${add ? 'Adding alive servers to' : 'Removing alive servers from'} the pool for VS ${c.name}` });
  for (const s of c.servers) if (s.alive) lb(c, ops, s, add ? 'add' : 'del');
}

/** update_quorum_state: gain (quorum + hysteresis reached). */
export function gainQuorum(c0: VsContext, init: boolean): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  const sum = liveWeight(c);
  const threshold = quorumThreshold(c);
  c.quorumUp = true;
  ops.push({ op: 'log', message: `Gained quorum ${c.quorum}+${c.hysteresis}=${threshold} <= ${sum} for VS ${c.name}` });
  if (c.sorry && c.sorry.alive) {
    ops.push({ op: 'log', message: `${c.sorry.inhibit ? 'Disabling' : 'Removing'} sorry server ${c.sorry.name} from VS ${c.name}` });
    lb(c, ops, c.sorry, 'del');
    c.sorry.alive = false;
    pool(c, ops, true);
  }
  vsNotifies(c, ops, init, threshold, sum, false);
  ops.push({ op: 'quorum', up: true, sum, threshold });
  return { context: c, ops };
}

/** update_quorum_state: loss (below quorum − hysteresis, or nothing alive), or start-up below quorum with a sorry server. */
export function loseQuorum(c0: VsContext, init: boolean): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  const sum = liveWeight(c);
  const threshold = quorumThreshold(c);
  c.quorumUp = false;
  ops.push({ op: 'log', message: `${init ? 'Starting with quorum down' : 'Lost quorum'} ${c.quorum}-${c.hysteresis}=${threshold} > ${sum} for VS ${c.name}` });
  if (c.sorry && !c.sorry.alive) {
    ops.push({ op: 'log', message: `${c.sorry.inhibit ? 'Enabling' : 'Adding'} sorry server ${c.sorry.name} to VS ${c.name}` });
    pool(c, ops, false);
    lb(c, ops, c.sorry, 'add');
    c.sorry.alive = true;
  }
  vsNotifies(c, ops, init, threshold, sum, false);
  ops.push({ op: 'quorum', up: false, sum, threshold });
  return { context: c, ops };
}

/** init_service_vs up to the quorum decision: the service(s), then every real server that can go in. */
export function initService(c0: VsContext): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  for (const service of c.services) ops.push({ op: 'lb', command: { cmd: 'addService', service } });
  for (const s of c.servers) {
    if ((s.failedCheckers === 0 && !s.alive) || (s.inhibit && !s.set)) {
      lb(c, ops, s, 'add');
      if (s.failedCheckers === 0) {
        s.alive = true;
        if (c.rsInitNotifies) rsNotify(c, ops, s, false);
      }
    }
  }
  return { context: c, ops };
}

/** init_service_vs after the quorum decision: an inhibited sorry server is installed with weight 0. */
export function preinstallSorry(c0: VsContext): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  if (c.sorry && c.sorry.inhibit && !c.sorry.set) {
    if (c.sorry.duplicatesRs) c.sorry.set = true;
    else {
      c.sorry.failedCheckers = 1;
      lb(c, ops, c.sorry, 'add');
      c.sorry.failedCheckers = 0;
    }
  }
  return { context: c, ops };
}

/** Nothing to log at start-up (below quorum, no sorry server): only the status. */
export function quietStart(c: VsContext): { context: VsContext; ops: VsOp[] } {
  return { context: c, ops: [{ op: 'quorum', up: false, sum: liveWeight(c), threshold: quorumThreshold(c) }] };
}

/** perform_svr_state / update_svr_wgt, table side: the LbCommand for a real server's change. */
export function serverChanged(c0: VsContext, e: RsChangedEvent): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  const s = c.servers.find((x) => x.systemId === e.rs);
  if (!s) return { context: c0, ops };
  const open = poolOpen(c);
  s.weight = e.weight;
  s.failedCheckers = e.failedCheckers;
  if (e.reason === 'state') {
    if (open) lb(c, ops, s, e.alive ? 'add' : 'del');
    s.alive = e.alive;
  } else if (s.set && s.alive && open) {
    lb(c, ops, s, 'edit');
  }
  return { context: c, ops };
}

/** ha_suspend: count the virtual server's address on local interfaces; decide enable/suspend. */
export function addressChanged(c0: VsContext, added: boolean): { context: VsContext; ops: VsOp[] } {
  const c = { ...c0, addressCount: Math.max(0, c0.addressCount + (added ? 1 : -1)) };
  if (!c.haSuspend) return { context: c, ops: [] };
  if (added !== c.checkersEnabled && (added || c.addressCount === 0)) {
    c.checkersEnabled = added;
    return { context: c, ops: [{ op: 'enable', enabled: added }] };
  }
  return { context: c, ops: [] };
}

/** How a virtual server is cleared: at stop (with or without lvs_flush_on_stop), or removed by a reload. */
export interface ClearHow {
  stopping: boolean;
  /** global lvs_flush_on_stop: 'full' (one FLUSH for the whole table, sent by the backend), 'vs' (only the services). */
  flush?: 'full' | 'vs';
}

/** clear_service_rs: one real server out of the table; notified when it was alive (always when not stopping, with omega when stopping). */
function clearServer(c: Draft, ops: VsOp[], s: VsServerState, stopping: boolean): void {
  if (s.set || stopping) ops.push({ op: 'log', message: `${stopping ? 'Shutting down' : 'Removing'} ${s.inhibit && !s.alive ? '(inhibited) ' : ''}service ${s.name} from VS ${c.name}` });
  if (!s.set) return;
  const forced = { ...s, inhibit: false };
  lb(c, ops, forced, 'del');
  s.set = forced.set;
  if (!s.alive) return;
  s.alive = false;
  if (stopping && !c.omega) return;
  rsNotify(c, ops, s, stopping);
  if (s.smtpAlert) ops.push({ op: 'smtp', scope: 'RS', rs: s.name, state: 'DOWN', body: stopping ? '=> Shutting down <=' : '=> Removing <=' });
}

/** update_vs_notifies: a virtual server losing its last servers (or stopping) goes quorum down, notified. */
function settleNotifies(c: Draft, ops: VsOp[], stopping: boolean): void {
  const sum = liveWeight(c);
  const threshold = c.quorum - c.hysteresis;
  if (!stopping && !(c.quorumUp && (sum === 0 || sum < threshold))) return;
  c.quorumUp = false;
  vsNotifies(c, ops, false, threshold, sum, stopping);
}

/**
 * clear_service_vs: at stop (`stopping`, ipwrapper.c clear_services) or when a reload removed the
 * virtual server. Without lvs_flush_on_stop every destination goes ("Shutting down service …"),
 * with omega notified; with `lvs_flush_on_stop VS` only the services are deleted, and with
 * `lvs_flush_on_stop` the backend's one FLUSH does it all: only the quorum notifies remain.
 */
export function clearService(c0: VsContext, how: ClearHow): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  if (!how.flush) {
    if (c.sorry && c.sorry.set) {
      if (!c.sorry.duplicatesRs) lb(c, ops, { ...c.sorry, inhibit: false }, 'del');
      c.sorry.set = false;
      c.sorry.alive = false;
    }
    for (const s of c.servers) clearServer(c, ops, s, how.stopping);
    settleNotifies(c, ops, how.stopping);
  } else {
    settleNotifies(c, ops, how.stopping);
    if (c.sorry) c.sorry.alive = false;
    for (const s of c.servers) (s.alive = false), (s.set = false);
    if (c.sorry) c.sorry.set = false;
  }
  if (how.flush !== 'full') for (const service of c.services) ops.push({ op: 'lb', command: { cmd: 'delService', service } });
  return { context: c, ops };
}

/** clear_service_vs on shutdown without lvs_flush_on_stop. */
export function shutdown(c0: VsContext): { context: VsContext; ops: VsOp[] } {
  return clearService(c0, { stopping: true });
}

const serviceKey = (s: LbService) => JSON.stringify([s.family, s.protocol ?? '', s.address ?? '', s.port ?? 0, s.fwmark ?? 0]);
const sameDest = (a: Omit<LbDestination, 'weight'>, b: Omit<LbDestination, 'weight'>) => JSON.stringify(a) === JSON.stringify(b);

/** How a group entry is written in keepalived's reload lines: `[203.0.113.30]:tcp:80`, `FWM 7`. */
function entryName(s: LbService): string {
  return s.fwmark !== undefined && s.address === undefined ? `FWM ${s.fwmark}` : `[${s.address}]:${s.protocol ?? 'tcp'}:${s.port ?? 0}`;
}

/**
 * A reload kept this virtual server (ipwrapper.c clear_diff_services, clear_diff_rs,
 * clear_diff_s_srv, clear_diff_vsg, then init_service_vs for what is new). Real servers the new
 * configuration lacks go ("service R no longer exist", then "Removing service …"); kept ones keep
 * their table state (their real-server actor reports weight and state changes itself); new ones
 * go in as at start (those whose checkers start up, and inhibited ones at weight 0). Group entries
 * that went are deleted, new ones added with every destination present; changed service settings
 * are sent again (the backend turns that into an edit). Quorum is decided afterwards, by
 * `reloaded`, once every real server has reported.
 */
export function reloadService(c0: VsContext, input: VirtualServerInput): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  const next = contextFromInput(input);
  const wanted = new Map(next.servers.map((s) => [s.systemId, s]));
  // 1. Real servers that are gone.
  for (const s of c.servers) {
    if (wanted.has(s.systemId)) continue;
    ops.push({ op: 'log', message: `service ${s.name} no longer exist` });
    clearServer(c, ops, s, false);
  }
  const kept = new Map(c.servers.filter((s) => wanted.has(s.systemId)).map((s) => [s.systemId, s]));
  // 2. The sorry server, unless it is the same one.
  const oldSorry = c.sorry;
  let sorry = next.sorry;
  if (oldSorry && sorry && sameDest(oldSorry.dest, sorry.dest)) sorry = { ...sorry, alive: oldSorry.alive, set: oldSorry.set };
  else if (oldSorry) {
    if (oldSorry.inhibit && !oldSorry.alive && oldSorry.set) oldSorry.alive = true;
    if (oldSorry.alive) {
      ops.push({ op: 'log', message: `Removing sorry server ${oldSorry.name} from VS ${c.name}` });
      lb(c, ops, { ...oldSorry, inhibit: false }, 'del');
    }
  }
  // 3. Services: gone entries deleted, kept ones re-sent when their settings changed.
  const oldServices = new Map(c.services.map((s) => [serviceKey(s), s]));
  const newServices = new Map(next.services.map((s) => [serviceKey(s), s]));
  for (const [k, s] of oldServices) {
    if (newServices.has(k)) continue;
    if (c.group !== undefined) ops.push({ op: 'log', message: `VS ${entryName(s)} in group ${c.group} no longer exists` });
    ops.push({ op: 'lb', command: { cmd: 'delService', service: s } });
  }
  for (const [k, s] of newServices) {
    const was = oldServices.get(k);
    if (was && JSON.stringify(was) !== JSON.stringify(s)) ops.push({ op: 'lb', command: { cmd: 'addService', service: s } });
  }
  // The new shape: next's settings, with the kept servers' table state.
  c.services = next.services;
  c.quorum = next.quorum;
  c.hysteresis = next.hysteresis;
  c.omega = next.omega;
  c.haSuspend = next.haSuspend;
  c.smtpAlert = next.smtpAlert;
  c.rsInitNotifies = next.rsInitNotifies;
  if (next.group !== undefined) c.group = next.group;
  else delete c.group;
  if (next.quorumUpScript) c.quorumUpScript = next.quorumUpScript;
  else delete c.quorumUpScript;
  if (next.quorumDownScript) c.quorumDownScript = next.quorumDownScript;
  else delete c.quorumDownScript;
  if (sorry) c.sorry = sorry;
  else delete c.sorry;
  c.servers = next.servers.map((n) => {
    const old = kept.get(n.systemId);
    return old ? { ...n, weight: old.weight, failedCheckers: old.failedCheckers, alive: old.alive, set: old.set } : n;
  });
  // 4. New group entries get the service and every destination that is in the table.
  for (const [k, s] of newServices) {
    if (oldServices.has(k)) continue;
    if (c.group !== undefined) ops.push({ op: 'log', message: `VS ${entryName(s)} added into group ${c.group}` });
    ops.push({ op: 'lb', command: { cmd: 'addService', service: s } });
    const one = { services: [s] };
    for (const d of [...c.servers, ...(c.sorry ? [c.sorry] : [])]) {
      if (!d.set) continue;
      for (const command of destCommands(one, { ...d, set: false }, 'add').commands) ops.push({ op: 'lb', command });
    }
  }
  // 5. Kept servers whose destination changed (forwarding method, port), or whose inhibit flag did.
  for (const s of c.servers) {
    const old = kept.get(s.systemId);
    if (!old) continue;
    if (s.set && !sameDest(old.dest, s.dest)) lb(c, ops, s, 'edit');
    if (!s.alive && s.inhibit && !s.set) lb(c, ops, s, 'add');
    else if (!s.alive && !s.inhibit && s.set) lb(c, ops, s, 'del');
  }
  // 6. New servers, as init_service_rs adds them.
  for (const s of c.servers) {
    if (kept.has(s.systemId)) continue;
    if ((s.failedCheckers === 0 && !s.alive) || (s.inhibit && !s.set)) {
      lb(c, ops, s, 'add');
      if (s.failedCheckers === 0) {
        s.alive = true;
        if (c.rsInitNotifies) rsNotify(c, ops, s, false);
      }
    }
  }
  return { context: c, ops };
}
