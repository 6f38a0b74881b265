/**
 * Expectations of a scenario file. Point checks take `at`, window checks `from`/`to`:
 *
 *   - at: 5s
 *     expect: { host: lb2, instance: VI_1, state: MASTER }
 *   - at: 15s
 *     expect: { masters: 2, vrid: 51 }
 *   - at: 15s
 *     expect: { host: lb1, vip: 198.51.100.100 }            # present (present: false = absent)
 *   - at: 15s
 *     expect: { observer: client, vip: 198.51.100.100, host: lb1 }   # client's ARP cache
 *   - from: 20s
 *     to: 22s
 *     expect: { garp: 198.51.100.100, host: lb1 }             # none: true = no GARP at all
 *   - from: 30s
 *     to: 60s
 *     expect: { transitions: 0 }                               # optionally host, instance
 *   - from: 5s
 *     to: 15s
 *     expect: { log: "- discarding", host: lb2, none: true }  # a runtime log line (none: no such line)
 *   - from: 30s
 *     to: 60s
 *     expect: { connections: 0, server: rs2 }                  # at most 0 connections served by rs2
 *   - from: 30s
 *     to: 60s
 *     expect: { connections: 1000, atLeast: 20, ok: true }     # 20..1000 served (ok: false = failed)
 *   - at: 40s
 *     expect: { host: ds1, pool: 198.51.100.28:80, servers: [198.51.100.21] }   # weight > 0
 *   - from: 10s
 *     to: 60s
 *     expect: { quorumChanges: 0, host: ds1, vs: "[198.51.100.70]:tcp:80" }    # lvs-quorum events
 *   - from: 10s
 *     to: 60s
 *     expect: { serverChanges: 20, atLeast: 4, host: ds1, rs: "[198.51.100.31]:tcp:80" }
 */
import { canonicalIp } from '../../protocol/addr.js';
import type { WorldSpec } from '../world.js';
import type { Expectation } from './types.js';
import type { Path, ScenarioInput } from './yaml-input.js';

function hostName(inp: ScenarioInput, p: Path, world: WorldSpec): string | undefined {
  const h = inp.string(p);
  if (h !== undefined && !world.hosts.some((x) => x.name === h)) inp.error(p, `unknown host "${h}"`);
  return h;
}

function vip(inp: ScenarioInput, p: Path): string | undefined {
  const text = inp.string(p);
  if (text === undefined) return undefined;
  const c = canonicalIp(text);
  if (!c) inp.error(p, `not an IP address: ${text}`);
  return c;
}

const KEYS = ['host', 'instance', 'state', 'masters', 'vrid', 'segment', 'vip', 'present', 'observer', 'garp', 'none', 'transitions', 'atLeast', 'mail', 'subject', 'log', 'connections', 'client', 'server', 'ok', 'pool', 'servers', 'quorumChanges', 'serverChanges', 'vs', 'rs'];

