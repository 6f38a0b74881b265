/**
 * Encode and decode IPVS generic netlink messages.
 *
 * Attribute order follows the sender. Requests are laid out as libipvs (keepalived, ipvsadm)
 * lays them out: the service nest is AF, FWMARK or PROTOCOL/ADDR/PORT, SCHED_NAME, [PE_NAME],
 * FLAGS, TIMEOUT, NETMASK; the destination nest starts with ADDR_FAMILY. The kernel's own
 * messages (no NLM_F_REQUEST: dump entries, replies) put ADDR_FAMILY after the connection
 * counters, as ip_vs_genl_fill_dest() does. Either way, decoding a message and encoding the
 * result gives the same bytes.
 */
import {
  AF_INET,
  AF_INET6,
  CmdAttr,
  DaemonAttr,
  DestAttr,
  GENL_HDRLEN,
  IPVS_GENL_VERSION,
  InfoAttr,
  IpvsCmd,
  NLMSG_HDRLEN,
  NlmFlag,
  StatsAttr,
  SvcAttr,
} from './constants.js';
import { type Attr, HOST_LE, NetlinkDecodeError, Reader, Writer } from './bytes.js';
import { addrBytes, addrText, formatIpv4, parseIp } from './ip.js';
import { beginMessage, finishMessage, readHeader } from './netlink.js';
import type { IpvsDaemon, IpvsDest, IpvsInfo, IpvsMessage, IpvsService, IpvsStats, IpvsTimeouts } from './types.js';

const FULL_MASK = 0xffffffff;

// ---------------------------------------------------------------- encode

/** Encode one IPVS message (header, generic netlink header, attributes). */
export function encodeIpvsMessage(m: IpvsMessage, w: Writer = new Writer(256)): Uint8Array {
  const start = w.pos;
  writeIpvsMessage(w, m);
  const out = w.result();
  return start === 0 ? out : out.subarray(start);
}

/** Append one IPVS message to a writer (several messages can share one buffer). */
export function writeIpvsMessage(w: Writer, m: IpvsMessage): void {
  const request = (m.header.flags & NlmFlag.REQUEST) !== 0;
  const nested = m.nestedFlag ?? request;
  const at = beginMessage(w, m.header);
  w.u8(m.cmd);
  w.u8(m.version ?? IPVS_GENL_VERSION);
  w.u16(0);
  if (m.cmd === IpvsCmd.SET_INFO || m.cmd === IpvsCmd.GET_INFO) {
    if (m.info) putInfo(w, m.info);
  } else {
    if (m.service) putService(w, m.service, nested);
    if (m.dest) putDest(w, m.dest, m.service?.af, nested, request);
    if (m.daemon) putDaemon(w, m.daemon, nested);
    if (m.timeouts) putTimeouts(w, m.timeouts);
  }
  finishMessage(w, at);
}

function putService(w: Writer, s: IpvsService, nested: boolean): void {
  w.nest(CmdAttr.SERVICE, nested, () => {
    w.attrU16(SvcAttr.AF, s.af);
    if (s.fwmark !== undefined) w.attrU32(SvcAttr.FWMARK, s.fwmark);
    if (s.protocol !== undefined) w.attrU16(SvcAttr.PROTOCOL, s.protocol);
    if (s.address !== undefined) w.attrBytes(SvcAttr.ADDR, addrBytes(s.address, s.af));
    if (s.port !== undefined) w.attrU16be(SvcAttr.PORT, s.port);
    if (s.scheduler !== undefined) w.attrString(SvcAttr.SCHED_NAME, s.scheduler);
    if (s.pe !== undefined) w.attrString(SvcAttr.PE_NAME, s.pe);
    if (s.flags !== undefined) {
      const a = w.begin(SvcAttr.FLAGS);
      w.u32(s.flags);
      w.u32(s.flagsMask ?? FULL_MASK);
      w.end(a);
    }
    if (s.timeout !== undefined) w.attrU32(SvcAttr.TIMEOUT, s.timeout);
    if (s.netmask !== undefined) putNetmask(w, s.netmask, s.af);
    if (s.stats) putStats(w, SvcAttr.STATS, s.stats, false, nested);
    if (s.stats64) putStats(w, SvcAttr.STATS64, s.stats64, true, nested);
  });
}

/** IPv4: the mask's bytes in network order; IPv6: the prefix length as a host-order u32. */
function putNetmask(w: Writer, netmask: string | number, af: number): void {
  if (typeof netmask === 'string' && af !== AF_INET6) {
    w.attrBytes(SvcAttr.NETMASK, addrBytes(netmask, AF_INET).subarray(0, 4));
  } else {
    w.attrU32(SvcAttr.NETMASK, Number(netmask));
  }
}

