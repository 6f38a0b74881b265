/**
 * IPv6 Neighbor Advertisement (RFC 4861 §4.4) and the unsolicited NA keepalived sends for an
 * IPv6 VIP on becoming master (R-46, K-16): Ethernet 33:33:00:00:00:01, IPv6 src = the VIP,
 * dst ff02::1, hop limit 255, ICMPv6 type 136, flags R (only when the interface forwards), S=0,
 * O=1, target = VIP, option 2 (target link-layer address) = the sending MAC.
 */
import { multicastMac, parseIpv6 } from './addr.js';
import { internetChecksum, ipv6PseudoHeader } from './checksum.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { buildEthernetFrame, ETHERTYPE_IPV6 } from './ethernet.js';
import { buildIpv6Header, IPPROTO_ICMPV6, IPV6_HEADER_BYTES } from './ipv6.js';
import { fail, ok, type Result } from './result.js';

export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
export const NA_FLAG_ROUTER = 0x80000000;
export const NA_FLAG_SOLICITED = 0x40000000;
export const NA_FLAG_OVERRIDE = 0x20000000;
const ND_OPT_TARGET_LL_ADDR = 2;
const NA_BASE_BYTES = 24;
export const ALL_NODES = parseIpv6('ff02::1')!;

export interface NeighborAdvert {
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: Uint8Array;
  /** Target link-layer address option, when present. */
  targetMac?: Uint8Array;
  checksum: number;
  checksumOk: boolean;
  hopLimit: number;
  src: Uint8Array;
  dst: Uint8Array;
}

export interface UnsolicitedNaSpec {
  mac: Uint8Array;
  vip: Uint8Array;
  /** keepalived sets R only when IPv6 forwarding is on for the interface (K-16); RFC 5798 says always. */
  router: boolean;
  vlanId?: number;
}

/** ICMPv6 NA message (checksum filled for src → dst). */
export function buildNeighborAdvertMessage(
  flags: { router: boolean; solicited: boolean; override: boolean },
  target: Uint8Array,
  targetMac: Uint8Array | undefined,
  src: Uint8Array,
  dst: Uint8Array,
): Uint8Array {
  const msg = new Uint8Array(NA_BASE_BYTES + (targetMac ? 8 : 0));
  msg[0] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
  const word = (flags.router ? NA_FLAG_ROUTER : 0) | (flags.solicited ? NA_FLAG_SOLICITED : 0) | (flags.override ? NA_FLAG_OVERRIDE : 0);
  writeU32(msg, 4, word >>> 0);
  msg.set(target.subarray(0, 16), 8);
  if (targetMac) {
    msg[24] = ND_OPT_TARGET_LL_ADDR;
    msg[25] = 1; // length in units of 8 bytes
    msg.set(targetMac.subarray(0, 6), 26);
  }
  writeU16(msg, 2, internetChecksum(ipv6PseudoHeader(src, dst, IPPROTO_ICMPV6, msg.length), msg));
  return msg;
}

/** The unsolicited NA frame for a VIP, byte-identical to keepalived's. */
export function buildUnsolicitedNaFrame(spec: UnsolicitedNaSpec): Uint8Array {
  const icmp = buildNeighborAdvertMessage({ router: spec.router, solicited: false, override: true }, spec.vip, spec.mac, spec.vip, ALL_NODES);
  const ip = buildIpv6Header({ nextHeader: IPPROTO_ICMPV6, hopLimit: 255, src: spec.vip, dst: ALL_NODES }, icmp.length);
  const payload = new Uint8Array(IPV6_HEADER_BYTES + icmp.length);
  payload.set(ip, 0);
  payload.set(icmp, IPV6_HEADER_BYTES);
  return buildEthernetFrame({ dst: multicastMac(ALL_NODES), src: spec.mac, etherType: ETHERTYPE_IPV6, payload, vlanId: spec.vlanId });
}

export type NaParseFailure = 'too-short' | 'not-neighbor-advert';

/** Parse an ICMPv6 NA given the IPv6 header fields it came with. */
export function parseNeighborAdvert(
  icmp: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
  hopLimit: number,
): Result<NeighborAdvert, NaParseFailure> {
  if (icmp.length < NA_BASE_BYTES) return fail('too-short', `ICMPv6 NA of ${icmp.length} bytes`);
  if (icmp[0] !== ICMPV6_NEIGHBOR_ADVERTISEMENT) return fail('not-neighbor-advert', `ICMPv6 type ${icmp[0]}`);
  const flags = readU32(icmp, 4);
  let targetMac: Uint8Array | undefined;
  for (let off = NA_BASE_BYTES; off + 2 <= icmp.length; ) {
    const len = icmp[off + 1]! * 8;
    if (len === 0 || off + len > icmp.length) break;
    if (icmp[off] === ND_OPT_TARGET_LL_ADDR && len >= 8) targetMac = icmp.subarray(off + 2, off + 8);
    off += len;
  }
  return ok({
    router: (flags & NA_FLAG_ROUTER) !== 0,
    solicited: (flags & NA_FLAG_SOLICITED) !== 0,
    override: (flags & NA_FLAG_OVERRIDE) !== 0,
    target: icmp.subarray(8, 24),
    targetMac,
    checksum: readU16(icmp, 2),
    checksumOk: internetChecksum(ipv6PseudoHeader(src, dst, IPPROTO_ICMPV6, icmp.length), icmp) === 0,
    hopLimit,
    src,
    dst,
  });
}
