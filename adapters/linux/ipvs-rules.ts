/**
 * keepalived's rules for turning the load-balancer table port's services and destinations into
 * IPVS attributes (ipvswrapper.c ipvs_set_srule/ipvs_set_drule/ipvs_cmd in 2.2.7), the keys the
 * IPVS backend compares tables by, and the words of keepalived's IPVS error line.
 *
 *  - Service commands (NEW/SET/DEL_SERVICE) carry persistence: flags | PERSISTENT, TIMEOUT =
 *    persistence_timeout, NETMASK = persistence_granularity, PE_NAME. Destination commands embed
 *    the same service without them (flags without PERSISTENT, timeout 0, default netmask).
 *  - A DR or TUN destination gets the virtual server's port (0 for a fwmark service); NAT keeps
 *    the real server's port.
 *  - Tunnel attributes only for TUN: TUN_TYPE always, TUN_PORT for GUE, TUN_FLAGS unless IPIP.
 */
import {
  AF_INET,
  AF_INET6,
  FwdMethod,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IpvsCmd,
  NETMASK_DEFAULT_V4,
  NETMASK_DEFAULT_V6,
  SvcFlag,
  TunFlag,
  TunType,
  canonicalIp,
  errnoName,
  type IpvsDest,
  type IpvsService,
} from 'ipvs-netlink';
import type { LbDestination, LbMethod, LbService } from '../../actors/lvs/lb-port.js';

/** Schedulers the Linux kernel ships (net/netfilter/ipvs/ip_vs_*.c). */
export const IPVS_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'];

const FLAG_BITS: Record<string, number> = {
  'sh-fallback': SvcFlag.SCHED1,
  'mh-fallback': SvcFlag.SCHED1,
  'sh-port': SvcFlag.SCHED2,
  'mh-port': SvcFlag.SCHED2,
  ops: SvcFlag.ONEPACKET,
};

const PROTOCOLS = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, sctp: IPPROTO_SCTP } as const;
const METHODS: Record<LbMethod, number> = { NAT: FwdMethod.MASQ, DR: FwdMethod.DROUTE, TUN: FwdMethod.TUNNEL };
const TUN_TYPES = { ipip: TunType.IPIP, gue: TunType.GUE, gre: TunType.GRE } as const;
const TUN_FLAGS = { nocsum: TunFlag.NOCSUM, csum: TunFlag.CSUM, remcsum: TunFlag.REMCSUM } as const;

const afOf = (family: 4 | 6) => (family === 6 ? AF_INET6 : AF_INET);

/** Why IPVS cannot carry this service, or undefined. */
export function ipvsRefusal(s: LbService): string | undefined {
  if (!IPVS_SCHEDULERS.includes(s.scheduler)) return `unknown IPVS scheduler '${s.scheduler}' (known: ${IPVS_SCHEDULERS.join(', ')})`;
  const bad = s.flags.filter((f) => !(f in FLAG_BITS));
  if (bad.length) return `unknown IPVS scheduler flag ${bad.map((f) => `'${f}'`).join(', ')}`;
  if (s.pe !== undefined && s.pe !== 'sip') return `unknown IPVS persistence engine '${s.pe}' (known: sip)`;
  return undefined;
}

/** The service nest keepalived sends: for a service command, or (forDest) inside a destination command. */
export function ipvsService(s: LbService, forDest: boolean): IpvsService {
  const af = afOf(s.family);
  const out: IpvsService = { af };
  if (s.fwmark !== undefined) out.fwmark = s.fwmark;
  else {
    out.protocol = PROTOCOLS[s.protocol ?? 'tcp'];
    out.address = s.address ?? (af === AF_INET6 ? '::' : '0.0.0.0');
    out.port = s.port ?? 0;
  }
  out.scheduler = s.scheduler;
  let flags = 0;
  for (const f of s.flags) flags |= FLAG_BITS[f] ?? 0;
  const netmaskDefault = af === AF_INET6 ? NETMASK_DEFAULT_V6 : NETMASK_DEFAULT_V4;
  let timeout = 0;
  let netmask: string | number = netmaskDefault;
  if (s.persistenceTimeoutS > 0 && !forDest) {
    flags |= SvcFlag.PERSISTENT;
    timeout = s.persistenceTimeoutS;
    if (s.netmask !== undefined) netmask = af === AF_INET6 ? Number(s.netmask) : String(s.netmask);
    if (s.pe) out.pe = s.pe;
  }
  out.flags = flags;
  out.timeout = timeout;
  out.netmask = netmask;
  return out;
}

