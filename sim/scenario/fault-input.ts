/**
 * Timeline entries of a scenario file:
 *
 *   - at: 10s              when (required)
 *     for: 4s              undo after (optional)
 *     pause: lb1           the fault: one key (see docs/simulator.md for every kind)
 *
 * Host, NIC and segment names are checked against the world; a vrrp_script can be named by its
 * config name (`script: { host: lb1, name: chk_nginx, exit: 1 }`).
 */
import { HOST_ONLY_KINDS, isHostOnlyKind, type Fault, type TimelineEntry } from '../faults.js';
import type { LinkProfile } from '../net/segment.js';
import type { WorldSpec } from '../world.js';
import { canonicalIp } from '../../protocol/addr.js';
import { parseServerFault } from './server-fault.js';
import type { Path, ScenarioInput } from './yaml-input.js';

export const FAULT_KEYS = [...HOST_ONLY_KINDS, 'link', 'deladdr', 'partition', 'block', 'unblock', 'heal', 'net', 'loss', 'delay', 'drift', 'script', 'file', 'process', 'priority', 'reload', 'server'] as const;

export interface FaultContext {
  world: WorldSpec;
  /** vrrp_script name → command line, per host. */
  scriptCommand(host: string, name: string): string | undefined;
  /** Reads a config file named in a reload fault (relative to the scenario). */
  readConfig(path: string): string | undefined;
}

function checkHost(inp: ScenarioInput, path: Path, ctx: FaultContext, host: string | undefined): string | undefined {
  if (host === undefined) inp.error(path, 'needs a host');
  else if (!ctx.world.hosts.some((h) => h.name === host)) inp.error(path, `unknown host "${host}" (hosts: ${ctx.world.hosts.map((h) => h.name).join(', ')})`);
  else return host;
  return undefined;
}

function checkSegment(inp: ScenarioInput, path: Path, ctx: FaultContext, seg: string | undefined): string | undefined {
  const names = ctx.world.segments.map((s) => s.name);
  if (seg === undefined) {
    if (names.length === 1) return names[0];
    inp.error(path, `name the segment (one of: ${names.join(', ')})`);
  } else if (!names.includes(seg)) inp.error(path, `unknown segment "${seg}" (segments: ${names.join(', ')})`);
  else return seg;
  return undefined;
}

/** `host` either as the value itself or as `{ host: … }`. */
function hostOf(inp: ScenarioInput, p: Path): string | undefined {
  return inp.isMap(p) ? inp.string([...p, 'host']) : inp.string(p);
}

function percent(inp: ScenarioInput, p: Path): number | undefined {
  const v = inp.number(p);
  if (v !== undefined && (v < 0 || v > 100)) inp.error(p, 'a percentage is 0..100');
  return v;
}

