/**
 * What a director's LVS subsystem asks of its load-balancer table, in order: the daemon's own
 * composition root runs on one simulated host (the simulator's clock, prober and notifiers, so
 * nothing real is probed or run), and every call it makes on its table port is recorded before
 * the simulated table carries it out. Replaying the record on a real backend (IPVS over a fake
 * socket, nftables with a recording runner) gives the very messages the daemon would send:
 * `keepalived-ts lvs plan` prints the start-up part, tests compare whole runs with keepalived's.
 */
import type { LbCommand, LbGlobals, LbMethod, LbService, LbTablePort } from '../../actors/lvs/lb-port.js';
import type { Prober } from '../../actors/lvs/prober-port.js';
import type { CreateRuntime } from '../../actors/runtime-types.js';
import type { KeepalivedConfig } from '../../config/model.js';
import { createDaemonRuntime } from '../daemon-runtime.js';
import { keepalivedModels } from '../model.js';
import { Recorder } from '../recorder.js';
import { World, type HostSpec } from '../world.js';

/** One call on the table port, at simulated time `atMs`. */
export type TableOp =
  | { op: 'startup'; atMs: number; globals: LbGlobals }
  | { op: 'apply'; atMs: number; commands: LbCommand[] }
  | { op: 'flush'; atMs: number }
  | { op: 'shutdown'; atMs: number; globals: LbGlobals };

/** The backend the record is meant for: its name, its refusals, and which duties it has. */
export interface TargetBackend {
  backend: string;
  refuses(service: LbService, methods: LbMethod[]): string | undefined;
  startup?: unknown;
  shutdown?: unknown;
}

export interface RecordOptions {
  /** The director's NICs (default none: an ha_suspend virtual server then stays suspended). */
  nics?: HostSpec['nics'];
  /** Real servers and other hosts, for runs whose checkers should see answers. */
  hosts?: HostSpec[];
  segments?: string[];
  /**
   * Start-up only: checkers get no answer, and the run ends just before the first probe's deadline,
   * the earliest instant a checker could change the table. Default: the simulator's prober.
   */
  startupOnly?: boolean;
  /** Stop the daemon at this time (its shutdown is recorded too). */
  stopAtMs?: number;
  /** Run until (default: stopAtMs + 15 s; with startupOnly, at most this long). */
  untilMs?: number;
  seed?: number;
}

export interface TableRecord {
  ops: TableOp[];
  /** The director's log lines, as "LEVEL message". */
  logs: string[];
}


/** A table port that records each call, then lets `inner` (the simulator's table) carry it out. */
function recording(inner: LbTablePort, target: TargetBackend, ops: TableOp[], now: () => number): LbTablePort {
  const port: LbTablePort = {
    backend: target.backend,
    refuses: (service, methods) => target.refuses(service, methods),
    apply: (commands, done) => {
      ops.push({ op: 'apply', atMs: now(), commands: commands.map((c) => structuredClone(c)) });
      inner.apply(commands, done);
    },
    view: (done) => inner.view(done),
    flush: (done) => {
      ops.push({ op: 'flush', atMs: now() });
      inner.flush(done);
    },
    close: () => inner.close(),
  };
  if (target.startup)
    port.startup = (globals, done) => {
      ops.push({ op: 'startup', atMs: now(), globals: structuredClone(globals) });
      if (inner.startup) inner.startup(globals, done);
      else done([]);
    };
  if (target.shutdown)
    port.shutdown = (globals, done) => {
      ops.push({ op: 'shutdown', atMs: now(), globals: structuredClone(globals) });
      if (inner.shutdown) inner.shutdown(globals, done);
      else done([]);
    };
  return port;
}

/** Run `model`'s LVS subsystem on a simulated director and record its table calls. */
export function recordLvsTable(model: KeepalivedConfig, target: TargetBackend, o: RecordOptions = {}): TableRecord {
  const ops: TableOp[] = [];
  const logs: string[] = [];
  const holder: { world?: World } = {};
  const now = () => (holder.world ? holder.world.clock.now() : 0);
  let firstDeadline = Infinity;
  const silent: Prober = {
    probe: (req) => {
      firstDeadline = Math.min(firstDeadline, now() + req.timeoutMs);
      return { cancel: () => undefined };
    },
  };
  const createRuntime: CreateRuntime = (ports, m, opts) =>
    createDaemonRuntime(
      {
        ...ports,
        ...(ports.lbTable ? { lbTable: recording(ports.lbTable, target, ops, now) } : {}),
        ...(o.startupOnly && ports.prober ? { prober: silent } : {}),
      },
      m,
      { ...opts, subsystems: ['lvs'] },
    );
  const segments = o.segments ?? ['lan'];
  const world = new World(
    { segments: segments.map((name) => ({ name })), hosts: [{ name: 'director', nics: o.nics ?? [], model }, ...(o.hosts ?? [])] },
    { seed: o.seed ?? 1, createRuntime, models: keepalivedModels, recorder: new Recorder({ tracing: true }), checks: false },
  );
  holder.world = world;
  world.recorder.listen((e) => {
    if (e.type === 'log' && e.host === 'director') logs.push(`${e.level} ${e.message}`);
  });
  const director = world.hosts.get('director')!;
  if (o.stopAtMs !== undefined) world.clock.at(o.stopAtMs, () => world.stopDaemon(director));
  if (o.startupOnly) {
    // Nothing but a probe's outcome (here: its deadline) changes the table after start-up.
    const limit = o.untilMs ?? 60_000;
    for (let t = 0; t < limit && t + 1 < firstDeadline; ) {
      t = Math.min(t + 10, firstDeadline - 1, limit);
      world.runUntil(t);
    }
  } else world.runUntil(o.untilMs ?? (o.stopAtMs !== undefined ? o.stopAtMs + 15_000 : 60_000));
  return { ops, logs };
}

/** Replay a record's calls, in order, on a real backend; `done` gets every error it reported. */
export function replayTable(table: LbTablePort, ops: readonly TableOp[], done: (errors: string[]) => void): void {
  const errors: string[] = [];
  let i = 0;
  const next = (): void => {
    const op = ops[i++];
    if (!op) return done(errors);
    switch (op.op) {
      case 'startup':
        return table.startup ? table.startup(op.globals, (e) => (errors.push(...e), next())) : next();
      case 'shutdown':
        return table.shutdown ? table.shutdown(op.globals, (e) => (errors.push(...e), next())) : next();
      case 'flush':
        return table.flush((e) => (e && errors.push(e), next()));
      case 'apply':
        return table.apply(op.commands, (e) => (errors.push(...e.map((x) => x.message)), next()));
    }
  };
  next();
}
