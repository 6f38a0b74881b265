/**
 * The NetConfig port on Linux: routes and rules through rtnetlink (`netlink` 0.3.0's
 * RtNetlinkSocket, created inside the configured namespace), interfaces() through a synchronous
 * dump, watch() through one link-watch.ts monitor shared by every watcher of the namespace.
 *
 * Addresses are requested synchronously on the dump socket (RtnlDump.request), as keepalived's
 * netlink_talk does: the kernel answers inside sendmsg(2), so adding a VIP costs two system calls
 * and no promise, timer or poll. A backup adds its VIPs between its first advert as master and
 * its first gratuitous ARP, and the package's asynchronous path (code that never ran in that
 * process until then) took 2 to 10 ms there on a loaded machine. The request's bytes are a struct
 * ifaddrmsg and four attributes (addressMessage). `done` is still called later, never inside
 * the call, and in order with the queued route and rule requests.
 *
 * Route and rule requests are windowed: at most MAX_IN_FLIGHT wait for their ack at once, the
 * rest queue in order. Each ack carries a copy of its request, so a burst would otherwise
 * overflow the socket's receive buffer, and an overrun aborted the process from inside the
 * netlink addon (netlink-guard.ts, which now also makes overruns drop instead). Addresses never
 * have more than one request out (each ack is read before the next request), as keepalived's.
 * A request whose ack was lost anyway fails after REQUEST_TIMEOUT_MS instead of hanging.
 */
import { createRtNetlink, FlagsNew, type RtNetlinkSocket, type rt } from 'netlink';
import type { AddressSpec, LinkEvent, NetConfig, RouteSpec, RuleSpec } from '../../actors/ports.js';
import { parseIp } from '../../protocol/addr.js';
import { watchLinks } from './link-watch.js';
import { errorText } from './native.js';
import { guardNetlinkSocket } from './netlink-guard.js';
import { inNetns } from './netns.js';
import type { RtnlDump } from './rtnl-dump.js';

/** Address text → bytes as a Buffer (what the netlink package takes). */
const ipBytes = (text: string): Buffer | undefined => {
  const b = parseIp(text)?.bytes;
  return b && Buffer.from(b);
};

const SCOPES: Record<NonNullable<AddressSpec['scope']>, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const ROUTE_TYPES: Record<NonNullable<RouteSpec['type']>, number> = { unicast: 1, blackhole: 6, unreachable: 7, prohibit: 8 };
/** keepalived's own routing protocol number (RTPROT_KEEPALIVED in rtnetlink.h). */
const RTPROT_KEEPALIVED = 18;
const FR_ACT_TO_TBL = 1;
/** Requests awaiting their ack at once: ~64 acks of ≤ 1 KiB fit the default 208 KiB buffer. */
const MAX_IN_FLIGHT = 64;
/** A request with no ack after this long (lost to ENOBUFS) is reported failed. */
const REQUEST_TIMEOUT_MS = 5000;
const ADD = { flags: FlagsNew.CREATE | FlagsNew.EXCL, timeout: REQUEST_TIMEOUT_MS };
const DEL = { timeout: REQUEST_TIMEOUT_MS };

const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_F_NODAD = 0x02;

/** struct ifaddrmsg and its attributes (rtattr: length, type, value padded to 4 bytes). */
function addressMessage(fam: number, prefixLength: number, flags: number, scope: number, index: number, attrs: Array<[number, Buffer]>): Buffer {
  const size = attrs.reduce((n, [, v]) => n + ((4 + v.length + 3) & ~3), 8);
  const b = Buffer.alloc(size);
  b.writeUInt8(fam, 0);
  b.writeUInt8(prefixLength, 1);
  b.writeUInt8(flags, 2);
  b.writeUInt8(scope, 3);
  b.writeInt32LE(index, 4);
  let at = 8;
  for (const [type, value] of attrs) {
    b.writeUInt16LE(4 + value.length, at);
    b.writeUInt16LE(type, at + 2);
    value.copy(b, at + 4);
    at += (4 + value.length + 3) & ~3;
  }
  return b;
}

export interface LinuxNetConfig extends NetConfig {
  close(): void;
}

type Done = (error?: string) => void;

function family(f: 4 | 6): number {
  return f === 4 ? 2 : 10;
}

