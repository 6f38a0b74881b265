/**
 * Synchronous rtnetlink dumps (links and addresses) on a socket of our own, decoded with the
 * `netlink` package's codecs. The kernel answers a dump request inside the send call, so reading
 * it back takes microseconds; this is what lets NetConfig.interfaces() stay synchronous and
 * always current (no cache to go stale when an interface is deleted and recreated).
 *
 * Decoding the dumps is costly (links carry dozens of attributes; 1,000 VIPs are 1,000 address
 * records), and 1,000 instances changing state in one event-loop phase asked for them 1,000
 * times each. So the lists are reused until the event loop's next check phase (setImmediate),
 * the next link/address event seen by link-watch, or the completion of a change we made
 * (net-config), whichever comes first; indexOf() re-dumps when a name is missing.
 *
 * While a link watcher runs (link-watch.ts: the VRRP subsystem always has one), the link list is
 * kept longer: until the watcher sees a link event, a change we made, or LINKS_KEPT_MS, whichever
 * comes first. The watcher's events say when a link changed, as keepalived's interface list
 * follows netlink events; the time bound covers an event lost in an overrun (the monitor socket
 * drops on overrun rather than failing). Without it, `garp_master_delay` at 1,000 masters made
 * 1,000 link dumps in the same few milliseconds, one per instance's repeat burst. Addresses
 * stay per phase: they are what keepalived's VIP checks read, and they change far more often.
 */
import { parseError, parseMessages, rt } from 'netlink';
import type { InterfaceInfo } from '../../actors/ports.js';
import { AF_NETLINK, IFF_RUNNING, IFF_UP, NETLINK_ROUTE, SOCK_RAW } from './constants.js';
import { formatIp, formatMac } from '../../protocol/addr.js';
import { errnoName, netio } from './native.js';
import { inNetns } from './netns.js';
import { sockaddrNlKernel } from './sockaddr.js';

const RTM_GETLINK = 18;
const RTM_GETADDR = 22;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const DUMP_DEADLINE_MS = 2000;
/** Longest reuse of a link list while a watcher runs (see above). */
export const LINKS_KEPT_MS = 1000;
const MSG_TRUNC = 0x20;

export interface LinkRecord {
  index: number;
  name: string;
  mac: string;
  /** Raw IFF_* flags. */
  flags: number;
  up: boolean;
  running: boolean;
}

export interface AddressRecord {
  index: number;
  family: 4 | 6;
  address: string;
  prefixLength: number;
  label?: string;
}

/** Raw IFF_* flags from the netlink package's flag object. */
export function linkFlags(message: rt.LinkMessage): number {
  return rt.formatDeviceFlags(message.data.flags ?? {});
}

export function linkRecord(message: rt.LinkMessage): LinkRecord {
  const flags = linkFlags(message);
  const mac = message.attrs.address;
  return {
    index: message.data.index ?? 0,
    name: message.attrs.ifname ?? '',
    mac: mac && mac.length === 6 ? formatMac(mac) : '00:00:00:00:00:00',
    flags,
    up: (flags & IFF_UP) !== 0,
    running: (flags & IFF_RUNNING) !== 0,
  };
}

export function addressRecord(message: rt.AddressMessage): AddressRecord | undefined {
  const bytes = message.attrs.local ?? message.attrs.address;
  const family = message.data.family === 2 ? 4 : message.data.family === 10 ? 6 : undefined;
  if (!bytes || !family) return undefined;
  const rec: AddressRecord = { index: message.data.index ?? 0, family, address: formatIp(bytes), prefixLength: message.data.prefixlen ?? 0 };
  if (message.attrs.label !== undefined) rec.label = message.attrs.label;
  return rec;
}

const RTM_NEWLINK = 16;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;

/**
 * A link of a dump, read straight from struct ifinfomsg and two attributes (IFLA_IFNAME,
 * IFLA_ADDRESS): the same LinkRecord as linkRecord() gives, without decoding the dozens of
 * other attributes a link carries. That full decode cost 0.2 to 0.5 ms per dump warm, more in
 * code that had not run yet, and a backup becoming master needs one (interface index and MAC)
 * between its first advert and its first gratuitous ARP.
 */
export function dumpedLink(type: number, data: Buffer): LinkRecord | undefined {
  if (type !== RTM_NEWLINK || data.length < 16) return undefined;
  const index = data.readInt32LE(4);
  const flags = data.readUInt32LE(8);
  let name = '';
  let mac = '00:00:00:00:00:00';
  for (let at = 16; at + 4 <= data.length; ) {
    const len = data.readUInt16LE(at);
    if (len < 4 || at + len > data.length) break;
    const attr = data.readUInt16LE(at + 2) & 0x3fff;
    if (attr === IFLA_IFNAME) {
      const end = data.indexOf(0, at + 4);
      name = data.toString('utf8', at + 4, end < 0 || end > at + len ? at + len : end);
    } else if (attr === IFLA_ADDRESS && len === 10) {
      mac = formatMac(data.subarray(at + 4, at + 10));
    }
    at += (len + 3) & ~3;
  }
  return { index, name, mac, flags, up: (flags & IFF_UP) !== 0, running: (flags & IFF_RUNNING) !== 0 };
}

