/**
 * One plain sentence per drop reason, for people reading a timeline or a capture verdict: what
 * differs between the sender and the receiver, in keepalived.conf terms where it can be said so.
 * docs/protocol.md ("Drop reasons") has the same list with keepalived's counters.
 */
import type { VrrpDropReason } from './types.js';

export const VRRP_DROP_REASON_TEXT: Readonly<Record<VrrpDropReason, string>> = {
  'too-short': 'too short to be a VRRP packet',
  'bad-ip-header': 'IP header unusable',
  'bad-ip-total-length': 'IP total length disagrees with the packet',
  'not-vrrp': 'not a VRRP packet',
  'wrong-family': 'IPv4/IPv6 family differs from the instance',
  'vrid-unknown': 'no instance has this virtual_router_id',
  'bad-length': 'message length does not match its address count',
  'bad-ttl': 'TTL / hop limit is not 255 (a router forwarded it?)',
  'bad-version': 'VRRP version differs (vrrp_version)',
  'bad-auth-type': 'invalid authentication type',
  'auth-type-mismatch': 'auth_type differs',
  'auth-mismatch': 'auth_pass differs (or the AH ICV is wrong)',
  'ah-spi-mismatch': 'AH SPI does not match the sender',
  'ah-replay': 'AH sequence number replayed',
  'interval-mismatch': 'advert_int differs',
  'bad-type': 'not an advertisement (type is not 1)',
  'zero-count': 'no addresses (RFC check)',
  'zero-interval': 'interval 0 (RFC check)',
  'first-address-not-link-local': 'first IPv6 address is not link-local (RFC check)',
  'addr-count-mismatch': 'number of virtual_ipaddress entries differs',
  'bad-checksum': 'VRRP checksum wrong for this configuration',
  'cast-mismatch': 'multicast advert on a unicast instance, or the reverse',
  'owner-ignores-adverts': 'the address owner ignores adverts (strict mode)',
  'addr-list-mismatch': 'virtual_ipaddress lists differ',
  'unicast-src-unknown': 'sender is not in unicast_peer',
  'unicast-ttl-out-of-range': 'TTL outside the peer\'s min_ttl..max_ttl',
};

/** The sentence for a reason name; unknown names (from a newer runtime) come back as they are. */
export function describeDropReason(reason: string): string {
  return (VRRP_DROP_REASON_TEXT as Record<string, string>)[reason] ?? reason;
}
