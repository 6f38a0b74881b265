/**
 * VRRP transmit: the message (RFC 3768 §5.1, RFC 5798 §5.1) and, for IPv4, the whole datagram
 * keepalived hands to an IP_HDRINCL socket: TOS 0xC0, TTL 255, ID from the caller's counter,
 * protocol 112, or 51 with an AH header when `auth_type AH` (K-19).
 */
import { parseIp, parseIpv4 } from '../addr.js';
import { writeU16 } from '../bytes.js';
import { buildIpv4Header, IPPROTO_AH, IPPROTO_VRRP, VRRP_TOS } from '../ipv4.js';
import { AH_HEADER_BYTES, ahSpiFor, buildAhHeader, computeAhIcv } from './auth-ah.js';
import { computeVrrpChecksum, type V3Ipv4ChecksumMode } from './checksum.js';
import {
  authTypeNumber,
  VRRP_HEADER_BYTES,
  VRRP_TTL,
  VRRP_TYPE_ADVERTISEMENT,
  vrrpMessageLength,
  type VrrpAuthKind,
} from './constants.js';
import type { IpFamily } from './types.js';

export interface VrrpAdvertSpec {
  version: 2 | 3;
  family: IpFamily;
  vrid: number;
  priority: number;
  /** v2: written as whole seconds (cs / 100, rounded); v3: centiseconds, masked to 12 bits. */
  advertIntervalCs: number;
  /** VIPs in the configured order (canonical or any valid text). */
  addresses: readonly string[];
  /** v2 only. 'pass' writes `authKey` as auth data; 'ah' writes auth type 2 and zero auth data. */
  authKind?: VrrpAuthKind;
  authKey?: Uint8Array;
  /** Override the type nibble (default 1); for negative tests. */
  type?: number;
}

export interface VrrpChecksumAddresses {
  /** Source address text (IPv4 primary / IPv6 link-local). */
  src: string;
  /** Destination: the group or a unicast peer. */
  dst: string;
  /** v3 IPv4 checksum form (default keepalived's 'pseudo-header'). */
  v3Ipv4Checksum?: V3Ipv4ChecksumMode;
  /** Put this address in the pseudo-header instead of `dst` (old unicast checksum form, K-3). */
  pseudoHeaderDst?: string;
}

function addressBytes(text: string, family: IpFamily): Uint8Array {
  const p = parseIp(text);
  if (!p || p.family !== family) throw new Error(`not an IPv${family} address: ${text}`);
  return p.bytes;
}

/**
 * The VRRP message with its checksum. Throws only on programming errors in `spec` (bad address
 * text, wrong family), never on anything from the wire.
 */
export function encodeVrrpMessage(spec: VrrpAdvertSpec, addrs: VrrpChecksumAddresses): Uint8Array {
  const { family, version } = spec;
  const count = spec.addresses.length;
  const msg = new Uint8Array(vrrpMessageLength(version, family, count));
  msg[0] = (version << 4) | ((spec.type ?? VRRP_TYPE_ADVERTISEMENT) & 0x0f);
  msg[1] = spec.vrid & 0xff;
  msg[2] = spec.priority & 0xff;
  msg[3] = count & 0xff;
  if (version === 2) {
    msg[4] = authTypeNumber(spec.authKind ?? 'none');
    msg[5] = Math.round(spec.advertIntervalCs / 100) & 0xff;
  } else {
    writeU16(msg, 4, spec.advertIntervalCs & 0x0fff);
  }
  const addrBytes = family === 6 ? 16 : 4;
  spec.addresses.forEach((a, i) => msg.set(addressBytes(a, family), VRRP_HEADER_BYTES + i * addrBytes));
  if (version === 2 && spec.authKind === 'pass' && spec.authKey) {
    msg.set(spec.authKey.subarray(0, 8), VRRP_HEADER_BYTES + count * addrBytes);
  }
  const checksum = computeVrrpChecksum(msg, {
    version,
    family,
    src: addressBytes(addrs.src, family),
    dst: addressBytes(addrs.pseudoHeaderDst ?? addrs.dst, family),
    v3Ipv4Mode: addrs.v3Ipv4Checksum,
  });
  writeU16(msg, 6, checksum);
  return msg;
}

export interface VrrpIpv4Options extends VrrpChecksumAddresses {
  /** IP ID (keepalived counts from 1 per instance, skipping 0). */
  ipId: number;
  ttl?: number;
  tos?: number;
  /** AH sequence number; required when spec.authKind is 'ah'. */
  ahSequence?: number;
  /** Unicast instance: the AH ICV is computed with TTL zeroed. */
  unicast?: boolean;
}

/** The complete IPv4 datagram for an advert (what VrrpSocket.send takes for IPv4). */
export function encodeVrrpIpv4Packet(spec: VrrpAdvertSpec, opts: VrrpIpv4Options): Uint8Array {
  const message = encodeVrrpMessage(spec, opts);
  const src = parseIpv4(opts.src);
  const dst = parseIpv4(opts.dst);
  if (!src || !dst) throw new Error(`not IPv4 addresses: ${opts.src} → ${opts.dst}`);
  const useAh = spec.version === 2 && spec.authKind === 'ah';
  const header = buildIpv4Header(
    {
      tos: opts.tos ?? VRRP_TOS,
      id: opts.ipId,
      ttl: opts.ttl ?? VRRP_TTL,
      protocol: useAh ? IPPROTO_AH : IPPROTO_VRRP,
      src,
      dst,
    },
    message.length + (useAh ? AH_HEADER_BYTES : 0),
  );
  const out = new Uint8Array(header.length + (useAh ? AH_HEADER_BYTES : 0) + message.length);
  out.set(header, 0);
  if (useAh) {
    if (!spec.authKey) throw new Error('AH authentication needs authKey');
    const ah = buildAhHeader(ahSpiFor(src), opts.ahSequence ?? 1);
    ah.set(computeAhIcv(header, ah, message, spec.authKey, opts.unicast ?? false), 12);
    out.set(ah, header.length);
    out.set(message, header.length + AH_HEADER_BYTES);
  } else {
    out.set(message, header.length);
  }
  return out;
}