/** The destination nest keepalived sends for a real server of `s`. */
export function ipvsDest(s: LbService, d: LbDestination): IpvsDest {
  const port = d.method === 'NAT' ? d.port : s.fwmark !== undefined ? 0 : (s.port ?? 0);
  const out: IpvsDest = { addressFamily: afOf(d.family), address: d.address, port, fwdMethod: METHODS[d.method], weight: Math.max(0, Math.trunc(d.weight)) };
  if (d.method === 'TUN') {
    const type = d.tunnel?.type ?? 'ipip';
    out.tunType = TUN_TYPES[type];
    if (type === 'gue') out.tunPort = d.tunnel?.port ?? 0;
    if (type !== 'ipip') out.tunFlags = TUN_FLAGS[d.tunnel?.checksum ?? 'nocsum'];
  }
  out.uThreshold = d.upperThreshold;
  out.lThreshold = d.lowerThreshold;
  return out;
}

/** A service's identity: family and fwmark, or family, protocol, address and port. */
export function serviceKey(s: IpvsService): string {
  return s.fwmark !== undefined && s.fwmark !== 0 ? `${s.af}/fwmark/${s.fwmark}` : `${s.af}/${s.protocol}/${canonicalIp(s.address ?? '')}/${s.port}`;
}

export function destKey(d: IpvsDest): string {
  return `${canonicalIp(d.address)}/${d.port}`;
}

const netmaskText = (n: string | number | undefined) => (n === undefined ? '' : String(n));

/** Whether the kernel's service (from a dump) already is the one wanted (HASHED is the kernel's own flag). */
export function sameService(kernel: IpvsService, wanted: IpvsService): boolean {
  const persistent = ((wanted.flags ?? 0) & SvcFlag.PERSISTENT) !== 0;
  return (
    kernel.scheduler === wanted.scheduler &&
    ((kernel.flags ?? 0) & ~SvcFlag.HASHED) === (wanted.flags ?? 0) &&
    (kernel.pe ?? '') === (wanted.pe ?? '') &&
    (!persistent || (kernel.timeout === wanted.timeout && netmaskText(kernel.netmask) === netmaskText(wanted.netmask)))
  );
}

export function sameDest(kernel: IpvsDest, wanted: IpvsDest): boolean {
  if (kernel.fwdMethod !== wanted.fwdMethod || kernel.weight !== wanted.weight) return false;
  if ((kernel.uThreshold ?? 0) !== (wanted.uThreshold ?? 0) || (kernel.lThreshold ?? 0) !== (wanted.lThreshold ?? 0)) return false;
  if (wanted.fwdMethod !== FwdMethod.TUNNEL) return true;
  if ((kernel.tunType ?? 0) !== (wanted.tunType ?? 0)) return false;
  if (wanted.tunType === TunType.GUE && (kernel.tunPort ?? 0) !== (wanted.tunPort ?? 0)) return false;
  return wanted.tunType === TunType.IPIP || (kernel.tunFlags ?? 0) === (wanted.tunFlags ?? 0);
}

