/**
 * What an observer's kernel learns from gratuitous ARP and unsolicited neighbour advertisements:
 * "IP X is at MAC Y". Decoded with protocol/'s ARP and NA codecs; frames that do not carry a
 * usable mapping are ignored (a real kernel would drop them too).
 */
import { formatIpv4, formatIpv6, formatMac, parseIpv6 } from '../../protocol/addr.js';
import { parseArpPacket } from '../../protocol/arp.js';
import { parseNeighborAdvert } from '../../protocol/ndisc.js';
import { ETHERTYPE_ARP, IPPROTO_ICMPV6, type Frame } from './frame.js';

export interface NeighbourFact {
  address: string;
  mac: string;
}

export function learnNeighbour(f: Frame): NeighbourFact | undefined {
  const b = f.bytes;
  if (f.ethertype === ETHERTYPE_ARP) {
    const arp = parseArpPacket(b.subarray(14));
    if (!arp.ok) return undefined;
    return { address: formatIpv4(arp.value.senderIp), mac: formatMac(arp.value.senderMac) };
  }
  if (f.family === 6 && f.proto === IPPROTO_ICMPV6) {
    const icmp = b.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength);
    const na = parseNeighborAdvert(icmp, parseIpv6(f.src) ?? new Uint8Array(16), parseIpv6(f.dst) ?? new Uint8Array(16), f.ttl);
    if (!na.ok || !na.value.targetMac || !na.value.checksumOk) return undefined;
    return { address: formatIpv6(na.value.target), mac: formatMac(na.value.targetMac) };
  }
  return undefined;
}
