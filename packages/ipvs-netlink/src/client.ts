/**
 * IpvsClient: the typed API over a netlink transport. Every request carries NLM_F_REQUEST and
 * NLM_F_ACK (dumps NLM_F_DUMP instead) and waits for its ACK, its NLMSG_ERROR, or its dump's
 * NLMSG_DONE, matched by sequence number. Failures reject with IpvsError, which names the errno
 * (EEXIST, ESRCH, ENOENT, EPERM, …).
 */
import {
  AF_INET6,
  GENL_ID_CTRL,
  IPVS_GENL_NAME,
  IpvsCmd,
  NETMASK_DEFAULT_V4,
  NETMASK_DEFAULT_V6,
  NlmFlag,
  NlmsgType,
  ipvsCmdName,
} from './constants.js';
import { Writer } from './bytes.js';
import { parseIp } from './ip.js';
import { decodeIpvsMessage, writeIpvsMessage } from './codec.js';
import { describeIpvsError, errnoName } from './errno.js';
import { type GenlFamily, decodeFamily, encodeGetFamily } from './family.js';
import { decodeDone, decodeError, readHeader, splitMessages } from './netlink.js';
import { createNetlinkTransport, type NetlinkTransport, type NetlinkTransportOptions } from './transport.js';
import type { IpvsDaemon, IpvsDest, IpvsInfo, IpvsMessage, IpvsService, IpvsTimeouts } from './types.js';

/** A request the kernel refused (or that got no answer). */
export class IpvsError extends Error {
  /** Errno name: 'EEXIST', 'ESRCH', 'ENOENT', 'EPERM', … ('ETIMEDOUT' when no answer came). */
  readonly code: string;
  constructor(
    readonly cmd: number,
    readonly errno: number,
    detail?: string,
  ) {
    super(describeIpvsError(cmd, errno) + (detail ? `: ${detail}` : ''));
    this.name = 'IpvsError';
    this.code = errnoName(errno);
  }
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface IpvsClientOptions {
  /** How long to wait for each answer; default 5000 ms. */
  timeoutMs?: number;
  /** First sequence number; default 1. */
  firstSeq?: number;
  /** Sees every message sent and received, as bytes (for logs and `--hex` output). */
  trace?: (direction: 'send' | 'recv', message: Uint8Array) => void;
  timers?: Timers;
}

export type OpenIpvsResult =
  | { ok: true; client: IpvsClient; family: GenlFamily }
  /**
   * 'absent': the kernel has no IPVS family (GETFAMILY answered ENOENT).
   * 'unavailable': no netlink socket (the `netlink` package or its addon is missing, or socket() failed).
   * 'error': anything else (EPERM, a timeout, a malformed answer); `errno` when the kernel gave one.
   */
  | { ok: false; reason: 'absent' | 'unavailable' | 'error'; message: string; errno?: string };

export interface OpenIpvsOptions extends IpvsClientOptions, NetlinkTransportOptions {
  /** Use this transport instead of opening a netlink socket (tests, or a socket made elsewhere). */
  transport?: NetlinkTransport;
}

/**
 * Open a generic netlink socket and resolve the IPVS family. Never throws: a kernel without IPVS
 * is `{ ok: false, reason: 'absent' }`.
 */
export async function openIpvs(opts: OpenIpvsOptions = {}): Promise<OpenIpvsResult> {
  let transport: NetlinkTransport;
  try {
    transport = opts.transport ?? createNetlinkTransport(opts);
  } catch (e) {
    return { ok: false, reason: 'unavailable', message: `cannot open a generic netlink socket: ${(e as Error).message}` };
  }
  const channel = new Channel(transport, opts);
  try {
    const replies = await channel.request((seq, pid) => encodeGetFamily(IPVS_GENL_NAME, seq, pid), -1, false);
    const msg = replies.find((m) => readHeader(m).type === GENL_ID_CTRL);
    if (!msg) throw new Error('CTRL_CMD_GETFAMILY got an ACK without the family');
    const family = decodeFamily(msg);
    return { ok: true, client: new IpvsClient(channel, family.id), family };
  } catch (e) {
    channel.close();
    if (e instanceof IpvsError && e.code === 'ENOENT') {
      return { ok: false, reason: 'absent', errno: 'ENOENT', message: 'the kernel has no IPVS: generic netlink family "IPVS" not found (ip_vs module not loaded or not built)' };
    }
    if (e instanceof IpvsError) return { ok: false, reason: 'error', errno: e.code, message: `resolving the IPVS family: ${errnoName(e.errno)}` };
    return { ok: false, reason: 'error', message: `resolving the IPVS family: ${(e as Error).message}` };
  }
}

interface Pending {
  cmd: number;
  dump: boolean;
  replies: Uint8Array[];
  resolve: (replies: Uint8Array[]) => void;
  reject: (e: Error) => void;
  timer: unknown;
}

/** Sequence numbers, outstanding requests and their answers on one transport. */
class Channel {
  private seq: number;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private readonly timers: Timers;
  readonly timeoutMs: number;
  /** Datagrams or messages that matched nothing or could not be parsed. */
  strays = 0;