/** A destination read from the kernel, as the destination nest of a request (for DEL_DEST of a stray). */
export function requestDest(k: IpvsDest): IpvsDest {
  const d: IpvsDest = { addressFamily: k.addressFamily, address: k.address, port: k.port, fwdMethod: k.fwdMethod ?? 0, weight: k.weight ?? 0 };
  if (k.fwdMethod === FwdMethod.TUNNEL) {
    d.tunType = k.tunType ?? 0;
    if (d.tunType === TunType.GUE) d.tunPort = k.tunPort ?? 0;
    if (d.tunType !== TunType.IPIP) d.tunFlags = k.tunFlags ?? 0;
  }
  d.uThreshold = k.uThreshold ?? 0;
  d.lThreshold = k.lThreshold ?? 0;
  return d;
}

/** The port's view of a kernel service and destination (for `view()` of services we did not add). */
export function lbServiceOf(k: IpvsService): LbService {
  const family = k.af === AF_INET6 ? 6 : 4;
  const s: LbService = { family, scheduler: k.scheduler ?? '', flags: [], persistenceTimeoutS: (k.flags ?? 0) & SvcFlag.PERSISTENT ? (k.timeout ?? 0) : 0 };
  if (k.fwmark) s.fwmark = k.fwmark;
  else {
    s.protocol = k.protocol === IPPROTO_UDP ? 'udp' : k.protocol === IPPROTO_SCTP ? 'sctp' : 'tcp';
    s.address = k.address;
    s.port = k.port;
  }
  const flags = k.flags ?? 0;
  if (flags & SvcFlag.ONEPACKET) s.flags.push('ops');
  const prefix = k.scheduler === 'mh' ? 'mh' : 'sh';
  if (flags & SvcFlag.SCHED1) s.flags.push(`${prefix}-fallback`);
  if (flags & SvcFlag.SCHED2) s.flags.push(`${prefix}-port`);
  if (s.persistenceTimeoutS && k.netmask !== undefined) s.netmask = k.netmask;
  if (k.pe) s.pe = k.pe;
  return s;
}

export function lbDestOf(k: IpvsDest): LbDestination {
  const method: LbMethod = k.fwdMethod === FwdMethod.DROUTE ? 'DR' : k.fwdMethod === FwdMethod.TUNNEL ? 'TUN' : 'NAT';
  const d: LbDestination = {
    family: k.addressFamily === AF_INET6 ? 6 : 4,
    address: k.address,
    port: k.port,
    method,
    weight: k.weight ?? 0,
    upperThreshold: k.uThreshold ?? 0,
    lowerThreshold: k.lThreshold ?? 0,
  };
  if (method === 'TUN') {
    const type = k.tunType === TunType.GUE ? 'gue' : k.tunType === TunType.GRE ? 'gre' : 'ipip';
    d.tunnel = { type };
    if (type === 'gue') d.tunnel.port = k.tunPort ?? 0;
    if (type !== 'ipip') d.tunnel.checksum = k.tunFlags === TunFlag.CSUM ? 'csum' : k.tunFlags === TunFlag.REMCSUM ? 'remcsum' : 'nocsum';
  }
  return d;
}

// ---- keepalived's error line: "IPVS cmd IP_VS_SO_SET_ADDDEST(1159) error: Service not defined(3) (VS -> RS)"

const SOCKOPT: Record<number, [string, number]> = {
  [IpvsCmd.NEW_SERVICE]: ['IP_VS_SO_SET_ADD', 1153],
  [IpvsCmd.SET_SERVICE]: ['IP_VS_SO_SET_EDIT', 1154],
  [IpvsCmd.DEL_SERVICE]: ['IP_VS_SO_SET_DEL', 1155],
  [IpvsCmd.FLUSH]: ['IP_VS_SO_SET_FLUSH', 1156],
  [IpvsCmd.NEW_DAEMON]: ['IP_VS_SO_SET_STARTDAEMON', 1157],
  [IpvsCmd.DEL_DAEMON]: ['IP_VS_SO_SET_STOPDAEMON', 1158],
  [IpvsCmd.NEW_DEST]: ['IP_VS_SO_SET_ADDDEST', 1159],
  [IpvsCmd.DEL_DEST]: ['IP_VS_SO_SET_DELDEST', 1160],
  [IpvsCmd.SET_DEST]: ['IP_VS_SO_SET_EDITDEST', 1161],
  [IpvsCmd.SET_CONFIG]: ['IP_VS_SO_SET_TIMEOUT', 1162],
  [IpvsCmd.ZERO]: ['IP_VS_SO_SET_ZERO', 1163],
};

