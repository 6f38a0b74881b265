/**
 * The IPVS backend of the load-balancer table port, on the ipvs-netlink package.
 *
 * It sends what keepalived 2.2.7 sends for the same commands (ipvs-rules.ts), but reconciles
 * rather than replays: it keeps the table the commands imply (desired) and its belief of the
 * kernel's table. At the first command, and after any error, it reads the kernel's table
 * (GET_SERVICE and GET_DEST dumps) and sends only what differs: a service or destination already
 * there is not added again, `setDest` on a destination that is gone becomes NEW_DEST, a service
 * deleted behind our back (ESRCH) is recreated with all its destinations, and destinations in
 * our services that we did not ask for are removed. Services we never managed are left alone.
 *
 * Opening reports a kernel without IPVS as a value (`reason: 'absent'`), never by throwing.
 * The LVS subsystem's global duties (lvs_timeouts, lvs_flush, lvs_flush_on_stop,
 * lvs_sync_daemon) are the `startup` and `shutdown` methods, in keepalived's order.
 */
import {
  IpvsCmd,
  IpvsError,
  DaemonState,
  openIpvs,
  type IpvsClient,
  type IpvsDest,
  type IpvsService,
  type IpvsTimeouts,
  type NetlinkTransport,
} from 'ipvs-netlink';
import type { LbCommand, LbError, LbGlobals, LbMethod, LbService, LbTablePort, LbTableView } from '../../actors/lvs/lb-port.js';
import type { Logger } from '../../actors/ports.js';
import type { LvsSyncDaemonConfig } from '../../config/model.js';
import { inNetns } from './netns.js';
import {
  destKey,
  ipvsDest,
  ipvsErrorLine,
  ipvsRefusal,
  ipvsService,
  lbDestOf,
  lbServiceOf,
  requestDest,
  sameDest,
  sameService,
  serviceKey,
} from './ipvs-rules.js';

export interface IpvsTableOptions {
  /** keepalived's net_namespace: the socket is created inside it. */
  netns?: string;
  logger?: Logger;
  /** Use this transport instead of a netlink socket (tests: ipvs-netlink/testing's FakeIpvsKernel). */
  transport?: NetlinkTransport;
  /** Per-request answer timeout; default 5000 ms. */
  timeoutMs?: number;
  /** Sees every netlink message sent and received. */
  trace?: (direction: 'send' | 'recv', message: Uint8Array) => void;
  /** Wraps the socket's creation (the daemon passes its netns entry and ENOBUFS guard). */
  around?: <T>(create: () => T) => T;
}

export type IpvsTableOpen =
  | { ok: true; table: IpvsTable }
  | { ok: false; reason: 'absent' | 'unavailable' | 'error'; message: string };

/** The global_defs the IPVS backend acts on at start and stop. */
export type IpvsGlobals = LbGlobals;

/**
 * Open the IPVS backend: resolve the IPVS family and read GET_INFO, as keepalived does at start.
 * `done` is called once, asynchronously, with the table or the reason there is none.
 */
export function openIpvsTable(opts: IpvsTableOptions, done: (r: IpvsTableOpen) => void): void {
  const run = async (): Promise<IpvsTableOpen> => {
    // IPVS tables are per network namespace: the socket is made inside keepalived's net_namespace.
    // (No ENOBUFS guard as for rtnetlink: nothing is multicast to this socket, and the kernel
    // paces dumps by our reads.)
    const around = opts.around ?? (opts.netns ? <T>(create: () => T): T => inNetns(opts.netns, create) : undefined);
    const r = await openIpvs({ transport: opts.transport, timeoutMs: opts.timeoutMs, trace: opts.trace, around });
    if (!r.ok) return { ok: false, reason: r.reason, message: r.message };
    try {
      const info = await r.client.getInfo();
      return { ok: true, table: new IpvsTable(r.client, info, opts.logger) };
    } catch (e) {
      r.client.close();
      return { ok: false, reason: 'error', message: `IPVS: can't read GET_INFO: ${(e as Error).message}` };
    }
  };
  run().then(done, (e: unknown) => done({ ok: false, reason: 'error', message: `IPVS: ${(e as Error).message}` }));
}

