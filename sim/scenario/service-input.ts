/**
 * The real-server and client parts of a scenario host:
 *
 *   rs1:
 *     nics: { eth0: { segment: lan, address: 198.51.100.21/24 } }
 *     services:                        # PORT or PORT/udp → a kind, or { kind: { options }, slow }
 *       80: http                       # HTTP 200, empty body
 *       8080: { http: { status: 503, body: "busy" } }
 *       443: { https: { body: "ok\n" }, slow: 20ms }
 *       25: smtp                       # greeting 220 (status N changes it)
 *       53/udp: dns                    # RCODE 0 (status N changes it)
 *       5000/udp: udp                  # echo; { udp: { reply: "pong" } } for a fixed reply
 *       3306: tcp                      # a listener that accepts and says nothing
 *     icmp: false                      # no echo replies (default: a powered host answers ping)
 *     loopback: [198.51.100.28]        # VIPs on lo (LVS-DR, TUN): accepted, never ARP-answered
 *   client:
 *     traffic:                         # connections to a virtual service
 *       - { to: 198.51.100.28:80, every: 200ms, from: 5s, until: 70s, timeout: 3s }
 */
import { canonicalIp } from '../../protocol/addr.js';
import { protoOf, SERVICE_KINDS, type ServiceKind, type ServiceSpec } from '../lvs/services.js';
import type { TrafficSpec } from '../lvs/traffic.js';
import type { Path, ScenarioInput } from './yaml-input.js';

const OPTIONS: Record<ServiceKind, string[]> = { tcp: [], http: ['status', 'body'], https: ['status', 'body'], smtp: ['status'], dns: ['status'], udp: ['reply'] };

function kindOf(inp: ScenarioInput, p: Path, text: string): ServiceKind | undefined {
  if ((SERVICE_KINDS as readonly string[]).includes(text)) return text as ServiceKind;
  inp.error(p, `unknown service "${text}" (one of: ${SERVICE_KINDS.join(', ')})`);
  return undefined;
}

/** A map key as the YAML has it: `80:` is the number 80, `"80":` and `53/udp:` are text. */
function keyPath(inp: ScenarioInput, p: Path, key: string): Path {
  return /^\d+$/.test(key) && inp.has([...p, Number(key)]) ? [...p, Number(key)] : [...p, key];
}

export function loadServices(inp: ScenarioInput, p: Path): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  for (const key of inp.keys(p)) {
    const kp = keyPath(inp, p, key);
    const m = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(key);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) {
      inp.error(kp, `a service is keyed by its port: 80, 53/udp (got "${key}")`);
      continue;
    }
    let kind: ServiceKind | undefined;
    const spec: Partial<ServiceSpec> = {};
    if (inp.isMap(kp)) {
      const kinds = inp.keys(kp).filter((k) => k !== 'slow');
      inp.onlyKeys(kp, [...SERVICE_KINDS, 'slow']);
      if (kinds.length !== 1) {
        inp.error(kp, `name one kind (${SERVICE_KINDS.join(', ')}), got ${kinds.join(', ') || 'none'}`);
        continue;
      }
      kind = kindOf(inp, kp, kinds[0]!);
      if (!kind) continue;
      const op: Path = [...kp, kind];
      if (inp.isMap(op)) {
        inp.onlyKeys(op, OPTIONS[kind]);
        const status = inp.number([...op, 'status']);
        if (status !== undefined && (!Number.isInteger(status) || status < 0 || status > 999)) inp.error([...op, 'status'], 'a status is a number 0..999');
        else if (status !== undefined) spec.status = status;
        const body = inp.string([...op, kind === 'udp' ? 'reply' : 'body']);
        if (body !== undefined) spec.body = body;
      } else if (inp.get(op) !== undefined && inp.get(op) !== null) inp.error(op, `expected options { ${OPTIONS[kind].join(', ')} } or nothing`);
      const slow = inp.durationMs([...kp, 'slow']);
      if (slow !== undefined) {
        if (kind === 'tcp') inp.error([...kp, 'slow'], 'a bare TCP listener sends nothing to slow down');
        else spec.slowMs = slow;
      }
    } else {
      const text = inp.string(kp);
      if (text === undefined) {
        inp.error(kp, 'needs a kind');
        continue;
      }
      kind = kindOf(inp, kp, text);
      if (!kind) continue;
    }
    const proto = protoOf(kind);
    if (m[2] !== undefined && m[2] !== proto) {
      inp.error(kp, `${kind} runs over ${proto.toUpperCase()}: write ${m[1]}${proto === 'udp' ? '/udp' : ''}`);
      continue;
    }
    const port = Number(m[1]);
    if (out.some((s) => s.port === port && s.proto === proto)) {
      inp.error(kp, `two services on ${port}/${proto}`);
      continue;
    }
    out.push({ kind, proto, port, ...spec });
  }
  return out;
}

export function loadAddresses(inp: ScenarioInput, p: Path): string[] {
  const raw = inp.get(p);
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) return inp.error(p, 'expected a list of addresses, e.g. [198.51.100.28]'), [];
  const out: string[] = [];
  for (const a of raw) {
    const c = canonicalIp(String(a));
    if (c) out.push(c);
    else inp.error(p, `not an IP address: ${String(a)}`);
  }
  return out;
}

/** `198.51.100.28:80` or `[2001:db8::28]:80`. */
function parseTo(text: string): { address: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const address = m ? canonicalIp(m[1]!) : undefined;
  const port = m ? Number(m[2]) : NaN;
  return address && port >= 1 && port <= 65535 ? { address, port } : undefined;
}

export function loadTraffic(inp: ScenarioInput, p: Path): TrafficSpec[] {
  if (!inp.has(p)) return [];
  if (!inp.isList(p)) return inp.error(p, 'expected a list: - { to: VIP:PORT, every: 200ms }'), [];
  const out: TrafficSpec[] = [];
  for (let i = 0; i < inp.length(p); i++) {
    const ep: Path = [...p, i];
    inp.onlyKeys(ep, ['to', 'every', 'rate', 'from', 'until', 'timeout']);
    const toText = inp.string([...ep, 'to']);
    const to = toText !== undefined ? parseTo(toText) : undefined;
    if (!to) {
      inp.error([...ep, 'to'], toText === undefined ? 'needs to: VIP:PORT' : `expected VIP:PORT or [IPv6]:PORT, got "${toText}"`);
      continue;
    }
    const rate = inp.number([...ep, 'rate']);
    const every = inp.durationMs([...ep, 'every']);
    if ((rate === undefined) === (every === undefined)) {
      inp.error(ep, 'give one of every: DUR or rate: N (connections per second)');
      continue;
    }
    const everyMs = every ?? 1000 / rate!;
    if (!(everyMs >= 1)) {
      inp.error(ep, 'at most 1000 connections per second');
      continue;
    }
    const untilMs = inp.durationMs([...ep, 'until']);
    out.push({
      ...to,
      everyMs,
      fromMs: inp.durationMs([...ep, 'from'], 0) ?? 0,
      ...(untilMs !== undefined ? { untilMs } : {}),
      timeoutMs: inp.durationMs([...ep, 'timeout'], 3000) ?? 3000,
    });
  }
  return out;
}
