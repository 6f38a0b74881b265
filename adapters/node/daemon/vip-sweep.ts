/**
 * Start-up sweep of leftover VIPs, as keepalived does when its VRRP process starts ("(VI_1)
 * removing VIPs."): a VRRP child that crashed, was killed by the hello watchdog, or a whole
 * daemon killed with -9, leaves its VIPs on the interfaces. Its successor starts in BACKUP, so
 * without the sweep two hosts would answer for the same address. The sweep runs before the
 * runtime starts, and the runtime only starts once every removal has completed, so it can never
 * undo an address the new runtime adds.
 */
import type { AddressSpec, InterfaceInfo, Logger, Ports } from '../../../actors/ports.js';
import type { KeepalivedConfig } from '../../../config/index.js';

export interface LeftoverVip {
  instance: string;
  spec: AddressSpec;
}

/** Configured VIPs (virtual_ipaddress and _excluded) that are present on an interface now. */
export function leftoverVips(model: KeepalivedConfig, interfaces: readonly InterfaceInfo[]): LeftoverVip[] {
  const out: LeftoverVip[] = [];
  for (const inst of model.vrrpInstances) {
    for (const vip of [...inst.vips, ...inst.excludedVips]) {
      const ifname = vip.dev ?? inst.interface;
      if (!ifname) continue;
      const cidr = `${vip.address}/${vip.prefixLength}`;
      const info = interfaces.find((i) => i.name === ifname);
      if (!info?.addresses.includes(cidr)) continue;
      out.push({ instance: inst.name, spec: { address: vip.address, prefixLength: vip.prefixLength, family: vip.family, ifname } });
    }
  }
  return out;
}

/** Remove the leftovers; resolves when all removals have answered, or after `timeoutMs`. */
export function sweepLeftoverVips(ports: Ports, model: KeepalivedConfig, log: Logger, timeoutMs = 3000): Promise<number> {
  let found: LeftoverVip[];
  try {
    found = leftoverVips(model, ports.net.interfaces());
  } catch (e) {
    log.log('warning', `cannot list interfaces for the start-up VIP sweep: ${(e as Error).message}`);
    return Promise.resolve(0);
  }
  if (found.length === 0) return Promise.resolve(0);
  for (const name of new Set(found.map((f) => f.instance))) log.log('info', `(${name}) removing VIPs.`);
  return new Promise((resolve) => {
    let pending = found.length;
    const timer = setTimeout(() => {
      log.log('warning', `start-up VIP sweep: ${pending} removal(s) unanswered after ${timeoutMs} ms`);
      resolve(found.length);
    }, timeoutMs);
    for (const { instance, spec } of found) {
      ports.net.removeAddress(spec, (error) => {
        if (error) log.log('warning', `(${instance}) cannot remove leftover VIP ${spec.address}/${spec.prefixLength} on ${spec.ifname}: ${error}`);
        else log.log('debug', `(${instance}) removed leftover VIP ${spec.address}/${spec.prefixLength} on ${spec.ifname}`);
        if (--pending === 0) {
          clearTimeout(timer);
          resolve(found.length);
        }
      });
    }
  });
}
