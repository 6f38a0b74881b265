/**
 * `sim --config a.conf --config b.conf --fault …`: rehearse production configs without writing
 * YAML. Each config becomes a host (named after its file, its folder when files share a name, or
 * NAME in `--config NAME=PATH`); the N-th interface a config uses joins the N-th segment (so eth0
 * on one box and ens33 on the other still share a LAN); every segment gets a client that watches
 * GARPs. Hosts get documentation addresses (198.51.100.0/24 on the first segment, 203.0.113.0/24
 * on the second) unless the config names a unicast_src_ip.
 */
import { stringify } from 'yaml';
import type { KeepalivedConfig } from '../../config/model.js';
import { nearestKeyword } from '../../config/suggest.js';
import { isHostOnlyKind } from '../faults.js';
import { parseDurationMs } from '../time.js';

/** One `--config` argument: the host name it gets and the file it reads. */
export interface ConfigArg {
  name: string;
  path: string;
}

export interface AdhocHost extends ConfigArg {
  model: KeepalivedConfig;
}

const SUBNETS = ['198.51.100', '203.0.113'];

function subnet(i: number): string {
  return SUBNETS[i] ?? `198.18.${i}`;
}

const cleanName = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');

function parts(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/** A config file's own name: `lb1.conf` → lb1. */
export function hostNameOf(path: string): string {
  return cleanName(parts(path).at(-1)?.replace(/\.conf$/, '') ?? '') || 'host';
}

/** Its folder's name: `n1/keepalived.conf` → n1 (undefined at the top of a relative path). */
function folderNameOf(path: string): string | undefined {
  const dir = parts(path).slice(0, -1).at(-1);
  return dir && dir !== '..' ? cleanName(dir) : undefined;
}

/**
 * Host names for the `--config` arguments. `NAME=PATH` names a host; otherwise the file name
 * without .conf, or the folder's name when the file is `keepalived.conf` or another config has
 * the same file name (n1/keepalived.conf, n2/keepalived.conf → n1, n2). Two hosts never share a
 * name silently: a collision that remains is an error.
 */
export function nameConfigs(args: readonly string[]): ConfigArg[] | { error: string } {
  const given = args.map((a) => {
    const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(a);
    return m ? { explicit: m[1]!, path: m[2]! } : { path: a };
  });
  const base = given.map((g) => hostNameOf(g.path));
  const out = given.map((g, i): ConfigArg => {
    if ('explicit' in g && g.explicit) return { name: g.explicit, path: g.path };
    const shared = base.some((b, j) => j !== i && b === base[i] && !('explicit' in given[j]! && given[j]!.explicit));
    const folder = folderNameOf(g.path);
    const useFolder = folder !== undefined && (shared || (base[i] === 'keepalived' && folder !== 'keepalived'));
    return { name: useFolder ? folder : base[i]!, path: g.path };
  });
  for (let i = 0; i < out.length; i++) {
    const j = out.findIndex((o, k) => k > i && o.name === out[i]!.name);
    if (j >= 0) {
      return { error: `--config ${args[i]} and --config ${args[j]} would both be host "${out[i]!.name}": give one of them another name with --config NAME=PATH` };
    }
  }
  return out;
}

function interfacesOf(m: KeepalivedConfig): string[] {
  const out: string[] = [];
  const add = (n: string | undefined) => n && !out.includes(n) && out.push(n);
  for (const i of m.vrrpInstances) {
    add(i.interface);
    for (const t of i.trackInterfaces) add(t.name);
    for (const v of i.vips) add(v.dev);
  }
  return out.length > 0 ? out : ['eth0'];
}

const FAULT_TEXT_KINDS = ['crash', 'restart', 'kill', 'stop', 'start', 'pause', 'resume', 'reload', 'link', 'partition', 'heal', 'loss', 'delay', 'drift', 'script', 'priority', 'server'];

interface Word {
  text: string;
  column: number;
}

function wordsOf(text: string): Word[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], column: m.index }));
}

/** A --fault text that cannot be used: the message and the column to point at. */
export interface FaultTextError {
  error: string;
  column: number;
}

export function isFaultTextError(e: Record<string, unknown> | FaultTextError): e is FaultTextError {
  return typeof e.error === 'string' && typeof e.column === 'number';
}

