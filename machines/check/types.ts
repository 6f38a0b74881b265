/**
 * Shared vocabulary of the LVS health-checking actors (keepalived's checker process).
 *
 * Actor structure (flat, like the VRRP side): the composition root spawns every actor as a
 * sibling under the root with a deterministic systemId, virtual servers first, then real
 * servers, then checkers, so start-up runs in keepalived's order (init_services, then
 * register_checkers_thread):
 *
 *   lvsVirtualServer  one per virtual_server          owns the table: LbCommands, quorum, sorry server
 *   lvsRealServer     one per real_server             alive = all its checkers up; effective weight
 *   lvsChecker        one per checker block per RS    warmup, probe, retry counting, up/down
 *
 * They talk by systemId (`sendTo(system.get(id))`):
 *
 *   checker ──checker.report / checker.weight──▶ real server ──rs.changed / rs.settled──▶ virtual server
 *   virtual server ──rs.enable──▶ real server ──checker.enable──▶ checker          (ha_suspend)
 *
 * XState runs a `sendTo` to an idle actor synchronously, after the sender's own emits queued
 * before it, so one checker verdict plays out in exactly keepalived's order: the checker's log
 * line, the real server's "Removing service …", the LbCommand, the notify and FIFO line, the
 * quorum re-evaluation (and sorry server), and last the checker's alert mail.
 *
 * Everything observable leaves as emitted events (`actor.on`), which the runtime forwards: log
 * lines to the logger, LbCommands to the load-balancer table port, notify/FIFO requests to the
 * notifier, alert mails to the mailer.
 */
import type { LbCommand, LbDestination, LbService } from '../../actors/lvs/lb-port.js';
import type { ProbeOutcome, ProbeRequest } from '../../actors/lvs/prober-port.js';
import type { CheckerKind } from '../../config/model-lvs.js';
import type { ScriptCommand } from '../../config/model.js';

// --- emitted (observable) events, all three machines -------------------------------------------

/** A log line in keepalived's words. */
export type LvsLogEvent = { type: 'lvs.log'; level: 'info' | 'warning'; message: string };

/** One load-balancer command, in keepalived's order, for the table port. */
export type LvsLbEvent = { type: 'lvs.lb'; vs: string; command: LbCommand };

/**
 * A notify request: the script (notify_up/notify_down, quorum_up/quorum_down, if configured) and
 * the notify_fifo / lvs_notify_fifo line. `shutdown`: keepalived runs the script at shutdown
 * (omega) and gives it one second.
 */
export type LvsNotifyEvent = {
  type: 'lvs.notify';
  scope: 'RS' | 'VS';
  vs: string;
  rs?: string;
  state: 'UP' | 'DOWN';
  script?: ScriptCommand;
  fifoLine: string;
  shutdown: boolean;
};

/** An alert mail: subject from format.ts lvsSmtpSubject (needs router_id), body as keepalived. */
export type LvsSmtpEvent = { type: 'lvs.smtp'; scope: 'RS' | 'VS'; vs: string; rs?: string; state: 'UP' | 'DOWN'; body: string };

/** Status for views and dumps: a checker's verdict changed. */
export type LvsCheckerStateEvent = { type: 'lvs.checker'; vs: string; rs: string; kind: CheckerKind; up: boolean; detail?: string };

/** Status for views and dumps: a real server's alive flag or effective weight changed. */
export type LvsServerStateEvent = { type: 'lvs.server'; vs: string; rs: string; alive: boolean; weight: number };

/** Status for views and dumps: a virtual server's quorum changed. */
export type LvsQuorumStateEvent = { type: 'lvs.quorum'; vs: string; up: boolean; sum: number; threshold: number };

export type LvsEmitted = LvsLogEvent | LvsLbEvent | LvsNotifyEvent | LvsSmtpEvent | LvsCheckerStateEvent | LvsServerStateEvent | LvsQuorumStateEvent;

// --- checker → real server ---------------------------------------------------------------------

/**
 * keepalived's update_svr_checker_state(up, checker), sent whenever keepalived calls it.
 *  - `changed`: the checker's is_up flipped;
 *  - `notify`: unchanged first result that keepalived still notifies (the first failure of an
 *    alpha checker: notify_down and the FIFO line without any table change);
 *  - `contribution`: this checker's dynamic weight, set without a "Changing weight" line, just
 *    before (MISC_CHECK failure, FILE_CHECK leaving fault) or just after (FILE_CHECK entering
 *    fault) the state change;
 *  - `alert`: the mail body the checker sends after the change; the real server decides with
 *    smtp_alert / no_checker_emails whether it goes out.
 */
export type CheckerReportEvent = {
  type: 'checker.report';
  index: number;
  up: boolean;
  changed: boolean;
  notify: boolean;
  contribution?: { value: number; when: 'before' | 'after' };
  alert?: string;
  detail?: string;
};

/** A dynamic weight change (misc_dynamic exit status, FILE_CHECK value): keepalived's update_svr_wgt. */
export type CheckerWeightEvent = { type: 'checker.weight'; index: number; contribution: number };

// --- real server → virtual server --------------------------------------------------------------

