/**
 * The LVS invariants (docs/simulator.md), judged against the directors' kernel tables, the
 * simulated servers and the events the LVS statecharts emit (World.onLvsEvent):
 *
 *   C1  a real server that stops answering leaves the pool within its bound: while one of its
 *       checkers would certainly fail (sim/lvs/health.ts) it may stay in the table with weight
 *       > 0 for at most (R+1) attempts at the configured delays (sim/lvs/bounds.ts)
 *   C2  a real server that answers again returns to the pool within its bound (unless the
 *       virtual server is on its sorry server, or the server's weight is dynamic or 0)
 *   C3  quorum changes exactly at the thresholds: a gain needs Σ alive weights ≥ quorum +
 *       hysteresis, a loss Σ = 0 or Σ < quorum − hysteresis; the reported sum is the sum of
 *       the alive servers' weights; and no crossing goes unanswered for longer than `grace`
 *   C4  the sorry server is in the pool (weight > 0, and no real server with weight > 0)
 *       exactly while quorum is down, out of it (or at weight 0) while quorum is up
 *   C5  no new connection goes to a destination that is not in the table, or (unless a
 *       persistence template sends it there) to one with weight 0
 *
 * Only directors whose daemon runs the LVS subsystem (it took its LVS ports) are judged: a config
 * with virtual_server blocks on a runtime without that subsystem programs no table.
 * C1 and C2 are timing invariants: judged only while the director's daemon runs and its CPU is
 * not paused (a pause or restart starts the episode again), with the director's clock rate and
 * the tolerance allowed for, and only for servers whose state is certain (no loss, no jitter
 * near the deadline). C3–C5 are safety invariants, judged always.
 */
import type { LbDestination } from '../../actors/lvs/lb-port.js';
import type { KeepalivedConfig } from '../../config/model.js';
import { FILE_FAULT, fileCheckStatus, parseCheckFileValue } from '../../machines/check/file-check.js';
import { clampWeight } from '../../machines/check/types.js';
import type { SimEvent } from '../events.js';
import type { Host } from '../host/host.js';
import { recoveryBoundMs, removalBoundMs, removalTerms, startRecoveryBoundMs, startRemovalBoundMs } from '../lvs/bounds.js';
import { directorView, type RsView, type VsView } from '../lvs/director-view.js';
import { checkerHealth, type Health } from '../lvs/health.js';
import { destKey } from '../lvs/scheduler.js';
import type { KernelService } from '../lvs/table.js';
import { Conditions } from './conditions.js';
import type { CheckOptions, MonitoredWorld } from './invariant-monitor.js';

interface QuorumTrack {
  view: VsView;
  servers: Map<string, { alive: boolean; weight: number }>;
  /** Undefined until the virtual server's first quorum decision after the daemon started. */
  up: boolean | undefined;
}

type LvsEvent = Extract<SimEvent, { type: 'lvs-checker' | 'lvs-rs' | 'lvs-quorum' }>;

const ms = (v: number) => `${+(v / 1000).toFixed(3)}s`;

export class LvsMonitor {
  private readonly conditions: Conditions;
  private readonly views = new WeakMap<object, VsView[]>();
  private readonly tracks = new Map<string, QuorumTrack>();

  constructor(
    private readonly world: MonitoredWorld,
    private readonly opts: CheckOptions,
    private readonly report: (id: string, message: string, host?: string) => void,
  ) {
    this.conditions = new Conditions(world.clock, (key, sinceUs, message) => {
      const [id, host] = key.split('|');
      const heldMs = (world.clock.nowMicros() - sinceUs) / 1000;
      this.report(id!, `${message} (for ${ms(heldMs)})`, host);
    });
  }

  private viewOf(host: Host): VsView[] {
    const model = host.model as KeepalivedConfig | undefined;
    if (!model?.virtualServers?.length) return [];
    let v = this.views.get(model);
    if (!v) this.views.set(model, (v = directorView(model)));
    return v;
  }

  /** Its daemon runs the LVS subsystem and can act: the only time C1, C2 and C4 are judged. */
  private judged(host: Host): boolean {
    return host.powered && host.proc?.state === 'running' && !host.cpu.paused && (this.world.lvsRuns?.(host) ?? true);
  }

  private procTag(host: Host): string {
    return `${host.name}|${host.proc?.startedAtUs ?? -1}`;
  }

  private weightIn(host: Host, vs: VsView, dest: string): number {
    let w = 0;
    for (const k of vs.keys) w = Math.max(w, host.lb.dest(k, dest)?.weight ?? 0);
    return w;
  }

  private sorryIn(host: Host, vs: VsView): boolean {
    if (!vs.sorry) return false;
    for (const k of vs.keys) for (const d of host.lb.services.get(k)?.dests ?? []) if (d.address === vs.sorry && d.weight > 0) return true;
    return false;
  }

