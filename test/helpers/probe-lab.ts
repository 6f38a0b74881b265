/**
 * Shared pieces of the probe system tests: a checker block with keepalived's defaults, a promise
 * wrapper around Prober.probe that also measures the attempt, and real servers started in a lab
 * namespace (test/helpers/probe-servers.ts), one process each.
 */
import type { ProbeOutcome, ProbeRequest, Prober, ProbeTarget } from '../../actors/lvs/prober-port.js';
import type { CheckerConfig, HttpUrlConfig } from '../../config/model-lvs.js';
import type { LabProcess, NetnsLab } from './netns.js';

export function checker(kind: CheckerConfig['kind'], extra: Partial<CheckerConfig> = {}): CheckerConfig {
  return {
    kind,
    source: { file: 'test.conf', line: 1 },
    connectTimeoutMs: 1000,
    retry: 1,
    delayBeforeRetryMs: 1000,
    delayLoopMs: 1000,
    alpha: false,
    logAllFailures: false,
    urls: [],
    enableSni: false,
    ...extra,
  };
}

export function url(path: string, extra: Partial<HttpUrlConfig> = {}): HttpUrlConfig {
  return { path, statusCodes: [[200, 299]], regexNoMatch: false, ...extra };
}

export interface Timed {
  outcome: ProbeOutcome;
  ms: number;
}

export function probeOnce(prober: Prober, c: CheckerConfig, target: ProbeTarget, timeoutMs = 1000, extra: Partial<ProbeRequest> = {}): Promise<Timed> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    prober.probe({ checker: c, target, timeoutMs, ...extra }, (outcome) => resolve({ outcome, ms: performance.now() - t0 }));
  });
}

/** Starts one server of test/helpers/probe-servers.ts in `ns` and waits until it listens. */
export async function startServer(lab: NetnsLab, ns: string, kind: string, port: number, args: string[] = []): Promise<LabProcess> {
  const p = lab.spawn(ns, [process.execPath, '--import', 'tsx', 'test/helpers/probe-servers.ts', kind, String(port), ...args]);
  await p.waitFor(new RegExp(`listening ${kind} ${port}`), 30_000);
  return p;
}

/** The `request …` lines a server printed after `from` characters of output. */
export function requests(p: LabProcess, from = 0): string[] {
  return p
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('request '));
}
