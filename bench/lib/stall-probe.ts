/**
 * The machine's own wake-up stalls during a measurement window, so that a daemon's advert
 * lateness can be read against what any process on the machine got at the same time.
 *
 * The probe is rt-tests' `cyclictest` (Debian package rt-tests): one thread pinned to each CPU,
 * each sleeping to an absolute time every millisecond and recording how late it woke (a stall of
 * one CPU only is seen by that CPU's thread). The threads run at SCHED_FIFO priority 80, so a
 * daemon busy on their CPU cannot hold them up: what they see is time the CPU itself was lost
 * (to the hypervisor, interrupts, a kernel section that cannot be preempted). As SCHED_OTHER
 * threads they also counted the daemon's own busy spells (a waking thread waits for the running
 * one's time slice), which would have blamed the machine for the daemon's lateness. It runs with
 * `--default-system`, so it does not write /dev/cpu_dma_latency (the power-management setting
 * it would otherwise hold for its lifetime, which would change the machine under measurement),
 * and on CLOCK_REALTIME (`-c 1`), the clock of tcpdump's `-tt` timestamps, so that its stalls
 * can be set beside the captured adverts. Absent cyclictest, the bench says so and goes on.
 */
import { spawnSync } from 'node:child_process';
import type { NetnsLab } from '../../test/helpers/netns.js';

/** One wake-up of the probe that came more than the spike threshold late. */
export interface Stall {
  /** the probe's thread (its CPU) */
  thread: number;
  /** when the probe woke, ms of CLOCK_REALTIME */
  endMs: number;
  /** how late it woke, ms; the stall covers [endMs - lateMs, endMs] */
  lateMs: number;
}

export interface StallReport {
  /** wake-ups the probe made (one a millisecond on each CPU) */
  cycles: number;
  /** its threads (one per CPU) */
  threads: number;
  /** the latest of them on any CPU, ms */
  maxMs: number;
  /** the wake-ups more than SPIKE_US late, in order */
  stalls: Stall[];
}

/** Wake-ups later than this are recorded one by one (µs). */
export const SPIKE_US = 1000;

export interface StallProbe {
  /** Ends the probe (SIGTERM: cyclictest then prints its summary) and parses what it printed;
   *  when there is no summary (cyclictest failed, e.g. not allowed SCHED_FIFO), why. */
  stop(): Promise<StallReport | string>;
}

let missing: { reason: string | undefined } | undefined;

/** Why the probe cannot run on this machine, or undefined when it can (looked up once a run). */
export function stallProbeMissing(): string | undefined {
  missing ??= { reason: spawnSync('sh', ['-c', 'command -v cyclictest'], { encoding: 'utf8' }).status === 0 ? undefined : 'cyclictest not installed (Debian package rt-tests)' };
  return missing.reason;
}

/** Starts cyclictest in `ns`; resolves once it is running. */
export async function startStallProbe(lab: NetnsLab, ns: string): Promise<StallProbe> {
  const argv = ['cyclictest', '--default-system', '-p', '80', '--policy=fifo', '-c', '1', '-i', '1000', '-d', '0', '-t', '-a', '-q', `--spike=${SPIKE_US}`, '--spike-nodes=100000'];
  const proc = lab.spawn(ns, argv);
  // cyclictest prints nothing with -q until it ends; give it a moment to start its threads.
  await new Promise((r) => setTimeout(r, 200));
  return {
    stop: async () => {
      const out = await proc.stop(2000);
      const lines = out.split('\n').filter((l) => l.trim() && !l.startsWith('WARN: not setting cpu_dma_latency'));
      return parseCyclictest(out) ?? `cyclictest printed no summary${lines.length ? `: ${lines.slice(0, 2).join(' | ').slice(0, 200)}` : ''}`;
    },
  };
}

const SUMMARY_RE = /^T:\s*(\d+) \(\s*\d+\) P:\s*\d+ I:\s*\d+ C:\s*(\d+) Min:\s*\d+ Act:\s*\d+ Avg:\s*\d+ Max:\s*(\d+)/gm;
const SPIKE_RE = /^T:\s*(\d+) Spike:\s*(\d+): TS:\s*(\d+)$/gm;

/** cyclictest's quiet output (µs figures) as a report in ms; undefined without its summary line. */
export function parseCyclictest(text: string): StallReport | undefined {
  const summaries = [...text.matchAll(SUMMARY_RE)];
  if (summaries.length === 0) return undefined;
  const stalls: Stall[] = [];
  for (const m of text.matchAll(SPIKE_RE)) stalls.push({ thread: Number(m[1]), lateMs: Number(m[2]) / 1000, endMs: Number(m[3]) / 1000 });
  stalls.sort((a, b) => a.endMs - b.endMs);
  return {
    cycles: summaries.reduce((n, m) => n + Number(m[2]), 0),
    threads: summaries.length,
    maxMs: Math.max(...summaries.map((m) => Number(m[3]) / 1000)),
    stalls,
  };
}

