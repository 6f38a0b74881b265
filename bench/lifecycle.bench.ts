/**
 * Start-up, SIGHUP reload and stop of N VRRP instances on the real composition root, in the
 * simulator (one host, four NICs of up to 250 VRIDs, the footprint bench's configuration). CPU
 * seconds (process.cpuUsage), robust to a loaded machine, for:
 *
 *  - start-up: rt.start() → every instance has entered its first state (target < 1 s at 1,000);
 *  - reload: rt.reload() with one instance changed (VI_1 gains a VIP) → the reload is done
 *    (the 'reloads' counter), with the state transitions and the VIPs removed meanwhile
 *    (targets: 0 transitions, 0 VIPs removed, < 200 ms);
 *  - stop: rt.stop() → 'runtime.stopped' (target < 1 s at 1,000);
 *  - start-up after a crash: the same start-up with every VIP already on its interface, as a
 *    killed predecessor leaves them, so the start-up sweep finds and removes all of them first.
 *
 *   npx tsx bench/lifecycle.bench.ts [--instances 100,1000] [--track-script]
 *
 * --track-script: every instance also tracks one vrrp_script (exit 0, weight 0), so one tracker
 * has N subscribers (keepalived operators often track one health check from every instance).
 *
 * Prints figures and the load average; asserts nothing.
 */
import { loadavg } from 'node:os';
import type { CreateRuntime, Runtime } from '../actors/runtime-types.js';
import { createDaemonRuntime } from '../sim/daemon-runtime.js';
import { runScenario } from '../sim/run.js';
import { loadScenarioFile } from '../sim/tools/scenario-file.js';
import { footprintConf } from './lib/footprint.js';
import { flag } from './lib/flags.js';

const counts = flag('instances', '100,1000').split(',').map(Number);
const trackScript = process.argv.includes('--track-script');
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const indent = (text: string, by: string): string => text.split('\n').map((l) => (l ? by + l : l)).join('\n');

interface Figures {
  startMs: number;
  reloadMs: number;
  reloadTransitions: number;
  reloadVipsRemoved: number;
  stopMs: number;
}

/** The footprint configuration, with --track-script one vrrp_script tracked by every instance. */
function config(n: number): string {
  const conf = footprintConf(n);
  if (!trackScript) return conf;
  const script = 'vrrp_script chk_shared {\n  script "/usr/local/bin/chk_shared"\n  interval 2\n}\n';
  return conf.replace('vrrp_instance', `${script}vrrp_instance`).replaceAll('  advert_int 1\n', '  advert_int 1\n  track_script {\n    chk_shared\n  }\n');
}

function scenario(n: number, leftovers = false): string {
  const conf = config(n);
  const changed = conf.replace('    203.0.113.1/32\n  }', '    203.0.113.1/32\n    203.0.113.201/32\n  }');
  const links = Math.ceil(n / 250);
  const segs = Array.from({ length: links }, (_, i) => `  s${i}: { delay: 0.2ms }`).join('\n');
  // footprintConf: instance k is on link k / 250 with VIP 203.0.113.(k % 250 + 1)/32.
  const vipsOn = (i: number): string[] => Array.from({ length: Math.min(250, n - 250 * i) }, (_, k) => `203.0.113.${k + 1}/32`);
  const nics = Array.from({ length: links }, (_, i) =>
    leftovers ? `n${i}: { segment: s${i}, addresses: [198.51.100.${64 * i + 1}/26, ${vipsOn(i).join(', ')}] }` : `n${i}: { segment: s${i}, address: 198.51.100.${64 * i + 1}/26 }`,
  ).join(', ');
  return `name: lifecycle ${n}
seed: 1
duration: 60s
segments:
${segs}
hosts:
  node:
    nics: { ${nics} }${trackScript ? '\n    scripts: { chk_shared: 0 }' : ''}
    config: |
${indent(conf, '      ')}
timeline:
  - at: 20s
    reload:
      host: node
      config: |
${indent(changed, '        ')}
  - at: 40s
    stop: node
`;
}

