/**
 * VRRP checksums (R-10..R-13, K-2, K-3).
 *  - v2: Internet checksum of the message, auth data included, no pseudo-header (RFC 3768 §5.3.8).
 *  - v3 IPv6: with the RFC 8200 pseudo-header (RFC 5798 §5.2.8).
 *  - v3 IPv4: RFC 5798 as keepalived, FRR and Wireshark read it = with the IPv4 pseudo-header
 *    ('pseudo-header', keepalived's default); RFC 9568 / `v3_checksum_as_v2` = message only.
 *    For unicast, the pseudo-header destination is the peer's address (keepalived ≥ 1.3.6); the
 *    old form used the multicast group instead (`old_unicast_checksum`).
 */
import { internetChecksum, ipv4PseudoHeader, ipv6PseudoHeader } from '../checksum.js';
import { IPPROTO_VRRP } from '../ipv4.js';

/** How a v3 IPv4 checksum is formed: keepalived default, or `v3_checksum_as_v2` (RFC 9568). */
export type V3Ipv4ChecksumMode = 'pseudo-header' | 'message-only';

export interface VrrpChecksumContext {
  version: number;
  family: 4 | 6;
  /** IP source address bytes (4 or 16). */
  src: Uint8Array;
  /** Address used as pseudo-header destination: the IP destination, or the group for the old unicast form. */
  dst: Uint8Array;
  /** v3 IPv4 only; default 'pseudo-header'. */
  v3Ipv4Mode?: V3Ipv4ChecksumMode;
}

/** Checksum of `message` (its checksum field is treated as zero) for the given context. */
export function computeVrrpChecksum(message: Uint8Array, ctx: VrrpChecksumContext): number {
  const zeroed = message.slice();
  zeroed[6] = 0;
  zeroed[7] = 0;
  return internetChecksum(...checksumParts(zeroed, ctx));
}

/** True when the checksum stored in `message` is right for the context. */
export function vrrpChecksumOk(message: Uint8Array, ctx: VrrpChecksumContext): boolean {
  return internetChecksum(...checksumParts(message, ctx)) === 0;
}

function checksumParts(message: Uint8Array, ctx: VrrpChecksumContext): Uint8Array[] {
  if (ctx.version !== 3) return [message];
  if (ctx.family === 6) return [ipv6PseudoHeader(ctx.src, ctx.dst, IPPROTO_VRRP, message.length), message];
  if ((ctx.v3Ipv4Mode ?? 'pseudo-header') === 'message-only') return [message];
  return [ipv4PseudoHeader(ctx.src, ctx.dst, IPPROTO_VRRP, message.length), message];
}
