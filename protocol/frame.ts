/**
 * Classify a captured Ethernet frame: VRRP advert (IPv4, IPv4+AH, IPv6), ARP, IPv6 Neighbor
 * Advertisement, or something else. Never throws; used by the simulator's taps and `pcap`.
 * A VRRP packet the kernel would discard before any socket sees it (bad IPv4 header checksum,
 * a fragment) carries `kernelDrop`.
 */
import { IpAddress } from './addr.js';
import { parseArpPacket, type ArpPacket } from './arp.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, parseEthernetFrame, type EthernetFrame } from './ethernet.js';
import { IPPROTO_AH, IPPROTO_VRRP, parseIpv4Packet } from './ipv4.js';
import { IPPROTO_ICMPV6, parseIpv6Packet } from './ipv6.js';
import { IPPROTO_FRAGMENT, ipv4KernelDrop, ipv6FragmentOf, type KernelDrop } from './kernel-rx.js';
import { parseNeighborAdvert, type NeighborAdvert } from './ndisc.js';
import type { Result } from './result.js';
import { decodeVrrp, decodeVrrpMessage, type VrrpDecodeFailure } from './vrrp/decode.js';
import type { VrrpAdvert } from './vrrp/types.js';

export type ParsedFrame =
  | { kind: 'vrrp'; eth: EthernetFrame; advert: Result<VrrpAdvert, VrrpDecodeFailure>; kernelDrop?: KernelDrop }
  | { kind: 'arp'; eth: EthernetFrame; arp: ArpPacket }
  | { kind: 'neighbor-advert'; eth: EthernetFrame; na: NeighborAdvert }
  | { kind: 'other'; eth?: EthernetFrame; detail: string };

export function parseFrame(frame: Uint8Array): ParsedFrame {
  const e = parseEthernetFrame(frame);
  if (!e.ok) return { kind: 'other', detail: e.detail };
  const eth = e.value;
  if (eth.etherType === ETHERTYPE_ARP) {
    const arp = parseArpPacket(eth.payload);
    return arp.ok ? { kind: 'arp', eth, arp: arp.value } : { kind: 'other', eth, detail: arp.detail };
  }
  if (eth.etherType === ETHERTYPE_IPV4) {
    const ip = parseIpv4Packet(eth.payload);
    if (!ip.ok) return { kind: 'other', eth, detail: `IPv4: ${ip.detail}` };
    if (ip.value.protocol !== IPPROTO_VRRP && ip.value.protocol !== IPPROTO_AH) {
      return { kind: 'other', eth, detail: `IPv4 protocol ${ip.value.protocol}` };
    }
    const advert = decodeVrrp({ family: 4, data: eth.payload.subarray(0, ip.value.totalLength) });
    const kernelDrop = ipv4KernelDrop(ip.value);
    return kernelDrop ? { kind: 'vrrp', eth, advert, kernelDrop } : { kind: 'vrrp', eth, advert };
  }
  if (eth.etherType === ETHERTYPE_IPV6) {
    const ip = parseIpv6Packet(eth.payload);
    if (!ip.ok) return { kind: 'other', eth, detail: `IPv6: ${ip.detail}` };
    const { nextHeader, payload, src, dst, hopLimit } = ip.value;
    const v6 = (message: Uint8Array) => decodeVrrpMessage(message, 6, IpAddress.fromBytes(src)!, IpAddress.fromBytes(dst)!, hopLimit);
    if (nextHeader === IPPROTO_VRRP) return { kind: 'vrrp', eth, advert: v6(payload) };
    const frag = nextHeader === IPPROTO_FRAGMENT ? ipv6FragmentOf(payload) : undefined;
    if (frag?.nextHeader === IPPROTO_VRRP) return { kind: 'vrrp', eth, advert: v6(frag.inner), kernelDrop: frag.drop };
    if (nextHeader === IPPROTO_ICMPV6) {
      const na = parseNeighborAdvert(payload, src, dst, hopLimit);
      if (na.ok) return { kind: 'neighbor-advert', eth, na: na.value };
      return { kind: 'other', eth, detail: `ICMPv6: ${na.detail}` };
    }
    return { kind: 'other', eth, detail: `IPv6 next header ${nextHeader}` };
  }
  return { kind: 'other', eth, detail: `EtherType 0x${eth.etherType.toString(16).padStart(4, '0')}` };
}
