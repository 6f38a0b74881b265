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
  return { commands: c.services.map((service) => ({ cmd: kind, service, dest }) as LbCommand), set };
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

/** clear_service_vs on shutdown (no lvs_flush_on_stop): everything out, omega notifies, the service(s) deleted. */
export function shutdown(c0: VsContext): { context: VsContext; ops: VsOp[] } {
  const c = draft(c0);
  const ops: VsOp[] = [];
  if (c.sorry && c.sorry.set) {
    if (c.sorry.duplicatesRs) c.sorry.set = false;
    else lb(c, ops, { ...c.sorry, inhibit: false }, 'del');
    c.sorry.set = false;
    c.sorry.alive = false;
  }
  for (const s of c.servers) {
    ops.push({ op: 'log', message: `Shutting down ${s.inhibit && !s.alive ? '(inhibited) ' : ''}service ${s.name} from VS ${c.name}` });
    if (!s.set) continue;
    const forced = { ...s, inhibit: false };
    lb(c, ops, forced, 'del');
    s.set = forced.set;
    if (!s.alive) continue;
    s.alive = false;
    if (!c.omega) continue;
    rsNotify(c, ops, s, true);
    if (s.smtpAlert) ops.push({ op: 'smtp', scope: 'RS', rs: s.name, state: 'DOWN', body: '=> Shutting down <=' });
  }
  const sum = liveWeight(c);
  const threshold = c.quorum - c.hysteresis;
  c.quorumUp = false;
  vsNotifies(c, ops, false, threshold, sum, true);
  for (const service of c.services) ops.push({ op: 'lb', command: { cmd: 'delService', service } });
  return { context: c, ops };
}
