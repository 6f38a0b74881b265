/**
 * keepalived-ts pcap FILE [-f keepalived.conf] [--instance NAME] [--all]
 *                         [--vrid N --version 2|3 --auth-type PASS|AH --auth-pass P --interval S --vip ADDR…]
 *
 * Decodes every VRRP packet of a classic pcap capture (tcpdump -w) and prints one line each:
 * time, source, version, VRID, priority, interval, addresses, auth, and the verdict our receiver
 * would give with the given configuration (the reason it would drop the packet, if any). Ends with
 * a summary per VRID and sender, which exposes VRID collisions. `--all` also lists GARP/NA frames.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { formatIp, formatMac } from '../../../protocol/addr.js';
import { parseFrame } from '../../../protocol/frame.js';
import { readPcap, LINKTYPE_ETHERNET } from '../../../protocol/pcap.js';
import {
  authDataFromPassword,
  expectationsFromInstance,
  validateAdvert,
  type VrrpAdvert,
  type VrrpExpectations,
} from '../../../protocol/vrrp/index.js';

const USAGE = `usage: keepalived-ts pcap FILE [-f keepalived.conf] [--instance NAME] [--all]
       keepalived-ts pcap FILE --vrid N [--version 2|3] [--auth-type PASS|AH --auth-pass P] [--interval SECONDS] [--vip ADDR]... [--family 4|6]`;

interface Judge {
  name: string;
  expect: VrrpExpectations;
  /** Last accepted master (for skip_check_adv_addr) and AH counter. */
  lastMaster?: string;
  skipCheckAdvAddr: boolean;
}

interface Options {
  file?: string;
  conf?: string;
  instance?: string;
  all: boolean;
  flags: Map<string, string[]>;
}

function parseArgs(argv: string[]): Options | string {
  const o: Options = { all: false, flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '-f' || a === '--use-file') o.conf = value();
      else if (a.startsWith('--use-file=')) o.conf = a.slice(11);
      else if (a === '--instance' || a === '-i') o.instance = value();
      else if (a === '--all') o.all = true;
      else if (a === '-h' || a === '--help') return USAGE;
      else if (['--vrid', '--version', '--auth-type', '--auth-pass', '--interval', '--vip', '--family'].includes(a)) {
        o.flags.set(a, [...(o.flags.get(a) ?? []), value()]);
      } else if (a.startsWith('-')) return `unknown option ${a}\n${USAGE}`;
      else if (!o.file) o.file = a;
      else return `unexpected argument ${a}\n${USAGE}`;
    } catch (e) {
      return `${(e as Error).message}\n${USAGE}`;
    }
  }
  return o.file ? o : USAGE;
}

function judgesFromFlags(flags: Map<string, string[]>): Judge[] | string {
  const one = (k: string) => flags.get(k)?.at(-1);
  const vrid = Number(one('--vrid'));
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) return '--vrid must be 1..255';
  const vips = flags.get('--vip') ?? [];
  const familyFlag = one('--family') ?? (vips[0] ? (vips[0].includes(':') ? '6' : '4') : undefined);
  if (familyFlag !== undefined && familyFlag !== '4' && familyFlag !== '6') return '--family must be 4 or 6';
  const versionFlag = one('--version');
  if (versionFlag !== undefined && versionFlag !== '2' && versionFlag !== '3') return '--version must be 2 or 3';
  const authType = (one('--auth-type') ?? (one('--auth-pass') ? 'PASS' : 'NONE')).toUpperCase();
  if (!['NONE', 'PASS', 'AH'].includes(authType)) return '--auth-type must be PASS or AH';
  const intervalSec = Number(one('--interval') ?? 1);
  if (!(intervalSec > 0)) return '--interval must be a positive number of seconds';
  const authKind = authType === 'AH' ? 'ah' : authType === 'PASS' ? 'pass' : 'none';
  // Without --family/--vip, judge both families (IPv6 instances are always VRRPv3).
  const families: Array<4 | 6> = familyFlag ? [familyFlag === '6' ? 6 : 4] : [4, 6];
  return families.map((family) => ({
    name: `vrid ${vrid}`,
    skipCheckAdvAddr: false,
    expect: {
      family,
      version: family === 6 ? 3 : versionFlag === '3' ? 3 : 2,
      vrids: [vrid],
      authKind,
      authKey: authKind === 'none' ? undefined : authDataFromPassword(one('--auth-pass') ?? ''),
      advertIntervalCs: Math.round(intervalSec * 100),
      vips,
      // Without --vip the address list is not judged.
      checkAddresses: vips.length > 0,
    },
  }));
}