/** "198.51.100.0/24" → bytes and length; "default" → none. */
function prefix(text: string): { bytes?: Buffer; length: number } | undefined {
  if (text === 'default') return { length: 0 };
  const [addr = '', len] = text.split('/');
  const bytes = ipBytes(addr);
  if (!bytes) return undefined;
  const length = len === undefined ? bytes.length * 8 : Number(len);
  if (!Number.isInteger(length) || length < 0 || length > bytes.length * 8) return undefined;
  return { bytes, length };
}

/** `onError` gets socket-level errors (e.g. ENOBUFS), which must never go unhandled. */
export function createLinuxNetConfig(rtnl: RtnlDump, netns?: string, onError?: (message: string) => void): LinuxNetConfig {
  let socket: RtNetlinkSocket | undefined;
  const sock = (): RtNetlinkSocket => {
    if (socket) return socket;
    const s = inNetns(netns, () => guardNetlinkSocket(() => createRtNetlink(), onError ? { onWarning: onError } : {}));
    // An 'error' without a listener throws inside the addon's callback, which aborts the process.
    s.socket.on('error', (e) => onError?.(`rtnetlink: ${errorText(e)}`));
    return (socket = s);
  };
  // Opened now rather than at the first request: a backup's first request comes as it becomes
  // master (its virtual_routes and virtual_rules), and opening (with the guard's look through
  // /proc/self/fd) took 1 to 6 ms on a loaded machine. A failure here is reported by the first
  // request instead, which tries again.
  try {
    sock();
  } catch {
    /* see above */
  }
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const pump = (): void => {
    while (inFlight < MAX_IN_FLIGHT && waiting.length > 0) waiting.shift()!();
  };

  const settle = (what: string, p: () => Promise<unknown>, done: Done): void => {
    waiting.push(() => {
      let promise: Promise<unknown>;
      try {
        promise = p();
      } catch (e) {
        setImmediate(() => done(`${what}: ${errorText(e)}`));
        return;
      }
      inFlight++;
      const finish = (error?: string): void => {
        inFlight--;
        rtnl.invalidate(); // the kernel's state changed (or may have): no reused dump from before
        pump();
        done(error);
      };
      promise.then(
        () => finish(),
        (e: unknown) => finish(`${what}: ${errorText(e).replace(/^Request rejected: /, '')}`),
      );
    });
    pump();
  };
  /** A change made synchronously on `rtnl`'s socket (addresses), in its turn among the queued ones. */
  const settleNow = (what: string, run: () => string | undefined, done: Done): void => {
    waiting.push(() => {
      let error: string | undefined;
      try {
        error = run();
      } catch (e) {
        error = errorText(e);
      }
      rtnl.invalidateAddresses(); // an address changes no link: the link list stays good
      setImmediate(() => done(error === undefined ? undefined : `${what}: ${error}`));
    });
    pump();
  };
  const fail = (done: Done, message: string): void => {
    setImmediate(() => done(message));
  };
  const indexOf = (ifname: string): number | undefined => rtnl.indexOf(ifname);

  const address = (a: AddressSpec, add: boolean, done: Done): void => {
    const what = `${add ? 'add' : 'delete'} ${a.address}/${a.prefixLength} dev ${a.ifname}`;
    const bytes = ipBytes(a.address);
    if (!bytes || bytes.length !== (a.family === 4 ? 4 : 16)) return fail(done, `${what}: not an IPv${a.family} address`);
    const index = indexOf(a.ifname);
    if (index === undefined) return fail(done, `${what}: interface ${a.ifname} not found`);
    const attrs: Array<[number, Buffer]> = [
      [IFA_LOCAL, bytes],
      [IFA_ADDRESS, bytes],
    ];
    if (a.family === 4 && a.broadcast) {
      const brd = ipBytes(a.broadcast);
      if (!brd || brd.length !== 4) return fail(done, `${what}: bad broadcast ${a.broadcast}`);
      attrs.push([IFA_BROADCAST, brd]);
    }
    if (a.label !== undefined && a.family === 4) attrs.push([IFA_LABEL, Buffer.from(`${a.label}\0`)]);
    const payload = addressMessage(family(a.family), a.prefixLength, a.family === 6 && a.noDad ? IFA_F_NODAD : 0, SCOPES[a.scope ?? 'global'], index, attrs);
    settleNow(what, () => (add ? rtnl.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, payload) : rtnl.request(RTM_DELADDR, 0, payload)), done);
  };

  const route = (r: RouteSpec, add: boolean, done: Done): void => {
    const what = `${add ? 'add' : 'delete'} route ${r.destination}${r.gateway ? ` via ${r.gateway}` : ''}${r.ifname ? ` dev ${r.ifname}` : ''}`;
    const dst = prefix(r.destination);
    if (!dst) return fail(done, `${what}: bad destination`);
    const table = r.table ?? 254;
    const data: rt.Route = {
      family: family(r.family),
      dstLen: dst.length,
      table: table < 256 ? table : 0,
      protocol: RTPROT_KEEPALIVED as rt.RouteProtocol,
      type: ROUTE_TYPES[r.type ?? 'unicast'],
      scope: r.scope ? SCOPES[r.scope] : !add ? 255 : !r.gateway && (r.type ?? 'unicast') === 'unicast' ? 253 : 0,
    };
    if (!add) delete data.protocol;
    const attrs: rt.RouteAttrs = {};
    if (dst.bytes) attrs.dst = dst.bytes;
    if (table >= 256) attrs.table = table;
    if (r.metric !== undefined) attrs.priority = r.metric;
    for (const [key, text] of [['gateway', r.gateway], ['prefsrc', r.source]] as const) {
      if (text === undefined) continue;
      const b = ipBytes(text);
      if (!b) return fail(done, `${what}: bad address ${text}`);
      attrs[key] = b;
    }
    if (r.ifname) {
      const oif = indexOf(r.ifname);
      if (oif === undefined) return fail(done, `${what}: interface ${r.ifname} not found`);
      attrs.oif = oif;
    }
    settle(what, () => (add ? sock().newRoute(data, attrs, ADD) : sock().delRoute(data, attrs, DEL)), done);
  };

  const rule = (r: RuleSpec, add: boolean, done: Done): void => {
    const what = `${add ? 'add' : 'delete'} rule${r.from ? ` from ${r.from}` : ''}${r.to ? ` to ${r.to}` : ''}${r.table !== undefined ? ` table ${r.table}` : ''}`;
    const from = r.from ? prefix(r.from) : { length: 0 };
    const to = r.to ? prefix(r.to) : { length: 0 };
    if (!from || !to) return fail(done, `${what}: bad prefix`);
    const table = r.table ?? 254;
    const data: rt.Rule = { family: family(r.family), srcLen: from.length, dstLen: to.length, table: table < 256 ? table : 0, action: FR_ACT_TO_TBL };
    const attrs: rt.RuleAttrs = {};
    if (from.bytes) attrs.src = from.bytes;
    if (to.bytes) attrs.dst = to.bytes;
    if (table >= 256) attrs.table = table;
    if (r.priority !== undefined) attrs.priority = r.priority;
    if (r.fwmark !== undefined) attrs.fwmark = r.fwmark;
    if (r.iif) attrs.iifname = r.iif;
    if (r.oif) attrs.oifname = r.oif;
    settle(what, () => (add ? sock().newRule(data, attrs, ADD) : sock().delRule(data, attrs, DEL)), done);
  };

  // One rtnetlink monitor socket for every watcher of this namespace: each event is read and
  // decoded once and handed to the watchers in subscription order (as the simulator's port does),
  // instead of one socket per watcher each reading (and the kernel copying) every event. The
  // socket opens with the first watcher and closes with the last.
  // A watcher subscribed while an event is being handed out does not get that event (with a
  // socket of its own it would not have either): each listener carries its subscription number.
  const listeners = new Map<(e: LinkEvent) => void, number>();
  let subscribed = 0;
  let stopMonitor: (() => void) | undefined;
  const dispatch = (e: LinkEvent): void => {
    const last = subscribed;
    for (const [l, n] of listeners) if (n <= last) l(e);
  };
  const stopWatching = (): void => {
    listeners.clear();
    stopMonitor?.();
    stopMonitor = undefined;
  };
  return {
    interfaces: () => rtnl.interfaces(),
    addAddress: (a, done) => address(a, true, done),
    removeAddress: (a, done) => address(a, false, done),
    addRoute: (r, done) => route(r, true, done),
    removeRoute: (r, done) => route(r, false, done),
    addRule: (r, done) => rule(r, true, done),
    removeRule: (r, done) => rule(r, false, done),
    watch(onEvent: (e: LinkEvent) => void) {
      // A wrapper per subscription, so the same function subscribed twice is two listeners.
      const listener = (e: LinkEvent): void => onEvent(e);
      stopMonitor ??= watchLinks(rtnl, netns, dispatch, onError);
      listeners.set(listener, ++subscribed);
      return () => {
        if (listeners.delete(listener) && listeners.size === 0) stopWatching();
      };
    },
    close() {
      stopWatching();
      socket?.socket.close();
      socket = undefined;
      waiting.length = 0;
    },
  };
}
