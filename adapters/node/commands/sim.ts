/**
 * `keepalived-ts sim`: replay a failover scenario in the deterministic simulator, the same
 * composition root as the daemon on simulated hosts. Prints a timeline, checks invariants and
 * expectations, writes trace/pcap/SVG on request, and shrinks failures to a small fault list.
 * Exit codes: 0 all good, 1 a violation or failed expectation, 2 bad arguments or scenario.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CreateRuntime } from '../../../actors/runtime-types.js';
import { formatDiagnostic } from '../../../config/diag.js';
import { describeDropReason } from '../../../protocol/vrrp/drop-text.js';
import { parseSimArgs, USAGE, type SimArgs } from '../../../sim/cli/args.js';
import { defaultJobs, runSeedsPooled } from '../../../sim/cli/seed-pool.js';
import { runSeeds, type SeedsSummary } from '../../../sim/cli/seeds.js';
import { createDaemonRuntime } from '../../../sim/daemon-runtime.js';
import { keepalivedModels, type ModelAdapter } from '../../../sim/model.js';
import { connectionSummary } from '../../../sim/out/lvs-summary.js';
import { TimelinePrinter } from '../../../sim/out/timeline.js';
import { describeReproduction, shrinkFailure } from '../../../sim/reproduce.js';
import { runScenario, violationsAsExpected, type RunOptions, type RunResult } from '../../../sim/run.js';
import type { SimEvent } from '../../../sim/events.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { formatMicros, formatMs } from '../../../sim/time.js';
import { parseListenAddress } from '../listen-address.js';
import { SimWatch } from '../web/sim-watch.js';
import { runReplay } from './sim-replay.js';
import { parseInspectTarget } from '../web/inspect-target.js';
import { loadFromArgs, runOptionsFor } from './sim-load.js';
import type { SeedWorkerSpec } from './sim-seed-worker.js';

export { defaultScenarioPath } from './sim-load.js';

/** Without --jobs, a sweep gets one worker thread per this many seeds, up to one per core. */
const MIN_SEEDS_PER_THREAD = 16;

export interface SimCommandDeps {
  createRuntime?: CreateRuntime;
  models?: ModelAdapter;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Unframed stdout for `--pcap -` / `--svg -` (default process.stdout.write). */
  stdoutRaw?: (data: Uint8Array | string) => void;
  isTTY?: boolean;
  cwd?: string;
  /** With --web/--inspect: serve until this settles (default: SIGINT or SIGTERM). */
  serveUntil?: (lines: string[]) => Promise<void>;
}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Human output (timeline, summary): stdout, or stderr when stdout carries a trace, pcap or SVG (`-`). */
  say: (s: string) => void;
  /** Bytes or text to stdout as they are (`--pcap -`, `--svg -`). */
  raw: (data: Uint8Array | string) => void;
  tty: boolean;
  cwd: string;
}

function writeOutputs(args: SimArgs, r: RunResult, io: Io): void {
  if (args.pcap && r.pcap) {
    if (args.pcap === '-') io.raw(r.pcap);
    else writeFileSync(args.pcap, r.pcap);
    io.err(`pcap: ${args.pcap === '-' ? 'stdout' : args.pcap} (${r.stats.frames} frames)`);
  }
  if (args.svg) {
    if (args.svg === '-') io.raw(r.svg());
    else writeFileSync(args.svg, r.svg());
    io.err(`svg: ${args.svg === '-' ? 'stdout' : args.svg}`);
  }
}