interface Wanted {
  lb: LbService;
  /** The service command's nest. */
  svc: IpvsService;
  /** The nest destination commands embed. */
  svcForDest: IpvsService;
  dests: Map<string, IpvsDest>;
}

interface KernelService {
  svc: IpvsService;
  dests: Map<string, IpvsDest>;
}

/** One message to send and what it does to our belief of the kernel's table when it succeeds. */
interface Step {
  cmd: number;
  service: IpvsService;
  dest?: IpvsDest;
  /** The service (and destination) this step is for: failures are reported against it. */
  target: string;
  applied: () => void;
}

const targetOf = (sk: string, dk?: string) => (dk === undefined ? sk : `${sk} ${dk}`);

export class IpvsTable implements LbTablePort {
  readonly backend = 'ipvs';
  /** The table the commands imply, in the order services were first added. */
  private readonly desired = new Map<string, Wanted>();
  /** Services we were told to delete (kept so a failed delete is retried by reconciling). */
  private readonly retired = new Map<string, IpvsService>();
  /** What we believe the kernel holds; undefined until first read. */
  private kernel: Map<string, KernelService> | undefined;
  /** Read the kernel's table before the next change (at start, and after any error). */
  private stale = true;
  private queue: Promise<void> = Promise.resolve();
  private savedTimeouts: IpvsTimeouts | undefined;
  private closed = false;

  constructor(
    private readonly client: IpvsClient,
    /** GET_INFO's answer at open. */
    readonly info: { version: number; connTabSize: number },
    private readonly logger?: Logger,
  ) {}

  refuses(service: LbService, _methods: LbMethod[]): string | undefined {
    return ipvsRefusal(service);
  }

  apply(commands: LbCommand[], done: (errors: LbError[]) => void): void {
    this.enqueue(async () => done(await this.run(commands)));
  }

  view(done: (view: LbTableView) => void): void {
    this.enqueue(async () => done(this.snapshot()));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  /**
   * At start, after opening and before the first `apply`, in keepalived's order: lvs_timeouts
   * (GET_CONFIG to remember the kernel's values, then SET_CONFIG), lvs_flush (FLUSH), and a sync
   * daemon the checker runs itself (lvs_sync_daemon without `inst`: DEL_DAEMON master and backup,
   * then NEW_DAEMON master and backup). `done` gets keepalived's lines for what failed.
   */
  startup(g: IpvsGlobals, done: (errors: string[]) => void): void {
    this.enqueue(async () => {
      const errors: string[] = [];
      const t = g.lvsTimeouts;
      if (t && (t.tcp || t.tcpFin || t.udp)) {
        try {
          this.savedTimeouts = await this.client.getTimeouts();
        } catch (e) {
          errors.push(this.fail(IpvsCmd.GET_CONFIG, e));
        }
        await this.send(IpvsCmd.SET_CONFIG, () => this.client.setTimeouts({ tcp: t.tcp, tcpFin: t.tcpFin, udp: t.udp }), errors);
      }
      if (g.lvsFlush) await this.flushNow(errors);
      const sd = g.lvsSyncDaemon;
      if (sd && sd.instance === undefined) {
        await this.stopDaemons(true);
        for (const state of [DaemonState.MASTER, DaemonState.BACKUP]) {
          await this.send(IpvsCmd.NEW_DAEMON, () => this.client.startDaemon(daemonRule(sd, state)), errors);
        }
      }
      done(errors);
    });
  }

  /**
   * At stop, after the virtual-server actors' own delete commands (none with
   * lvs_flush_on_stop, only DEL_SERVICE with `lvs_flush_on_stop VS`): FLUSH for
   * lvs_flush_on_stop, DEL_DAEMON master and backup for a checker-run sync daemon, SET_CONFIG
   * back to the timeouts read at start. The socket stays open until `close()`.
   */
  shutdown(g: IpvsGlobals, done: (errors: string[]) => void): void {
    this.enqueue(async () => {
      const errors: string[] = [];
      if (g.lvsFlushOnStop === 'full') await this.flushNow(errors);
      if (g.lvsSyncDaemon && g.lvsSyncDaemon.instance === undefined) await this.stopDaemons(false, errors);
      const saved = this.savedTimeouts;
      if (saved) await this.send(IpvsCmd.SET_CONFIG, () => this.client.setTimeouts(saved), errors);
      done(errors);
    });
  }

  /** FLUSH now (every IPVS service, ours or not, goes): the port's flush, for lvs_flush. */
  flush(done: (error: string | undefined) => void): void {
    this.enqueue(async () => {
      const errors: string[] = [];
      await this.flushNow(errors);
      done(errors.length ? errors.join('; ') : undefined);
    });
  }

  // ---------------------------------------------------------------- internals

  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch((e: unknown) => this.log('error', `IPVS: internal error: ${(e as Error).stack ?? e}`));
  }

