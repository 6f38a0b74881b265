/**
 * `keepalived-ts sim --replay FILE --web [ADDR:]PORT`: a JSON-lines trace read back into the web
 * view: the daemon's journal (`--trace FILE`) or a saved simulator trace (`sim … --trace FILE`),
 * several files merged by time (one journal per node). The records are read with
 * sim/view/journal.ts (bounded, malformed lines counted), each machine is drawn from its own
 * definition under machines/ (a trace names machines, it carries no diagrams), and the page gets a time
 * slider over the whole file: relative to the first record, with the wall-clock time for a journal.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { checkerMachine } from '../../../machines/check/checker.machine.js';
import { realServerMachine } from '../../../machines/check/real-server.machine.js';
import { virtualServerMachine } from '../../../machines/check/virtual-server.machine.js';
import { daemonMachine } from '../../../machines/daemon.machine.js';
import { notifierMachine } from '../../../machines/notify/notifier.machine.js';
import { processProbeMachine } from '../../../machines/track/process-probe.machine.js';
import { scriptProbeMachine } from '../../../machines/track/script-probe.machine.js';
import { trackerMachine } from '../../../machines/track/tracker.machine.js';
import { trackingMachine } from '../../../machines/track/tracking.machine.js';
import { instanceMachine } from '../../../machines/vrrp/instance.machine.js';
import { syncGroupMachine } from '../../../machines/vrrp/sync-group.machine.js';
import { machineDiagram, type MachineDiagram } from '../../../sim/view/diagram.js';
import { fixedFeed } from '../../../sim/view/feed.js';
import { isWallClock, JournalReader, replayRecords, type JournalStats, type MachineStates } from '../../../sim/view/journal.js';
import type { TraceRecord } from '../../../sim/view/records.js';
import type { ListenAddress } from '../listen-address.js';
import { startWebServer, type WebServer } from './server.js';

/** Every statechart the runtime runs, by machine id (as `actor` records name them). */
const MACHINES: readonly AnyStateMachine[] = [
  instanceMachine,
  syncGroupMachine,
  trackingMachine,
  trackerMachine,
  scriptProbeMachine,
  processProbeMachine,
  notifierMachine,
  virtualServerMachine,
  realServerMachine,
  checkerMachine,
  daemonMachine,
] as unknown as AnyStateMachine[];

const byId = new Map(MACHINES.map((m) => [m.id, m]));
const topStates: MachineStates = new Map(MACHINES.map((m) => [m.id, new Set(Object.keys(m.root.states))]));

export interface Replay {
  records: TraceRecord[];
  diagrams: MachineDiagram[];
  /** Per file, as read. */
  files: Array<{ path: string; stats: JournalStats }>;
  /** `t` is wall-clock (a daemon journal), not simulated seconds. */
  wall: boolean;
}

/** Read one file in chunks through a JournalReader; rejects only when the file cannot be read. */
function readFile(path: string, cwd: string): Promise<JournalReader> {
  const reader = new JournalReader(path);
  return new Promise((done, fail) => {
    const s = createReadStream(resolve(cwd, path), { encoding: 'utf8', highWaterMark: 64 * 1024 });
    s.on('data', (chunk) => reader.push(chunk as string));
    s.on('error', fail);
    s.on('end', () => {
      reader.end();
      done(reader);
    });
  });
}

/** The files' records (paths relative to cwd, named as given), merged and ordered, with the diagrams of the machines they name. */
export async function loadReplay(paths: readonly string[], cwd = process.cwd()): Promise<Replay> {
  const files: Replay['files'] = [];
  const all: TraceRecord[] = [];
  for (const path of paths) {
    const r = await readFile(path, cwd);
    files.push({ path, stats: r.stats });
    for (const x of r.records) all.push(x);
  }
  const records = replayRecords(all, topStates);
  const ids = new Set<string>();
  for (const r of records) if (r.type === 'actor' && typeof r.machine === 'string') ids.add(r.machine);
  const diagrams = [...ids].flatMap((id) => {
    const m = byId.get(id);
    return m ? [machineDiagram(m)] : [];
  });
  return { records, diagrams, files, wall: records.length > 0 && isWallClock(records[0]!.t) };
}

/** What the operator reads about each file: counts, and the first lines that were left out. */
export function describeReplay(replay: Replay): string[] {
  const lines: string[] = [];
  for (const { path, stats: s } of replay.files) {
    const bad = [s.malformed > 0 ? `${s.malformed} malformed` : '', s.tooLong > 0 ? `${s.tooLong} too long` : '', s.overLimit > 0 ? `${s.overLimit} past the limit of records` : ''].filter(Boolean);
    lines.push(`${path}: ${s.records} record${s.records === 1 ? '' : 's'} from ${s.lines} line${s.lines === 1 ? '' : 's'}${bad.length ? `, left out: ${bad.join(', ')}` : ''}`);
    for (const p of s.problems) lines.push(`  ${p.source}:${p.line}: ${p.why}`);
    if (s.overLimit > 0) lines.push(`  cut the file to the incident first, e.g. jq -c 'select(.t >= A and .t < B)' ${path}`);
  }
  const recs = replay.records;
  if (recs.length > 0) {
    const first = recs[0]!.t;
    const last = recs[recs.length - 1]!.t;
    const span = `${(last - first).toFixed(3)} s`;
    lines.push(replay.wall ? `from ${new Date(first * 1000).toISOString()} to ${new Date(last * 1000).toISOString()} (${span})` : `from ${first.toFixed(3)} s to ${last.toFixed(3)} s of simulated time`);
  }
  return lines;
}

/** Serve a loaded replay; the caller closes it. */
export function serveReplay(replay: Replay, listen: ListenAddress, title: string): Promise<WebServer> {
  const recs = replay.records;
  const first = recs[0]?.t ?? 0;
  const end = recs[recs.length - 1]?.t ?? 0;
  return startWebServer({ listen, feed: fixedFeed(recs, replay.diagrams), meta: { mode: 'replay', title, first, end, wall: replay.wall } });
}
