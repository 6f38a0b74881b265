/**
 * use_vmac interfaces over ports.vmac: created when the runtime starts (or a reload adds an
 * instance with use_vmac), before any VIP can be put on them, and deleted when the runtime stops
 * (after the VIPs are gone) or a reload drops them. Failures are logged and counted, never thrown.
 */
import type { AddressIo } from './address-io.js';
import type { InstanceIoConfig } from './plan-instance.js';
import type { Ports } from '../ports.js';
import type { RuntimeSink } from '../sink.js';

/** An IPv6 VMAC that carries the adverts needs our link-local source address on it. */
const linkLocalFor = (io: InstanceIoConfig): string | undefined => (io.family === 6 && io.vmac && io.vrrpIfname === io.vmac.name ? io.src : undefined);

export class VmacIo {
  /** VMAC name → `base/vrid/family/link-local` it was created for. */
  private readonly created = new Map<string, string>();

  constructor(
    private readonly ports: Ports,
    private readonly ops: AddressIo,
    private readonly sink: RuntimeSink,
  ) {}

  /** Create the VMACs `ios` need and delete those no longer needed. */
  configure(ios: InstanceIoConfig[]): void {
    const port = this.ports.vmac;
    if (!port) return;
    const wanted = new Map<string, InstanceIoConfig>();
    for (const io of ios) if (io.vmac) wanted.set(io.vmac.name, io);
    const sig = (io: InstanceIoConfig) => `${io.vmac!.base}/${io.vrid}/${io.family}/${linkLocalFor(io) ?? ''}`;
    for (const [name, was] of [...this.created]) {
      const io = wanted.get(name);
      if (!io || sig(io) !== was) this.remove(name);
    }
    for (const [name, io] of wanted) {
      if (this.created.has(name)) continue;
      this.created.set(name, sig(io));
      const linkLocal = linkLocalFor(io);
      this.ops.op(io.name, `create VMAC ${name} on ${io.vmac!.base}`, (done) =>
        port.create({ baseIfname: io.vmac!.base, vrid: io.vrid, family: io.family, name, ...(linkLocal ? { linkLocal } : {}) }, (error, ifname) => {
          if (!error) this.sink.log('info', `(${io.name}) VMAC ${ifname} created on ${io.vmac!.base}`);
          done(error);
        }),
      );
    }
  }

  /** Graceful stop: delete every VMAC we created. */
  removeAll(): void {
    for (const name of [...this.created.keys()]) this.remove(name);
  }

  private remove(name: string): void {
    const port = this.ports.vmac;
    this.created.delete(name);
    if (port) this.ops.op('vmac', `delete VMAC ${name}`, (done) => port.remove(name, done));
  }
}