  private log(level: 'info' | 'notice' | 'warning' | 'error', line: string): void {
    this.logger?.log(level, line);
  }

  private fail(cmd: number, e: unknown, s?: IpvsService, d?: IpvsDest): string {
    const line = e instanceof IpvsError ? ipvsErrorLine(cmd, e.errno, s, d) : `IPVS: ${(e as Error).message}`;
    this.log('info', line);
    return line;
  }

  private async send(cmd: number, call: () => Promise<void>, errors?: string[]): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (e) {
      const line = this.fail(cmd, e);
      errors?.push(line);
      return false;
    }
  }

  private async flushNow(errors: string[]): Promise<void> {
    if (await this.send(IpvsCmd.FLUSH, () => this.client.flush(), errors)) this.kernel?.clear();
    else this.stale = true;
  }

  /** DEL_DAEMON master then backup, sync id 0 as keepalived's checker sends them; at start "not running" is expected. */
  private async stopDaemons(quiet: boolean, errors?: string[]): Promise<void> {
    for (const state of [DaemonState.MASTER, DaemonState.BACKUP]) {
      try {
        await this.client.stopDaemon({ state, syncId: 0 });
      } catch (e) {
        if (quiet && e instanceof IpvsError && e.code === 'ESRCH') continue;
        const line = this.fail(IpvsCmd.DEL_DAEMON, e);
        if (!quiet) errors?.push(line);
      }
    }
  }

  /** Read the kernel's whole table; an error message when it cannot. */
  private async read(): Promise<string | undefined> {
    try {
      const kernel = new Map<string, KernelService>();
      for (const svc of await this.client.listServices()) {
        const dests = new Map<string, IpvsDest>();
        for (const d of await this.client.listDestinations(svc)) dests.set(destKey(d), d);
        kernel.set(serviceKey(svc), { svc, dests });
      }
      this.kernel = kernel;
      this.stale = false;
      return undefined;
    } catch (e) {
      this.stale = true;
      const msg = `IPVS: can't read the kernel's table: ${(e as Error).message}`;
      this.log('error', msg);
      return msg;
    }
  }

  private async run(commands: LbCommand[]): Promise<LbError[]> {
    const failures = new Map<string, string>();
    const touched: Array<{ command: LbCommand; target: string }> = [];
    let fresh = false;
    if (this.stale || !this.kernel) {
      const err = await this.read();
      if (err) {
        for (const c of commands) this.want(c);
        return commands.map((command) => ({ command, message: err }));
      }
      fresh = true;
    }
    let broken = false;
    const added = new Set<string>();
    for (const c of commands) {
      const target = this.want(c);
      touched.push({ command: c, target });
      if (c.cmd === 'addService') added.add(target);
      if (broken) continue;
      for (const step of this.plan(c)) {
        const err = await this.perform(step);
        if (err) {
          failures.set(step.target, err);
          broken = true;
          break;
        }
      }
    }
    if (broken) {
      this.log('warning', 'IPVS: the kernel refused a change; reading its table to reconcile');
      const err = await this.read();
      if (err) return touched.map(({ command }) => ({ command, message: err }));
      await this.reconcile([...this.desired.keys(), ...this.retired.keys()], failures);
    } else {
      // After a fresh read, or for services (re)added now: remove what the kernel has that we do not want.
      await this.reconcile(fresh ? [...this.desired.keys(), ...this.retired.keys()] : [...added], failures);
    }
    return this.unheld(touched, failures);
  }

  /** Record a command in the desired table; returns its target. */
  private want(c: LbCommand): string {
    const svcForDest = ipvsService(c.service, true);
    const sk = serviceKey(svcForDest);
    switch (c.cmd) {
      case 'addService': {
        const w = this.desired.get(sk);
        const svc = ipvsService(c.service, false);
        if (w) {
          w.lb = c.service;
          w.svc = svc;
          w.svcForDest = svcForDest;
        } else this.desired.set(sk, { lb: c.service, svc, svcForDest, dests: new Map() });
        this.retired.delete(sk);
        return sk;
      }
      case 'delService':
        this.desired.delete(sk);
        this.retired.set(sk, ipvsService(c.service, false));
        return sk;
      case 'addDest':
      case 'setDest': {
        const d = ipvsDest(c.service, c.dest);
        let w = this.desired.get(sk);
        if (!w) {
          // A destination for a service never added: the service comes with it.
          w = { lb: c.service, svc: ipvsService(c.service, false), svcForDest, dests: new Map() };
          this.desired.set(sk, w);
          this.retired.delete(sk);
        }
        w.dests.set(destKey(d), d);
        return targetOf(sk, destKey(d));
      }
      case 'delDest': {
        const d = ipvsDest(c.service, c.dest);
        this.desired.get(sk)?.dests.delete(destKey(d));
        return targetOf(sk, destKey(d));
      }
    }
  }

  /** The messages a command needs, given what the kernel holds (keepalived's message for each). */
  private plan(c: LbCommand): Step[] {
    const kernel = this.kernel!;
    const svcForDest = ipvsService(c.service, true);
    const sk = serviceKey(svcForDest);
    const k = kernel.get(sk);
    switch (c.cmd) {
      case 'addService': {
        const svc = ipvsService(c.service, false);
        if (!k) return [this.newService(sk, svc)];
        return sameService(k.svc, svc) ? [] : [{ cmd: IpvsCmd.SET_SERVICE, service: svc, target: sk, applied: () => (k.svc = svc) }];
      }
      case 'delService':
        return k ? [{ cmd: IpvsCmd.DEL_SERVICE, service: ipvsService(c.service, false), target: sk, applied: () => kernel.delete(sk) }] : [];
      case 'addDest':
      case 'setDest': {
        const d = ipvsDest(c.service, c.dest);
        const steps: Step[] = [];
        if (!k) steps.push(this.newService(sk, this.desired.get(sk)?.svc ?? ipvsService(c.service, false)));
        const present = k?.dests.get(destKey(d));
        if (!present) steps.push(this.destStep(IpvsCmd.NEW_DEST, sk, svcForDest, d));
        else if (!sameDest(present, d)) steps.push(this.destStep(IpvsCmd.SET_DEST, sk, svcForDest, d));
        return steps;
      }
      case 'delDest': {
        const d = ipvsDest(c.service, c.dest);
        return k?.dests.has(destKey(d)) ? [this.destStep(IpvsCmd.DEL_DEST, sk, svcForDest, d)] : [];
      }
    }
  }

  private newService(sk: string, svc: IpvsService): Step {
    return { cmd: IpvsCmd.NEW_SERVICE, service: svc, target: sk, applied: () => this.kernel?.set(sk, { svc, dests: new Map() }) };
  }

  private destStep(cmd: number, sk: string, svcForDest: IpvsService, d: IpvsDest): Step {
    const dk = destKey(d);
    return {
      cmd,
      service: svcForDest,
      dest: d,
      target: targetOf(sk, dk),
      applied: () => {
        const k = this.kernel?.get(sk);
        if (!k) return;
        if (cmd === IpvsCmd.DEL_DEST) k.dests.delete(dk);
        else k.dests.set(dk, d);
      },
    };
  }

  /** Send one step; on success update our belief of the kernel, on failure return keepalived's line. */
  private async perform(step: Step): Promise<string | undefined> {
    try {
      await this.client.command(step.cmd, step.dest ? { service: step.service, dest: step.dest } : { service: step.service });
      step.applied();
      return undefined;
    } catch (e) {
      return this.fail(step.cmd, e, step.service, step.dest);
    }
  }

  /** Make the kernel's services `keys` what the desired table says, sending only differences. */
  private async reconcile(keys: string[], failures: Map<string, string>): Promise<void> {
    const kernel = this.kernel;
    if (!kernel) return;
    const steps: Step[] = [];
    for (const sk of new Set(keys)) {
      const w = this.desired.get(sk);
      const k = kernel.get(sk);
      if (!w) {
        const gone = this.retired.get(sk);
        if (gone && k) steps.push({ cmd: IpvsCmd.DEL_SERVICE, service: gone, target: sk, applied: () => kernel.delete(sk) });
        continue;
      }
      if (!k) steps.push(this.newService(sk, w.svc));
      else if (!sameService(k.svc, w.svc)) steps.push({ cmd: IpvsCmd.SET_SERVICE, service: w.svc, target: sk, applied: () => (k.svc = w.svc) });
      for (const [dk, d] of w.dests) {
        const kd = k?.dests.get(dk);
        if (!kd) steps.push(this.destStep(IpvsCmd.NEW_DEST, sk, w.svcForDest, d));
        else if (!sameDest(kd, d)) steps.push(this.destStep(IpvsCmd.SET_DEST, sk, w.svcForDest, d));
      }
      if (k) for (const [dk, kd] of k.dests) if (!w.dests.has(dk)) steps.push(this.destStep(IpvsCmd.DEL_DEST, sk, w.svcForDest, requestDest(kd)));
    }
    if (steps.length === 0) return;
    this.log('notice', `IPVS: reconciling ${steps.length} difference${steps.length === 1 ? '' : 's'} between the kernel's table and ours`);
    const failedServices = new Set<string>();
    for (const step of steps) {
      const sk = step.target.split(' ')[0]!;
      // No destination commands for a service the kernel would not create.
      if (failedServices.has(sk)) continue;
      const err = await this.perform(step);
      if (err) {
        failures.set(step.target, err);
        if (step.cmd === IpvsCmd.NEW_SERVICE) failedServices.add(sk);
        // Read again at the next apply rather than trust a table that refused a change.
        this.stale = true;
      }
    }
  }

  /** The commands whose target the kernel does not hold as desired, with the reason. */
  private unheld(touched: Array<{ command: LbCommand; target: string }>, failures: Map<string, string>): LbError[] {
    const last = new Map<string, LbCommand>();
    for (const t of touched) last.set(t.target, t.command);
    const errors: LbError[] = [];
    for (const [target, command] of last) {
      if (this.holds(target)) continue;
      errors.push({ command, message: failures.get(target) ?? failures.get(target.split(' ')[0]!) ?? 'IPVS: the kernel table does not hold this change' });
    }
    return errors;
  }

  private holds(target: string): boolean {
    const kernel = this.kernel;
    const [sk, dk] = target.split(' ') as [string, string | undefined];
    const w = this.desired.get(sk);
    if (!kernel) return false;
    const k = kernel.get(sk);
    if (dk === undefined) return w ? !!k && sameService(k.svc, w.svc) : !k;
    const want = w?.dests.get(dk);
    const have = k?.dests.get(dk);
    return want ? !!have && sameDest(have, want) : !have;
  }

  private snapshot(): LbTableView {
    const services: LbTableView['services'] = [];
    const kernel = this.kernel;
    const seen = new Set<string>();
    for (const [sk, w] of this.desired) {
      seen.add(sk);
      const k = kernel?.get(sk);
      const dests = k ? [...k.dests.values()] : kernel ? [] : [...w.dests.values()];
      services.push({ service: w.lb, destinations: dests.map(lbDestOf) });
    }
    if (kernel) for (const [sk, k] of kernel) if (!seen.has(sk)) services.push({ service: lbServiceOf(k.svc), destinations: [...k.dests.values()].map(lbDestOf) });
    return { backend: this.backend, services };
  }
}

function daemonRule(sd: LvsSyncDaemonConfig, state: number) {
  return {
    state,
    mcastIfn: sd.interface,
    syncId: sd.syncId ?? 0,
    ...(sd.maxlen ? { syncMaxlen: sd.maxlen } : {}),
    ...(sd.port ? { mcastPort: sd.port } : {}),
    ...(sd.ttl ? { mcastTtl: sd.ttl } : {}),
    ...(sd.group ? { mcastGroup: sd.group } : {}),
  };
}
