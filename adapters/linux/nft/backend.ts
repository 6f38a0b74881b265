/**
 * The nftables backend of the load-balancer table port: NAT-mode virtual services as DNAT maps
 * in a table of our own (`table ip keepalived_ts`, `table ip6 keepalived_ts`), for kernels
 * without IPVS. See docs/adapters.md "Load balancing with nftables".
 *
 * The port's commands update a desired table (services, their destinations in order); each
 * apply() then writes the services it touched as one atomic `nft` batch. Reconcile, not replay:
 * before the first batch, and again after any failed one, the backend reads our table back
 * (`nft -j list table`), compares every desired service by rule hash and rewrites only those
 * that differ. Tables that are not ours are never read or written. close() leaves the table in
 * place (existing connections keep working); flush() removes it.
 */
import type { Family } from '../../../actors/ports.js';
import type { LbCommand, LbDestination, LbError, LbMethod, LbService, LbTablePort, LbTableView } from '../../../actors/lvs/lb-port.js';
import { nftRefusalForService } from '../../../actors/lvs/nft-refusal.js';
import { flushCommands, type NftCommand, type TableOptions } from './batch.js';
import { createNftRunner, type NftRunner, type NftRunnerOptions } from './driver.js';
import { destKey, destPort, emptyKernelTable, serviceKey, splitDestKey, type DesiredService, type KernelTable } from './model.js';
import { parseTable } from './parse.js';
import { planFamily } from './plan.js';

export interface NftBackendOptions extends NftRunnerOptions {
  /** Table name in both families; default keepalived_ts. */
  table?: string;
  /** SNAT (masquerade) connections to our services: needed only when real servers do not
   *  route their replies back through the director. Default off, like LVS-NAT. */
  masquerade?: boolean;
  /** Operator-facing notes (drift found and repaired). */
  log?: (line: string) => void;
  /** Replaces the nft runner (tests). */
  runner?: NftRunner;
}

type Job = (next: () => void) => void;

const FAMILIES: Family[] = [4, 6];

function label(s: LbService): string {
  if (s.fwmark !== undefined && s.address === undefined) return `FWM ${s.fwmark}`;
  return `${s.family === 6 ? `[${s.address}]` : s.address}:${s.port ?? 0}/${s.protocol ?? 'tcp'}`;
}

export class NftLbTable implements LbTablePort {
  readonly backend = 'nftables';
  private readonly options: TableOptions;
  private readonly runner: NftRunner;
  private readonly log: (line: string) => void;
  private readonly desired = new Map<string, DesiredService>();
  private readonly removed = new Map<string, LbService>();
  /** Our table as last read or written; undefined = unknown (read before the next batch). */
  private kernel: Record<Family, KernelTable> | undefined;
  private readonly queue: Job[] = [];
  private busy = false;
  private closed = false;

  constructor(opts: NftBackendOptions = {}) {
    this.options = { table: opts.table ?? 'keepalived_ts', masquerade: opts.masquerade ?? false };
    this.runner = opts.runner ?? createNftRunner(opts);
    this.log = opts.log ?? (() => undefined);
  }

  refuses(service: LbService, methods: LbMethod[]): string | undefined {
    const why = nftRefusalForService(service, methods);
    if (why) return why;
    if (service.fwmark === undefined && !service.port)
      return 'a virtual server on port 0 (all ports) needs IPVS; nftables needs a port: use one virtual server per port, or a fwmark service';
    if (service.fwmark === undefined && !service.address) return 'a virtual server needs an address';
    return undefined;
  }

  apply(commands: LbCommand[], done: (errors: LbError[]) => void): void {
    this.enqueue((next) => {
      const errors: LbError[] = [];
      const touched = new Set<string>();
      for (const c of commands) {
        const why = this.carry(c, touched);
        if (why) errors.push({ command: c, message: why });
      }
      this.sync(touched, (error) => {
        if (error) for (const c of commands) if (!errors.some((e) => e.command === c)) errors.push({ command: c, message: error });
        done(errors);
        next();
      });
    }, () => done(commands.map((command) => ({ command, message: 'nftables backend closed' }))));
  }

  view(done: (view: LbTableView) => void): void {
    this.enqueue((next) => {
      const finish = (): void => {
        done(this.snapshot());
        next();
      };
      if (this.kernel) finish();
      else this.read(() => finish());
    }, () => done(this.snapshot()));
  }

  /** Remove our table in both families (lvs_flush, lvs_flush_onstop); forgets the desired table. */
  flush(done: (error: string | undefined) => void): void {
    this.enqueue((next) => {
      this.runner.apply(flushCommands(this.options), (error) => {
        if (!this.closed) {
          this.desired.clear();
          this.removed.clear();
          this.kernel = error ? undefined : { 4: emptyKernelTable(4), 6: emptyKernelTable(6) };
        }
        done(error);
        next();
      });
    }, () => done('nftables backend closed'));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.runner.close();
  }

  // ---------------------------------------------------------------------------------------------

  private enqueue(job: Job, onClosed: () => void): void {
    if (this.closed) {
      setImmediate(onClosed);
      return;
    }
    this.queue.push((next) => (this.closed ? (onClosed(), next()) : job(next)));
    if (!this.busy) {
      this.busy = true;
      setImmediate(() => this.pump());
    }
  }

