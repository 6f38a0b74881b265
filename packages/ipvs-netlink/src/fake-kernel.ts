/**
 * FakeIpvsKernel: a NetlinkTransport that answers like the kernel's IPVS generic netlink family,
 * with a real table behind it, for testing code that drives IPVS where the kernel has none.
 *
 * It keeps services, destinations, sync daemons and timeouts; answers EEXIST, ESRCH and ENOENT
 * where ip_vs_ctl.c does; sends dumps as NLM_F_MULTI entries (in the kernel's attribute order)
 * spread over several datagrams and ended by NLMSG_DONE; ACKs only when asked (NLM_F_ACK), errors
 * always. Tests can change the table behind the client's back (drift), make the next command
 * fail, or pretend the kernel has no IPVS at all.
 */
import {
  AF_INET,
  AF_INET6,
  CtrlCmd,
  FwdMethod,
  GENL_HDRLEN,
  GENL_ID_CTRL,
  IPVS_GENL_NAME,
  IpvsCmd,
  NLMSG_HDRLEN,
  NlmFlag,
  SvcFlag,
} from './constants.js';
import { decodeIpvsMessage, encodeIpvsMessage } from './codec.js';
import { Errno } from './errno.js';
import { decodeGetFamily, encodeFamily } from './family.js';
import { canonicalIp } from './ip.js';
import { encodeDone, encodeError, readHeader, splitMessages } from './netlink.js';
import type { NetlinkTransport } from './transport.js';
import type { IpvsDaemon, IpvsDest, IpvsMessage, IpvsService, IpvsTimeouts } from './types.js';

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'];
const ADMIN = 0x01;
const CAP_DO = 0x02;
const CAP_DUMP = 0x04;
const CAP_HASPOL = 0x08;

export interface FakeKernelEntry {
  service: IpvsService;
  dests: IpvsDest[];
}

export interface FakeIpvsKernelOptions {
  /** The family id GETFAMILY answers with; default 0x20. */
  familyId?: number;
  /** Pretend the kernel has no IPVS: GETFAMILY answers ENOENT. */
  absent?: boolean;
  /** The port id the transport reports; default 0x1234. */
  portId?: number;
  /** Dump entries per datagram (the kernel fills a page; small values exercise reassembly). Default 3. */
  dumpBatch?: number;
  /** Answer inline instead of on a microtask. */
  synchronous?: boolean;
  /** Schedulers the "kernel" has modules for. */
  schedulers?: string[];
  /** Without CAP_NET_ADMIN: every IPVS command answers EPERM. */
  unprivileged?: boolean;
}

export function serviceKey(s: IpvsService): string {
  return s.fwmark !== undefined && s.fwmark !== 0 ? `${s.af}/fwmark/${s.fwmark}` : `${s.af}/${s.protocol}/${canonicalIp(s.address ?? '')}/${s.port}`;
}

export function destKey(d: IpvsDest): string {
  return `${canonicalIp(d.address)}/${d.port}`;
}

export class FakeIpvsKernel implements NetlinkTransport {
  readonly portId: number;
  readonly familyId: number;
  /** Every request received, in order, as bytes. */
  readonly requests: Uint8Array[] = [];
  /** The table: services in creation order with their destinations. */
  readonly table = new Map<string, FakeKernelEntry>();
  readonly daemons = new Map<number, IpvsDaemon>();
  timeouts: Required<IpvsTimeouts> = { tcp: 900, tcpFin: 120, udp: 300 };
  absent: boolean;
  unprivileged: boolean;
  closed = false;
  private onDatagram: ((d: Uint8Array) => void) | undefined;
  private readonly failures: Array<{ cmd: number | undefined; errno: number }> = [];
  private readonly opts: FakeIpvsKernelOptions;

  constructor(opts: FakeIpvsKernelOptions = {}) {
    this.opts = opts;
    this.familyId = opts.familyId ?? 0x20;
    this.portId = opts.portId ?? 0x1234;
    this.absent = opts.absent ?? false;
    this.unprivileged = opts.unprivileged ?? false;
  }

