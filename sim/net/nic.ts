/**
 * A simulated network interface: name, index, MAC, admin/carrier state, and its addresses
 * (the scenario's primary addresses, the kernel's IPv6 link-local, and whatever the daemon adds).
 */
import type { AddressSpec, Family } from '../../actors/ports.js';
import { formatIpv6, parseMac } from '../../protocol/addr.js';
import type { Frame } from './frame.js';
import type { Segment } from './segment.js';

export interface NicAddress {
  address: string;
  prefixLength: number;
  family: Family;
  /** Added by the daemon through NetConfig (VIPs, static_ipaddress); cleared on power loss. */
  dynamic: boolean;
  spec?: AddressSpec;
}

/** Whatever owns the NIC and consumes the frames that reach it (a Host). */
export interface NicOwner {
  readonly name: string;
  receiveFrame(nic: Nic, frame: Frame): void;
  /** False while powered off: frames are lost. */
  readonly powered: boolean;
}

/** fe80::/64 with the modified EUI-64 of a MAC (RFC 4291 appendix A). */
export function linkLocalFromMac(mac: Uint8Array): string {
  const b = new Uint8Array(16);
  b[0] = 0xfe;
  b[1] = 0x80;
  b[8] = (mac[0] ?? 0) ^ 0x02;
  b[9] = mac[1] ?? 0;
  b[10] = mac[2] ?? 0;
  b[11] = 0xff;
  b[12] = 0xfe;
  b[13] = mac[3] ?? 0;
  b[14] = mac[4] ?? 0;
  b[15] = mac[5] ?? 0;
  return formatIpv6(b);
}

export class Nic {
  adminUp = true;
  carrier = true;
  readonly macBytes: Uint8Array;
  readonly linkLocal: string;
  readonly addresses: NicAddress[] = [];
  segment: Segment | undefined;

  constructor(
    readonly owner: NicOwner,
    readonly name: string,
    readonly index: number,
    readonly mac: string,
    primary: Array<{ address: string; prefixLength: number; family: Family }>,
  ) {
    this.macBytes = parseMac(mac) ?? new Uint8Array(6);
    this.linkLocal = linkLocalFromMac(this.macBytes);
    for (const p of primary) this.addresses.push({ ...p, dynamic: false });
    this.addresses.push({ address: this.linkLocal, prefixLength: 64, family: 6, dynamic: false });
  }

  get running(): boolean {
    return this.adminUp && this.carrier && this.owner.powered;
  }

  hasAddress(address: string): boolean {
    for (const a of this.addresses) if (a.address === address) return true;
    return false;
  }

  /** The first address of a family that is not link-local and was not added by the daemon. */
  primaryAddress(family: Family): string | undefined {
    for (const a of this.addresses) if (a.family === family && !a.dynamic && a.address !== this.linkLocal) return a.address;
    return family === 6 ? this.linkLocal : undefined;
  }

  /** Forget every address the daemon added (power loss). */
  clearDynamic(): void {
    for (let i = this.addresses.length - 1; i >= 0; i--) if (this.addresses[i]!.dynamic) this.addresses.splice(i, 1);
  }

  cidrs(): string[] {
    return this.addresses.map((a) => `${a.address}/${a.prefixLength}`);
  }
}