  private pump(): void {
    const job = this.queue.shift();
    if (!job) {
      this.busy = false;
      return;
    }
    job(() => setImmediate(() => this.pump()));
  }

  /** One command into the desired table; returns why it cannot be carried out, if so. */
  private carry(c: LbCommand, touched: Set<string>): string | undefined {
    const key = serviceKey(c.service);
    switch (c.cmd) {
      case 'addService': {
        const why = this.refuses(c.service, []);
        if (why) return `${label(c.service)}: ${why}`;
        const have = this.desired.get(key);
        if (have) have.service = c.service;
        else this.desired.set(key, { key, service: c.service, dests: [] });
        this.removed.delete(key);
        touched.add(key);
        return undefined;
      }
      case 'delService':
        this.desired.delete(key);
        this.removed.set(key, c.service);
        touched.add(key);
        return undefined;
      case 'addDest':
      case 'setDest':
      case 'delDest': {
        const d = this.desired.get(key);
        if (!d) return `${label(c.service)}: no such service`;
        const k = destKey(c.dest.address, destPort(d.service, c.dest));
        const at = d.dests.findIndex((x) => destKey(x.address, destPort(d.service, x)) === k);
        if (c.cmd === 'delDest') {
          if (at >= 0) d.dests.splice(at, 1);
        } else {
          const why = this.refuseDest(d.service, c.dest);
          if (why) return `${label(c.service)}: real server ${c.dest.address}:${c.dest.port}: ${why}`;
          if (at >= 0) d.dests[at] = c.dest;
          else d.dests.push(c.dest);
        }
        touched.add(key);
        return undefined;
      }
    }
  }

  private refuseDest(s: LbService, d: LbDestination): string | undefined {
    const why = nftRefusalForService(s, [d.method]);
    if (why) return why;
    if (d.family !== s.family) return 'a real server of the other address family needs IPVS (tunnel forwarding); nftables NAT keeps the family';
    if (d.upperThreshold > 0 || d.lowerThreshold > 0) return "uthreshold/lthreshold need IPVS (nftables cannot count a real server's connections); remove them";
    return undefined;
  }

  /** Read our table in both families into `kernel`. */
  private read(done: (error: string | undefined) => void): void {
    const got: Partial<Record<Family, KernelTable>> = {};
    let pending = FAMILIES.length;
    let failed: string | undefined;
    for (const f of FAMILIES) {
      this.runner.list(f, this.options.table, (error, listing) => {
        if (error) failed ??= error;
        else got[f] = parseTable(f, listing);
        if (--pending) return;
        this.kernel = failed ? undefined : { 4: got[4]!, 6: got[6]! };
        done(failed);
      });
    }
  }

  /** Bring the kernel to the desired table for `touched` (or everything, when the kernel is unknown). */
  private sync(touched: ReadonlySet<string>, done: (error: string | undefined) => void): void {
    if (!this.kernel) {
      this.read((error) => (error ? done(error) : this.write('all', done)));
      return;
    }
    this.write(touched, (error) => {
      if (!error) return done(undefined);
      this.log(`nftables: batch on table ${this.options.table} failed (${error}); reading it back and rebuilding`);
      this.read((readError) => (readError ? done(readError) : this.write('all', done)));
    });
  }

  private write(touched: ReadonlySet<string> | 'all', done: (error: string | undefined) => void): void {
    const kernel = this.kernel!;
    const desired = [...this.desired.values()];
    const cmds: NftCommand[] = [];
    const next = { ...kernel };
    for (const f of FAMILIES) {
      const p = planFamily({ family: f, desired, removed: this.removed, kernel: kernel[f], touched, options: this.options });
      cmds.push(...p.cmds);
      next[f] = p.next;
    }
    if (!cmds.length) {
      this.removed.clear();
      setImmediate(() => done(undefined));
      return;
    }
    this.runner.apply(cmds, (error) => {
      if (error) this.kernel = undefined; // unknown now: read it back before the next batch
      else {
        this.kernel = next;
        this.removed.clear();
      }
      done(error);
    });
  }

  /** The desired table, then services found in the kernel that no command named (weights there
   *  are slot counts, the only weight the kernel table records). */
  private snapshot(): LbTableView {
    const services: LbTableView['services'] = [...this.desired.values()].map((d) => ({ service: d.service, destinations: [...d.dests] }));
    for (const f of FAMILIES) {
      for (const k of this.kernel?.[f].services.values() ?? []) {
        if (this.desired.has(k.key) || this.removed.has(k.key)) continue;
        const service: LbService = { family: f, scheduler: k.scheduler || '?', flags: [], persistenceTimeoutS: 0 };
        if (k.fwmark !== undefined) service.fwmark = k.fwmark;
        else Object.assign(service, { protocol: k.protocol, address: k.address, port: k.port });
        const counts = new Map<string, number>();
        for (const s of k.slots) counts.set(s, (counts.get(s) ?? 0) + 1);
        const destinations = [...counts].map(([key, weight]): LbDestination => {
          const { address, port } = splitDestKey(key);
          return { family: f, address, port, method: 'NAT', weight, upperThreshold: 0, lowerThreshold: 0 };
        });
        services.push({ service, destinations });
      }
    }
    return { backend: this.backend, services };
  }
}