  // ---- NetlinkTransport

  listen(onDatagram: (d: Uint8Array) => void, _onError?: (e: Error) => void): void {
    this.onDatagram = onDatagram;
  }

  send(datagram: Uint8Array, done?: (error?: Error) => void): void {
    if (this.closed) {
      done?.(new Error('socket closed'));
      return;
    }
    const out: Uint8Array[][] = [];
    for (const msg of splitMessages(datagram)) {
      this.requests.push(msg.slice());
      out.push(...this.handle(msg));
    }
    done?.();
    const deliver = () => {
      for (const d of out) this.onDatagram?.(concat(d));
    };
    if (this.opts.synchronous) deliver();
    else queueMicrotask(deliver);
  }

  close(): void {
    this.closed = true;
  }

  // ---- test controls

  /** Make the next IPVS command (of kind `cmd`, or any) fail with `errno` (a name or a number). */
  failNext(errno: string | number, cmd?: number): void {
    this.failures.push({ cmd, errno: typeof errno === 'number' ? errno : Errno[errno]! });
  }

  /** The decoded IPVS requests received (nlctrl ones left out). */
  ipvsRequests(): IpvsMessage[] {
    return this.requests.filter((m) => readHeader(m).type === this.familyId).map(decodeIpvsMessage);
  }

  /** Add a service directly (as another tool would). */
  putService(service: IpvsService, dests: IpvsDest[] = []): void {
    this.table.set(serviceKey(service), { service: { ...service }, dests: dests.map((d) => ({ ...d })) });
  }

  // ---- the "kernel"

  /** Answer one request; returns the datagrams to deliver. */
  private handle(msg: Uint8Array): Uint8Array[][] {
    const h = readHeader(msg);
    const ack = (h.flags & NlmFlag.ACK) !== 0;
    const ok = (): Uint8Array[][] => (ack ? [[encodeError(msg, 0, this.portId)]] : []);
    const err = (name: string): Uint8Array[][] => [[encodeError(msg, Errno[name]!, this.portId)]];
    if (h.type === GENL_ID_CTRL) {
      const cmd = msg[NLMSG_HDRLEN];
      const q = decodeGetFamily(msg);
      if (cmd !== CtrlCmd.GETFAMILY) return err('EOPNOTSUPP');
      if (this.absent || (q.name !== undefined && q.name !== IPVS_GENL_NAME) || (q.id !== undefined && q.id !== this.familyId)) return err('ENOENT');
      const ops = Object.values(IpvsCmd)
        .filter((c) => c !== 0 && c !== IpvsCmd.SET_INFO)
        .map((id) => ({ id, flags: ADMIN | CAP_DO | CAP_HASPOL | (id === IpvsCmd.GET_SERVICE || id === IpvsCmd.GET_DEST || id === IpvsCmd.GET_DAEMON ? CAP_DUMP : 0) }));
      const fam = encodeFamily({ id: this.familyId, name: IPVS_GENL_NAME, version: 1, hdrSize: 0, maxAttr: 6, ops, mcastGroups: [] }, h.seq, this.portId);
      return [[fam], ...ok()];
    }
    if (h.type !== this.familyId || msg.length < NLMSG_HDRLEN + GENL_HDRLEN) return err('EINVAL');
    if (this.absent) return err('ENOENT');
    let m: IpvsMessage;
    try {
      m = decodeIpvsMessage(msg);
    } catch {
      return err('EINVAL');
    }
    if (this.unprivileged) return err('EPERM');
    const idx = this.failures.findIndex((f) => f.cmd === undefined || f.cmd === m.cmd);
    if (idx >= 0) {
      const [f] = this.failures.splice(idx, 1);
      return [[encodeError(msg, f!.errno, this.portId)]];
    }
    const reply = (body: Omit<IpvsMessage, 'header'>, flags = 0) =>
      encodeIpvsMessage({ ...body, header: { type: this.familyId, flags, seq: h.seq, pid: this.portId } });
    const dump = (entries: Array<Omit<IpvsMessage, 'header'>>): Uint8Array[][] => {
      const batch = this.opts.dumpBatch ?? 3;
      const grams: Uint8Array[][] = [];
      for (let i = 0; i < entries.length; i += batch) grams.push(entries.slice(i, i + batch).map((e) => reply(e, NlmFlag.MULTI)));
      grams.push([encodeDone(h.seq, this.portId)]);
      return grams;
    };
    const isDump = (h.flags & NlmFlag.DUMP) === NlmFlag.DUMP;
    const r = this.apply(m, isDump);
    if (typeof r === 'string') return err(r);
    if (r === undefined) return ok();
    if (isDump) return dump(r);
    return [r.map((e) => reply(e)), ...ok()];
  }