/** '10s crash lb1', '20s pause lb1 for 4s', '30s partition lb1 | lb2', '5s loss 30' → timeline entry data. */
export function parseFaultText(text: string): Record<string, unknown> | FaultTextError {
  let words = wordsOf(text);
  const out: Record<string, unknown> = {};
  // A `server … body TEXT` may say "for" inside TEXT: there only a trailing `for DUR` counts.
  const last = words.length - 2;
  const forAt =
    words[1]?.text !== 'server' ? words.findIndex((w) => w.text === 'for')
    : words[last]?.text === 'for' && typeof parseDurationMs(words[last + 1]!.text) === 'number' ? last
    : -1;
  if (forAt >= 0) {
    if (!words[forAt + 1]) return { error: '"for" needs a duration, e.g. "for 10s"', column: words[forAt]!.column };
    out.for = words[forAt + 1]!.text;
    words = words.slice(0, forAt);
  }
  const [at, kind, ...restWords] = words;
  const rest = restWords.map((w) => w.text);
  if (!at || !kind) return { error: 'write AT KIND ARGS, e.g. "10s crash lb1"', column: at?.column ?? 0 };
  const time = parseDurationMs(at.text);
  if (typeof time !== 'number') return { error: `bad time ${at.text}: ${time.error}`, column: at.column };
  out.at = at.text;
  if (isHostOnlyKind(kind.text) || kind.text === 'reload') {
    if (!rest[0]) return { error: `${kind.text} needs a host, e.g. "${at.text} ${kind.text} lb1"`, column: kind.column };
    out[kind.text] = rest[0];
    return out;
  }
  switch (kind.text) {
    case 'link':
      out.link = rest.join(' ');
      break;
    case 'partition':
      out.partition = rest.join(' ').split('|').map((g) => g.split(/[\s,]+/).filter(Boolean));
      break;
    case 'heal':
      out.heal = rest[0] ?? true;
      break;
    case 'loss':
    case 'delay':
      out[kind.text] = rest[1] ? { segment: rest[1], [kind.text]: rest[0] } : rest[0];
      break;
    case 'drift':
      out.drift = { host: rest[0], ppm: Number(rest[1]) };
      break;
    case 'script':
      out.script = { host: rest[0], [rest[1]?.includes('/') ? 'command' : 'name']: rest[1], exit: Number(rest[2] ?? 1) };
      break;
    case 'priority':
      out.priority = { host: rest[0], instance: rest[1], priority: Number(rest[2]) };
      break;
    case 'server':
      out.server = rest.join(' ');
      break;
    default: {
      const near = nearestKeyword(kind.text, FAULT_TEXT_KINDS)?.keyword;
      return { error: `unknown kind ${kind.text}${near ? ` (did you mean ${near}?)` : ''}; kinds: ${FAULT_TEXT_KINDS.join(' ')}`, column: kind.column };
    }
  }
  return out;
}

/** `--fault #N 'TEXT': message` and the text again with a caret under `column`. */
export function formatFaultError(index: number, text: string, message: string, column: number): string {
  return `--fault #${index + 1}: ${message}\n    ${text}\n    ${' '.repeat(Math.max(0, Math.min(column, text.length)))}^`;
}

/**
 * Where in a fault's text a loader message points: the word it quotes ("unknown host \"x\"",
 * "no NIC \"eth9\""), the duration after `for`, else the fault's kind.
 */
function columnFor(text: string, message: string, field: string): number {
  const words = wordsOf(text);
  const quoted = /"([^"]+)"/.exec(message)?.[1];
  if (quoted) {
    for (const w of words) {
      const at = w.text.indexOf(quoted);
      if (at >= 0 && (w.text === quoted || /[/,|:]/.test(w.text))) return w.column + at;
    }
  }
  const forAt = words.findIndex((w) => w.text === 'for');
  if (field === 'for' && forAt >= 0) return words[forAt + 1]?.column ?? words[forAt]!.column;
  if (field === 'at') return words[0]?.column ?? 0;
  return words[1]?.column ?? 0;
}

/**
 * Loader messages about the generated scenario, told in terms of the command line: a timeline
 * entry is the N-th --fault (with a caret), a host is its --config.
 */
