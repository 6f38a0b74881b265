/**
 * LVS fakes for the runtime tests: a prober whose real servers answer as the test says, a table
 * port that records every command (and can refuse services or fail commands), on the FakeLan's
 * clock. With a FakeNode's ports they run the whole LVS subsystem through createRuntime.
 */
import type { LbCommand, LbError, LbGlobals, LbMethod, LbService, LbTablePort, LbTableView } from '../../actors/lvs/lb-port.js';
import type { ProbeOutcome, Prober, ProbeRequest } from '../../actors/lvs/prober-port.js';
import type { Ports } from '../../actors/ports.js';
import type { SimClock } from '../../sim/clock.js';
import type { FakeNode } from './fake-ports.js';

export type ServerMode = 'up' | 'refuse' | 'silent';

export class FakeProber implements Prober {
  /** What each address answers (default up). */
  readonly modes = new Map<string, ServerMode>();
  readonly attempts: Array<{ at: number; kind: string; address: string; port: number }> = [];
  latencyMs = 1;

  constructor(private readonly clock: SimClock) {}

  probe(req: ProbeRequest, done: (o: ProbeOutcome) => void): { cancel(): void } {
    this.attempts.push({ at: this.clock.now(), kind: req.checker.kind, address: req.target.address, port: req.target.port });
    const mode = this.modes.get(req.target.address) ?? 'up';
    if (mode === 'silent') return { cancel: () => undefined };
    const outcome: ProbeOutcome = mode === 'up' ? { ok: true } : { ok: false, failure: 'refused', message: 'failed', detail: 'Connection refused' };
    const id = this.clock.setTimeout(() => done(outcome), this.latencyMs);
    return { cancel: () => this.clock.clearTimeout(id) };
  }
}

/** `addService 203.0.113.10:80`, `addDest 203.0.113.10:80 198.51.100.21:80 w1`, … */
export function showLb(c: LbCommand): string {
  const s = c.service.fwmark !== undefined && c.service.address === undefined ? `fwm${c.service.fwmark}` : `${c.service.address}:${c.service.port}`;
  if (c.cmd === 'addService' || c.cmd === 'delService') return `${c.cmd} ${s}`;
  return `${c.cmd} ${s} ${c.dest.address}:${c.dest.port} w${c.dest.weight}`;
}

export class RecordingTable implements LbTablePort {
  readonly backend: string;
  readonly commands: Array<{ at: number; command: LbCommand }> = [];
  readonly duties: string[] = [];
  /** Refuse services (by scheduler or method), like a backend that cannot carry them. */
  refuse: (service: LbService, methods: LbMethod[]) => string | undefined = () => undefined;
  /** Fail a command (an error from the kernel). */
  fail: (c: LbCommand) => string | undefined = () => undefined;

  constructor(
    private readonly clock: SimClock,
    opts: { backend?: string; duties?: boolean } = {},
  ) {
    this.backend = opts.backend ?? 'test';
    if (opts.duties) {
      this.startup = (g, done) => {
        this.duties.push(`startup ${JSON.stringify(g)}`);
        this.clock.setTimeout(() => done([]), 0);
      };
      this.shutdown = (g, done) => {
        this.duties.push(`shutdown ${JSON.stringify(g)}`);
        this.clock.setTimeout(() => done([]), 0);
      };
    }
  }

  startup?: (globals: LbGlobals, done: (errors: string[]) => void) => void;
  shutdown?: (globals: LbGlobals, done: (errors: string[]) => void) => void;

  refuses(service: LbService, methods: LbMethod[]): string | undefined {
    return this.refuse(service, methods);
  }

  apply(commands: LbCommand[], done: (errors: LbError[]) => void): void {
    const at = this.clock.now();
    const errors: LbError[] = [];
    for (const command of commands) {
      this.commands.push({ at, command });
      const why = this.fail(command);
      if (why) errors.push({ command, message: why });
    }
    this.clock.setTimeout(() => done(errors), 0);
  }

  view(done: (view: LbTableView) => void): void {
    this.clock.setTimeout(() => done({ backend: this.backend, services: [] }), 0);
  }

  flush(done: (error: string | undefined) => void): void {
    this.duties.push('flush');
    this.clock.setTimeout(() => done(undefined), 0);
  }

  close(): void {}

  lines(from = 0): string[] {
    return this.commands.filter((c) => c.at >= from).map((c) => showLb(c.command));
  }
}

/** A node's ports with the LVS fakes added (warmup draws 0 unless `random` is given). */
export function lvsPorts(node: FakeNode, prober: Prober | undefined, table: LbTablePort | undefined, random?: () => number): Ports {
  return { ...node.ports(), ...(prober ? { prober } : {}), ...(table ? { lbTable: table } : {}), ...(random ? { random } : {}) };
}