/** ipvsadm's words for an errno after a given command (libipvs ipvs_strerror). */
function ipvsStrerror(cmd: number, errno: number): string {
  const e = errnoName(errno);
  const C = IpvsCmd;
  const table: Array<[number[], string, string]> = [
    [[C.NEW_SERVICE], 'EEXIST', 'Service already exists'],
    [[C.NEW_SERVICE, C.SET_SERVICE], 'ENOENT', 'Scheduler or persistence engine not found'],
    [[C.SET_SERVICE, C.DEL_SERVICE, C.ZERO, C.GET_SERVICE, C.GET_DEST], 'ESRCH', 'No such service'],
    [[C.NEW_DEST, C.SET_DEST, C.DEL_DEST], 'ESRCH', 'Service not defined'],
    [[C.NEW_DEST], 'EEXIST', 'Destination already exists'],
    [[C.SET_DEST, C.DEL_DEST], 'ENOENT', 'No such destination'],
    [[C.NEW_DAEMON], 'EEXIST', 'Daemon has already run'],
    [[C.DEL_DAEMON], 'ESRCH', 'No daemon is running'],
  ];
  for (const [cmds, name, text] of table) if (name === e && cmds.includes(cmd)) return text;
  const generic: Record<string, string> = {
    EPERM: 'Permission denied (you must be root)',
    EINVAL: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
    ENOPROTOOPT: 'Protocol not available',
    ENOMEM: 'Memory allocation problem',
    EOPNOTSUPP: 'Operation not supported with IPv6',
    EAFNOSUPPORT: 'Operation not supported with specified address family',
    EMSGSIZE: 'Module is wrong version',
    ETIMEDOUT: 'Connection timed out',
    ENOENT: 'No such file or directory',
    ESRCH: 'No such process',
    EEXIST: 'File exists',
    ERANGE: 'Numerical result out of range',
  };
  return generic[e] ?? e;
}

function ruleText(s: IpvsService | undefined, d: IpvsDest | undefined): string {
  if (!s) return '';
  const v6 = s.af === AF_INET6;
  let t = s.fwmark ? `Fwm ${s.fwmark}${v6 ? ' inet6' : ''}` : `${s.address}:${s.protocol === IPPROTO_UDP ? 'udp' : s.protocol === IPPROTO_SCTP ? 'sctp' : s.protocol === IPPROTO_TCP ? 'tcp' : s.protocol}:${s.port}`;
  if (d) t += ` -> ${d.address}:${d.port}`;
  return ` (${t})`;
}

/** keepalived's log line for a failed IPVS command. */
export function ipvsErrorLine(cmd: number, errno: number, s?: IpvsService, d?: IpvsDest): string {
  const [name, num] = SOCKOPT[cmd] ?? ['(unknown)', cmd];
  const rule = cmd === IpvsCmd.NEW_SERVICE || cmd === IpvsCmd.SET_SERVICE || cmd === IpvsCmd.DEL_SERVICE || cmd === IpvsCmd.NEW_DEST || cmd === IpvsCmd.SET_DEST || cmd === IpvsCmd.DEL_DEST ? ruleText(s, cmd >= IpvsCmd.NEW_DEST ? d : undefined) : '';
  return `IPVS cmd ${name}(${num}) error: ${ipvsStrerror(cmd, errno)}(${errno})${rule}`;
}