/** A netlink route socket for synchronous dumps and requests, created inside `netns` when given. */
export class RtnlDump {
  private fd: number;
  private seq = 1;
  private readonly buffer = Buffer.alloc(256 * 1024);
  private readonly name = Buffer.alloc(12);
  private readonly control = Buffer.alloc(0);
  /** Where send() builds a dump request (the largest, RTM_GETLINK's, is 32 bytes). */
  private readonly requestBuffer = Buffer.alloc(32);
  private readonly kernel = sockaddrNlKernel();
  /** A dump request's body: all zeros (no filter), read only. */
  private static readonly LINK_DUMP_BODY = Buffer.alloc(16);
  private static readonly ADDRESS_DUMP_BODY = Buffer.alloc(8);

  constructor(netns?: string) {
    this.fd = inNetns(netns, () => netio().socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
  }

  private linksThisTurn: LinkRecord[] | undefined;
  /** interfaces() of the link list it was made from. */
  private interfacesOf: { links: LinkRecord[]; list: readonly InterfaceInfo[] } | undefined;
  private addressesThisTurn: AddressRecord[] | undefined;
  private expiry: NodeJS.Immediate | undefined;
  /** Link watchers running on this socket's namespace (link-watch.ts), and when the kept link list was dumped. */
  private watchers = 0;
  private linksDumpedAt = 0;
  /** How many dumps this socket made (links and addresses), for tests and benches. */
  dumps = 0;

  /** A link watcher started (+1) or stopped (-1): while one runs, link lists are kept longer. */
  watched(delta: 1 | -1): void {
    this.watchers = Math.max(0, this.watchers + delta);
    // Unwatched, no event says when a kept list goes stale: it lasts one turn again, from now.
    if (this.watchers === 0) this.invalidate();
  }

  /** Forget the reused lists (on every link/address event and after every change we make). */
  invalidate(): void {
    this.linksThisTurn = undefined;
    this.addressesThisTurn = undefined;
  }

  /** Forget the reused address list only: after an address we added or deleted, the links (index,
   *  name, MAC, flags) are what they were, and a new master's gratuitous ARP right after its VIPs
   *  reuses the link list its VIP requests read (one dump fewer on the takeover path). */
  invalidateAddresses(): void {
    this.addressesThisTurn = undefined;
  }

  /** `fresh`: dump now even if this phase already has a list. */
  links(fresh = false): LinkRecord[] {
    if (this.linksThisTurn && !fresh && (this.watchers === 0 || performance.now() - this.linksDumpedAt < LINKS_KEPT_MS)) return this.linksThisTurn;
    this.expireSoon();
    this.linksDumpedAt = performance.now();
    return (this.linksThisTurn = this.dump(RTM_GETLINK, RtnlDump.LINK_DUMP_BODY, dumpedLink));
  }

  addresses(): AddressRecord[] {
    if (this.addressesThisTurn) return this.addressesThisTurn;
    this.expireSoon();
    return (this.addressesThisTurn = this.dump(RTM_GETADDR, RtnlDump.ADDRESS_DUMP_BODY, (type, data) => {
      const m = rt.parseMessage(type, data);
      return m.kind === 'address' ? addressRecord(m) : undefined;
    }));
  }

  private expireSoon(): void {
    this.expiry ??= setImmediate(() => {
      this.expiry = undefined;
      // A watched link list goes on until an event, a change of ours or LINKS_KEPT_MS (links()).
      if (this.watchers > 0) this.invalidateAddresses();
      else this.invalidate();
    }).unref();
  }

  /**
   * Every interface with its addresses, as the NetConfig port reports them. `addresses` is read
   * (dumped) on first access only: a gratuitous ARP needs the MAC, not 1,000 VIPs decoded. The
   * same list is handed back while the link list is the same one (see links()), so a caller can
   * tell by identity that nothing changed (AddressIo's MACs); each `addresses` follows the
   * current address list.
   */
  interfaces(): readonly InterfaceInfo[] {
    const links = this.links();
    if (this.interfacesOf?.links === links) return this.interfacesOf.list;
    const list = links.map((l) => {
      let seen: AddressRecord[] | undefined;
      let addresses: string[] = [];
      const info = { name: l.name, index: l.index, mac: l.mac, up: l.up, running: l.running } as InterfaceInfo;
      Object.defineProperty(info, 'addresses', {
        enumerable: true,
        get: () => {
          const all = this.addresses();
          if (all !== seen) {
            seen = all;
            addresses = all.filter((a) => a.index === l.index).map((a) => `${a.address}/${a.prefixLength}`);
          }
          return addresses;
        },
      });
      return info;
    });
    this.interfacesOf = { links, list };
    return list;
  }

  /** Interface index by name, or undefined when there is no such interface. */
  indexOf(ifname: string): number | undefined {
    const cached = this.linksThisTurn !== undefined;
    const index = this.links().find((l) => l.name === ifname)?.index;
    if (index !== undefined || !cached) return index;
    this.linksThisTurn = undefined;
    return this.links().find((l) => l.name === ifname)?.index;
  }

  /**
   * One change request (RTM_NEWADDR, …), answered before this returns, as keepalived's
   * netlink_talk does: the kernel handles a route-netlink request inside sendmsg(2), so its ack is
   * already queued when that returns. `payload` is the message after the netlink header. Returns
   * undefined on success, else the errno's name ("EEXIST"). Throws only if the socket is unusable.
   */
  request(type: number, flags: number, payload: Buffer): string | undefined {
    if (this.fd < 0) throw new Error('netlink socket is closed');
    const seq = this.send(type, NLM_F_ACK | flags, payload);
    const deadline = performance.now() + DUMP_DEADLINE_MS;
    for (;;) {
      const got = this.receive(deadline, 'netlink request timed out');
      // The ack is an NLMSG_ERROR with our sequence number: errno 0, or the failure's.
      for (const m of parseMessages(this.buffer.subarray(0, got[0]))) {
        if (m.seq !== seq || m.type !== NLMSG_ERROR || m.data.length < 4) continue;
        const errno = -m.data.readInt32LE(0);
        return errno === 0 ? undefined : (errnoName(errno) ?? `errno ${errno}`);
      }
    }
  }

  close(): void {
    if (this.expiry) clearImmediate(this.expiry);
    this.expiry = undefined;
    this.invalidate();
    if (this.fd >= 0) netio().close(this.fd);
    this.fd = -1;
  }

  /** Sends one message (NLM_F_REQUEST and `flags`) to the kernel; returns its sequence number.
   *  A dump's request (a header and a zeroed ifinfomsg/ifaddrmsg) is written into one buffer kept
   *  for the purpose; a larger change request gets a buffer of its own. */
  private send(type: number, flags: number, body: Buffer): number {
    const seq = this.seq++;
    const length = 16 + body.length;
    const message = length <= this.requestBuffer.length ? this.requestBuffer.subarray(0, length) : Buffer.alloc(length);
    message.writeUInt32LE(length, 0);
    message.writeUInt16LE(type, 4);
    message.writeUInt16LE(NLM_F_REQUEST | flags, 6);
    message.writeUInt32LE(seq, 8);
    message.writeUInt32LE(0, 12);
    body.copy(message, 16);
    netio().sendmsg(this.fd, message, this.kernel, null);
    return seq;
  }

  /** The next datagram on the socket, waiting for it until `deadline` (performance.now() ms). */
  private receive(deadline: number, timedOut: string): NonNullable<ReturnType<ReturnType<typeof netio>['recvmsg']>> {
    const io = netio();
    for (;;) {
      const got = io.recvmsg(this.fd, this.buffer, this.name, this.control);
      if (got !== null) return got;
      const left = deadline - performance.now();
      if (left <= 0 || !io.waitReadable(this.fd, Math.ceil(left))) throw new Error(timedOut);
    }
  }

  private dump<T>(type: number, body: Buffer, decode: (type: number, data: Buffer) => T | undefined): T[] {
    if (this.fd < 0) throw new Error('netlink dump socket is closed');
    this.dumps++;
    const seq = this.send(type, NLM_F_DUMP, body);
    const out: T[] = [];
    const deadline = performance.now() + DUMP_DEADLINE_MS;
    for (;;) {
      const got = this.receive(deadline, 'netlink dump timed out');
      if (got[3] & MSG_TRUNC) throw new Error('netlink dump message truncated');
      for (const m of parseMessages(this.buffer.subarray(0, got[0]))) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG_DONE) return out;
        if (m.type === NLMSG_ERROR) {
          const err = parseError(m.data, m.flags);
          // The kernel's NLMSG_ERROR carries -errno; the netlink package sets no `.code` on it.
          if (err.errno !== 0) throw new Error(`netlink dump failed: ${errnoName(-err.errno) ?? err.errno}`);
          return out;
        }
        const rec = decode(m.type, m.data);
        if (rec !== undefined) out.push(rec);
      }
    }
  }
}