  /** The table change or query a message asks for: an errno name, answers, or undefined (done). */
  private apply(m: IpvsMessage, isDump: boolean): string | Array<Omit<IpvsMessage, 'header'>> | undefined {
    const C = IpvsCmd;
    switch (m.cmd) {
      case C.GET_INFO:
        return [{ cmd: C.SET_INFO, info: { version: 0x010201, connTabSize: 4096 } }];
      case C.GET_CONFIG:
        return [{ cmd: C.SET_CONFIG, timeouts: { ...this.timeouts } }];
      case C.SET_CONFIG: {
        const t = m.timeouts ?? {};
        if (t.tcp) this.timeouts.tcp = t.tcp;
        if (t.tcpFin) this.timeouts.tcpFin = t.tcpFin;
        if (t.udp) this.timeouts.udp = t.udp;
        return undefined;
      }
      case C.FLUSH:
        this.table.clear();
        return undefined;
      case C.ZERO:
        return m.service && !this.table.has(serviceKey(m.service)) ? 'ESRCH' : undefined;
      case C.GET_SERVICE: {
        if (isDump) return [...this.table.values()].map((e) => ({ cmd: C.NEW_SERVICE, service: reported(e.service) }));
        const e = m.service && this.table.get(serviceKey(m.service));
        return e ? [{ cmd: C.NEW_SERVICE, service: reported(e.service) }] : 'ESRCH';
      }
      case C.NEW_SERVICE:
      case C.SET_SERVICE: {
        const s = m.service;
        if (!s || !identityOk(s) || s.scheduler === undefined || s.flags === undefined || s.timeout === undefined || s.netmask === undefined) return 'EINVAL';
        if (s.af !== AF_INET && s.af !== AF_INET6) return 'EAFNOSUPPORT';
        if (!(this.opts.schedulers ?? SCHEDULERS).includes(s.scheduler)) return 'ENOENT';
        if (s.pe !== undefined && s.pe !== '' && s.pe !== 'sip') return 'ENOENT';
        const key = serviceKey(s);
        const old = this.table.get(key);
        if (m.cmd === C.NEW_SERVICE && old) return 'EEXIST';
        if (m.cmd === C.SET_SERVICE && !old) return 'ESRCH';
        const mask = s.flagsMask ?? 0xffffffff;
        const flags = (((old?.service.flags ?? 0) & ~mask) | (s.flags & mask) | SvcFlag.HASHED) >>> 0;
        const stored: IpvsService = { ...identityOf(s), scheduler: s.scheduler, flags, timeout: s.timeout, netmask: s.netmask };
        if (s.pe) stored.pe = s.pe;
        if (old) old.service = stored;
        else this.table.set(key, { service: stored, dests: [] });
        return undefined;
      }
      case C.DEL_SERVICE: {
        if (!m.service || !identityOk(m.service)) return 'EINVAL';
        return this.table.delete(serviceKey(m.service)) ? undefined : 'ESRCH';
      }
      case C.GET_DEST: {
        if (!isDump) return 'EOPNOTSUPP';
        const e = m.service && this.table.get(serviceKey(m.service));
        return e ? e.dests.map((d) => ({ cmd: C.NEW_DEST, dest: reportedDest(d) })) : [];
      }
      case C.NEW_DEST:
      case C.SET_DEST:
      case C.DEL_DEST: {
        if (!m.service || !identityOk(m.service) || !m.dest) return 'EINVAL';
        const e = this.table.get(serviceKey(m.service));
        if (!e) return 'ESRCH';
        const d = m.dest;
        const i = e.dests.findIndex((x) => destKey(x) === destKey(d));
        if (m.cmd === C.DEL_DEST) {
          if (i < 0) return 'ENOENT';
          e.dests.splice(i, 1);
          return undefined;
        }
        if (d.fwdMethod === undefined || d.weight === undefined || d.uThreshold === undefined || d.lThreshold === undefined) return 'EINVAL';
        if (d.weight < 0) return 'ERANGE';
        const af = d.addressFamily ?? e.service.af;
        if (af !== e.service.af && d.fwdMethod !== FwdMethod.TUNNEL) return 'EAFNOSUPPORT';
        if (m.cmd === C.NEW_DEST && i >= 0) return 'EEXIST';
        if (m.cmd === C.SET_DEST && i < 0) return 'ENOENT';
        const stored: IpvsDest = {
          addressFamily: af,
          address: canonicalIp(d.address),
          port: d.port,
          fwdMethod: d.fwdMethod,
          weight: d.weight,
          tunType: d.tunType ?? 0,
          tunPort: d.tunPort ?? 0,
          tunFlags: d.tunFlags ?? 0,
          uThreshold: d.uThreshold,
          lThreshold: d.lThreshold,
        };
        if (i >= 0) e.dests[i] = stored;
        else e.dests.push(stored);
        return undefined;
      }
      case C.GET_DAEMON:
        if (!isDump) return 'EOPNOTSUPP';
        return [...this.daemons.values()].map((daemon) => ({ cmd: C.NEW_DAEMON, daemon }));
      case C.NEW_DAEMON: {
        const d = m.daemon;
        if (!d || d.mcastIfn === undefined || d.syncId === undefined) return 'EINVAL';
        if (d.state !== 1 && d.state !== 2) return 'EINVAL';
        if (this.daemons.has(d.state)) return 'EEXIST';
        this.daemons.set(d.state, { state: d.state, mcastIfn: d.mcastIfn, syncId: d.syncId, syncMaxlen: d.syncMaxlen ?? 1472, mcastPort: d.mcastPort ?? 8848, mcastTtl: d.mcastTtl ?? 1, mcastGroup: d.mcastGroup ?? '224.0.0.81' });
        return undefined;
      }
      case C.DEL_DAEMON: {
        const d = m.daemon;
        if (!d) return 'EINVAL';
        return this.daemons.delete(d.state) ? undefined : 'ESRCH';
      }
      default:
        return 'EOPNOTSUPP';
    }
  }
}

function identityOk(s: IpvsService): boolean {
  return (s.fwmark !== undefined && s.fwmark !== 0) || (s.protocol !== undefined && s.address !== undefined && s.port !== undefined);
}

function identityOf(s: IpvsService): IpvsService {
  return s.fwmark !== undefined && s.fwmark !== 0
    ? { af: s.af, fwmark: s.fwmark }
    : { af: s.af, protocol: s.protocol, address: canonicalIp(s.address!), port: s.port };
}

const ZERO_STATS = { conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };

/** A service as the kernel reports it: flags with the full mask, counters attached. */
function reported(s: IpvsService): IpvsService {
  return { ...s, stats: ZERO_STATS, stats64: ZERO_STATS };
}

function reportedDest(d: IpvsDest): IpvsDest {
  return { ...d, activeConns: 0, inactConns: 0, persistConns: 0, stats: ZERO_STATS, stats64: ZERO_STATS };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
