/**
 * A `--seeds` sweep on a pool of worker threads (piscina). Each worker rebuilds the scenario from
 * a plain-data spec once and runs chunks of consecutive seeds. Results are folded into the summary
 * in seed order, exactly as the serial loop does, so the printed output does not depend on the
 * number of threads. At most `2 × jobs` chunks are queued or held at a time, so memory stays
 * bounded however many seeds are asked for. A worker that throws or dies (exit, out of memory)
 * fails the seeds of its chunk: each is retried alone, and the one that fails again is reported
 * as that seed's failure instead of hanging or ending the sweep.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { addSeedResult, emptySummary, type SeedResult, type SeedsSummary } from './seeds.js';

/** What a worker module's default export receives: the spec and an inclusive seed range. */
export interface SeedTask<S> {
  spec: S;
  from: number;
  to: number;
}

export interface SeedPoolOptions<S> {
  /** Module whose default export takes a SeedTask and returns one SeedResult per seed, in order. */
  worker: URL;
  spec: S;
  range: { from: number; to: number };
  /** Worker threads (default: one per core). */
  jobs?: number;
  onProgress?: (done: number, total: number, failing: number) => void;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** A seed whose worker failed: reported as a failing seed with the worker's error. */
function workerFailure(seed: number, e: unknown): SeedResult {
  const msg = e instanceof Error ? e.message : String(e);
  return { seed, passed: false, events: 0, simulatedMs: 0, violations: [], failedExpectations: [`the worker thread running this seed failed: ${msg}`] };
}

function checked(results: unknown, from: number, to: number): SeedResult[] {
  const ok = Array.isArray(results) && results.length === to - from + 1 && results.every((r, i) => (r as SeedResult | undefined)?.seed === from + i);
  if (!ok) throw new Error(`the worker returned no results for seeds ${from}..${to}`);
  return results as SeedResult[];
}

/** A pool of `threads` workers running `worker`'s default export (from tsx: through tsx-worker.mjs). */
function createPool(worker: URL, threads: number): Piscina {
  const ts = worker.pathname.endsWith('.ts');
  return new Piscina({
    filename: ts ? new URL('./tsx-worker.mjs', import.meta.url).href : worker.href,
    ...(ts ? { workerData: { module: worker.href } } : {}),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
  });
}

/**
 * Run `worker`'s default export on each item in a pool, handing the results to `each` in the
 * items' order (at most 2 × jobs items queued or held). An item whose worker throws or dies gets
 * `onFailure`'s result instead.
 */
export async function poolMapInOrder<T, R>(o: { worker: URL; items: readonly T[]; jobs?: number; onFailure: (item: T, e: unknown) => R }, each: (r: R, item: T) => void): Promise<void> {
  const jobs = Math.max(1, o.jobs ?? defaultJobs());
  const pool = createPool(o.worker, Math.max(1, Math.min(jobs, o.items.length)));
  const pending = new Map<number, Promise<R>>();
  let next = 0;
  try {
    for (let k = 0; k < o.items.length; k++) {
      while (next < o.items.length && next < k + jobs * 2) {
        const item = o.items[next]!;
        pending.set(next, pool.run(item).then((r: R) => r, (e: unknown) => o.onFailure(item, e)));
        next++;
      }
      const r = await pending.get(k)!;
      pending.delete(k);
      each(r, o.items[k]!);
    }
  } finally {
    await pool.destroy();
  }
}

export async function runSeedsPooled<S>(o: SeedPoolOptions<S>): Promise<SeedsSummary> {
  const jobs = Math.max(1, o.jobs ?? defaultJobs());
  const { from, to } = o.range;
  const total = to - from + 1;
  const chunk = Math.max(1, Math.min(20, Math.ceil(total / (jobs * 8))));
  const chunks = Math.ceil(total / chunk);
  const pool = createPool(o.worker, Math.min(jobs, chunks));
  const task = (a: number, b: number): Promise<SeedResult[]> => pool.run({ spec: o.spec, from: a, to: b } satisfies SeedTask<S>).then((r: unknown) => checked(r, a, b));
  const runChunk = async (k: number): Promise<SeedResult[]> => {
    const a = from + k * chunk;
    const b = Math.min(to, a + chunk - 1);
    try {
      return await task(a, b);
    } catch (e) {
      if (a === b) return [workerFailure(a, e)];
      const out: SeedResult[] = [];
      for (let s = a; s <= b; s++) out.push(await task(s, s).then((r) => r[0]!, (e2: unknown) => workerFailure(s, e2)));
      return out;
    }
  };
  const summary = emptySummary();
  const pending = new Map<number, Promise<SeedResult[]>>();
  let next = 0;
  try {
    for (let k = 0; k < chunks; k++) {
      while (next < chunks && next < k + jobs * 2) {
        pending.set(next, runChunk(next));
        next++;
      }
      const results = await pending.get(k)!;
      pending.delete(k);
      for (const r of results) {
        addSeedResult(summary, r);
        o.onProgress?.(summary.runs, total, summary.failing.length);
      }
    }
  } finally {
    await pool.destroy();
  }
  return summary;
}
