/**
 * The NetConfig port on a simulated host: the kernel's address table per NIC (VIPs land here),
 * routes and rules (kept, not routed on), and link/address events for the daemon's watchers.
 * Changes apply at once (as the syscall would); completions arrive asynchronously.
 */
import type { AddressSpec, InterfaceInfo, LinkEvent, NetConfig, RouteSpec, RuleSpec } from '../../actors/ports.js';
import { canonicalIp } from '../../protocol/addr.js';
import type { DaemonProcess, Host } from '../host/host.js';
import type { PortObserver } from './observer.js';

export class SimNetConfig implements NetConfig {
  constructor(
    private readonly host: Host,
    private readonly proc: DaemonProcess,
    private readonly observer: PortObserver,
  ) {}

  /** Each NIC's address list is made when it is first read, as the daemon's is (rtnl-dump.ts):
   *  a caller after a MAC or the link state (every gratuitous ARP burst) does not pay for a list
   *  of 250 VIPs per NIC. */
  interfaces(): InterfaceInfo[] {
    const lo: InterfaceInfo = { name: 'lo', index: 1, mac: '00:00:00:00:00:00', up: true, running: true, addresses: ['127.0.0.1/8', '::1/128'] };
    return [
      lo,
      ...this.host.nics.map((n) => {
        let addresses: string[] | undefined;
        const info = { name: n.name, index: n.index, mac: n.mac, up: n.adminUp, running: n.running } as InterfaceInfo;
        Object.defineProperty(info, 'addresses', { enumerable: true, get: () => (addresses ??= n.cidrs()) });
        return info;
      }),
    ];
  }

  addAddress(a: AddressSpec, done: (error?: string) => void): void {
    const nic = this.host.nic(a.ifname);
    const address = canonicalIp(a.address);
    if (!nic || !address) return this.later(done, nic ? `invalid address ${a.address}` : `Cannot find device "${a.ifname}"`);
    if (nic.hasAddress(address)) return this.later(done, 'RTNETLINK answers: File exists');
    nic.addresses.push({ address, prefixLength: a.prefixLength, family: a.family, dynamic: true, spec: a });
    this.observer.onAddressChange(this.host, nic, address, true);
    this.notify({ type: 'address.added', ifname: nic.name, address: `${address}/${a.prefixLength}` });
    this.later(done);
  }

  removeAddress(a: AddressSpec, done: (error?: string) => void): void {
    const nic = this.host.nic(a.ifname);
    const address = canonicalIp(a.address);
    const i = nic && address ? nic.addresses.findIndex((x) => x.address === address) : -1;
    if (!nic || i < 0) return this.later(done, 'RTNETLINK answers: Cannot assign requested address');
    const [gone] = nic.addresses.splice(i, 1);
    this.observer.onAddressChange(this.host, nic, address!, false);
    this.notify({ type: 'address.removed', ifname: nic.name, address: `${address}/${gone!.prefixLength}` });
    this.later(done);
  }

  addRoute(r: RouteSpec, done: (error?: string) => void): void {
    this.host.routes.push(r);
    this.later(done);
  }

  removeRoute(r: RouteSpec, done: (error?: string) => void): void {
    const i = this.host.routes.findIndex((x) => x.destination === r.destination && x.table === r.table && x.family === r.family);
    if (i < 0) return this.later(done, 'RTNETLINK answers: No such process');
    this.host.routes.splice(i, 1);
    this.later(done);
  }

  addRule(r: RuleSpec, done: (error?: string) => void): void {
    this.host.rules.push(r);
    this.later(done);
  }

  removeRule(r: RuleSpec, done: (error?: string) => void): void {
    const i = this.host.rules.findIndex((x) => JSON.stringify(x) === JSON.stringify(r));
    if (i < 0) return this.later(done, 'RTNETLINK answers: No such file or directory');
    this.host.rules.splice(i, 1);
    this.later(done);
  }

  watch(onEvent: (e: LinkEvent) => void): () => void {
    this.proc.linkWatchers.add(onEvent);
    return () => this.proc.linkWatchers.delete(onEvent);
  }

  private notify(e: LinkEvent): void {
    for (const w of this.proc.linkWatchers) this.host.cpu.schedule(() => w(e), 0, this.proc.life);
  }

  private later(done: (error?: string) => void, error?: string): void {
    this.host.cpu.schedule(() => (error === undefined ? done() : done(error)), 0, this.proc.life);
  }
}