function profileOf(inp: ScenarioInput, p: Path): Partial<LinkProfile> {
  inp.onlyKeys(p, ['segment', 'loss', 'delay', 'jitter', 'duplicate', 'reorder', 'reorderBy']);
  const out: Partial<LinkProfile> = {};
  const set = <K extends keyof LinkProfile>(k: K, v: number | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('lossPct', percent(inp, [...p, 'loss']));
  set('delayMs', inp.durationMs([...p, 'delay']));
  set('jitterMs', inp.durationMs([...p, 'jitter']));
  set('dupPct', percent(inp, [...p, 'duplicate']));
  set('reorderPct', percent(inp, [...p, 'reorder']));
  set('reorderMs', inp.durationMs([...p, 'reorderBy']));
  return out;
}

function parseFault(inp: ScenarioInput, p: Path, kind: (typeof FAULT_KEYS)[number], ctx: FaultContext): Fault | undefined {
  const v = [...p, kind];
  if (isHostOnlyKind(kind)) {
    const host = checkHost(inp, v, ctx, hostOf(inp, v));
    return host ? { kind, host } : undefined;
  }
  switch (kind) {
    case 'link': {
      // "lb1/eth0 down" or { host, nic, up }
      const text = inp.isMap(v) ? undefined : inp.string(v);
      const m = text ? /^(\S+)\/(\S+)\s+(up|down)$/.exec(text) : null;
      if (text && !m) return void inp.error(v, 'write "HOST/NIC up|down" or { host, nic, up }');
      const host = checkHost(inp, v, ctx, m ? m[1] : inp.string([...v, 'host']));
      const nic = m ? m[2]! : inp.string([...v, 'nic']);
      const up = m ? m[3] === 'up' : inp.get([...v, 'up']) === true;
      const spec = ctx.world.hosts.find((h) => h.name === host);
      if (host && !spec?.nics.some((n) => n.name === nic)) return void inp.error(v, `host ${host} has no NIC "${nic}"`);
      return host && nic ? { kind: 'link', host, nic, up } : undefined;
    }
    case 'deladdr': {
      // "lb1/eth0 198.51.100.100" or { host, nic, address }
      const text = inp.isMap(v) ? undefined : inp.string(v);
      const m = text ? /^(\S+)\/(\S+)\s+(\S+)$/.exec(text) : null;
      if (text && !m) return void inp.error(v, 'write "HOST/NIC ADDRESS" or { host, nic, address }');
      const host = checkHost(inp, v, ctx, m ? m[1] : inp.string([...v, 'host']));
      const nic = m ? m[2]! : inp.string([...v, 'nic']);
      const address = m ? m[3]! : inp.string([...v, 'address']);
      const spec = ctx.world.hosts.find((h) => h.name === host);
      if (host && !spec?.nics.some((n) => n.name === nic)) return void inp.error(v, `host ${host} has no NIC "${nic}"`);
      if (address !== undefined && !canonicalIp(address.split('/')[0]!)) return void inp.error(v, `"${address}" is not an IP address`);
      return host && nic && address ? { kind: 'deladdr', host, nic, address: address.split('/')[0]! } : undefined;
    }
    case 'partition': {
      const groupsPath = inp.isMap(v) ? [...v, 'groups'] : v;
      const segment = checkSegment(inp, v, ctx, inp.isMap(v) ? inp.string([...v, 'segment']) : undefined);
      const groups = inp.get(groupsPath);
      if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g))) return void inp.error(groupsPath, 'expected a list of host lists, e.g. [[lb1, client], [lb2]]');
      const names = (groups as unknown[][]).map((g) => g.map(String));
      for (const h of names.flat()) checkHost(inp, groupsPath, ctx, h);
      return segment ? { kind: 'partition', segment, groups: names } : undefined;
    }
    case 'block':
    case 'unblock': {
      const segment = checkSegment(inp, v, ctx, inp.string([...v, 'segment']));
      const from = checkHost(inp, [...v, 'from'], ctx, inp.string([...v, 'from']));
      const to = checkHost(inp, [...v, 'to'], ctx, inp.string([...v, 'to']));
      return segment && from && to ? { kind, segment, from, to } : undefined;
    }
    case 'heal': {
      // heal: lan | heal: true | heal: { segment, groups }  (groups = undo only that partition)
      const raw = inp.get(v);
      const asMap = inp.isMap(v);
      const segment = checkSegment(inp, v, ctx, typeof raw === 'string' ? raw : asMap ? inp.string([...v, 'segment']) : undefined);
      const groups = asMap ? inp.get([...v, 'groups']) : undefined;
      if (groups !== undefined && (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g)))) return void inp.error([...v, 'groups'], 'expected a list of host lists');
      return segment ? { kind: 'heal', segment, ...(Array.isArray(groups) ? { groups: (groups as unknown[][]).map((g) => g.map(String)) } : {}) } : undefined;
    }
    case 'net':
    case 'loss':
    case 'delay': {
      const shorthand = !inp.isMap(v);
      const segment = checkSegment(inp, v, ctx, shorthand ? undefined : inp.string([...v, 'segment']));
      let profile: Partial<LinkProfile>;
      if (!shorthand) profile = profileOf(inp, v);
      else if (kind === 'loss') profile = { lossPct: percent(inp, v) ?? 0 };
      else if (kind === 'delay') profile = { delayMs: inp.durationMs(v) ?? 0 };
      else return void inp.error(v, 'expected { loss, delay, jitter, duplicate, reorder, reorderBy }');
      return segment ? { kind: 'net', segment, profile } : undefined;
    }
    case 'drift': {
      const host = checkHost(inp, v, ctx, inp.string([...v, 'host']));
      const ppm = inp.number([...v, 'ppm']);
      return host && ppm !== undefined ? { kind: 'drift', host, ppm } : undefined;
    }
    case 'script': {
      inp.onlyKeys(v, ['host', 'name', 'command', 'exit', 'duration']);
      const host = checkHost(inp, v, ctx, inp.string([...v, 'host']));
      const name = inp.string([...v, 'name']);
      let command = inp.string([...v, 'command']);
      if (name !== undefined && host) {
        command = ctx.scriptCommand(host, name);
        if (command === undefined) inp.error([...v, 'name'], `host ${host} has no vrrp_script "${name}" with a script line`);
      }
      if (command === undefined) return void (name === undefined && inp.error(v, 'needs name (a vrrp_script) or command'));
      const exitRaw = inp.get([...v, 'exit']);
      const exit = exitRaw === null || exitRaw === 'killed' ? null : (inp.number([...v, 'exit'], 0) ?? 0);
      const durationMs = inp.durationMs([...v, 'duration']);
      return host ? { kind: 'script', host, command, exit, ...(durationMs !== undefined ? { durationMs } : {}) } : undefined;
    }
    case 'file': {
      const host = checkHost(inp, v, ctx, inp.string([...v, 'host']));
      const path = inp.string([...v, 'path']);
      const raw = inp.get([...v, 'content']);
      if (!path) return void inp.error(v, 'needs a path');
      return host ? { kind: 'file', host, path, content: raw === null || raw === undefined ? null : String(raw) } : undefined;
    }
    case 'process': {
      inp.onlyKeys(v, ['host', 'command', 'count']);
      const host = checkHost(inp, v, ctx, inp.string([...v, 'host']));
      const command = inp.string([...v, 'command']);
      const count = inp.number([...v, 'count'], 0) ?? 0;
      if (!command) return void inp.error(v, 'needs the command line of the process');
      return host ? { kind: 'process', host, command, count } : undefined;
    }
    case 'priority': {
      const host = checkHost(inp, v, ctx, inp.string([...v, 'host']));
      const instance = inp.string([...v, 'instance']);
      const priority = inp.number([...v, 'priority']);
      if (priority !== undefined && (priority < 1 || priority > 255)) inp.error([...v, 'priority'], 'priority is 1..255');
      return host && instance && priority !== undefined ? { kind: 'priority', host, instance, priority } : undefined;
    }
    case 'server': {
      // One grammar with --fault: server: "rs1:80 refuse" (see server-fault.ts).
      const text = inp.isMap(v) ? undefined : inp.string(v);
      if (text === undefined) return void inp.error(v, 'write server: "HOST[:PORT[/udp]|:icmp] up|refuse|drop|slow DUR|status N|body TEXT"');
      const r = parseServerFault(text, ctx.world.hosts);
      if ('error' in r) return void inp.error(v, `${r.error}\n    ${text}\n    ${' '.repeat(r.column)}^`);
      return { kind: 'server', ...r };
    }
    case 'reload': {
      const host = checkHost(inp, v, ctx, hostOf(inp, v));
      const file = inp.isMap(v) ? inp.string([...v, 'configFile']) : undefined;
      const config = file !== undefined ? ctx.readConfig(file) : inp.isMap(v) ? inp.string([...v, 'config']) : undefined;
      if (file !== undefined && config === undefined) inp.error([...v, 'configFile'], `cannot read ${file}`);
      return host ? { kind: 'reload', host, ...(config !== undefined ? { config } : {}) } : undefined;
    }
  }
}

export function parseTimelineEntry(inp: ScenarioInput, p: Path, ctx: FaultContext): TimelineEntry | undefined {
  const keys = inp.keys(p);
  const kinds = keys.filter((k): k is (typeof FAULT_KEYS)[number] => (FAULT_KEYS as readonly string[]).includes(k));
  const unknown = keys.filter((k) => k !== 'at' && k !== 'for' && !kinds.includes(k as never));
  if (unknown.length) inp.error([...p, unknown[0]!], `unknown fault "${unknown[0]}" (faults: ${FAULT_KEYS.join(', ')})`);
  if (kinds.length !== 1) return void inp.error(p, kinds.length === 0 ? 'needs one fault' : `one fault per entry, got ${kinds.join(', ')}`);
  const atMs = inp.durationMs([...p, 'at']);
  if (atMs === undefined) return void inp.error(p, 'needs "at"');
  const forMs = inp.durationMs([...p, 'for']);
  const fault = parseFault(inp, p, kinds[0]!, ctx);
  if (!fault) return undefined;
  return { atMs, fault, ...(forMs !== undefined ? { forMs } : {}), origin: 'scenario' };
}
