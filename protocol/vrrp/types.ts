/** Decoded VRRP advertisement, receive expectations, and the closed set of drop reasons. */
import type { IpAddress } from '../addr.js';
import type { AhHeader } from './auth-ah.js';
import type { V3Ipv4ChecksumMode } from './checksum.js';
import type { VrrpAuthKind } from './constants.js';

export type IpFamily = 4 | 6;

/** A VRRP packet as the receive socket delivers it (structurally the same as actors/ports VrrpRxPacket). */
export interface VrrpRxInput {
  family: IpFamily;
  /** IPv4: the whole datagram, IP header included. IPv6: the VRRP message (the IPv6 payload). */
  data: Uint8Array;
  /** IPv6: source and destination, from the socket, and hop limit (IPv4 reads them from its header). */
  src?: IpAddress;
  dst?: IpAddress;
  ttl?: number;
}

/** What the bytes say, before any judgement against a configuration. */
export interface VrrpAdvert {
  family: IpFamily;
  /** Version nibble as received (validate checks it against the configured one). */
  version: number;
  type: number;
  vrid: number;
  priority: number;
  /** Count IPvX Addrs field. */
  count: number;
  /** v2: Auth Type byte. v3: the 4 reserved bits (should be 0). */
  authType: number;
  /** Interval field as on the wire: v2 seconds, v3 centiseconds (12 bits). */
  intervalField: number;
  /** Interval in centiseconds (v2: seconds × 100). */
  advertIntervalCs: number;
  checksum: number;
  /** The addresses present in the message (at most `count`). */
  addresses: IpAddress[];
  /** v2: the 8 bytes of Authentication Data (empty when the message is too short). */
  authData: Uint8Array;
  /** The IP source and destination, built once from the packet's bytes. */
  src: IpAddress;
  dst: IpAddress;
  /** IPv4 TTL or IPv6 hop limit (-1 when the receiver did not report it). */
  ttl: number;
  /** The VRRP bytes: from the version byte to the end of the IP payload. */
  message: Uint8Array;
  /** Message length implied by version, family and count. */
  expectedLength: number;
  /** IPv4 only: the header (options included), for AH and diagnostics. */
  ipHeader?: Uint8Array;
  ipId?: number;
  tos?: number;
  /** Present when the packet came with an IPsec AH header (IPv4 protocol 51). */
  ah?: AhHeader;
  /** The raw AH header bytes (for ICV verification). */
  ahBytes?: Uint8Array;
}

/**
 * Every reason a packet is not accepted. Decode returns the first four; validate the rest, in
 * keepalived's order (vrrp.md K-25). Each is a counter; docs/protocol.md maps them to
 * keepalived's statistics.
 */
export type VrrpDropReason =
  | 'too-short'
  | 'bad-ip-header'
  | 'bad-ip-total-length'
  | 'not-vrrp'
  | 'wrong-family'
  | 'vrid-unknown'
  | 'bad-length'
  | 'bad-ttl'
  | 'bad-version'
  | 'bad-auth-type'
  | 'auth-type-mismatch'
  | 'auth-mismatch'
  | 'ah-spi-mismatch'
  | 'ah-replay'
  | 'interval-mismatch'
  | 'bad-type'
  | 'zero-count'
  | 'zero-interval'
  | 'first-address-not-link-local'
  | 'addr-count-mismatch'
  | 'bad-checksum'
  | 'cast-mismatch'
  | 'owner-ignores-adverts'
  | 'addr-list-mismatch'
  | 'unicast-src-unknown'
  | 'unicast-ttl-out-of-range';

export const VRRP_DROP_REASONS: readonly VrrpDropReason[] = [
  'too-short',
  'bad-ip-header',
  'bad-ip-total-length',
  'not-vrrp',
  'wrong-family',
  'vrid-unknown',
  'bad-length',
  'bad-ttl',
  'bad-version',
  'bad-auth-type',
  'auth-type-mismatch',
  'auth-mismatch',
  'ah-spi-mismatch',
  'ah-replay',
  'interval-mismatch',
  'bad-type',
  'zero-count',
  'zero-interval',
  'first-address-not-link-local',
  'addr-count-mismatch',
  'bad-checksum',
  'cast-mismatch',
  'owner-ignores-adverts',
  'addr-list-mismatch',
  'unicast-src-unknown',
  'unicast-ttl-out-of-range',
];

/** Non-fatal findings on an accepted advert (keepalived logs them). */
export type VrrpWarningCode =
  /** v3: the master advertises another interval; the backup adopts it (R-37, K-6). */
  | 'interval-mismatch'
  /** The address list differs from ours and the instance treats that as a warning (K-5). */
  | 'addr-list-mismatch'
  | 'addr-count-mismatch'
  /** A unicast v3 advert verified only with the multicast group in the pseudo-header (K-3). */
  | 'old-unicast-checksum'
  /** `v3_checksum_as_v2` instance accepted the other checksum form (dual accept). */
  | 'other-checksum-form';

export interface VrrpWarning {
  code: VrrpWarningCode;
  detail: string;
}

/** How this instance expects adverts to look: derived from its configuration. */
export interface VrrpExpectations {
  family: IpFamily;
  version: 2 | 3;
  /** VRIDs configured on this interface/family (one instance: its own VRID). */
  vrids: readonly number[];
  authKind: VrrpAuthKind;
  /** 8-byte auth data / AH key (authDataFromPassword(auth_pass)); required for 'pass' and 'ah'. */
  authKey?: Uint8Array;
  /** Local advert_int in centiseconds (v2: whole seconds × 100). */
  advertIntervalCs: number;
  /** Configured VIPs, canonical text. */
  vips: readonly string[];
  /** Compare count and addresses (false = keepalived skip_check_adv_addr for the same master). Default true. */
  checkAddresses?: boolean;
  /** What an address-list mismatch does. Default 'drop' (keepalived 2.2.7); 'warn' = RFC 9568 / newer keepalived. */
  addrListMismatch?: 'drop' | 'warn';
  /** v3 IPv4 checksum form; 'message-only' = v3_checksum_as_v2 (accepts either form on receive). */
  v3Ipv4Checksum?: V3Ipv4ChecksumMode;
  /** Multicast group (vrrp_mcast_group4/6, mcast_dst_ip). Defaults 224.0.0.18 / ff02::12. */
  mcastGroup?: string;
  /** Unicast peers; empty/undefined = multicast instance. */
  unicastPeers?: ReadonlyArray<{ address: string; minTtl?: number; maxTtl?: number }>;
  /** keepalived `old_unicast_checksum`: 'auto' (default) detects the old form, 'old' expects it, 'never' refuses it. */
  unicastChecksumCompat?: 'auto' | 'old' | 'never';
  checkUnicastSrc?: boolean;
  /** AH anti-replay counter (last sequence sent or accepted); default 0. */
  ahSequence?: number;
  /** Strict-mode owner (priority 255 with owner_ignore_adverts): drop every advert. */
  ownerIgnoresAdverts?: boolean;
  /** Extra RFC 5798/9568 receive checks keepalived does not make: count 0, interval 0, IPv6 first address link-local. */
  rfcChecks?: boolean;
}

/** An advert that passed validation, with what the receiver should record. */
export interface VrrpAccepted {
  advert: VrrpAdvert;
  warnings: VrrpWarning[];
  /** AH: the new anti-replay counter value (the advert's sequence). */
  ahSequence?: number;
  /** K-3: the sender uses the old unicast checksum form; switch our tx to it. */
  useOldUnicastChecksum?: boolean;
}
