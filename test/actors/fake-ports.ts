/**
 * A tiny in-memory implementation of actors/ports.ts for the runtime tests: one SimClock, a LAN
 * that carries the runtimes' real encoded VRRP bytes between nodes (with a fixed latency), and
 * recording fakes for addresses, scripts, files, mail and logs. Deliberately much simpler than
 * sim/: no loss, no reordering, one segment.
 */
import type {
  AddressSpec,
  Files,
  InterfaceInfo,
  LinkEvent,
  LogLevel,
  MailMessage,
  NetConfig,
  Ports,
  ProcessMonitor,
  RepeatState,
  RouteSpec,
  RuleSpec,
  ScriptResult,
  ScriptSpec,
  VrrpNet,
  VrrpRxPacket,
  VrrpSocketOptions,
  VmacSpec,
} from '../../actors/ports.js';
import { formatIpv4, IpAddress } from '../../protocol/addr.js';
import { parseIpv4Packet, setIpv4Id } from '../../protocol/ipv4.js';
import { SimClock } from '../../sim/clock.js';

interface Socket {
  node: FakeNode;
  opts: VrrpSocketOptions;
  onPacket: (p: VrrpRxPacket) => void;
  closed: boolean;
  /** The interface index the socket is bound to (a recreated interface has a new one). */
  ifindex: number;
}

export class FakeLan {
  readonly clock = new SimClock();
  readonly sockets: Socket[] = [];
  /** Every packet put on the wire: time, sender, the interface it left from, family, dst, bytes. */
  readonly wire: Array<{ at: number; from: string; ifname: string; family: 4 | 6; dst: string; data: Uint8Array }> = [];
  latencyMs = 0.1;
  /** Return true to drop a packet (tests of loss/partition). */
  filter: (from: string, to: string, data: Uint8Array) => boolean = () => false;

  node(name: string, address: string, mac: string): FakeNode {
    return new FakeNode(this, name, address, mac);
  }

  carry(from: FakeNode, ifname: string, family: 4 | 6, data: Uint8Array, dst: string, src: string | undefined): void {
    // A copy: the port is done with `data` when send returns (VrrpSocket.send), the sender reuses it.
    this.wire.push({ at: this.clock.now(), from: from.name, ifname, family, dst, data: data.slice() });
    let srcText = src ?? from.linkLocal;
    let ttl = 255;
    if (family === 4) {
      const ip = parseIpv4Packet(data);
      if (ip.ok) {
        srcText = formatIpv4(ip.value.src);
        ttl = ip.value.ttl;
      }
    }
    for (const s of this.sockets) {
      if (s.closed || s.node === from || s.opts.family !== family || !s.node.linkUp || s.ifindex !== s.node.indexOf(s.opts.ifname)) continue;
      const multicast = family === 4 ? Number(dst.split('.')[0]) >= 224 : dst.startsWith('ff');
      if (multicast ? !s.opts.groups.includes(dst) : !s.node.has(dst)) continue;
      if (this.filter(from.name, s.node.name, data)) continue;
      const copy = data.slice();
      this.clock.setTimeout(() => {
        if (!s.closed) s.onPacket({ family, ifname: s.opts.ifname, data: copy, ...(family === 6 ? { src: IpAddress.parse(srcText)!, dst: IpAddress.parse(dst)! } : {}), ttl });
      }, this.latencyMs);
    }
  }
}

