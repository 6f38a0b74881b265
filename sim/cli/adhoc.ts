/**
 * `sim --config a.conf --config b.conf --fault …`: rehearse production configs without writing
 * YAML. Each config becomes a host named after its file; the N-th interface a config uses joins
 * the N-th segment (so eth0 on one box and ens33 on the other still share a LAN); every segment
 * gets a client that watches GARPs. Hosts get documentation addresses (198.51.100.0/24 on the
 * first segment, 203.0.113.0/24 on the second) unless the config names a unicast_src_ip.
 */
import { stringify } from 'yaml';
import type { KeepalivedConfig } from '../../config/model.js';
import { isHostOnlyKind } from '../faults.js';
import { parseDurationMs } from '../time.js';

export interface AdhocHost {
  /** Path of the config file (as given on the command line). */
  path: string;
  model: KeepalivedConfig;
}

const SUBNETS = ['198.51.100', '203.0.113'];

function subnet(i: number): string {
  return SUBNETS[i] ?? `198.18.${i}`;
}

export function hostNameOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.conf$/, '');
  return base.replace(/[^A-Za-z0-9_.-]/g, '_') || 'host';
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

/** '10s crash lb1', '20s pause lb1 for 4s', '30s partition lb1 | lb2', '5s loss 30' → timeline entry data. */
export function parseFaultText(text: string): Record<string, unknown> | { error: string } {
  let words = text.trim().split(/\s+/);
  const out: Record<string, unknown> = {};
  const forAt = words.indexOf('for');
  if (forAt >= 0) {
    out.for = words[forAt + 1];
    words = words.slice(0, forAt);
  }
  const [at, kind, ...rest] = words;
  if (!at || !kind) return { error: `fault "${text}": write AT KIND ARGS, e.g. "10s crash lb1"` };
  if (typeof parseDurationMs(at) !== 'number') return { error: `fault "${text}": bad time ${at}` };
  out.at = at;
  if (isHostOnlyKind(kind) || kind === 'reload') {
    out[kind] = rest[0];
    return out;
  }
  switch (kind) {
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
      out[kind] = rest[1] ? { segment: rest[1], [kind]: rest[0] } : rest[0];
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
    default:
      return { error: `fault "${text}": unknown kind ${kind}` };
  }
  return out;
}

/** Scenario YAML for the given configs and faults (config files are referenced, not copied). */
export function adhocScenarioYaml(hosts: AdhocHost[], faults: string[]): string | { error: string } {
  const segNames: string[] = [];
  const hostData: Record<string, unknown> = {};
  hosts.forEach((h, hi) => {
    const nics: Record<string, unknown> = {};
    interfacesOf(h.model).forEach((ifname, i) => {
      segNames[i] ??= ifname;
      const src = h.model.vrrpInstances.find((x) => x.interface === ifname && x.unicastSrcIp && !x.unicastSrcIp.includes(':'))?.unicastSrcIp;
      nics[ifname] = { segment: segNames[i], address: `${src ?? `${subnet(i)}.${11 + hi}`}/24` };
    });
    hostData[hostNameOf(h.path)] = { nics, configFile: h.path };
  });
  segNames.forEach((seg, i) => {
    hostData[i === 0 ? 'client' : `client${i + 1}`] = { nics: { eth0: { segment: seg, address: `${subnet(i)}.200/24` } } };
  });
  const timeline: Array<Record<string, unknown>> = [];
  let lastMs = 0;
  for (const f of faults) {
    const e = parseFaultText(f);
    if ('error' in e) return { error: String(e.error) };
    const end = (parseDurationMs(e.at) as number) + (typeof e.for === 'string' ? (parseDurationMs(e.for) as number) || 0 : 0);
    lastMs = Math.max(lastMs, end);
    timeline.push(e);
  }
  const durationS = Math.max(60, Math.ceil(lastMs / 1000) + 30);
  const names = hosts.map((h) => hostNameOf(h.path));
  return stringify({ name: `${names.join(' + ')} (from --config)`, duration: `${durationS}s`, hosts: hostData, timeline });
}
