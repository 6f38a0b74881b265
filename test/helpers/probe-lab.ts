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

/** The probe servers' addresses in namespace `s` (probeLab). */
export const S4 = '198.51.100.2';
export const S6 = '2001:db8::2';

/**
 * Two namespaces for probe tests: `c` (the prober: 198.51.100.1 and .3, 2001:db8::1 on vc, and
 * 203.0.113.1 on a dummy dx for bind tests) and `s` (the servers: S4 and S6 on vs).
 */
export async function probeLab(lab: NetnsLab): Promise<{ c: string; s: string }> {
  const c = await lab.namespace('c');
  const s = await lab.namespace('s');
  await lab.veth({ ns: c, ifname: 'vc', addresses: ['198.51.100.1/24', '198.51.100.3/24', '2001:db8::1/64'] }, { ns: s, ifname: 'vs', addresses: [`${S4}/24`, `${S6}/64`] });
  await lab.exec(c, ['ip', 'link', 'add', 'dx', 'type', 'dummy']);
  await lab.exec(c, ['ip', 'addr', 'add', '203.0.113.1/24', 'dev', 'dx']);
  await lab.exec(c, ['ip', 'link', 'set', 'dx', 'up']);
  return { c, s };
}