export class FakeNode {
  readonly logs: Array<[number, LogLevel, string]> = [];
  readonly addresses = new Set<string>();
  readonly frames: Array<{ at: number; ifname: string; bytes: Uint8Array }> = [];
  readonly scriptRuns: Array<{ at: number; argv: string[]; user?: string; secure?: boolean }> = [];
  readonly mails: Array<{ at: number; subject: string; to: string[] }> = [];
  readonly fifo: Array<{ at: number; path: string; line: string }> = [];
  readonly files = new Map<string, string>();
  readonly routes: string[] = [];
  /** Rules as "from>to@table". */
  readonly rules: string[] = [];
  /** Return an error string to make a net operation ("addAddress 198.51.100.5/32", "addRoute …") fail. */
  netFail: (op: string) => string | undefined = () => undefined;
  /**
   * When set, the node's VRRP sockets have an advert backstop (VrrpSocket.backstop) that sends a
   * held advert this many ms before its due time: as the daemon's does when its thread is that
   * much late (the simulated clock never is).
   */
  backstopEarlyMs: number | undefined;
  /** Datagrams the fake backstop sent. */
  backstopSent = 0;
  /** The `inMs` of every advert handed to the fake backstop. */
  readonly backstopHolds: number[] = [];
  /** When set, the node's VRRP sockets repeat adverts themselves (VrrpSocket.repeat), on the LAN's clock. */
  repeatAdverts = false;
  /** Datagrams the fake sockets repeated. */
  repeatSent = 0;
  /** When set, every VRRP send fails with this error (the link stays up). */
  sendError: string | undefined;
  /** Exit code (and run time) of a script by argv[0]; default exit 0 after 10 ms. */
  scripts: Record<string, { exitCode: number; durationMs?: number; insecure?: boolean }> = {};
  processCount = new Map<string, number>();
  linkUp = true;
  /** use_vmac interfaces (name → MAC); the vmac port is only offered when `vmacPort` is set. */
  readonly vmacs = new Map<string, string>();
  /** Every VmacSpec the runtime asked for, in order. */
  readonly vmacSpecs: VmacSpec[] = [];
  vmacPort = false;
  /** Interface each address was added on (CIDR → ifname). */
  readonly addressDevs = new Map<string, string>();
  /** eth0's interface index; deleteLink()/recreateLink() give it a new one. */
  ifindex = 2;
  linkExists = true;
  readonly linkLocal: string;
  private readonly linkWatchers = new Set<(e: LinkEvent) => void>();
  private readonly fileWatchers = new Map<string, Set<() => void>>();
  private readonly processWatchers = new Set<{ process: string; cb: (n: number) => void }>();

  constructor(
    readonly lan: FakeLan,
    readonly name: string,
    readonly address: string,
    /** eth0's MAC (a test may change it, as a driver or `ip link set address` can). */
    public mac: string,
  ) {
    this.linkLocal = `fe80::${name.length}`;
    this.addresses.add(`${address}/24`);
  }

  /** Interface index of eth0 or of a VMAC (100, 101, … in creation order); undefined when absent. */
  indexOf(ifname: string): number | undefined {
    if (ifname === 'eth0') return this.linkExists ? this.ifindex : undefined;
    const i = [...this.vmacs.keys()].indexOf(ifname);
    return i < 0 ? undefined : 100 + i;
  }

  has(address: string): boolean {
    return [...this.addresses].some((a) => a.split('/')[0] === address);
  }

  vips(): string[] {
    return [...this.addresses].filter((a) => a !== `${this.address}/24`).sort();
  }

  setLink(up: boolean): void {
    this.linkUp = up;
    for (const w of [...this.linkWatchers]) w({ type: up ? 'link.up' : 'link.down', ifname: 'eth0', index: this.ifindex });
  }

  /** `ip link del eth0`: the link and the VIPs on it go (the node's own address comes back with it). */
  deleteLink(): void {
    this.linkUp = false;
    this.linkExists = false;
    for (const a of this.vips()) this.addresses.delete(a);
    for (const w of [...this.linkWatchers]) w({ type: 'link.deleted', ifname: 'eth0', index: this.ifindex });
  }

  /** `ip addr del <cidr> dev eth0` by an operator: the address goes and the watchers hear RTM_DELADDR
   *  (its address as `reportedAs`, when the kernel writes it another way, and on `ifname`). */
  deleteAddress(cidr: string, event: { reportedAs?: string; ifname?: string } = {}): void {
    if (!this.addresses.delete(cidr)) return;
    for (const w of [...this.linkWatchers]) w({ type: 'address.removed', ifname: event.ifname ?? 'eth0', address: event.reportedAs ?? cidr });
  }

  /** eth0 created again, up, with a new index. */
  recreateLink(): void {
    this.ifindex++;
    this.linkExists = true;
    this.linkUp = true;
    for (const w of [...this.linkWatchers]) w({ type: 'link.added', ifname: 'eth0', index: this.ifindex });
    for (const w of [...this.linkWatchers]) w({ type: 'link.up', ifname: 'eth0', index: this.ifindex });
  }

  writeFile(path: string, content: string): void {
    this.files.set(path, content);
    for (const w of this.fileWatchers.get(path) ?? []) this.later(w);
  }

  setProcesses(process: string, n: number): void {
    this.processCount.set(process, n);
    for (const w of this.processWatchers) if (w.process === process) this.later(() => w.cb(n));
  }

  logLines(): string[] {
    return this.logs.map((l) => l[2]);
  }

  private later(fn: () => void, ms = 0): number {
    return this.lan.clock.setTimeout(fn, ms);
  }