/**
 * The real server's desired destination state. `state`: perform_svr_state (added/removed);
 * `weight`: update_svr_wgt (a weight change while in the table).
 */
export type RsChangedEvent = {
  type: 'rs.changed';
  rs: string;
  reason: 'state' | 'weight';
  alive: boolean;
  /** Effective weight, already clamped to 0..INT32_MAX. */
  weight: number;
  failedCheckers: number;
};

/** Re-evaluate quorum (keepalived's update_quorum_state after the notifies). */
export type RsSettledEvent = { type: 'rs.settled'; rs: string };

// --- enable / suspend (ha_suspend) --------------------------------------------------------------

export type RsEnableEvent = { type: 'rs.enable'; enabled: boolean };
export type CheckerEnableEvent = { type: 'checker.enable'; enabled: boolean };

// --- inputs -------------------------------------------------------------------------------------

/** What the real server and virtual server know about one checker at start. */
export interface CheckerStart {
  systemId: string;
  /** is_up at start: false for alpha checkers and for a FILE_CHECK whose file is in fault. */
  up: boolean;
  /** Weight contribution at start (FILE_CHECK with a weight). */
  contribution: number;
}

/** One real server as its virtual server sees it. */
export interface VsRealServer {
  systemId: string;
  /** FMT_RS, e.g. `[198.51.100.21]:tcp:80`. */
  name: string;
  /** The destination without its weight (port already DR/TUN-adjusted). */
  dest: Omit<LbDestination, 'weight'>;
  inhibitOnFailure: boolean;
  /** Checkers that are down at start (alpha, FILE_CHECK fault). */
  failedCheckers: number;
  /** Effective weight at start, clamped to 0..INT32_MAX. */
  weight: number;
  notifyUp?: ScriptCommand;
  notifyDown?: ScriptCommand;
  smtpAlert: boolean;
}

export interface SorryServer {
  name: string;
  /** Weight 1, like keepalived's alloc_ssvr. */
  dest: LbDestination;
  /** sorry_server_inhibit. */
  inhibit: boolean;
  /** The sorry server is also one of the real servers (keepalived s_svr_duplicates_rs). */
  duplicatesRs: boolean;
}

export interface VirtualServerInput {
  /** FMT_VS, e.g. `[203.0.113.10]:tcp:80`, `FWM 7`, `[web]:1`. */
  name: string;
  /** The virtual_server_group, for a group virtual server (reload logs entries coming and going by it). */
  group?: string;
  /** Kernel services this virtual server programs (one, or one per group entry), in order. */
  services: LbService[];
  /** After keepalived's clamping (quorum ≤ Σ weights, hysteresis < quorum): see effectiveQuorum. */
  quorum: number;
  hysteresis: number;
  omega: boolean;
  haSuspend: boolean;
  /** ha_suspend: how many local interfaces carry the virtual server's address at start. */
  addressCount: number;
  quorumUp?: ScriptCommand;
  quorumDown?: ScriptCommand;
  smtpAlert: boolean;
  /** global_defs rs_init_notifies. */
  rsInitNotifies: boolean;
  sorryServer?: SorryServer;
  realServers: VsRealServer[];
}

export interface RealServerInput {
  /** systemId of the virtual server actor. */
  virtualServer: string;
  /** Own systemId (the key the virtual server knows this server by). */
  systemId: string;
  name: string;
  vsName: string;
  /** Configured weight (keepalived iweight). */
  weight: number;
  inhibitOnFailure: boolean;
  notifyUp?: ScriptCommand;
  notifyDown?: ScriptCommand;
  /** smtp_alert for this real server (on by default unless global smtp_alert settings say otherwise). */
  smtpAlert: boolean;
  /** global_defs no_checker_emails: mail only when the server's alive state flips. */
  noCheckerEmails: boolean;
  checkers: CheckerStart[];
}

/** What a checker's probe actor sends back: the prober port's outcome for one attempt. */
export type ProbeResultEvent = { type: 'probe.result'; outcome: ProbeOutcome };
/** The probe could not run the attempt at all (the prober threw): logged, retried at delay_loop. */
export type ProbeErrorEvent = { type: 'probe.error'; error: unknown };
/** A healthy checker's loop reached a run while the checker was suspended (ha_suspend): the chart takes over. */
export type ProbeDueEvent = { type: 'probe.due' };
/**
 * From a checker to its `probe` actor: run one attempt / abandon the one running (its deadline
 * passed) or stop the loop; `probe.loop`: a healthy checker's repeat runs, every `everyMs` after
 * the previous one finished, reporting only the first outcome that is not a success;
 * `probe.hold`: the checker is suspended (or active again): a run that falls due is reported as
 * `probe.due` instead of run.
 */
export type ProbeCommand =
  | { type: 'probe.start'; request: ProbeRequest }
  | { type: 'probe.cancel' }
  | { type: 'probe.loop'; request: ProbeRequest; everyMs: number }
  | { type: 'probe.hold'; held: boolean };

export const INT32_MAX = 2147483647;
export const INT32_MIN = -2147483648;

/** keepalived real_weight(): the weight IPVS gets. */
export function clampWeight(w: number): number {
  return w < 0 ? 0 : w > INT32_MAX ? INT32_MAX : w;
}