export function parseExpectation(inp: ScenarioInput, p: Path, world: WorldSpec): Expectation | undefined {
  inp.onlyKeys(p, ['at', 'from', 'to', 'expect']);
  const e: Path = [...p, 'expect'];
  if (!inp.isMap(e)) return void inp.error(p, 'needs an "expect" map');
  inp.onlyKeys(e, KEYS);
  const atMs = inp.durationMs([...p, 'at']);
  const fromMs = inp.durationMs([...p, 'from']);
  const toMs = inp.durationMs([...p, 'to']);
  const point = (build: (atMs: number) => Expectation | undefined): Expectation | undefined => {
    if (atMs === undefined) return void inp.error(p, 'this expectation needs "at"');
    return build(atMs);
  };
  const window = (build: (fromMs: number, toMs: number) => Expectation | undefined): Expectation | undefined => {
    if (fromMs === undefined || toMs === undefined) return void inp.error(p, 'this expectation needs "from" and "to"');
    if (toMs < fromMs) return void inp.error(p, '"to" is before "from"');
    return build(fromMs, toMs);
  };
  if (inp.has([...e, 'garp'])) {
    const address = vip(inp, [...e, 'garp']);
    const host = hostName(inp, [...e, 'host'], world);
    const none = inp.get([...e, 'none']) === true;
    return window((f, t) => (address ? { kind: 'garp', fromMs: f, toMs: t, vip: address, none, ...(host ? { host } : {}) } : undefined));
  }
  if (inp.has([...e, 'transitions'])) {
    const max = inp.number([...e, 'transitions'], 0)!;
    const min = inp.number([...e, 'atLeast'], 0)!;
    const host = hostName(inp, [...e, 'host'], world);
    const instance = inp.string([...e, 'instance']);
    return window((f, t) => ({ kind: 'transitions', fromMs: f, toMs: t, max, min, ...(host ? { host } : {}), ...(instance ? { instance } : {}) }));
  }
  if (inp.has([...e, 'log'])) {
    const text = inp.string([...e, 'log']);
    const host = hostName(inp, [...e, 'host'], world);
    const none = inp.get([...e, 'none']) === true;
    if (!text) return void inp.error([...e, 'log'], 'the text a log line contains');
    return window((f, t) => ({ kind: 'log', fromMs: f, toMs: t, text, none, ...(host ? { host } : {}) }));
  }
  if (inp.has([...e, 'connections'])) {
    const max = inp.number([...e, 'connections'], 0)!;
    const min = inp.number([...e, 'atLeast'], 0)!;
    const client = hostName(inp, [...e, 'client'], world);
    const server = hostName(inp, [...e, 'server'], world);
    const okRaw = inp.get([...e, 'ok']);
    if (okRaw !== undefined && typeof okRaw !== 'boolean') inp.error([...e, 'ok'], 'expected true (served) or false (failed)');
    return window((f, t) => ({ kind: 'connections', fromMs: f, toMs: t, max, min, ...(client ? { client } : {}), ...(server ? { server } : {}), ...(typeof okRaw === 'boolean' ? { ok: okRaw } : {}) }));
  }
  for (const key of ['quorumChanges', 'serverChanges'] as const) {
    if (!inp.has([...e, key])) continue;
    const max = inp.number([...e, key], 0)!;
    const min = inp.number([...e, 'atLeast'], 0)!;
    const host = hostName(inp, [...e, 'host'], world);
    const vs = inp.string([...e, 'vs']);
    const rs = inp.string([...e, 'rs']);
    if (key === 'quorumChanges' && rs !== undefined) inp.error([...e, 'rs'], 'quorum changes belong to a virtual server: give vs');
    return window((f, t) => ({
      kind: key === 'quorumChanges' ? 'quorum-changes' : 'server-changes',
      fromMs: f,
      toMs: t,
      max,
      min,
      ...(host ? { host } : {}),
      ...(vs ? { vs } : {}),
      ...(rs && key === 'serverChanges' ? { rs } : {}),
    }));
  }
  if (inp.has([...e, 'pool'])) {
    const host = hostName(inp, [...e, 'host'], world);
    const service = inp.string([...e, 'pool']);
    const raw = inp.get([...e, 'servers']);
    if (!Array.isArray(raw)) return void inp.error([...e, 'servers'], 'expected a list of real server addresses, e.g. [198.51.100.21]');
    const servers = raw.map((a) => canonicalIp(String(a)) ?? String(a)).sort();
    const m = service !== undefined ? /^(?:(tcp|udp|sctp):)?(\[[^\]]+\]|[^:]+):(\d+)$/.exec(service) : null;
    const address = m ? canonicalIp(m[2]!.replace(/^\[|\]$/g, '')) : undefined;
    if (!host || !m || !address) return void inp.error(e, 'needs host and pool: VIP:PORT (tcp), or udp:VIP:PORT');
    const key = `${m[1] ?? 'tcp'}:${address.includes(':') ? `[${address}]` : address}:${m[3]}`;
    return point((at) => ({ kind: 'pool', atMs: at, host, service: key, servers }));
  }
  if (inp.has([...e, 'mail'])) {
    const host = hostName(inp, [...e, 'mail'], world);
    const subject = inp.string([...e, 'subject']);
    return window((f, t) => ({ kind: 'mail', fromMs: f, toMs: t, ...(host ? { host } : {}), ...(subject ? { subject } : {}) }));
  }
  if (inp.has([...e, 'masters'])) {
    const count = inp.number([...e, 'masters'], 1)!;
    const vrid = inp.number([...e, 'vrid']);
    const segment = inp.string([...e, 'segment']);
    return point((at) => ({ kind: 'masters', atMs: at, count, ...(vrid !== undefined ? { vrid } : {}), ...(segment ? { segment } : {}) }));
  }
  if (inp.has([...e, 'observer'])) {
    const observer = hostName(inp, [...e, 'observer'], world);
    const address = vip(inp, [...e, 'vip']);
    const host = hostName(inp, [...e, 'host'], world);
    if (!observer || !address || !host) return void inp.error(e, 'needs observer, vip and host');
    return point((at) => ({ kind: 'arp', atMs: at, observer, vip: address, host }));
  }
  if (inp.has([...e, 'vip'])) {
    const host = hostName(inp, [...e, 'host'], world);
    const address = vip(inp, [...e, 'vip']);
    const present = inp.get([...e, 'present']) !== false;
    if (!host || !address) return void inp.error(e, 'needs host and vip');
    return point((at) => ({ kind: 'vip', atMs: at, host, vip: address, present }));
  }
  const host = hostName(inp, [...e, 'host'], world);
  const instance = inp.string([...e, 'instance']);
  const state = inp.string([...e, 'state'])?.toUpperCase();
  if (!host || !instance || !state) return void inp.error(e, 'expected { host, instance, state } or one of: masters, vip, observer, garp, transitions, mail, log, connections, pool, quorumChanges, serverChanges');
  if (!['MASTER', 'BACKUP', 'FAULT', 'INIT', 'STOP', 'DELETED'].includes(state)) inp.error([...e, 'state'], `unknown state ${state}`);
  return point((at) => ({ kind: 'state', atMs: at, host, instance, state }));
}