  ports(): Ports {
    const lan = this.lan;
    const interfaces = (): InterfaceInfo[] => !this.linkExists ? [] : [
      { name: 'eth0', index: this.ifindex, mac: this.mac, up: this.linkUp, running: this.linkUp, addresses: [...this.addresses, `${this.linkLocal}/64`] },
      ...[...this.vmacs].map(([name, mac], i) => ({ name, index: 100 + i, mac, up: true, running: true, addresses: [] })),
    ];
    const vrrp: VrrpNet = {
      open: (opts, onPacket) => {
        const index = this.indexOf(opts.ifname);
        if (opts.ifname !== 'eth0' && index === undefined) return { error: `no interface ${opts.ifname}` };
        if (index === undefined) return { error: 'No such device' };
        const s: Socket = { node: this, opts, onPacket, closed: false, ifindex: index };
        lan.sockets.push(s);
        const send = (data: Uint8Array, dst: string, src: string | undefined): string | undefined => {
          if (s.ifindex !== this.indexOf(opts.ifname)) return 'No such device';
          if (!this.linkUp) return 'Network is down';
          if (this.sendError) return this.sendError;
          lan.carry(this, opts.ifname, opts.family, data, dst, src);
          return undefined;
        };
        const held = new Map<string, { timer: number; sentAt?: number }>();
        const take = (key: string): number => {
          const h = held.get(key);
          held.delete(key);
          if (!h) return -1;
          if (h.sentAt === undefined) {
            lan.clock.clearTimeout(h.timer);
            return -1;
          }
          return lan.clock.now() - h.sentAt;
        };
        const early = this.backstopEarlyMs;
        const repeating = new Map<string, { timer: number; due: number; sent: number; ipId: number; onStop: (r: RepeatState) => void }>();
        const readRepeat = (key: string, end: boolean): RepeatState | undefined => {
          const r = repeating.get(key);
          if (!r) return undefined;
          const out = { sent: r.sent, ipId: r.ipId, dueInMs: Math.max(0, r.due - lan.clock.now()), failed: 0 };
          r.sent = 0;
          if (end) {
            lan.clock.clearTimeout(r.timer);
            repeating.delete(key);
          }
          return out;
        };
        const repeat = (key: string, data: Uint8Array, dst: string, src: string | undefined, firstInMs: number, intervalMs: number, ipId: number | undefined, onStop: (r: RepeatState) => void): boolean => {
          readRepeat(key, true);
          const copy = data.slice();
          const r = { timer: 0, due: 0, sent: 0, ipId: ipId ?? 0, onStop };
          const fire = (): void => {
            if (ipId !== undefined) setIpv4Id(copy, (r.ipId = r.ipId >= 0xffff ? 1 : r.ipId + 1));
            if (send(copy, dst, src) !== undefined) {
              // As the addon's: the slot stops, and its owner hears of it from the event loop.
              repeating.delete(key);
              lan.clock.setTimeout(() => onStop({ sent: r.sent, ipId: r.ipId, dueInMs: 0, failed: 100 }), 0);
              return;
            }
            r.sent++;
            this.repeatSent++;
            arm(intervalMs);
          };
          const arm = (ms: number): void => {
            r.due = lan.clock.now() + ms;
            r.timer = lan.clock.setTimeout(fire, ms);
          };
          arm(firstInMs);
          repeating.set(key, r);
          return true;
        };
        return {
          send,
          ...(this.repeatAdverts && {
            repeat,
            repeatRead: readRepeat,
          }),
          ...(early !== undefined && {
            backstop: (key: string, data: Uint8Array, dst: string, src: string | undefined, inMs: number) => {
              take(key);
              this.backstopHolds.push(inMs);
              const copy = data.slice();
              const h: { timer: number; sentAt?: number } = { timer: 0 };
              h.timer = lan.clock.setTimeout(() => {
                if (s.closed || send(copy, dst, src) !== undefined) return;
                h.sentAt = lan.clock.now();
                this.backstopSent++;
              }, Math.max(0, inMs - early));
              held.set(key, h);
            },
            takeBackstop: take,
            dropBackstop: (key: string) => void take(key),
          }),
          close: () => {
            s.closed = true;
            for (const key of [...held.keys()]) take(key);
            for (const [key, r] of [...repeating]) r.onStop(readRepeat(key, true)!);
          },
        };
      },
      sendFrame: (ifname, bytes) => {
        this.frames.push({ at: lan.clock.now(), ifname, bytes });
        return undefined;
      },
    };
    const cidr = (a: AddressSpec) => `${a.address}/${a.prefixLength}`;
    const rule = (r: RuleSpec) => `${r.from ?? ''}>${r.to ?? ''}@${r.table ?? ''}`;
    const remove = (list: string[], item: string) => {
      const i = list.indexOf(item);
      if (i < 0) return false;
      list.splice(i, 1);
      return true;
    };
    const guarded = (op: string, fn: () => string | undefined, done: (e?: string) => void) =>
      this.later(() => {
        const injected = this.netFail(op);
        done(injected ?? fn());
      });
    const net: NetConfig = {
      interfaces,
      addAddress: (a, done) =>
        guarded(`addAddress ${cidr(a)}`, () => (this.addresses.has(cidr(a)) ? 'File exists' : (this.addresses.add(cidr(a)), this.addressDevs.set(cidr(a), a.ifname), undefined)), done),
      removeAddress: (a, done) => guarded(`removeAddress ${cidr(a)}`, () => (this.addresses.delete(cidr(a)) ? undefined : 'Cannot assign requested address'), done),
      addRoute: (r: RouteSpec, done) => guarded(`addRoute ${r.destination}`, () => (this.routes.push(r.destination), undefined), done),
      removeRoute: (r: RouteSpec, done) => guarded(`removeRoute ${r.destination}`, () => (remove(this.routes, r.destination) ? undefined : 'No such process'), done),
      addRule: (r: RuleSpec, done) => guarded(`addRule ${rule(r)}`, () => (this.rules.push(rule(r)), undefined), done),
      removeRule: (r: RuleSpec, done) => guarded(`removeRule ${rule(r)}`, () => (remove(this.rules, rule(r)) ? undefined : 'No such file or directory'), done),
      watch: (cb) => {
        this.linkWatchers.add(cb);
        return () => this.linkWatchers.delete(cb);
      },
    };
    const files: Files = {
      read: (path, done) => this.later(() => done(this.files.get(path))),
      writeLine: (path, line, done) =>
        this.later(() => {
          this.fifo.push({ at: lan.clock.now(), path, line });
          this.files.set(path, (this.files.get(path) ?? '') + line + '\n');
          done();
        }),
      watch: (path, onChange) => {
        const set = this.fileWatchers.get(path) ?? new Set();
        set.add(onChange);
        this.fileWatchers.set(path, set);
        return () => set.delete(onChange);
      },
    };
    const processes: ProcessMonitor = {
      watch: (match, cb) => {
        const w = { process: match.process, cb };
        this.processWatchers.add(w);
        this.later(() => cb(this.processCount.get(match.process) ?? 0));
        return () => this.processWatchers.delete(w);
      },
    };
    return {
      clock: lan.clock,
      vrrp,
      net,
      scripts: {
        run: (spec: ScriptSpec, done: (r: ScriptResult) => void) => {
          this.scriptRuns.push({ at: lan.clock.now(), argv: spec.argv, ...(spec.user ? { user: spec.user } : {}), ...(spec.secure ? { secure: true } : {}) });
          const s = this.scripts[spec.argv[0] ?? ''] ?? { exitCode: 0 };
          if (spec.secure && s.insecure) {
            const id = this.later(() => done({ exitCode: null, timedOut: false, error: `Unsafe permissions found for script '${spec.argv[0]}' - disabling.` }));
            return { cancel: () => lan.clock.clearTimeout(id) };
          }
          const id = this.later(() => done({ exitCode: s.exitCode, timedOut: false }), s.durationMs ?? 10);
          return { cancel: () => lan.clock.clearTimeout(id) };
        },
      },
      files,
      mailer: {
        send: (_server, m: MailMessage, done) => this.later(() => (this.mails.push({ at: lan.clock.now(), subject: m.subject, to: m.to }), done()), 5),
      },
      logger: { log: (level, message) => this.logs.push([lan.clock.now(), level, message]) },
      processes,
      hostname: this.name,
      ...(this.vmacPort
        ? {
            vmac: {
              create: (spec: VmacSpec, done: (error: string | undefined, ifname: string) => void) => {
                const name = spec.name ?? `vrrp.${spec.vrid}`;
                this.vmacSpecs.push(spec);
                this.later(() => {
                  this.vmacs.set(name, `00:00:5e:00:0${spec.family === 4 ? 1 : 2}:${spec.vrid.toString(16).padStart(2, '0')}`);
                  const index = this.indexOf(name)!;
                  for (const w of [...this.linkWatchers]) w({ type: 'link.added', ifname: name, index });
                  done(undefined, name);
                });
              },
              remove: (name: string, done: (error?: string) => void) =>
                this.later(() => {
                  const index = this.indexOf(name);
                  if (!this.vmacs.delete(name) || index === undefined) return done(`Cannot find device "${name}"`);
                  for (const w of [...this.linkWatchers]) w({ type: 'link.deleted', ifname: name, index });
                  done();
                }),
            },
          }
        : {}),
    };
  }
}
