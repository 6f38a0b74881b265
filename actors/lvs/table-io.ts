/**
 * The virtual servers' table commands on their way to the load-balancer table port. Commands
 * emitted in one burst (a start-up, a verdict that takes a pool below quorum) go to the port as one
 * `apply`, in the order the statecharts emitted them; the port keeps order across applies. What the
 * backend could not do is logged with the virtual server it belongs to and counted; the statecharts
 * carry on (keepalived leaves the checker state as it is when an IPVS command fails).
 */
import type { Ports } from '../ports.js';
import type { RuntimeSink } from '../sink.js';
import type { LbCommand, LbTablePort } from './lb-port.js';

function describe(c: LbCommand): string {
  const s = c.service;
  const svc = s.fwmark !== undefined && s.address === undefined ? `FWM ${s.fwmark}` : `${s.family === 6 ? `[${s.address}]` : s.address}:${s.port ?? 0}/${s.protocol ?? 'tcp'}`;
  if (c.cmd === 'addService' || c.cmd === 'delService') return `${c.cmd} ${svc}`;
  const d = c.dest;
  return `${c.cmd} ${svc} -> ${d.family === 6 ? `[${d.address}]` : d.address}:${d.port} weight ${d.weight}`;
}

export class TableIo {
  private pending: Array<{ vs: string; command: LbCommand }> = [];
  private scheduled = false;
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly ports: Ports,
    private readonly sink: RuntimeSink,
  ) {}

  get table(): LbTablePort | undefined {
    return this.ports.lbTable;
  }

  /** One command from a virtual server, in order. Without a table it goes nowhere (said once at start). */
  push(vs: string, command: LbCommand): void {
    if (!this.table) return;
    this.pending.push({ vs, command });
    this.sink.count(`lb_${command.cmd}`);
    if (this.scheduled) return;
    this.scheduled = true;
    this.ports.clock.setTimeout(() => this.flush(), 0);
  }

  /** Calls `done` once every command pushed so far has been applied (at once when none is pending). */
  whenIdle(done: () => void): void {
    if (!this.scheduled && this.inFlight === 0) return done();
    this.waiters.push(done);
  }

  /** Drop what is queued (the runtime stopped before it went out). */
  cancelQueued(): void {
    this.pending = [];
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const table = this.table;
    if (!table || batch.length === 0) return this.settle();
    this.inFlight++;
    table.apply(
      batch.map((b) => b.command),
      (errors) => {
        this.inFlight--;
        for (const e of errors) {
          const vs = batch.find((b) => b.command === e.command)?.vs;
          this.sink.count('lb_errors');
          this.sink.log('error', `${table.backend}: ${vs ? `VS ${vs}: ` : ''}${describe(e.command)} failed: ${e.message}`);
        }
        this.settle();
      },
    );
  }

  private settle(): void {
    if (this.scheduled || this.inFlight > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
