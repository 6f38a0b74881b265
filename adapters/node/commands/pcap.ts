/**
 * keepalived-ts pcap FILE [-f keepalived.conf] [--instance NAME] [--all]
 *                         [--vrid N --version 2|3 --auth-type PASS|AH --auth-pass P --interval S --vip ADDR…]
 *
 * Reads a capture (classic pcap or pcapng, Ethernet) and prints one line per VRRP packet: time,
 * source, version, VRID, priority, interval, addresses, auth, and the verdict a receiver would
 * reach with the given configuration: what the kernel discards first (bad IPv4 header checksum,
 * fragments), then our receiver's (and keepalived 2.2.7's) checks. Gratuitous ARP / unsolicited
 * NA frames for a VIP get a line too: which MAC claims the VIP, and whether that MAC is one of the
 * VIP's VRRP routers (pcap-claims.ts). Ends with a summary per VRID and sender (VRID collisions)
 * and per VIP (who claimed it, and whether hosts point at the master heard last).
 *
 * Exit codes, as diff(1): 0 nothing wrong, 1 a problem found (a VRRP packet dropped or
 * undecodable, a VIP claimed by the wrong MAC, a stale claim), 2 trouble (usage, unreadable
 * capture or configuration).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { formatIp, formatMac, parseMac, vrrpVirtualMac } from '../../../protocol/addr.js';
import { parseFrame, type ParsedFrame } from '../../../protocol/frame.js';
import { readCapture, LINKTYPE_ETHERNET, type CaptureRecord } from '../../../protocol/pcap.js';
import {
  authDataFromPassword,
  validateAdvert,
  type VrrpAdvert,
  type VrrpExpectations,
} from '../../../protocol/vrrp/index.js';
import { expectationsFromInstance } from '../../../actors/vrrp/expectations.js';
import { VipClaims, type RouterOfVip } from './pcap-claims.js';

const USAGE = `usage: keepalived-ts pcap FILE [-f keepalived.conf] [--instance NAME] [--all]
       keepalived-ts pcap FILE --vrid N [--version 2|3] [--auth-type PASS|AH --auth-pass P] [--interval SECONDS] [--vip ADDR]... [--family 4|6]

Judges every VRRP advert of a capture (pcap or pcapng, e.g. tcpdump -i eth0 -w FILE) as a
receiver with that configuration would, and every gratuitous ARP / unsolicited NA: which MAC
claims which VIP. --all also lists other ARP and NA frames.
exit status: 0 nothing wrong, 1 a packet dropped or a VIP claimed by the wrong MAC, 2 trouble`;

interface Judge {
  name: string;
  /** use_vmac: the virtual MAC its claims may carry. */
  vmac?: string;
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
  return picked.map((i) => ({
    name: i.name,
    expect: expectationsFromInstance(i),
    skipCheckAdvAddr: i.skipCheckAdvAddr,
    ...(i.useVmac ? { vmac: formatMac(i.useVmac.mac ? (parseMac(i.useVmac.mac) ?? vrrpVirtualMac(i.family, i.vrid)) : vrrpVirtualMac(i.family, i.vrid)) } : {}),
  }));
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

/** The verdict text after "=>", and whether the packet is dropped; undefined without judges. */
function judge(a: VrrpAdvert, judges: Judge[]): { text: string; dropped: boolean; notOurs: boolean } | undefined {
  if (judges.length === 0) return undefined;
  const candidates = judges.filter((j) => j.expect.family === a.family && j.expect.vrids.includes(a.vrid));
  // Another router on the LAN: keepalived ignores it (log_unknown_vrids); not a drop of ours.
  if (candidates.length === 0) return { text: `not ours (no instance for IPv${a.family} VRID ${a.vrid})`, dropped: false, notOurs: true };
  const parts: string[] = [];
  let dropped = false;
  for (const j of candidates) {
    const sameMaster = j.skipCheckAdvAddr && j.lastMaster === a.src.text;
    const v = validateAdvert(a, { ...j.expect, checkAddresses: (j.expect.checkAddresses ?? true) && !sameMaster });
    if (v.ok) {
      j.lastMaster = a.src.text;
      if (v.value.ahSequence !== undefined) j.expect = { ...j.expect, ahSequence: v.value.ahSequence };
      const warn = v.value.warnings.map((w) => ` [warn ${w.code}: ${w.detail}]`).join('');
      parts.push(`${j.name}: ok${warn}`);
    } else {
      dropped = true;
      parts.push(`${j.name}: DROP ${v.reason} (${v.detail})`);
    }
  }
  return { text: parts.join('; '), dropped, notOurs: false };
}