function putDest(w: Writer, d: IpvsDest, serviceAf: number | undefined, nested: boolean, request: boolean): void {
  const af = d.addressFamily ?? parseIp(d.address)?.af ?? serviceAf ?? AF_INET;
  w.nest(CmdAttr.DEST, nested, () => {
    if (request && d.addressFamily !== undefined) w.attrU16(DestAttr.ADDR_FAMILY, d.addressFamily);
    w.attrBytes(DestAttr.ADDR, addrBytes(d.address, af));
    w.attrU16be(DestAttr.PORT, d.port);
    if (d.fwdMethod !== undefined) w.attrU32(DestAttr.FWD_METHOD, d.fwdMethod);
    if (d.weight !== undefined) w.attrU32(DestAttr.WEIGHT, d.weight);
    if (d.tunType !== undefined) w.attrU8(DestAttr.TUN_TYPE, d.tunType);
    if (d.tunPort !== undefined) w.attrU16be(DestAttr.TUN_PORT, d.tunPort);
    if (d.tunFlags !== undefined) w.attrU16(DestAttr.TUN_FLAGS, d.tunFlags);
    if (d.uThreshold !== undefined) w.attrU32(DestAttr.U_THRESH, d.uThreshold);
    if (d.lThreshold !== undefined) w.attrU32(DestAttr.L_THRESH, d.lThreshold);
    if (d.activeConns !== undefined) w.attrU32(DestAttr.ACTIVE_CONNS, d.activeConns);
    if (d.inactConns !== undefined) w.attrU32(DestAttr.INACT_CONNS, d.inactConns);
    if (d.persistConns !== undefined) w.attrU32(DestAttr.PERSIST_CONNS, d.persistConns);
    if (!request && d.addressFamily !== undefined) w.attrU16(DestAttr.ADDR_FAMILY, d.addressFamily);
    if (d.stats) putStats(w, DestAttr.STATS, d.stats, false, nested);
    if (d.stats64) putStats(w, DestAttr.STATS64, d.stats64, true, nested);
  });
}

const STATS_FIELDS: Array<[keyof IpvsStats, number, boolean]> = [
  ['conns', StatsAttr.CONNS, false],
  ['inPkts', StatsAttr.INPKTS, false],
  ['outPkts', StatsAttr.OUTPKTS, false],
  ['inBytes', StatsAttr.INBYTES, true],
  ['outBytes', StatsAttr.OUTBYTES, true],
  ['cps', StatsAttr.CPS, false],
  ['inPps', StatsAttr.INPPS, false],
  ['outPps', StatsAttr.OUTPPS, false],
  ['inBps', StatsAttr.INBPS, false],
  ['outBps', StatsAttr.OUTBPS, false],
];

function putStats(w: Writer, type: number, s: IpvsStats, all64: boolean, nested: boolean): void {
  w.nest(type, nested, () => {
    for (const [key, id, is64] of STATS_FIELDS) {
      if (all64 || is64) w.attrU64(id, s[key]);
      else w.attrU32(id, Number(BigInt.asUintN(32, s[key])));
    }
  });
}

function putDaemon(w: Writer, d: IpvsDaemon, nested: boolean): void {
  w.nest(CmdAttr.DAEMON, nested, () => {
    w.attrI32(DaemonAttr.STATE, d.state);
    if (d.mcastIfn !== undefined) w.attrString(DaemonAttr.MCAST_IFN, d.mcastIfn);
    if (d.syncId !== undefined) w.attrI32(DaemonAttr.SYNC_ID, d.syncId);
    if (d.syncMaxlen !== undefined) w.attrU16(DaemonAttr.SYNC_MAXLEN, d.syncMaxlen);
    if (d.mcastPort !== undefined) w.attrU16(DaemonAttr.MCAST_PORT, d.mcastPort);
    if (d.mcastTtl !== undefined) w.attrU8(DaemonAttr.MCAST_TTL, d.mcastTtl);
    if (d.mcastGroup !== undefined) {
      const p = parseIp(d.mcastGroup);
      if (!p) throw new TypeError(`not an address: ${JSON.stringify(d.mcastGroup)}`);
      w.attrBytes(p.af === AF_INET6 ? DaemonAttr.MCAST_GROUP6 : DaemonAttr.MCAST_GROUP, p.bytes);
    }
  });
}

