/**
 * ARP over Ethernet (RFC 826) and the gratuitous ARP keepalived sends for an IPv4 VIP on
 * becoming master (R-46, K-16): an ARP *request*, Ethernet broadcast, SHA = the sending
 * interface MAC (physical or VMAC), SPA = TPA = VIP, THA = ff:ff:ff:ff:ff:ff, no padding.
 */
import { BROADCAST_MAC } from './addr.js';
import { readU16, writeU16 } from './bytes.js';
import { buildEthernetFrame, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from './ethernet.js';
import { fail, ok, type Result } from './result.js';

export const ARP_PACKET_BYTES = 28;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;

export interface ArpPacket {
  op: number;
  senderMac: Uint8Array;
  senderIp: Uint8Array;
  targetMac: Uint8Array;
  targetIp: Uint8Array;
}

export function buildArpPacket(p: ArpPacket): Uint8Array {
  const b = new Uint8Array(ARP_PACKET_BYTES);
  writeU16(b, 0, 1); // hardware type Ethernet
  writeU16(b, 2, ETHERTYPE_IPV4);
  b[4] = 6;
  b[5] = 4;
  writeU16(b, 6, p.op);
  b.set(p.senderMac.subarray(0, 6), 8);
  b.set(p.senderIp.subarray(0, 4), 14);
  b.set(p.targetMac.subarray(0, 6), 18);
  b.set(p.targetIp.subarray(0, 4), 24);
  return b;
}

export type ArpParseFailure = 'too-short' | 'not-ethernet-ipv4';

/** Parse an ARP packet (the Ethernet payload; trailing padding ignored). */
export function parseArpPacket(b: Uint8Array): Result<ArpPacket, ArpParseFailure> {
  if (b.length < ARP_PACKET_BYTES) return fail('too-short', `ARP packet of ${b.length} bytes`);
  if (readU16(b, 0) !== 1 || readU16(b, 2) !== ETHERTYPE_IPV4 || b[4] !== 6 || b[5] !== 4) {
    return fail('not-ethernet-ipv4', `ARP htype ${readU16(b, 0)} ptype 0x${readU16(b, 2).toString(16)}`);
  }
  return ok({
    op: readU16(b, 6),
    senderMac: b.subarray(8, 14),
    senderIp: b.subarray(14, 18),
    targetMac: b.subarray(18, 24),
    targetIp: b.subarray(24, 28),
  });
}

/** Gratuitous ARP frame for `vip` from `mac`, byte-identical to keepalived's. */
export function buildGratuitousArpFrame(mac: Uint8Array, vip: Uint8Array, opts: { vlanId?: number; padTo?: number } = {}): Uint8Array {
  return buildEthernetFrame({
    dst: BROADCAST_MAC,
    src: mac,
    etherType: ETHERTYPE_ARP,
    payload: buildArpPacket({ op: ARP_OP_REQUEST, senderMac: mac, senderIp: vip, targetMac: BROADCAST_MAC, targetIp: vip }),
    ...opts,
  });
}

/** True for a gratuitous ARP (request or reply announcing SPA = TPA). */
export function isGratuitousArp(p: ArpPacket): boolean {
  return p.senderIp.every((x, i) => x === p.targetIp[i]);
}
