/**
 * What the Linux receive path discards before a raw VRRP socket (keepalived's or ours) sees a
 * packet, so that tools judging a capture, and the simulator's hosts, drop what a real host
 * would: an IPv4 header whose checksum is wrong (ip_rcv_core), and fragments, which the kernel
 * holds for reassembly (a lone fragment never reaches the socket; VRRP adverts are far below any
 * MTU, so a fragmented advert means something on the path is broken).
 */
import { readU16 } from './bytes.js';
import type { Ipv4Packet } from './ipv4.js';

export type KernelDropReason = 'bad-ip-checksum' | 'ip-fragment';

export interface KernelDrop {
  reason: KernelDropReason;
  detail: string;
}

/** IPv6 Fragment extension header (RFC 8200 §4.5). */
export const IPPROTO_FRAGMENT = 44;

/** The kernel's verdict on an IPv4 datagram before delivery, undefined when it is delivered. */
export function ipv4KernelDrop(ip: Pick<Ipv4Packet, 'headerChecksumOk' | 'headerChecksum' | 'flagsFragment'>): KernelDrop | undefined {
  if (!ip.headerChecksumOk) return { reason: 'bad-ip-checksum', detail: `IPv4 header checksum 0x${ip.headerChecksum.toString(16).padStart(4, '0')} is wrong` };
  const offset = (ip.flagsFragment & 0x1fff) * 8;
  const more = (ip.flagsFragment & 0x2000) !== 0;
  if (more || offset !== 0) return { reason: 'ip-fragment', detail: `IPv4 fragment at offset ${offset}${more ? ', more fragments follow' : ', the last one'}` };
  return undefined;
}

/** An IPv6 Fragment header: the protocol it fragments, and the kernel's verdict. */
export function ipv6FragmentOf(payload: Uint8Array): { nextHeader: number; inner: Uint8Array; drop: KernelDrop } | undefined {
  if (payload.length < 8) return undefined;
  const word = readU16(payload, 2);
  const offset = (word >>> 3) * 8;
  const more = (word & 1) !== 0;
  return {
    nextHeader: payload[0]!,
    inner: payload.subarray(8),
    drop: { reason: 'ip-fragment', detail: `IPv6 fragment at offset ${offset}${more ? ', more fragments follow' : ', the last one'}` },
  };
}