function routersFromJudges(judges: Judge[]): Array<{ vip: string; router: RouterOfVip }> {
  const out: Array<{ vip: string; router: RouterOfVip }> = [];
  for (const j of judges) {
    for (const vip of j.expect.vips ?? []) {
      for (const vrid of j.expect.vrids) out.push({ vip, router: { family: j.expect.family, vrid, name: j.name.startsWith('vrid ') ? '' : j.name, ...(j.vmac ? { vmac: j.vmac } : {}) } });
    }
  }
  return out;
}

const usOf = (r: CaptureRecord) => r.tsSec * 1_000_000 + r.tsUsec;

function formatClaimTime(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(11, 19) + `.${String(us % 1_000_000).padStart(6, '0')}`;
}

interface Problems {
  drops: number;
  kernel: number;
  undecodable: number;
  claims: number;
  stale: number;
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
      return 2;
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
    return 2;
  }
  const file = readCapture(bytes);
  if (!file.ok) {
    err(`keepalived-ts pcap: ${o.file}: ${file.detail} (capture with tcpdump -w FILE or dumpcap)`);
    return 2;
  }
  const all = file.value.records;
  const records = all.filter((r) => r.linkType === LINKTYPE_ETHERNET);
  const otherLinks = [...new Set(all.filter((r) => r.linkType !== LINKTYPE_ETHERNET).map((r) => r.linkType))];
  if (records.length === 0 && all.length > 0) {
    err(`keepalived-ts pcap: ${o.file}: link type ${otherLinks.join(', ')} is not Ethernet (capture with tcpdump -i IFACE, not -i any)`);
    return 2;
  }
  const frames = records.map((r) => ({ r, p: parseFrame(r.data), index: all.indexOf(r) }));

  // Pass 1: who sends which VRID's adverts from which MAC (claims are judged against all of them).
  const claims = new VipClaims(routersFromJudges(judges));
  for (const { r, p } of frames) {
    if (p.kind !== 'vrrp' || p.kernelDrop || !p.advert.ok) continue;
    const a = p.advert.value;
    claims.noteAdvert(usOf(r), a.family as 4 | 6, a.vrid, a.src.text, formatMac(p.eth.src), a.priority, a.addresses.map((ip) => ip.text));
  }

  const senders = new Map<string, { count: number; priorities: Set<number>; versions: Set<number> }>();
  const verdicts = new Map<string, number>();
  const count = (k: string) => verdicts.set(k, (verdicts.get(k) ?? 0) + 1);
  const problems: Problems = { drops: 0, kernel: 0, undecodable: 0, claims: 0, stale: 0 };
  let vrrpCount = 0;
  for (const { r, p, index } of frames) {
    const head = `${timeText(r.tsSec, r.tsUsec)} #${index + 1}`;
    if (p.kind === 'vrrp') {
      vrrpCount++;
      vrrpLine(head, p, judges, senders, count, problems, out);
    } else if (p.kind === 'arp') {
      const vip = formatIp(p.arp.senderIp);
      const mac = formatMac(p.arp.senderMac);
      // Announcements (sender address = target address) are what moves a VIP: always shown.
      const announces = vip === formatIp(p.arp.targetIp);
      const v = announces || claims.isVip(vip) ? claims.judge(usOf(r), vip, mac) : undefined;
      if (!v && !announces && !o.all) continue;
      const what = p.arp.op === 1 ? (announces ? 'GARP' : 'ARP request') : announces ? 'GARP reply' : 'ARP reply';
      const ethNote = formatMac(p.eth.src) !== mac ? ` [Ethernet source ${formatMac(p.eth.src)}]` : '';
      out(`${head} ${what} ${vip} is-at ${mac} (target ${formatIp(p.arp.targetIp)})${ethNote}${v ? ` => ${v.text}` : ''}`);
      if (v) {
        count(v.ok ? 'claim ok' : 'claim WRONG-MAC');
        if (!v.ok) problems.claims++;
      }
    } else if (p.kind === 'neighbor-advert') {
      naLine(head, r, p, claims, o.all, count, problems, out);
    }
  }
  out(`-- ${all.length} frames${file.value.format === 'pcapng' ? ' (pcapng)' : ''}, ${vrrpCount} VRRP${otherLinks.length ? `, ${all.length - records.length} on non-Ethernet interfaces skipped (link type ${otherLinks.join(', ')})` : ''}${file.value.truncated ? `, file truncated (${file.value.truncated})` : ''}`);
  const byVrid = new Map<string, string[]>();
  for (const [key, s] of senders) {
    const [fam, , vrid, , src] = key.split(' ');
    const k = `${fam} VRID ${vrid}`;
    byVrid.set(k, [...(byVrid.get(k) ?? []), `${src} (${s.count} adverts, prio ${[...s.priorities].join('/')}, v${[...s.versions].join('/')})`]);
  }
  for (const [k, list] of byVrid) out(`-- ${k}: ${list.length > 1 ? `${list.length} senders` : '1 sender'}: ${list.join(', ')}`);
  const vipSummary = claims.summary(formatClaimTime);
  for (const l of vipSummary.lines) out(l);
  problems.stale = vipSummary.stale;
  if (verdicts.size > 0) out(`-- verdicts: ${[...verdicts].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  const found = [
    problems.drops && `${problems.drops} VRRP packet${problems.drops === 1 ? '' : 's'} dropped by the receiver`,
    problems.kernel && `${problems.kernel} discarded by the kernel`,
    problems.undecodable && `${problems.undecodable} undecodable`,
    problems.claims && `${problems.claims} VIP claim${problems.claims === 1 ? '' : 's'} from a MAC that is not a router of the VIP`,
    problems.stale && `${problems.stale} VIP${problems.stale === 1 ? '' : 's'} pointing at a MAC that is not the master`,
  ].filter(Boolean);
  if (found.length > 0) {
    out(`-- problems: ${found.join('; ')}`);
    return 1;
  }
  return 0;
}

function vrrpLine(
  head: string,
  p: Extract<ParsedFrame, { kind: 'vrrp' }>,
  judges: Judge[],
  senders: Map<string, { count: number; priorities: Set<number>; versions: Set<number> }>,
  count: (k: string) => void,
  problems: Problems,
  out: (s: string) => void,
): void {
  if (p.kernelDrop) {
    // Discarded before any socket: no receiver check applies, whatever the configuration.
    const fields = p.advert.ok ? describeAdvert(p.advert.value) : `VRRP (${p.advert.reason})`;
    out(`${head} ${fields} => DROP kernel ${p.kernelDrop.reason} (${p.kernelDrop.detail}; the kernel discards it before any VRRP socket sees it)`);
    count(`DROP kernel ${p.kernelDrop.reason}`);
    problems.kernel++;
    return;
  }
  if (!p.advert.ok) {
    out(`${head} VRRP undecodable: ${p.advert.reason} (${p.advert.detail})`);
    count(p.advert.reason);
    problems.undecodable++;
    return;
  }
  const a = p.advert.value;
  const verdict = judge(a, judges);
  out(`${head} ${describeAdvert(a)}${verdict ? ` => ${verdict.text}` : ''}`);
  const key = `IPv${a.family} VRID ${a.vrid} from ${a.src}`;
  const s = senders.get(key) ?? { count: 0, priorities: new Set(), versions: new Set() };
  s.count++;
  s.priorities.add(a.priority);
  s.versions.add(a.version);
  senders.set(key, s);
  if (!verdict) return;
  if (verdict.notOurs) count('not ours');
  else for (const m of verdict.text.matchAll(/: (ok|DROP [a-z-]+)/g)) count(m[1]!);
  if (verdict.dropped) problems.drops++;
}

function naLine(
  head: string,
  r: CaptureRecord,
  p: Extract<ParsedFrame, { kind: 'neighbor-advert' }>,
  claims: VipClaims,
  all: boolean,
  count: (k: string) => void,
  problems: Problems,
  out: (s: string) => void,
): void {
  const na = p.na;
  const vip = formatIp(na.target);
  const mac = na.targetMac ? formatMac(na.targetMac) : undefined;
  // RFC 4861 §7.1.2: hosts discard an NA with a wrong checksum or a hop limit other than 255.
  const ignored = !na.checksumOk ? 'its ICMPv6 checksum is wrong' : na.hopLimit !== 255 ? `hop limit ${na.hopLimit}, not 255` : !mac ? 'it has no target link-layer address' : undefined;
  // Unsolicited NAs announce; solicited ones answer a question (shown for VIPs and with --all).
  const announces = !na.solicited;
  const v = ignored ? (claims.isVip(vip) ? { ok: false, text: `IGNORED by hosts (${ignored})` } : undefined) : announces || claims.isVip(vip) ? claims.judge(usOf(r), vip, mac!) : undefined;
  if (!v && !announces && !all) return;
  const f = `${na.router ? 'R' : ''}${na.solicited ? 'S' : ''}${na.override ? 'O' : ''}`;
  out(`${head} NA ${vip} is-at ${mac ?? '?'} flags [${f}] ${formatIp(na.src)} > ${formatIp(na.dst)} hlim ${na.hopLimit}${v ? ` => ${v.text}` : ''}`);
  if (!v) return;
  count(v.ok ? 'claim ok' : ignored ? 'claim IGNORED' : 'claim WRONG-MAC');
  if (!v.ok) problems.claims++;
}