  private checkersEnabled(host: Host, vs: VsView): boolean {
    return !vs.haSuspend || vs.addresses.some((a) => host.nics.some((n) => n.hasAddress(a)));
  }

  /** A bound in the world's time: the director's clock may run slow; a fresh daemon needs its start-up runs. */
  private limit(host: Host, steadyMs: number, startMs: number): number {
    const sinceStartMs = (this.world.clock.nowMicros() - (host.proc?.startedAtUs ?? 0)) / 1000;
    const local = Math.max(steadyMs, startMs - sinceStartMs);
    return local / Math.min(1, host.cpu.driftRate()) + this.opts.toleranceMs;
  }

  private health(host: Host, model: KeepalivedConfig, rs: RsView): Health[] {
    return rs.checkers.map((c) => checkerHealth(host, model, c, { address: c.connectIp ?? rs.address, port: c.connectPort ?? rs.port }));
  }

  /** Re-judge C1, C2 and C4 after anything changed (a fault, a table change, a daemon start …). */
  evaluate(): void {
    for (const host of this.world.allHosts()) {
      const views = this.viewOf(host);
      if (views.length === 0) continue;
      const c1 = new Map<string, [number, string]>();
      const c2 = new Map<string, [number, string]>();
      const c4 = new Map<string, [number, string]>();
      if (this.judged(host)) {
        const model = host.model as KeepalivedConfig;
        const tag = this.procTag(host);
        for (const vs of views) {
          this.sorryRule(host, vs, tag, c4);
          if (!this.checkersEnabled(host, vs)) continue;
          const sorryActive = this.sorryIn(host, vs);
          for (const rs of vs.rs) {
            const health = this.health(host, model, rs);
            const weight = this.weightIn(host, vs, rs.dest);
            const failing = rs.checkers.filter((_, i) => health[i] === 'fail');
            if (failing.length > 0 && weight > 0) {
              let best: [number, string] | undefined;
              for (const c of failing) {
                const steady = removalBoundMs(c);
                const start = startRemovalBoundMs(c);
                if (steady === undefined || start === undefined) continue;
                const lim = this.limit(host, steady, start);
                if (!best || lim < best[0]) best = [lim, `${c.kind} (line ${c.source.line}) fails: bound ${ms(lim)} = ${removalTerms(c)} (+ tolerance)`];
              }
              if (best) c1.set(`C1|${tag}|${vs.name}|${rs.name}`, [best[0], `${host.name}: ${rs.name} of VS ${vs.name} stopped answering but stays in the pool (${rs.dest} weight ${weight}); ${best[1]}`]);
            }
            if (health.length > 0 && health.every((h) => h === 'pass') && weight === 0 && !sorryActive && rs.weight > 0 && !rs.dynamic) {
              let lim = 0;
              for (const c of rs.checkers) {
                const steady = recoveryBoundMs(c);
                const start = startRecoveryBoundMs(c);
                if (steady !== undefined && start !== undefined) lim = Math.max(lim, this.limit(host, steady, start));
              }
              c2.set(`C2|${tag}|${vs.name}|${rs.name}`, [lim, `${host.name}: ${rs.name} of VS ${vs.name} answers every check again but is not back in the pool; bound ${ms(lim)} (+ tolerance)`]);
            }
          }
        }
      }
      this.conditions.sync(`C1|${host.name}|`, c1);
      this.conditions.sync(`C2|${host.name}|`, c2);
      this.conditions.sync(`C4|${host.name}|`, c4);
    }
  }

  /** C4: the sorry server is in exactly while quorum is down. */
  private sorryRule(host: Host, vs: VsView, tag: string, wanted: Map<string, [number, string]>): void {
    const t = this.tracks.get(`${tag}|${vs.name}`);
    if (!vs.sorry || t?.up === undefined) return;
    const sorry = this.sorryIn(host, vs);
    const rsIn = vs.rs.filter((r) => this.weightIn(host, vs, r.dest) > 0).map((r) => r.dest);
    let problem: string | undefined;
    if (!t.up && !sorry) problem = `quorum is down but the sorry server ${vs.sorry} is not in the pool`;
    else if (!t.up && rsIn.length > 0) problem = `quorum is down (on the sorry server) but real servers are still in the pool: ${rsIn.join(', ')}`;
    else if (t.up && sorry) problem = `quorum is up but the sorry server ${vs.sorry} is still in the pool`;
    if (problem) wanted.set(`C4|${tag}|${vs.name}`, [this.opts.graceMs, `${host.name}: VS ${vs.name}: ${problem}`]);
  }

