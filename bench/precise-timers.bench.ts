/**
 * What N periodic timers cost the daemon's process, and how far apart they fire: the Adver_Timer
 * of N masters at an interval of 1 s, started evenly spread over one second (one due every
 * 1/N s), on
 *
 *   node      Clock.timer: one refreshed Node timer each (adapters/node/clock.ts, the Adver_Timer's
 *             clock until the timerfd);
 *   timerfd   Clock.preciseTimer: TimerfdTimers on our addon's timerfd (adapters/linux/
 *             timerfd-timers.ts) with its early window (min(2 ms, 0.2 %) before the due time);
 *   timerfd0  the same with no early window (--early 0 in effect): one wake per timer.
 *
 * Each callback re-arms its timer and does nothing else, so the figures are the timers' own:
 * CPU ms per second of the process (user + sys, process.cpuUsage), the process's wakes per
 * second (voluntary context switches, getrusage), and each timer's interval − 1000 ms (p99, max,
 * min). Runs every kind in its own child process, in turn, --rounds times. No root needed.
 *
 *   npx tsx bench/precise-timers.bench.ts [--timers 1000] [--seconds 6] [--rounds 3]
 *
 * Prints figures; asserts nothing. See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createNodeClock } from '../adapters/node/clock.js';
import { TimerfdTimers } from '../adapters/linux/timerfd-timers.js';
import { flag } from './lib/flags.js';
import { fmt, percentile } from './lib/stats.js';

const KINDS = ['node', 'timerfd', 'timerfd0'] as const;
type Kind = (typeof KINDS)[number];
const INTERVAL_MS = 1000;
/** Seconds before the measured window: every timer has fired at least once. */
const SETTLE_S = 2;

async function child(kind: Kind, n: number, seconds: number): Promise<void> {
  const precise = new TimerfdTimers(kind === 'timerfd0' ? { earlyMaxMs: 0 } : {});
  const clock = createNodeClock({ preciseTimer: (fn) => precise.timer(fn) });
  const late: number[] = [];
  let measuring = false;
  for (let i = 0; i < n; i++) {
    setTimeout(() => {
      let last = performance.now();
      const t = (kind === 'node' ? clock.timer! : clock.preciseTimer!)(() => {
        const now = performance.now();
        if (measuring) late.push(now - last - INTERVAL_MS);
        last = now;
        t.set(INTERVAL_MS);
      });
      t.set(INTERVAL_MS);
    }, (i * INTERVAL_MS) / n);
  }
  await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
  measuring = true;
  const cpu0 = process.cpuUsage();
  const ru0 = process.resourceUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const ru = process.resourceUsage();
  const wallS = (performance.now() - w0) / 1000;
  measuring = false;
  console.log(
    JSON.stringify({
      cpuMsPerS: (cpu.user + cpu.system) / 1000 / wallS,
      sysMsPerS: cpu.system / 1000 / wallS,
      wakesPerS: (ru.voluntaryContextSwitches - ru0.voluntaryContextSwitches) / wallS,
      p99: percentile(late, 99),
      max: Math.max(...late),
      min: Math.min(...late),
      fired: late.length,
    }),
  );
  process.exit(0);
}

function main(): void {
  const n = Number(flag('timers', '1000'));
  const seconds = Number(flag('seconds', '6'));
  const rounds = Number(flag('rounds', '3'));
  console.log(`precise-timers: ${n} timers at ${INTERVAL_MS} ms, spread over one interval, ${seconds} s measured, ${rounds} rounds; node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const self = fileURLToPath(import.meta.url);
  for (let r = 1; r <= rounds; r++) {
    for (const kind of KINDS) {
      const out = execFileSync(process.execPath, [...process.execArgv, self, '--child', kind, '--timers', String(n), '--seconds', String(seconds)], { encoding: 'utf8' });
      const f = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
      console.log(
        `  round ${r} ${kind.padEnd(8)} CPU ${fmt(f.cpuMsPerS!, 2)} ms/s (sys ${fmt(f.sysMsPerS!, 2)}), ${fmt(f.wakesPerS!, 0)} wakes/s, interval − ${INTERVAL_MS} ms: p99 ${fmt(f.p99!, 3)} max ${fmt(f.max!, 3)} min ${fmt(f.min!, 3)} over ${f.fired} intervals`,
      );
    }
  }
  console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

const kind = flag('child', '');
if (kind) void child(kind as Kind, Number(flag('timers', '1000')), Number(flag('seconds', '6')));
else main();