function measure(n: number, leftovers = false): Figures {
  const f: Figures = { startMs: NaN, reloadMs: NaN, reloadTransitions: 0, reloadVipsRemoved: 0, stopMs: NaN };
  const createRuntime: CreateRuntime = (ports, model, opts) => {
    const rt = createDaemonRuntime(ports, model, opts);
    let phase: 'start' | 'running' | 'reload' | 'stop' = 'running';
    let t0 = 0;
    const seen = new Set<string>();
    let reloadsBefore = 0;
    const reloadDone = (): void => {
      if (phase === 'reload' && (rt.counters().reloads ?? 0) > reloadsBefore) {
        f.reloadMs = cpuMs() - t0;
        phase = 'running';
      }
    };
    rt.on((e) => {
      if (e.type === 'instance.state') {
        if (phase === 'start') {
          seen.add(e.instance);
          if (seen.size === n) {
            f.startMs = cpuMs() - t0;
            phase = 'running';
          }
        } else if (phase === 'reload') f.reloadTransitions++;
      } else if (e.type === 'vip.removed' && phase === 'reload') f.reloadVipsRemoved++;
      else if (e.type === 'runtime.stopped' && phase === 'stop') {
        f.stopMs = cpuMs() - t0;
        phase = 'running';
      }
      reloadDone();
    });
    const wrapped: Runtime = {
      ...rt,
      start: () => {
        phase = 'start';
        t0 = cpuMs();
        rt.start();
      },
      reload: (m) => {
        reloadsBefore = rt.counters().reloads ?? 0;
        phase = 'reload';
        t0 = cpuMs();
        rt.reload(m);
        reloadDone();
      },
      stop: () => {
        phase = 'stop';
        t0 = cpuMs();
        rt.stop();
      },
      status: () => rt.status(),
      counters: () => rt.counters(),
      on: (l) => rt.on(l),
    };
    return wrapped;
  };
  // The text replaces an example's (loadScenarioFile reads a file; nothing else of it is used).
  const loaded = loadScenarioFile(new URL('../examples/default.yaml', import.meta.url).pathname, { name: `lifecycle-${n}`, edit: () => scenario(n, leftovers) });
  if (!loaded.scenario) throw new Error(loaded.errors.join('\n'));
  runScenario(loaded.scenario, { createRuntime, checks: false });
  return f;
}

console.log(`node ${process.version}; load average at start ${load()}${trackScript ? '; every instance tracks one vrrp_script' : ''}`);
measure(10); // warm-up: the JIT, module loading
for (const n of counts) {
  const f = measure(n);
  const ok = (v: boolean): string => (v ? 'yes' : 'NO');
  console.log(`${String(n).padStart(5)} instances: start-up ${f.startMs.toFixed(0)} ms CPU${n >= 1000 ? ` (< 1000: ${ok(f.startMs < 1000)})` : ''}`);
  console.log(
    `${' '.repeat(17)} reload, one instance changed: ${f.reloadMs.toFixed(0)} ms CPU, ${f.reloadTransitions} transitions, ${f.reloadVipsRemoved} VIPs removed${n >= 1000 ? ` (< 200 ms, 0, 0: ${ok(f.reloadMs < 200 && f.reloadTransitions === 0 && f.reloadVipsRemoved === 0)})` : ''}`,
  );
  console.log(`${' '.repeat(17)} stop: ${f.stopMs.toFixed(0)} ms CPU${n >= 1000 ? ` (< 1000: ${ok(f.stopMs < 1000)})` : ''}`);
  const crashed = measure(n, true);
  console.log(`${' '.repeat(17)} start-up after a crash (every VIP left on its interface, swept first): ${crashed.startMs.toFixed(0)} ms CPU${n >= 1000 ? ` (< 1000: ${ok(crashed.startMs < 1000)})` : ''}`);
}
console.log(`load average at end ${load()}`);