function putTimeouts(w: Writer, t: IpvsTimeouts): void {
  if (t.tcp !== undefined) w.attrU32(CmdAttr.TIMEOUT_TCP, t.tcp);
  if (t.tcpFin !== undefined) w.attrU32(CmdAttr.TIMEOUT_TCP_FIN, t.tcpFin);
  if (t.udp !== undefined) w.attrU32(CmdAttr.TIMEOUT_UDP, t.udp);
}

function putInfo(w: Writer, i: IpvsInfo): void {
  if (i.version !== undefined) w.attrU32(InfoAttr.VERSION, i.version);
  if (i.connTabSize !== undefined) w.attrU32(InfoAttr.CONN_TAB_SIZE, i.connTabSize);
}

// ---------------------------------------------------------------- decode

/** Decode one IPVS message (throws NetlinkDecodeError when it is malformed). */
export function decodeIpvsMessage(msg: Uint8Array): IpvsMessage {
  const h = readHeader(msg);
  if (h.length > msg.length || h.length < NLMSG_HDRLEN + GENL_HDRLEN) throw new NetlinkDecodeError(`IPVS message length ${h.length} (have ${msg.length} bytes)`);
  const r = new Reader(msg);
  const cmd = msg[NLMSG_HDRLEN]!;
  const version = msg[NLMSG_HDRLEN + 1]!;
  const out: IpvsMessage = { header: { type: h.type, flags: h.flags, seq: h.seq, pid: h.pid }, cmd };
  if (version !== IPVS_GENL_VERSION) out.version = version;
  const top = r.attrs(NLMSG_HDRLEN + GENL_HDRLEN, h.length);
  if (cmd === IpvsCmd.SET_INFO || cmd === IpvsCmd.GET_INFO) {
    if (top.length) out.info = readInfo(r, top);
    return out;
  }
  let nestedSeen: boolean | undefined;
  const note = (a: Attr) => (nestedSeen ??= a.nested);
  const svc = top.find((a) => a.type === CmdAttr.SERVICE);
  const dst = top.find((a) => a.type === CmdAttr.DEST);
  const dmn = top.find((a) => a.type === CmdAttr.DAEMON);
  if (svc) {
    note(svc);
    out.service = readService(r, svc);
  }
  if (dst) {
    note(dst);
    out.dest = readDest(r, dst, out.service?.af);
  }
  if (dmn) {
    note(dmn);
    out.daemon = readDaemon(r, dmn);
  }
  const t: IpvsTimeouts = {};
  for (const a of top) {
    if (a.type === CmdAttr.TIMEOUT_TCP) t.tcp = r.u32(a);
    else if (a.type === CmdAttr.TIMEOUT_TCP_FIN) t.tcpFin = r.u32(a);
    else if (a.type === CmdAttr.TIMEOUT_UDP) t.udp = r.u32(a);
  }
  if (Object.keys(t).length) out.timeouts = t;
  if (nestedSeen !== undefined && nestedSeen !== ((h.flags & NlmFlag.REQUEST) !== 0)) out.nestedFlag = nestedSeen;
  return out;
}

function byType(r: Reader, nest: Attr): Map<number, Attr> {
  const m = new Map<number, Attr>();
  for (const a of r.attrs(nest.start, nest.end)) m.set(a.type, a);
  return m;
}

function readService(r: Reader, nest: Attr): IpvsService {
  const m = byType(r, nest);
  const afA = m.get(SvcAttr.AF);
  if (!afA) throw new NetlinkDecodeError('service nest without IPVS_SVC_ATTR_AF');
  const s: IpvsService = { af: r.u16(afA) };
  let a: Attr | undefined;
  if ((a = m.get(SvcAttr.FWMARK))) s.fwmark = r.u32(a);
  if ((a = m.get(SvcAttr.PROTOCOL))) s.protocol = r.u16(a);
  if ((a = m.get(SvcAttr.ADDR))) s.address = addrText(r.bytes(a), s.af);
  if ((a = m.get(SvcAttr.PORT))) s.port = r.u16be(a);
  if ((a = m.get(SvcAttr.SCHED_NAME))) s.scheduler = r.string(a);
  if ((a = m.get(SvcAttr.PE_NAME))) s.pe = r.string(a);
  if ((a = m.get(SvcAttr.FLAGS))) {
    if (a.end - a.start < 8) throw new NetlinkDecodeError('IPVS_SVC_ATTR_FLAGS shorter than 8 bytes');
    s.flags = r.view.getUint32(a.start, HOST_LE);
    const mask = r.view.getUint32(a.start + 4, HOST_LE);
    if (mask !== FULL_MASK) s.flagsMask = mask;
  }
  if ((a = m.get(SvcAttr.TIMEOUT))) s.timeout = r.u32(a);
  if ((a = m.get(SvcAttr.NETMASK))) s.netmask = s.af === AF_INET6 ? r.u32(a) : formatIpv4(r.bytes(a));
  if ((a = m.get(SvcAttr.STATS))) s.stats = readStats(r, a);
  if ((a = m.get(SvcAttr.STATS64))) s.stats64 = readStats(r, a);
  return s;
}

