/**
 * How fast the machine ran during a measurement window: a process of its own does one fixed
 * piece of work (the same loop every time) once a second, and the CPU time each took is its
 * report. On this machine, a VM whose host takes time from the vCPUs and charges it to whatever
 * runs on them, the same work cost up to 37 % more CPU in some 60-s windows than in others, and a
 * daemon's CPU figure moved with it (docs/benchmarks.md, "Three windows, not one"). Printed beside
 * a daemon's CPU so the two can be read together; it costs about 1 % of one CPU, outside the
 * figures of the daemon's namespace.
 */
import { spawn } from 'node:child_process';
import { mean, median } from './stats.js';

/** The canary's loop: half a million integer steps (about 11 ms of CPU here) that V8 cannot fold away (the sum is printed). */
const SCRIPT = `
const unit = () => { let s = 0; for (let j = 0; j < 5e5; j++) s = (s + j * j) % 1000003; return s; };
let sum = 0;
for (let i = 0; i < 5; i++) sum += unit(); // V8 optimises the loop before the first unit measured
const ms = [];
const timer = setInterval(() => {
  const c0 = process.cpuUsage();
  sum += unit();
  const c = process.cpuUsage(c0);
  ms.push((c.user + c.system) / 1000);
}, 1000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ ms, sum }));
  process.exit(0);
});
`;

export interface CanaryReport {
  /** units of work done (one a second) */
  units: number;
  /** CPU ms per unit */
  meanMs: number;
  medianMs: number;
}

export interface Canary {
  /** Ends the canary (SIGTERM to its own pid) and returns what it measured, or why nothing. */
  stop(): Promise<CanaryReport | string>;
}

export function startCanary(): Canary {
  const child = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', (e) => (err += e.message));
  return {
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
      try {
        const { ms } = JSON.parse(out) as { ms: number[] };
        if (ms.length === 0) return 'no unit finished';
        return { units: ms.length, meanMs: mean(ms), medianMs: median(ms) };
      } catch {
        return `no report (${err.trim().split('\n')[0] || 'no output'})`;
      }
    },
  };
}