async function judgesFromConfig(conf: string, instance: string | undefined, err: (s: string) => void): Promise<Judge[] | string> {
  const { compileConfig } = await import('../../../config/index.js');
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const listDir = (d: string) => {
    try {
      return readdirSync(d);
    } catch {
      return undefined;
    }
  };
  const { model, diagnostics } = compileConfig(conf, read, { listDir });
  for (const d of diagnostics.filter((x) => x.severity === 'error')) err(`${d.file}:${d.line}:${d.column}: ${d.message}`);
  const picked = model.vrrpInstances.filter((i) => !instance || i.name === instance);
  if (picked.length === 0) {
    return instance ? `no vrrp_instance named ${instance} in ${conf}` : `no vrrp_instance in ${conf}`;
  }
  return picked.map((i) => ({ name: i.name, expect: expectationsFromInstance(i), skipCheckAdvAddr: i.skipCheckAdvAddr }));
}

function timeText(sec: number, usec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(usec).padStart(6, '0')}Z`);
}

function describeAdvert(a: VrrpAdvert): string {
  const interval = a.version === 2 ? `${a.intervalField}s` : `${a.intervalField}cs`;
  const auth = a.ah
    ? `AH(spi 0x${a.ah.spi.toString(16)} seq ${a.ah.sequence})`
    : a.version === 2
      ? a.authType === 0
        ? 'none'
        : a.authType === 1
          ? `PASS(${JSON.stringify(new TextDecoder().decode(a.authData).replace(/\0+$/, ''))})`
          : `type ${a.authType}`
      : '-';
  const type = a.type === 1 ? '' : ` type ${a.type}`;
  return `${a.src} > ${a.dst} VRRPv${a.version}${type} vrid ${a.vrid} prio ${a.priority} int ${interval} addrs [${a.addresses.join(' ')}] auth ${auth} ttl ${a.ttl}`;
}

function judge(a: VrrpAdvert, judges: Judge[]): string {
  const candidates = judges.filter((j) => j.expect.family === a.family && j.expect.vrids.includes(a.vrid));
  if (judges.length === 0) return '';
  if (candidates.length === 0) return ` => DROP vrid-unknown (no instance for IPv${a.family} VRID ${a.vrid})`;
  const parts: string[] = [];
  for (const j of candidates) {
    const sameMaster = j.skipCheckAdvAddr && j.lastMaster === a.src;
    const v = validateAdvert(a, { ...j.expect, checkAddresses: (j.expect.checkAddresses ?? true) && !sameMaster });
    if (v.ok) {
      j.lastMaster = a.src;
      if (v.value.ahSequence !== undefined) j.expect = { ...j.expect, ahSequence: v.value.ahSequence };
      const warn = v.value.warnings.map((w) => ` [warn ${w.code}: ${w.detail}]`).join('');
      parts.push(`${j.name}: ok${warn}`);
    } else {
      parts.push(`${j.name}: DROP ${v.reason} (${v.detail})`);
    }
  }
  return ` => ${parts.join('; ')}`;
}

export async function run(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  const o = parseArgs(argv);
  if (typeof o === 'string') {
    (o === USAGE ? out : err)(o);
    return o === USAGE && argv.some((a) => a === '-h' || a === '--help') ? 0 : 2;
  }
  let judges: Judge[] = [];
  if (o.conf) {
    const j = await judgesFromConfig(o.conf, o.instance, err);
    if (typeof j === 'string') {
      err(`keepalived-ts pcap: ${j}`);
      return 1;
    }
    judges = j;
  } else if (o.flags.has('--vrid')) {
    const j = judgesFromFlags(o.flags);
    if (typeof j === 'string') {
      err(`keepalived-ts pcap: ${j}`);
      return 2;
    }
    judges = j;
  } else if (o.flags.size > 0) {
    err('keepalived-ts pcap: --vrid is required with --version/--auth-*/--interval/--vip');
    return 2;
  }

  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(o.file!));
  } catch (e) {
    err(`keepalived-ts pcap: cannot read ${o.file}: ${(e as Error).message}`);
    return 1;
  }
  const file = readPcap(bytes);
  if (!file.ok) {
    err(`keepalived-ts pcap: ${o.file}: ${file.detail}`);
    return 1;
  }
  if (file.value.linkType !== LINKTYPE_ETHERNET) {
    err(`keepalived-ts pcap: ${o.file}: link type ${file.value.linkType} is not Ethernet (capture with tcpdump -i IFACE, not -i any)`);
    return 1;
  }
  const senders = new Map<string, { count: number; priorities: Set<number>; versions: Set<number> }>();
  const verdicts = new Map<string, number>();
  let vrrpCount = 0;
  file.value.records.forEach((r, i) => {
    const p = parseFrame(r.data);
    const head = `${timeText(r.tsSec, r.tsUsec)} #${i + 1}`;
    if (p.kind === 'vrrp') {
      vrrpCount++;
      if (!p.advert.ok) {
        out(`${head} VRRP undecodable: ${p.advert.reason} (${p.advert.detail})`);
        verdicts.set(p.advert.reason, (verdicts.get(p.advert.reason) ?? 0) + 1);
        return;
      }
      const a = p.advert.value;
      const verdict = judge(a, judges);
      out(`${head} ${describeAdvert(a)}${verdict}`);
      const key = `IPv${a.family} VRID ${a.vrid} from ${a.src}`;
      const s = senders.get(key) ?? { count: 0, priorities: new Set(), versions: new Set() };
      s.count++;
      s.priorities.add(a.priority);
      s.versions.add(a.version);
      senders.set(key, s);
      for (const m of verdict.matchAll(/(ok|DROP [a-z-]+)/g)) verdicts.set(m[1]!, (verdicts.get(m[1]!) ?? 0) + 1);
    } else if (o.all && p.kind === 'arp') {
      out(`${head} ARP ${p.arp.op === 1 ? 'request' : 'reply'} ${formatIp(p.arp.senderIp)} is-at ${formatMac(p.arp.senderMac)} (target ${formatIp(p.arp.targetIp)})`);
    } else if (o.all && p.kind === 'neighbor-advert') {
      const f = `${p.na.router ? 'R' : ''}${p.na.solicited ? 'S' : ''}${p.na.override ? 'O' : ''}`;
      out(`${head} NA ${formatIp(p.na.target)} is-at ${p.na.targetMac ? formatMac(p.na.targetMac) : '?'} flags [${f}] ${formatIp(p.na.src)} > ${formatIp(p.na.dst)} hlim ${p.na.hopLimit}`);
    }
  });
  out(`-- ${file.value.records.length} frames, ${vrrpCount} VRRP${file.value.truncated ? `, file truncated (${file.value.truncated})` : ''}`);
  const byVrid = new Map<string, string[]>();
  for (const [key, s] of senders) {
    const [fam, , vrid, , src] = key.split(' ');
    const k = `${fam} VRID ${vrid}`;
    byVrid.set(k, [...(byVrid.get(k) ?? []), `${src} (${s.count} adverts, prio ${[...s.priorities].join('/')}, v${[...s.versions].join('/')})`]);
  }
  for (const [k, list] of byVrid) out(`-- ${k}: ${list.length > 1 ? `${list.length} senders` : '1 sender'}: ${list.join(', ')}`);
  if (verdicts.size > 0) out(`-- verdicts: ${[...verdicts].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  return 0;
}