function readDest(r: Reader, nest: Attr, serviceAf: number | undefined): IpvsDest {
  const m = byType(r, nest);
  const addrA = m.get(DestAttr.ADDR);
  const portA = m.get(DestAttr.PORT);
  if (!addrA || !portA) throw new NetlinkDecodeError('destination nest without ADDR or PORT');
  let a: Attr | undefined;
  const addressFamily = (a = m.get(DestAttr.ADDR_FAMILY)) ? r.u16(a) : undefined;
  const raw = r.bytes(addrA);
  const af = addressFamily ?? serviceAf ?? (raw.length === 4 || raw.subarray(4).every((b) => b === 0) ? AF_INET : AF_INET6);
  const d: IpvsDest = { address: addrText(raw, af), port: r.u16be(portA) };
  if (addressFamily !== undefined) d.addressFamily = addressFamily;
  if ((a = m.get(DestAttr.FWD_METHOD))) d.fwdMethod = r.u32(a);
  if ((a = m.get(DestAttr.WEIGHT))) d.weight = r.i32(a);
  if ((a = m.get(DestAttr.TUN_TYPE))) d.tunType = r.u8(a);
  if ((a = m.get(DestAttr.TUN_PORT))) d.tunPort = r.u16be(a);
  if ((a = m.get(DestAttr.TUN_FLAGS))) d.tunFlags = r.u16(a);
  if ((a = m.get(DestAttr.U_THRESH))) d.uThreshold = r.u32(a);
  if ((a = m.get(DestAttr.L_THRESH))) d.lThreshold = r.u32(a);
  if ((a = m.get(DestAttr.ACTIVE_CONNS))) d.activeConns = r.u32(a);
  if ((a = m.get(DestAttr.INACT_CONNS))) d.inactConns = r.u32(a);
  if ((a = m.get(DestAttr.PERSIST_CONNS))) d.persistConns = r.u32(a);
  if ((a = m.get(DestAttr.STATS))) d.stats = readStats(r, a);
  if ((a = m.get(DestAttr.STATS64))) d.stats64 = readStats(r, a);
  return d;
}

function readStats(r: Reader, nest: Attr): IpvsStats {
  const s: IpvsStats = { conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };
  const m = byType(r, nest);
  for (const [key, id] of STATS_FIELDS) {
    const a = m.get(id);
    if (!a) continue;
    s[key] = a.end - a.start >= 8 ? r.u64(a) : BigInt(r.u32(a));
  }
  return s;
}

function readDaemon(r: Reader, nest: Attr): IpvsDaemon {
  const m = byType(r, nest);
  let a: Attr | undefined;
  const d: IpvsDaemon = { state: (a = m.get(DaemonAttr.STATE)) ? r.i32(a) : 0 };
  if ((a = m.get(DaemonAttr.MCAST_IFN))) d.mcastIfn = r.string(a);
  if ((a = m.get(DaemonAttr.SYNC_ID))) d.syncId = r.i32(a);
  if ((a = m.get(DaemonAttr.SYNC_MAXLEN))) d.syncMaxlen = r.u16(a);
  if ((a = m.get(DaemonAttr.MCAST_PORT))) d.mcastPort = r.u16(a);
  if ((a = m.get(DaemonAttr.MCAST_TTL))) d.mcastTtl = r.u8(a);
  if ((a = m.get(DaemonAttr.MCAST_GROUP6))) d.mcastGroup = addrText(r.bytes(a), AF_INET6);
  else if ((a = m.get(DaemonAttr.MCAST_GROUP))) d.mcastGroup = addrText(r.bytes(a), AF_INET);
  return d;
}

function readInfo(r: Reader, top: Attr[]): IpvsInfo {
  const i: IpvsInfo = {};
  for (const a of top) {
    if (a.type === InfoAttr.VERSION) i.version = r.u32(a);
    else if (a.type === InfoAttr.CONN_TAB_SIZE) i.connTabSize = r.u32(a);
  }
  return i;
}

/** "1.2.1" for 0x010201. */
export function ipvsVersionText(version: number): string {
  return `${(version >> 16) & 0xff}.${(version >> 8) & 0xff}.${version & 0xff}`;
}
