// Preloaded into each keepalived-ts process by bench/memory-daemon.ts (NODE_OPTIONS=--import, which
// the daemon's forked children inherit): every second, writes this process's memory figures to
// $KTS_MEM_PROBE_DIR/mem-PID.json. Bench only; it adds one timer and a JSON write per second.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';

const dir = process.env.KTS_MEM_PROBE_DIR;
if (dir) {
  // Garbage collections since start: count and wall milliseconds, young (scavenge) and full.
  const gc = { young: 0, youngMs: 0, full: 0, fullMs: 0, other: 0, otherMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = e.detail?.kind;
      const k = kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'young' : kind === constants.NODE_PERFORMANCE_GC_MAJOR ? 'full' : 'other';
      gc[k]++;
      gc[`${k}Ms`] += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  // The longest the event loop was blocked since start (start-up included): ms.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const write = () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
    const figures = {
      pid: process.pid,
      role: process.argv[2] === 'vrrp' || process.argv[2] === 'checker' ? process.argv[2] : 'parent',
      title: process.title,
      memory: process.memoryUsage(),
      heap: v8.getHeapStatistics(),
      spaces,
      cpu: process.cpuUsage(),
      loopDelayMaxMs: loopDelay.max / 1e6,
      gc,
      at: Date.now(),
      rssKiB: kib('VmRSS'),
      anonKiB: kib('RssAnon'),
      fileKiB: kib('RssFile'),
    };
    writeFileSync(`${dir}/mem-${process.pid}.json`, JSON.stringify(figures));
    // A heap snapshot on request: the runner creates snapshot-ROLE, this process answers once.
    const request = `${dir}/snapshot-${figures.role}`;
    if (existsSync(request)) {
      rmSync(request, { force: true });
      v8.writeHeapSnapshot(`${dir}/${figures.role}-${process.pid}.heapsnapshot`);
      writeFileSync(`${dir}/snapshot-${figures.role}.done`, '');
    }
  };
  setInterval(write, 1000).unref();
}