  /** The real servers' states at the daemon's start, as the statecharts start them (alpha, FILE_CHECK). */
  private startServers(host: Host, vs: VsView): Map<string, { alive: boolean; weight: number }> {
    const model = host.model as KeepalivedConfig;
    const out = new Map<string, { alive: boolean; weight: number }>();
    for (const rs of vs.rs) {
      let alive = true;
      let contribution = 0;
      rs.checkers.forEach((c, i) => {
        if (c.kind === 'FILE_CHECK') {
          const tf = model.trackFiles.find((f) => f.name === c.file?.trackFile);
          const parsed = parseCheckFileValue(tf?.path ? host.files.get(tf.path) : undefined);
          const status = fileCheckStatus('value' in parsed ? parsed.value : 0, c.file?.weight ?? tf?.weight ?? 1, c.file?.reverse ?? tf?.reverse ?? false);
          if (status === FILE_FAULT) alive = false;
          else contribution += status;
        } else if (rs.alpha[i]) alive = false;
      });
      out.set(rs.name, { alive, weight: clampWeight(rs.weight + contribution) });
    }
    return out;
  }

  private track(host: Host, vsName: string): QuorumTrack | undefined {
    const key = `${this.procTag(host)}|${vsName}`;
    let t = this.tracks.get(key);
    if (!t) {
      const view = this.viewOf(host).find((v) => v.name === vsName);
      if (!view) return undefined;
      this.tracks.set(key, (t = { view, servers: this.startServers(host, view), up: undefined }));
    }
    return t;
  }

  private static sum(t: QuorumTrack): number {
    let s = 0;
    for (const r of t.servers.values()) if (r.alive) s += r.weight;
    return s;
  }

  /** What the LVS statecharts said (checker verdicts, server and quorum changes). */
  onLvsEvent(host: Host, e: LvsEvent): void {
    if (e.type === 'lvs-checker') return;
    const t = this.track(host, e.vs);
    if (!t) return;
    const q = t.view.quorum;
    const h = t.view.hysteresis;
    if (e.type === 'lvs-rs') {
      t.servers.set(e.rs, { alive: e.alive, weight: e.weight });
    } else {
      const sum = LvsMonitor.sum(t);
      const init = t.up === undefined;
      if (e.sum !== sum) this.report('C3', `${host.name}: VS ${e.vs} reports Σ alive weights ${e.sum}, the alive real servers add up to ${sum}`, host.name);
      if (e.up && e.sum < q + h) this.report('C3', `${host.name}: VS ${e.vs} gained quorum with Σ ${e.sum} < quorum ${q} + hysteresis ${h}`, host.name);
      if (!e.up && (init ? e.sum >= q + h : e.sum !== 0 && e.sum >= q - h))
        this.report('C3', `${host.name}: VS ${e.vs} ${init ? 'started with quorum down' : 'lost quorum'} with Σ ${e.sum} ${init ? `≥ quorum ${q} + hysteresis ${h}` : `≥ quorum ${q} − hysteresis ${h}`}`, host.name);
      t.up = e.up;
    }
    this.quorumPending(host, t);
    this.evaluate();
  }

  /** C3 (no missed crossing): a sum past the threshold must be answered within `grace`. */
  private quorumPending(host: Host, t: QuorumTrack): void {
    const key = `C3|${this.procTag(host)}|${t.view.name}`;
    const sum = LvsMonitor.sum(t);
    const q = t.view.quorum;
    const h = t.view.hysteresis;
    let problem: string | undefined;
    if (q === 0) problem = undefined; // every weight is 0: nothing to cross
    else if (t.up === true && (sum === 0 || sum < q - h)) problem = `Σ alive weights ${sum} < quorum ${q} − hysteresis ${h} but quorum is still up`;
    else if (t.up === false && sum >= q + h) problem = `Σ alive weights ${sum} ≥ quorum ${q} + hysteresis ${h} but quorum is still down`;
    if (problem) this.conditions.hold(key, this.opts.graceMs, `${host.name}: VS ${t.view.name}: ${problem}`);
    else this.conditions.release(key);
  }

  /** C5, when a director's table picks a destination for a new connection. */
  onScheduled(director: Host, ks: KernelService, dest: LbDestination, via: 'scheduler' | 'persistence'): void {
    const k = destKey(dest);
    const inTable = ks.dests.find((d) => destKey(d) === k);
    if (!inTable || director.lb.services.get(ks.key) !== ks) this.report('C5', `${director.name}: a new connection for ${ks.key} went to ${k}, which is not in the table`, director.name);
    else if (via === 'scheduler' && inTable.weight <= 0) this.report('C5', `${director.name}: the ${ks.service.scheduler} scheduler of ${ks.key} sent a new connection to ${k} at weight 0`, director.name);
  }
}
