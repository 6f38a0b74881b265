/**
 * A JSON-lines trace read back for the web view's replay: the daemon's journal (`--trace FILE`,
 * wall-clock `t`) or a simulator trace (`sim … --trace FILE`, simulated `t`). Pure: the caller
 * feeds text in chunks (adapters/node/web/replay.ts reads the files).
 *
 * Reading is bounded and never throws on content: a line longer than `maxLine` characters is
 * skipped without being held in memory, a line that is not a JSON object with a numeric `t` and
 * a string `type` is counted as malformed (the first few are kept with their line numbers), and
 * past `maxRecords` records the rest are counted, not kept.
 *
 * A daemon journal written before it had `actor` lines (adapters/node/daemon/role-host.ts writes
 * them now) has no `actor` records: for a host without any, `state` and `group` records stand in for its
 * VRRP instance and sync group actors, at the top level of their machines (`backup`, `master`),
 * so their diagrams are drawn and lit. A simulator trace carries its own `actor` records. The
 * journal's `runtime` lines for VIPs and gratuitous ARPs become `vip` and `garp` records.
 */
import type { TraceRecord } from './records.js';

export const MAX_LINE = 256 * 1024;
export const MAX_RECORDS = 500_000;

export interface JournalProblem {
  source: string;
  line: number;
  why: string;
}

export interface JournalStats {
  lines: number;
  records: number;
  blank: number;
  malformed: number;
  tooLong: number;
  /** Records past maxRecords, read and not kept. */
  overLimit: number;
  /** The first problems (at most 5 per reader), for the operator. */
  problems: JournalProblem[];
}

/** One line → a record, or why it is not one. */
export function parseJournalLine(line: string): TraceRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (typeof r.t !== 'number' || !Number.isFinite(r.t)) return 'no numeric "t"';
  if (typeof r.type !== 'string' || r.type === '') return 'no "type"';
  if (r.host !== undefined && typeof r.host !== 'string') return '"host" is not a string';
  return r as TraceRecord;
}

/** Splits text fed in chunks into lines, parses them, counts what it cannot use. */
export class JournalReader {
  readonly records: TraceRecord[] = [];
  readonly stats: JournalStats = { lines: 0, records: 0, blank: 0, malformed: 0, tooLong: 0, overLimit: 0, problems: [] };
  private partial = '';
  /** Inside a line already too long: skip to its end. */
  private skipping = false;

  constructor(
    private readonly source = '(journal)',
    private readonly maxLine = MAX_LINE,
    private readonly maxRecords = MAX_RECORDS,
  ) {}

  push(chunk: string): void {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', from);
      if (nl < 0) break;
      const piece = chunk.slice(from, nl);
      from = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        this.partial = '';
        continue;
      }
      const line = this.partial + piece;
      this.partial = '';
      this.line(line);
    }
    if (from < chunk.length && !this.skipping) {
      this.partial += chunk.slice(from);
      if (this.partial.length > this.maxLine) this.tooLong();
    }
  }

  /** The end of the text: a last line without a newline still counts. */
  end(): void {
    if (this.skipping) this.skipping = false;
    else if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  private tooLong(): void {
    this.stats.lines++;
    this.stats.tooLong++;
    this.problem(`longer than ${this.maxLine} characters`);
    this.partial = '';
    this.skipping = true;
  }

  private line(text: string): void {
    if (text.length > this.maxLine) {
      this.tooLong();
      this.skipping = false;
      return;
    }
    this.stats.lines++;
    if (text.trim() === '') {
      this.stats.blank++;
      return;
    }
    const r = parseJournalLine(text);
    if (typeof r === 'string') {
      this.stats.malformed++;
      this.problem(r);
      return;
    }
    if (this.records.length >= this.maxRecords) {
      this.stats.overLimit++;
      return;
    }
    this.stats.records++;
    this.records.push(r);
  }

  private problem(why: string): void {
    if (this.stats.problems.length < 5) this.stats.problems.push({ source: this.source, line: this.stats.lines, why });
  }
}

/** `machine id → its top-level state names`, to know which states a stand-in actor may take. */
export type MachineStates = ReadonlyMap<string, ReadonlySet<string>>;

const STAND_INS: Record<string, { machine: string; prefix: string; key: string }> = {
  state: { machine: 'vrrpInstance', prefix: 'vrrp/', key: 'instance' },
  group: { machine: 'syncGroup', prefix: 'group/', key: 'group' },
};

/**
 * The records of one or more traces as the web view reads them: in time order (a journal's
 * processes append in batches, so lines can be a little out of order; the sort is stable), with
 * stand-in `actor` records for hosts that have none (see the header).
 */
export function replayRecords(records: readonly TraceRecord[], machines: MachineStates): TraceRecord[] {
  const withActors = new Set<string>();
  for (const r of records) if (r.type === 'actor' && r.host !== undefined) withActors.add(r.host);
  const out: TraceRecord[] = [];
  for (const raw of records) {
    const r = fromRuntime(raw);
    out.push(r);
    const s = STAND_INS[r.type];
    if (!s || r.host === undefined || withActors.has(r.host)) continue;
    const name = r[s.key];
    const to = typeof r.to === 'string' ? r.to.toLowerCase() : '';
    if (typeof name !== 'string' || name === '') continue;
    const known = machines.get(s.machine);
    const state = to === 'deleted' ? [] : known?.has(to) ? [to] : undefined;
    if (!state) continue;
    const reason = typeof r.reason === 'string' && r.reason !== '' ? r.reason : `${r.type} ${String(r.to)}`;
    out.push({ t: r.t, type: 'actor', host: r.host, actor: `${s.prefix}${name}`, machine: s.machine, state, event: reason, standIn: true });
  }
  return out.map((r, i) => ({ r, i })).sort((a, b) => a.r.t - b.r.t || a.i - b.i).map(({ r }) => r);
}

/**
 * The journal's `runtime` lines for VIPs and gratuitous ARPs as the records the simulator and the
 * live view use for the same facts (sim/view/records.ts runtimeRecord), so the event list names
 * them; any other `runtime` line (an advert sent) stays as it is.
 */
function fromRuntime(r: TraceRecord): TraceRecord {
  if (r.type !== 'runtime' || typeof r.detail !== 'string') return r;
  const event = r.event;
  if (event !== 'vip.added' && event !== 'vip.removed' && event !== 'garp.sent') return r;
  let d: unknown;
  try {
    d = JSON.parse(r.detail);
  } catch {
    return r;
  }
  if (typeof d !== 'object' || d === null) return r;
  const { instance, address } = d as Record<string, unknown>;
  if (typeof instance !== 'string' || typeof address !== 'string') return r;
  const base = { t: r.t, ...(r.host !== undefined ? { host: r.host } : {}), instance, address };
  return event === 'garp.sent' ? { ...base, type: 'garp' } : { ...base, type: 'vip', op: event === 'vip.added' ? 'add' : 'remove' };
}

/** Whether `t` reads as wall-clock seconds since the epoch (after 2001) rather than simulated seconds. */
export function isWallClock(t: number): boolean {
  return t > 1e9;
}