export function commandLineErrors(errors: readonly string[], configs: readonly ConfigArg[], faults: readonly string[]): string[] {
  return errors.map((e) => {
    const m = /^\(command line\):\d+: (.*)$/s.exec(e);
    if (!m) return e;
    const rest = m[1]!;
    const t = /^timeline\.(\d+)(?:\.([A-Za-z]+))?[.\w]*: (.*)$/s.exec(rest);
    if (t && faults[Number(t[1])] !== undefined) {
      const text = faults[Number(t[1])]!;
      // The scenario's own caret lines (server faults) give way to the command line's.
      const message = t[3]!.replace(/\n[\s\S]*$/, '');
      return formatFaultError(Number(t[1]), text, message, columnFor(text, message, t[2] ?? ''));
    }
    const h = /^hosts\.([^.]+)[.\w]*: (.*)$/s.exec(rest);
    const host = h ? configs.find((c) => c.name === h[1]) : undefined;
    if (h && host) return `--config ${host.name}=${host.path}: ${h[2]}`;
    return `sim --config: ${rest}`;
  });
}

/** Names for the observers, one per segment, that no config host has taken. */
function observerName(i: number, taken: Set<string>): string {
  let name = i === 0 ? 'client' : `client${i + 1}`;
  while (taken.has(name)) name = `${name}_`;
  return name;
}

/**
 * Scenario YAML for the given configs and faults (config files are referenced, not copied), or
 * the first fault that cannot be used. A partition must place every host of its segment, the
 * observers too: the scenario format's "unlisted hosts form one more group" would put the client
 * on an island of its own without a word, which is rarely what an operator means.
 */
export function adhocScenarioYaml(hosts: AdhocHost[], faults: string[]): string | { error: string } {
  const segNames: string[] = [];
  const hostData: Record<string, unknown> = {};
  const onSegment = new Map<string, string[]>();
  const join = (seg: string, host: string) => onSegment.set(seg, [...(onSegment.get(seg) ?? []), host]);
  hosts.forEach((h, hi) => {
    const nics: Record<string, unknown> = {};
    interfacesOf(h.model).forEach((ifname, i) => {
      segNames[i] ??= ifname;
      const src = h.model.vrrpInstances.find((x) => x.interface === ifname && x.unicastSrcIp && !x.unicastSrcIp.includes(':'))?.unicastSrcIp;
      nics[ifname] = { segment: segNames[i], address: `${src ?? `${subnet(i)}.${11 + hi}`}/24` };
      join(segNames[i]!, h.name);
    });
    hostData[h.name] = { nics, configFile: h.path };
  });
  const taken = new Set(hosts.map((h) => h.name));
  segNames.forEach((seg, i) => {
    const name = observerName(i, taken);
    taken.add(name);
    hostData[name] = { nics: { eth0: { segment: seg, address: `${subnet(i)}.200/24` } } };
    join(seg, name);
  });
  const timeline: Array<Record<string, unknown>> = [];
  let lastMs = 0;
  for (const [i, f] of faults.entries()) {
    const e = parseFaultText(f);
    if (isFaultTextError(e)) return { error: formatFaultError(i, f, e.error, e.column) };
    const groups = e.partition as string[][] | undefined;
    if (groups && segNames.length === 1) {
      const listed = new Set(groups.flat());
      const left = (onSegment.get(segNames[0]!) ?? []).filter((h) => !listed.has(h));
      if (left.length > 0 && groups.flat().every((h) => taken.has(h))) {
        const side = groups.map((g) => g.join(' ')).join(' | ');
        const who = left.join(', ');
        return {
          error: formatFaultError(
            i,
            f,
            `${who} ${left.length === 1 ? 'is' : 'are'} on no side of the partition; say where: '… partition ${groups[0]!.join(' ')} ${left.join(' ')} | ${groups.slice(1).map((g) => g.join(' ')).join(' | ')}', or '… partition ${side} | ${left.join(' ')}' to cut ${left.length === 1 ? 'it' : 'them'} off from both`,
            wordsOf(f)[1]?.column ?? 0,
          ),
        };
      }
    }
    const atMs = parseDurationMs(e.at);
    const forMs = typeof e.for === 'string' ? parseDurationMs(e.for) : 0;
    lastMs = Math.max(lastMs, (typeof atMs === 'number' ? atMs : 0) + (typeof forMs === 'number' ? forMs : 0));
    timeline.push(e);
  }
  const durationS = Math.max(60, Math.ceil(lastMs / 1000) + 30);
  return stringify({ name: `${hosts.map((h) => h.name).join(' + ')} (from --config)`, duration: `${durationS}s`, hosts: hostData, timeline });
}
