/**
 * Client connections to a virtual service: an observer host opens a TCP connection to VIP:port
 * every so often and the trace records which real server served it, or why it failed.
 *
 * One connection, as the packets go:
 *  1. The client sends its SYN to the MAC its ARP cache has for the VIP (learned from gratuitous
 *     ARPs, so a stale cache sends it to the wrong box), or, with no entry, to whoever holds the
 *     VIP on the segment.
 *  2. On that box: no VIP → the SYN is dropped (the client times out). The VIP but no virtual
 *     service for the port, or a service with no destination available → RST from the box
 *     itself ("refused"). Otherwise the kernel table (sim/lvs/table.ts) picks a destination
 *     with the service's scheduler (or the client's persistence template) and the SYN goes on
 *     to that real server: its own address for NAT; for DR and TUN the real server must hold
 *     the VIP (on `lo`, the scenario's `loopback:`), or it drops the packet.
 *  3. The real server answers: SYN-ACK from a listener, RST when refused or with no listener.
 *     The answer goes straight to the client for DR and TUN, back through the director for NAT.
 *  4. For HTTP, HTTPS and SMTP services one request/answer round trip follows (the answer after
 *     the service's `slow`); a 5xx status or a greeting other than 220 is an `error`.
 * Retransmissions are TCP's (sim/lvs/transport.ts); the client gives up after `timeout`.
 *
 * A connection counts as active on its destination (lc, wlc, sed, nq, thresholds) from the
 * scheduling until it ends.
 */
import type { LbDestination } from '../../actors/lvs/lb-port.js';
import type { Host } from '../host/host.js';
import type { ProcessLife } from '../host/host-clock.js';
import type { Nic } from '../net/nic.js';
import { destKey, persistenceKey, pick } from './scheduler.js';
import { lbServiceKey, type KernelService } from './table.js';
import { DATA_RTO_MS, exchange, holds, NEIGHBOUR_TIMEOUT_MS, route, SYN_RTO_MS, type Send, type Transport } from './transport.js';

export interface TrafficSpec {
  /** The virtual service: VIP and port (TCP). */
  address: string;
  port: number;
  /** One new connection every `everyMs`, from `fromMs` until `untilMs` (default: the end). */
  everyMs: number;
  fromMs: number;
  untilMs?: number;
  /** The client gives up after this long (default 3 s). */
  timeoutMs: number;
}

export type ConnResult = 'ok' | 'error' | 'refused' | 'reset' | 'timeout' | 'unreachable';

export interface ConnRecord {
  id: number;
  client: string;
  /** VIP:port as the client dialled it. */
  service: string;
  /** The box the SYN reached, the destination its table picked, the host that holds it. */
  director?: string;
  dest?: string;
  server?: string;
  via?: 'scheduler' | 'persistence';
  result: ConnResult;
  detail?: string;
  status?: number;
  startUs: number;
}

/** What the world does with a connection: schedule-time checks (invariants) and the record. */
export interface TrafficObserver {
  nowUs(): number;
  onScheduled(director: Host, ks: KernelService, dest: LbDestination, via: 'scheduler' | 'persistence'): void;
  onConnection(c: ConnRecord): void;
}

interface Entry {
  director: Host;
  dirNic: Nic;
  /** Dropped at the box (no VIP there), with the reason. */
  drop?: string;
  /** The box itself answers RST, with the reason. */
  reset?: string;
  ks?: KernelService;
  dest?: LbDestination;
  server?: Host;
  toServer?: Send;
  fromServer?: Send;
  port?: number;
}

type Syn = 'syn-ack' | 'rst';
type AppAnswer = { status: number; kind: 'http' | 'smtp' } | 'rst';

export class ClientTraffic {
  private next = 0;

  constructor(
    private readonly transport: Transport,
    private readonly observer: TrafficObserver,
  ) {}

