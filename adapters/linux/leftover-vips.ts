/**
 * Start-up clean-up: a daemon that crashed (or was SIGKILLed) leaves its VIPs on the interfaces,
 * and a restarted backup would then answer for addresses it does not own. keepalived removes them
 * when it starts; so do we: any configured VIP found on any interface is deleted.
 */
import type { AddressSpec, NetConfig } from '../../actors/ports.js';
import { ipBytes } from './ip-bytes.js';

export interface LeftoverVipReport {
  /** "198.51.100.10/24 dev eth0" for each address removed. */
  removed: string[];
  errors: string[];
}

const sameAddress = (a: string, b: string): boolean => {
  const x = ipBytes(a);
  const y = ipBytes(b);
  return !!x && !!y && x.equals(y);
};

/** Remove every address of `vips` that is present on an interface; `done` runs once at the end. */
export function removeLeftoverVips(net: NetConfig, vips: readonly AddressSpec[], done: (report: LeftoverVipReport) => void): void {
  const report: LeftoverVipReport = { removed: [], errors: [] };
  const found: AddressSpec[] = [];
  for (const ifc of net.interfaces()) {
    for (const cidr of ifc.addresses) {
      const [addr = '', len = '0'] = cidr.split('/');
      const vip = vips.find((v) => sameAddress(v.address, addr));
      if (vip) found.push({ address: addr, prefixLength: Number(len), family: vip.family, ifname: ifc.name });
    }
  }
  let pending = found.length;
  if (pending === 0) {
    setImmediate(() => done(report));
    return;
  }
  for (const a of found) {
    net.removeAddress(a, (error) => {
      if (error) report.errors.push(error);
      else report.removed.push(`${a.address}/${a.prefixLength} dev ${a.ifname}`);
      if (--pending === 0) done(report);
    });
  }
}