/** Run one seed with the live timeline and the requested outputs (`extra`: a watch's options). */
function runOne(scn: Scenario, seed: number, args: SimArgs, io: Io, opts: RunOptions, colour: boolean, extra: Partial<RunOptions> = {}): RunResult {
  const printer = args.quiet ? undefined : new TimelinePrinter(io.say, colour, args.verbose);
  let fd: number | undefined;
  let buf: string[] = [];
  let bufLen = 0;
  const flushTrace = () => {
    if (buf.length === 0) return;
    const chunk = `${buf.join('\n')}\n`;
    if (fd !== undefined) writeSync(fd, chunk);
    else io.out(chunk.trimEnd());
    buf = [];
    bufLen = 0;
  };
  if (args.trace && args.trace !== '-') fd = openSync(args.trace, 'w');
  const traceLine = args.trace
    ? (line: string) => {
        buf.push(line);
        bufLen += line.length;
        if (bufLen > 1 << 16) flushTrace();
      }
    : undefined;
  try {
    const watchListen = extra.listen;
    const listen = printer && watchListen ? (e: SimEvent) => (printer.write(e), watchListen(e)) : printer ? (e: SimEvent) => printer.write(e) : watchListen;
    const r = runScenario(scn, {
      ...opts,
      ...extra,
      seed,
      ...(args.untilMs !== undefined ? { untilMs: args.untilMs } : {}),
      ...(traceLine ? { traceLine } : {}),
      ...(listen ? { listen } : {}),
      pcap: args.pcap !== undefined,
    });
    printer?.flush();
    flushTrace();
    return r;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function summarise(r: RunResult, io: Io, wallMs: number): void {
  const failed = r.expectations.filter((x) => !x.ok);
  io.say('');
  const expected = r.scenario.expectViolations;
  const note = expected.length > 0 ? ` (this scenario demonstrates ${expected.join(', ')}: ${violationsAsExpected(r.scenario, r.violations) ? 'seen as expected' : 'NOT as expected'})` : '';
  io.say(`seed ${r.seed}: ${r.expectations.length - failed.length}/${r.expectations.length} expectations met, ${r.violations.length} invariant violation${r.violations.length === 1 ? '' : 's'}${note}`);
  for (const d of r.world.advertDrops.values())
    io.say(`  ! ${d.instance ? `${d.host}/${d.instance}` : d.host} dropped ${d.n} advert${d.n === 1 ? '' : 's'} (${formatMicros(d.firstUs)}${d.n > 1 ? ` … ${formatMicros(d.lastUs)}` : ''}): ${d.reason} — ${describeDropReason(d.reason)}`);
  for (const line of connectionSummary(r.history)) io.say(`  ${line}`);
  for (const x of failed) io.say(`  ✗ expect ${x.text} — ${x.detail}`);
  for (const v of r.violations.slice(0, 20)) io.say(`  ✗ ${v.id} at ${formatMicros(v.t)}: ${v.message}`);
  if (r.violations.length > 20) io.say(`  … ${r.violations.length - 20} more`);
  const ratio = wallMs > 0 ? r.untilMs / wallMs : Infinity;
  io.say(`simulated ${formatMs(r.untilMs)} in ${wallMs.toFixed(0)} ms wall (${Number.isFinite(ratio) ? `${Math.round(ratio)}×` : '∞'} real time), ${r.stats.events} events, ${r.stats.frames} frames`);
}

export async function run(argv: string[], deps: SimCommandDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((s: string) => process.stdout.write(`${s}\n`));
  const err = deps.stderr ?? ((s: string) => process.stderr.write(`${s}\n`));
  const args = parseSimArgs(argv);
  // stdout carries machine output (`--trace -`, `--pcap -`, `--svg -`): the timeline and summary go to stderr.
  const stdoutTaken = !('error' in args) && [args.trace, args.pcap, args.svg].includes('-');
  const io: Io = {
    out,
    err,
    say: stdoutTaken ? err : out,
    raw: deps.stdoutRaw ?? ((d) => void process.stdout.write(d)),
    // Colour follows the stream the timeline goes to.
    tty: stdoutTaken ? (deps.isTTY ?? process.stderr.isTTY === true) : (deps.isTTY ?? process.stdout.isTTY === true),
    cwd: deps.cwd ?? process.cwd(),
  };
  if ('error' in args) {
    io.err(`keepalived-ts sim: ${args.error}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  if (args.replay.length > 0) return runReplay(args.replay, args.web!, { out: io.out, err: io.err, cwd: io.cwd, serveUntil: deps.serveUntil ?? untilSignal });
  const createRuntime = deps.createRuntime ?? createDaemonRuntime;
  const models = deps.models ?? keepalivedModels;
  const loaded = loadFromArgs(args, io.cwd, models);
  if (Array.isArray(loaded)) {
    for (const e of loaded) io.err(e);
    return 2;
  }
  const { scenario: scn, displayName } = loaded;
  const colour = args.colour ?? (io.tty && !process.env.NO_COLOR);
  // The cross-node lint (as `keepalived-ts check a.conf b.conf` runs it): what the run will show.
  const lint = loaded.lint.filter((d) => d.severity === 'error' || !args.quiet);
  if (lint.length > 0) io.err(`cross-node check of the configs (the run below shows what it means):\n${lint.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`);
  if (!args.quiet) for (const w of scn.warnings) io.err(`warning: ${w}`);
  const opts = runOptionsFor(scn, createRuntime, models);
  if (args.seeds) {
    // Worker threads rebuild the scenario from the same arguments: only with the real runtime and
    // models (a test's injected stand-ins live in this thread only).
    // By default a short sweep stays in this process: starting a worker thread (module loading)
    // costs more than a few seeds.
    const total = args.seeds.to - args.seeds.from + 1;
    const jobs = args.jobs ?? Math.min(defaultJobs(), Math.max(1, Math.floor(total / MIN_SEEDS_PER_THREAD)));
    const pooled = jobs > 1 && deps.createRuntime === undefined && deps.models === undefined;
    return runMany(scn, displayName, { ...args, jobs }, io, opts, colour, pooled ? { argv, cwd: io.cwd } : undefined);
  }
  const web = args.web === undefined ? undefined : parseListenAddress(args.web, '--web');
  const inspect = args.inspect === undefined ? undefined : parseInspectTarget(args.inspect);
  for (const x of [web, inspect]) {
    if (x && 'error' in x) {
      io.err(`keepalived-ts sim: ${x.error}`);
      return 2;
    }
  }
  const watch = web || inspect ? new SimWatch({ ...(web && !('error' in web) ? { web } : {}), ...(inspect && !('error' in inspect) ? { inspect } : {}) }) : undefined;
  try {
    await watch?.prepare();
  } catch (e) {
    io.err(`keepalived-ts sim: --inspect: ${(e as Error).message}`);
    return 1;
  }
  const seed = args.seed ?? scn.seed;
  if (!args.quiet) {
    io.say(`${scn.name} — seed ${seed}, ${formatMs(args.untilMs ?? scn.durationMs)} simulated`);
    if (scn.description) io.say(scn.description.trim().split('\n')[0]!);
    io.say('');
  }
  const t0 = performance.now();
  const r = runOne(scn, seed, args, io, opts, colour, watch?.runOptions());
  summarise(r, io, performance.now() - t0);
  writeOutputs(args, r, io);
  if (r.violations.some((v) => !scn.expectViolations.includes(v.id)) && args.shrinkBudget > 0) {
    io.say('');
    const repro = shrinkFailure(r, opts, args.shrinkBudget);
    if (repro) io.say(describeReproduction(repro, displayName));
  }
  const code = r.passed ? 0 : 1;
  if (!watch) return code;
  try {
    const lines = await watch.serve(`${scn.name} — seed ${seed}`, r.untilMs / 1000);
    for (const l of lines) io.err(l);
    await (deps.serveUntil ?? untilSignal)(lines);
  } catch (e) {
    io.err(`keepalived-ts sim: --web: ${(e as Error).message}`);
    return 1;
  } finally {
    await watch.close();
  }
  return code;
}

/** Serve until Ctrl-C or SIGTERM. */
function untilSignal(): Promise<void> {
  process.stderr.write('(Ctrl-C to stop)\n');
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function runMany(scn: Scenario, displayName: string, args: SimArgs, io: Io, opts: RunOptions, colour: boolean, pool?: SeedWorkerSpec): Promise<number> {
  const range = args.seeds!;
  const total = range.to - range.from + 1;
  const progress = io.tty && !args.quiet;
  const t0 = performance.now();
  const onProgress = (done: number, _total: number, failing: number) => {
    if (progress && (done % 10 === 0 || done === total)) process.stderr.write(`\rseeds ${done}/${total} · ${failing} failing`);
  };
  const summary: SeedsSummary = pool
    ? await runSeedsPooled({ worker: new URL(`./sim-seed-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url), spec: pool, range, ...(args.jobs !== undefined ? { jobs: args.jobs } : {}), onProgress })
    : runSeeds(scn, range, { ...opts, ...(args.untilMs !== undefined ? { untilMs: args.untilMs } : {}) }, onProgress);
  if (progress) process.stderr.write('\n');
  const wallMs = performance.now() - t0;
  for (const f of summary.failing) {
    const first = f.violations[0];
    io.say(`seed ${f.seed}: ${first ? `${first.id} at ${formatMicros(first.t)}: ${first.message}` : f.failedExpectations[0]}${f.violations.length + f.failedExpectations.length > 1 ? ` (+${f.violations.length + f.failedExpectations.length - 1} more)` : ''}`);
  }
  const ratio = summary.simulatedMs / Math.max(1, wallMs);
  io.say(
    `${summary.runs} seeds, ${summary.failing.length} failing${summary.failing.length ? ` (${summary.failing.slice(0, 10).map((f) => f.seed).join(', ')}${summary.failing.length > 10 ? ', …' : ''})` : ''}; ${summary.events} events; simulated ${formatMs(summary.simulatedMs)} in ${(wallMs / 1000).toFixed(2)} s wall (${Math.round(ratio)}× real time)`,
  );
  const firstFailing = summary.failing[0];
  const outSeed = firstFailing?.seed ?? range.from;
  if (args.trace || args.pcap || args.svg || firstFailing) {
    const r = runOne(scn, outSeed, { ...args, quiet: true }, io, opts, colour);
    writeOutputs(args, r, io);
    if (r.violations.some((v) => !scn.expectViolations.includes(v.id)) && args.shrinkBudget > 0) {
      io.say('');
      const repro = shrinkFailure(r, opts, args.shrinkBudget);
      if (repro) io.say(describeReproduction(repro, displayName));
    }
  }
  return summary.failing.length === 0 ? 0 : 1;
}