  /** Open one connection from `client` to the spec's VIP:port now. */
  open(client: Host, spec: TrafficSpec): void {
    const id = ++this.next;
    const startUs = this.observer.nowUs();
    const vip = spec.address;
    const service = `${vip.includes(':') ? `[${vip}]` : vip}:${spec.port}`;
    const life: ProcessLife = client.kernelLife;
    let entry: Entry | undefined;
    let finished = false;
    const exchanges: Array<{ abandon(): void }> = [];

    const finish = (result: ConnResult, detail?: string, status?: number): void => {
      if (finished || !life.alive) return;
      finished = true;
      for (const x of exchanges) x.abandon();
      if (entry?.ks && entry.dest) {
        const k = destKey(entry.dest);
        entry.ks.active.set(k, Math.max(0, (entry.ks.active.get(k) ?? 1) - 1));
      }
      this.observer.onConnection({
        id,
        client: client.name,
        service,
        ...(entry ? { director: entry.director.name } : {}),
        ...(entry?.dest ? { dest: destKey(entry.dest) } : {}),
        ...(entry?.server ? { server: entry.server.name } : {}),
        ...(entry?.dest ? { via: this.viaOf.get(id) ?? 'scheduler' } : {}),
        result,
        ...(detail !== undefined ? { detail } : {}),
        ...(status !== undefined ? { status } : {}),
        startUs,
      });
      this.viaOf.delete(id);
    };
    client.cpu.schedule(() => finish('timeout', entry?.drop ?? entry?.reset), spec.timeoutMs, life);

    const r = route(client, vip);
    if (r.kind === 'no-route') return finish('unreachable', 'Network is unreachable (ENETUNREACH)');
    if (r.kind === 'no-neighbour') return void client.cpu.schedule(() => finish('unreachable', 'No route to host (EHOSTUNREACH)'), NEIGHBOUR_TIMEOUT_MS, life);
    if (r.kind === 'local') return finish('refused', 'the client holds the VIP itself');
    const clientNic = r.nic;
    // The ARP cache wins over who actually holds the VIP now (that is what a stale cache means).
    const mac = client.neighbours.get(vip);
    const dirNic = (mac !== undefined ? clientNic.segment?.nics.find((n) => n.mac === mac) : undefined) ?? r.peer;
    const clientAddress = clientNic.primaryAddress(vip.includes(':') ? 6 : 4) ?? '';
    const clientPort = 32768 + (id % 28232);

    const decide = (director: Host): Entry => {
      const e: Entry = { director, dirNic };
      if (!director.nics.some((n) => n.hasAddress(vip))) return { ...e, drop: `${director.name} does not hold ${vip}` };
      const ks = director.lb.services.get(lbServiceKey({ family: vip.includes(':') ? 6 : 4, protocol: 'tcp', address: vip, port: spec.port }));
      if (!ks) return { ...e, reset: `no virtual service ${service} on ${director.name}` };
      const dest = this.schedule(ks, clientAddress, clientPort, id);
      if (!dest) return { ...e, reset: `no destination available for ${service} on ${director.name}` };
      e.ks = ks;
      e.dest = dest;
      ks.active.set(destKey(dest), (ks.active.get(destKey(dest)) ?? 0) + 1);
      this.observer.onScheduled(director, ks, dest, this.viaOf.get(id) ?? 'scheduler');
      const nat = dest.method === 'NAT';
      e.port = nat ? dest.port : spec.port;
      const toRs = route(director, dest.address);
      if (toRs.kind === 'peer') {
        const server = toRs.peer.owner as Host;
        e.server = server;
        e.toServer = (arrived) =>
          this.transport.packet(toRs.nic, toRs.peer, 'conn', () => {
            // DR and TUN keep the VIP as destination: the real server must hold it.
            if (!nat && !holds(server, vip)) return;
            arrived();
          });
        if (nat) e.fromServer = (arrived) => this.transport.packet(toRs.peer, toRs.nic, 'conn', () => this.transport.packet(dirNic, clientNic, 'conn', arrived));
        else {
          const back = route(server, clientAddress);
          e.fromServer = back.kind === 'peer' ? (arrived) => this.transport.packet(back.nic, back.peer, 'conn', arrived) : () => undefined;
        }
      } else if (toRs.kind === 'local') {
        e.server = director;
        e.toServer = (arrived) => this.transport.loopback(director, arrived);
        e.fromServer = (arrived) => this.transport.packet(dirNic, clientNic, 'conn', arrived);
      } else {
        e.toServer = () => undefined;
        e.fromServer = () => undefined;
      }
      return e;
    };

    const toBox: Send = (arrived) =>
      this.transport.packet(clientNic, dirNic, 'conn', () => {
        if (!entry || entry.drop) entry = decide(dirNic.owner as Host);
        if (entry.drop) return;
        if (entry.reset) return arrived();
        entry.toServer!(arrived);
      });
    const fromBox: Send = (arrived) => (entry?.reset ? this.transport.packet(dirNic, clientNic, 'conn', arrived) : entry!.fromServer!(arrived));
    const responder = (): Host => (entry?.reset ? entry.director : (entry?.server ?? (dirNic.owner as Host)));

    exchanges.push(
      exchange<Syn>({
        initiator: client,
        initiatorLife: life,
        get responder() {
          return responder();
        },
        rtoMs: SYN_RTO_MS,
        forward: toBox,
        serve: (respond) => {
          if (entry?.reset) return respond('rst');
          const svc = entry?.server?.services.get('tcp', entry.port ?? spec.port);
          if (!svc || svc.mode === 'refuse') respond('rst');
          else if (svc.mode === 'up') respond('syn-ack');
        },
        backward: () => fromBox,
        done: (a) => {
          if (a === 'rst') return finish('refused', entry?.reset ?? `${entry?.server?.name ?? '?'} refused port ${entry?.port}`);
          const svc = entry?.server?.services.get('tcp', entry.port ?? spec.port);
          if (!svc || (svc.kind !== 'http' && svc.kind !== 'https' && svc.kind !== 'smtp')) return finish('ok');
          exchanges.push(
            exchange<AppAnswer>({
              initiator: client,
              initiatorLife: life,
              responder: entry!.server!,
              rtoMs: DATA_RTO_MS,
              forward: (arrived) => entry!.toServer!(arrived),
              serve: (respond) => {
                const now = entry!.server!.services.get('tcp', entry!.port!);
                if (!now || now.mode === 'refuse') respond('rst');
                else if (now.mode === 'up') respond({ status: now.status, kind: now.kind === 'smtp' ? 'smtp' : 'http' }, now.slowMs);
              },
              backward: () => fromBox,
              done: (ans) => {
                if (ans === 'rst') return finish('reset', 'Connection reset by peer');
                const bad = ans.kind === 'smtp' ? ans.status !== 220 : ans.status >= 500;
                finish(bad ? 'error' : 'ok', undefined, ans.status);
              },
            }),
          );
        },
      }),
    );
  }

  private readonly viaOf = new Map<number, 'scheduler' | 'persistence'>();

  /** The destination for a new connection: the client's live persistence template, else the scheduler. */
  private schedule(ks: KernelService, address: string, port: number, id: number): LbDestination | undefined {
    const nowUs = this.observer.nowUs();
    const timeoutS = ks.service.persistenceTimeoutS;
    const key = timeoutS > 0 ? persistenceKey(address, ks.service.netmask) : undefined;
    if (key !== undefined) {
      const t = ks.templates.get(key);
      const d = t && t.untilUs > nowUs ? ks.dests.find((x) => destKey(x) === t.dest) : undefined;
      if (d && t) {
        t.untilUs = nowUs + timeoutS * 1e6;
        this.viaOf.set(id, 'persistence');
        return d;
      }
    }
    const d = pick({ service: ks.service, dests: ks.dests, active: ks.active, state: ks.state }, { address, port });
    if (d && key !== undefined) ks.templates.set(key, { dest: destKey(d), untilUs: nowUs + timeoutS * 1e6 });
    this.viaOf.set(id, 'scheduler');
    return d;
  }
}
