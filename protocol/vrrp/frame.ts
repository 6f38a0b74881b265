/**
 * Whole Ethernet frames carrying VRRP adverts, for the simulator and AF_PACKET users:
 * Ethernet | IPv4 (| AH) | VRRP, or Ethernet | IPv6 | VRRP.
 */
import { multicastMac, parseIp, VRRP_IPV4_GROUP, VRRP_IPV6_GROUP } from '../addr.js';
import { buildEthernetFrame, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../ethernet.js';
import { IPPROTO_VRRP, VRRP_TOS } from '../ipv4.js';
import { buildIpv6Packet } from '../ipv6.js';
import { VRRP_TTL } from './constants.js';
import { encodeVrrpIpv4Packet, encodeVrrpMessage, type VrrpAdvertSpec, type VrrpChecksumAddresses } from './encode.js';

export interface VrrpFrameSpec extends VrrpAdvertSpec, Partial<VrrpChecksumAddresses> {
  /** Sending MAC: the interface MAC (keepalived default) or the VMAC. */
  srcMac: Uint8Array;
  /** Source address: primary IPv4 / IPv6 link-local. */
  src: string;
  /** Destination; defaults to 224.0.0.18 / ff02::12. */
  dst?: string;
  /** Destination MAC; defaults to the multicast MAC of `dst` (required for unicast). */
  dstMac?: Uint8Array;
  /** IPv4 ID (default 1). */
  ipId?: number;
  ttl?: number;
  /** IPv4 TOS / IPv6 traffic class; default 0xC0 as keepalived sets. */
  tos?: number;
  /** IPv6 flow label (the kernel picks one; default 0). */
  flowLabel?: number;
  ahSequence?: number;
  unicast?: boolean;
  vlanId?: number;
  padTo?: number;
}

/** Build the Ethernet frame for an advert. Throws only on a malformed spec (programming error). */
export function buildVrrpFrame(spec: VrrpFrameSpec): Uint8Array {
  const dst = spec.dst ?? (spec.family === 6 ? VRRP_IPV6_GROUP : VRRP_IPV4_GROUP);
  const dstBytes = parseIp(dst);
  if (!dstBytes) throw new Error(`bad destination ${dst}`);
  const dstMac = spec.dstMac ?? multicastMac(dstBytes.bytes);
  const addrs: VrrpChecksumAddresses = {
    src: spec.src,
    dst,
    v3Ipv4Checksum: spec.v3Ipv4Checksum,
    pseudoHeaderDst: spec.pseudoHeaderDst,
  };
  let payload: Uint8Array;
  if (spec.family === 4) {
    payload = encodeVrrpIpv4Packet(spec, {
      ...addrs,
      ipId: spec.ipId ?? 1,
      ttl: spec.ttl,
      tos: spec.tos,
      ahSequence: spec.ahSequence,
      unicast: spec.unicast,
    });
  } else {
    const src = parseIp(spec.src);
    if (!src) throw new Error(`bad source ${spec.src}`);
    const message = encodeVrrpMessage(spec, addrs);
    payload = buildIpv6Packet(
      {
        trafficClass: spec.tos ?? VRRP_TOS,
        flowLabel: spec.flowLabel ?? 0,
        nextHeader: IPPROTO_VRRP,
        hopLimit: spec.ttl ?? VRRP_TTL,
        src: src.bytes,
        dst: dstBytes.bytes,
      },
      message,
    );
  }
  return buildEthernetFrame({
    dst: dstMac,
    src: spec.srcMac,
    etherType: spec.family === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6,
    payload,
    vlanId: spec.vlanId,
    padTo: spec.padTo,
  });
}