  constructor(
    readonly transport: NetlinkTransport,
    readonly opts: IpvsClientOptions,
  ) {
    this.seq = opts.firstSeq ?? 1;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.timers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
    transport.listen(
      (d) => this.receive(d),
      (e) => this.failAll(e),
    );
  }

  nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq % 0xffffffff) + 1;
    return s;
  }

  /** Send the message `build` makes and resolve with the messages answering it (ACK/DONE excluded). */
  request(build: (seq: number, pid: number) => Uint8Array, cmd: number, dump: boolean): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('IPVS socket closed'));
        return;
      }
      const seq = this.nextSeq();
      const bytes = build(seq, this.transport.portId);
      const p: Pending = { cmd, dump, replies: [], resolve, reject, timer: undefined };
      p.timer = this.timers.setTimeout(() => this.settle(seq, new IpvsError(cmd, 110, `no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.set(seq, p);
      if (this.pending.size === 1) this.transport.setBusy?.(true);
      this.opts.trace?.('send', bytes);
      try {
        this.transport.send(bytes, (err) => {
          if (err) this.settle(seq, err);
        });
      } catch (e) {
        this.settle(seq, e as Error);
      }
    });
  }

  private settle(seq: number, outcome: Error | Uint8Array[]): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    this.timers.clearTimeout(p.timer);
    if (this.pending.size === 0) this.transport.setBusy?.(false);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private receive(datagram: Uint8Array): void {
    let msgs: Uint8Array[];
    try {
      msgs = splitMessages(datagram);
    } catch {
      this.strays++;
      return;
    }
    for (const m of msgs) {
      this.opts.trace?.('recv', m);
      let h;
      try {
        h = readHeader(m);
      } catch {
        this.strays++;
        continue;
      }
      const p = this.pending.get(h.seq);
      if (!p) {
        this.strays++;
        continue;
      }
      try {
        if (h.type === NlmsgType.ERROR) {
          const e = decodeError(m);
          this.settle(h.seq, e.errno === 0 ? p.replies : new IpvsError(p.cmd, e.errno, e.message));
        } else if (h.type === NlmsgType.DONE) {
          const d = decodeDone(m);
          this.settle(h.seq, d.errno === 0 ? p.replies : new IpvsError(p.cmd, d.errno));
        } else {
          p.replies.push(m.slice());
        }
      } catch (e) {
        this.settle(h.seq, e as Error);
      }
    }
  }

  private failAll(e: Error): void {
    for (const seq of [...this.pending.keys()]) this.settle(seq, e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error('IPVS socket closed'));
    this.transport.close();
  }
}

type Body = Omit<IpvsMessage, 'header' | 'cmd'>;

/** The typed IPVS API. Make one with `openIpvs()`. */
export class IpvsClient {
  private readonly writer = new Writer(512);

  constructor(
    private readonly channel: Channel,
    /** The IPVS generic netlink family id (dynamic; resolved at open). */
    readonly familyId: number,
  ) {}

  /** The socket's netlink port id. */
  get portId(): number {
    return this.channel.transport.portId;
  }

  /** Send one IPVS command and resolve with the decoded answers (for dumps, every entry). */
  async command(cmd: number, body: Body = {}, opts: { dump?: boolean } = {}): Promise<IpvsMessage[]> {
    const dump = opts.dump === true;
    const replies = await this.channel.request(
      (seq, pid) => {
        const w = this.writer;
        w.pos = 0;
        writeIpvsMessage(w, { ...body, cmd, header: { type: this.familyId, flags: NlmFlag.REQUEST | (dump ? NlmFlag.DUMP : NlmFlag.ACK), seq, pid } });
        return w.result();
      },
      cmd,
      dump,
    );
    return replies.map(decodeIpvsMessage);
  }

  async getInfo(): Promise<Required<IpvsInfo>> {
    const [r] = await this.command(IpvsCmd.GET_INFO);
    return { version: r?.info?.version ?? 0, connTabSize: r?.info?.connTabSize ?? 0 };
  }

  /** The tcp, tcpfin and udp connection timeouts in seconds. */
  async getTimeouts(): Promise<IpvsTimeouts> {
    const [r] = await this.command(IpvsCmd.GET_CONFIG);
    return r?.timeouts ?? {};
  }

  /** Set connection timeouts; a value left out (or 0) is not changed. */
  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    const timeouts: IpvsTimeouts = {};
    if (t.tcp) timeouts.tcp = t.tcp;
    if (t.tcpFin) timeouts.tcpFin = t.tcpFin;
    if (t.udp) timeouts.udp = t.udp;
    await this.command(IpvsCmd.SET_CONFIG, { timeouts });
  }

  async listServices(): Promise<IpvsService[]> {
    return (await this.command(IpvsCmd.GET_SERVICE, {}, { dump: true })).flatMap((m) => (m.service ? [m.service] : []));
  }

  /** One service by its identity, or undefined when the kernel has none (ESRCH). */
  async getService(service: IpvsService): Promise<IpvsService | undefined> {
    try {
      const [r] = await this.command(IpvsCmd.GET_SERVICE, { service: identity(service) });
      return r?.service;
    } catch (e) {
      if (e instanceof IpvsError && (e.code === 'ESRCH' || e.code === 'ENOENT')) return undefined;
      throw e;
    }
  }

  async addService(service: IpvsService): Promise<void> {
    await this.command(IpvsCmd.NEW_SERVICE, { service: complete(service) });
  }
  async updateService(service: IpvsService): Promise<void> {
    await this.command(IpvsCmd.SET_SERVICE, { service: complete(service) });
  }
  async deleteService(service: IpvsService): Promise<void> {
    await this.command(IpvsCmd.DEL_SERVICE, { service });
  }

  /** The destinations of a service (empty when the service does not exist). */
  async listDestinations(service: IpvsService): Promise<IpvsDest[]> {
    return (await this.command(IpvsCmd.GET_DEST, { service: identity(service) }, { dump: true })).flatMap((m) => (m.dest ? [m.dest] : []));
  }

  async addDestination(service: IpvsService, dest: IpvsDest): Promise<void> {
    await this.command(IpvsCmd.NEW_DEST, { service, dest: completeDest(dest) });
  }
  async updateDestination(service: IpvsService, dest: IpvsDest): Promise<void> {
    await this.command(IpvsCmd.SET_DEST, { service, dest: completeDest(dest) });
  }
  async deleteDestination(service: IpvsService, dest: IpvsDest): Promise<void> {
    await this.command(IpvsCmd.DEL_DEST, { service, dest });
  }

  async listDaemons(): Promise<IpvsDaemon[]> {
    return (await this.command(IpvsCmd.GET_DAEMON, {}, { dump: true })).flatMap((m) => (m.daemon ? [m.daemon] : []));
  }
  async startDaemon(daemon: IpvsDaemon): Promise<void> {
    await this.command(IpvsCmd.NEW_DAEMON, { daemon });
  }
  async stopDaemon(daemon: IpvsDaemon): Promise<void> {
    await this.command(IpvsCmd.DEL_DAEMON, { daemon });
  }

  /** Zero the counters of one service, or of all when none is given. */
  async zero(service?: IpvsService): Promise<void> {
    await this.command(IpvsCmd.ZERO, service ? { service } : {});
  }

  /** Delete every service (and so every destination). */
  async flush(): Promise<void> {
    await this.command(IpvsCmd.FLUSH);
  }

  /** Messages received that matched no request or could not be parsed. */
  get strays(): number {
    return this.channel.strays;
  }

  close(): void {
    this.channel.close();
  }
}

/** The fields that name a service (what GET_SERVICE and GET_DEST need). */
export function identity(s: IpvsService): IpvsService {
  return s.fwmark !== undefined ? { af: s.af, fwmark: s.fwmark } : { af: s.af, protocol: s.protocol, address: s.address, port: s.port };
}

/** NEW/SET_SERVICE need scheduler, flags, timeout and netmask: fill the defaults ipvsadm uses. */
function complete(s: IpvsService): IpvsService {
  return {
    ...s,
    scheduler: s.scheduler ?? 'wlc',
    flags: s.flags ?? 0,
    timeout: s.timeout ?? 0,
    netmask: s.netmask ?? (s.af === AF_INET6 ? NETMASK_DEFAULT_V6 : NETMASK_DEFAULT_V4),
  };
}

/** NEW/SET_DEST need forwarding method, weight and thresholds. */
function completeDest(d: IpvsDest): IpvsDest {
  return { ...d, addressFamily: d.addressFamily ?? parseIp(d.address)?.af, fwdMethod: d.fwdMethod ?? 0, weight: d.weight ?? 1, uThreshold: d.uThreshold ?? 0, lThreshold: d.lThreshold ?? 0 };
}

export { ipvsCmdName };