/**
 * Of the adverts that left more than `overMs` late, how many were due while the probe was
 * stalled: the advert that ended a late interval at `atMs` was due at `atMs - lateMs`, and it is
 * counted when some stall of the probe overlaps [due, sent]. `byChance` is the same count for the
 * same intervals moved off their times (by 150, 300, … 900 ms, averaged): how many would meet a
 * stall if the two had nothing to do with each other.
 */
export function lateInStalls(late: Array<{ atMs: number; lateMs: number }>, stalls: Stall[], overMs: number): { late: number; inStall: number; byChance: number } {
  const over = late.filter((a) => a.lateMs > overMs);
  const meets = (shiftMs: number): number => over.filter((a) => inStall(a, stalls, shiftMs)).length;
  const shifts = [150, 300, 450, 600, 750, 900];
  return { late: over.length, inStall: meets(0), byChance: shifts.reduce((n, d) => n + meets(d), 0) / shifts.length };
}

/** Whether some stall of the probe overlaps [due, sent] of the advert that ended this interval
 *  (its times moved by `shiftMs`). */
function inStall(a: { atMs: number; lateMs: number }, stalls: Stall[], shiftMs = 0): boolean {
  const sent = a.atMs + shiftMs;
  const due = sent - a.lateMs;
  return stalls.some((s) => s.endMs - s.lateMs <= sent && s.endMs >= due);
}

/**
 * The daemon's own lateness: the largest interval − 1000 ms among the adverts that were not due
 * during a stall of the probe (a stall over [due, sent] would have held any process up). NaN
 * when there are none. Without the probe's report nothing can be told apart: the caller prints
 * NaN then.
 */
export function lateMaxOutsideStalls(late: Array<{ atMs: number; lateMs: number }>, stalls: Stall[]): number {
  let max = NaN;
  for (const a of late) if (!(a.lateMs <= max) && !inStall(a, stalls)) max = a.lateMs;
  return max;
}

/** The longest time one of the probe's CPUs spent stalled within [fromMs, toMs] (its stalls on
 *  that CPU summed; the CPUs are not added together, as they stall side by side). */
export function stallOverlapMs(stalls: Stall[], fromMs: number, toMs: number): number {
  const byThread = new Map<number, number>();
  for (const s of stalls) {
    const overlap = Math.min(s.endMs, toMs) - Math.max(s.endMs - s.lateMs, fromMs);
    if (overlap > 0) byThread.set(s.thread, (byThread.get(s.thread) ?? 0) + overlap);
  }
  return Math.max(0, ...byThread.values());
}

/**
 * The spans during which every one of the probe's `threads` CPUs was stalled at once, as stalls
 * of their own (thread -1): what no process on the machine could run through, however many
 * threads it has on however many CPUs. A daemon that sends from two CPUs (the advert cover of
 * native/advert-backstop.c) rides out a stall of one; only these hold its adverts.
 */
export function everyCpuStalls(stalls: Stall[], threads: number): Stall[] {
  const spans = new Map<number, Array<[number, number]>>();
  for (const s of stalls) {
    const list = spans.get(s.thread) ?? [];
    list.push([s.endMs - s.lateMs, s.endMs]);
    spans.set(s.thread, list);
  }
  if (threads < 1 || spans.size < threads) return [];
  const merged = [...spans.values()].map((list) => {
    list.sort((a, b) => a[0] - b[0]);
    const out: Array<[number, number]> = [];
    for (const [from, to] of list) {
      const last = out.at(-1);
      if (last && from <= last[1]) last[1] = Math.max(last[1], to);
      else out.push([from, to]);
    }
    return out;
  });
  let common = merged[0]!;
  for (const other of merged.slice(1)) {
    const next: Array<[number, number]> = [];
    let i = 0;
    let j = 0;
    while (i < common.length && j < other.length) {
      const from = Math.max(common[i]![0], other[j]![0]);
      const to = Math.min(common[i]![1], other[j]![1]);
      if (from < to) next.push([from, to]);
      if (common[i]![1] < other[j]![1]) i++;
      else j++;
    }
    common = next;
  }
  return common.map(([from, to]) => ({ thread: -1, endMs: to, lateMs: to - from }));
}
