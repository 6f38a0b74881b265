/**
 * Typed IPVS values as they travel in generic netlink messages. Optional fields are attributes
 * that may be absent: the encoder writes an attribute only when its field is set, so a decoded
 * message encodes back to the same bytes.
 */

/** Traffic and rate counters (STATS: u32 except the byte counts; STATS64: all u64). */
export interface IpvsStats {
  conns: bigint;
  inPkts: bigint;
  outPkts: bigint;
  inBytes: bigint;
  outBytes: bigint;
  cps: bigint;
  inPps: bigint;
  outPps: bigint;
  inBps: bigint;
  outBps: bigint;
}

/** A virtual service: by protocol/address/port, or by firewall mark. */
export interface IpvsService {
  /** AF_INET (2) or AF_INET6 (10). */
  af: number;
  /** IPPROTO_TCP 6, IPPROTO_UDP 17, IPPROTO_SCTP 132 (address services). */
  protocol?: number;
  address?: string;
  port?: number;
  /** Set instead of protocol/address/port for a fwmark service. */
  fwmark?: number;
  /** Scheduler: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos. */
  scheduler?: string;
  /** Persistence engine (sip). */
  pe?: string;
  /** IP_VS_SVC_F_* bits. */
  flags?: number;
  /** Which flag bits to change (the kernel applies `(old & ~mask) | (flags & mask)`); default all. */
  flagsMask?: number;
  /** Persistence timeout in seconds. */
  timeout?: number;
  /** Persistence granularity: an IPv4 netmask ("255.255.255.0") or an IPv6 prefix length (64). */
  netmask?: string | number;
  stats?: IpvsStats;
  stats64?: IpvsStats;
}

/** A destination (real server) of a service. */
export interface IpvsDest {
  /** The destination's own address family (ADDR_FAMILY); defaults to the service's. */
  addressFamily?: number;
  address: string;
  port: number;
  /** IP_VS_CONN_F_MASQ 0, TUNNEL 2, DROUTE 3 (see FwdMethod). */
  fwdMethod?: number;
  weight?: number;
  /** Upper and lower connection thresholds (0 = none). */
  uThreshold?: number;
  lThreshold?: number;
  /** Tunnel encapsulation for TUNNEL: IPIP 0, GUE 1, GRE 2. */
  tunType?: number;
  /** GUE destination port. */
  tunPort?: number;
  /** Tunnel checksum: NOCSUM 0, CSUM 1, REMCSUM 2. */
  tunFlags?: number;
  /** Reported by the kernel in dumps. */
  activeConns?: number;
  inactConns?: number;
  persistConns?: number;
  stats?: IpvsStats;
  stats64?: IpvsStats;
}

/** A connection synchronisation daemon. */
export interface IpvsDaemon {
  /** MASTER 1 or BACKUP 2. */
  state: number;
  mcastIfn?: string;
  syncId?: number;
  syncMaxlen?: number;
  /** IPv4 (MCAST_GROUP) or IPv6 (MCAST_GROUP6) multicast group. */
  mcastGroup?: string;
  mcastPort?: number;
  mcastTtl?: number;
}

/** Connection timeouts in seconds (SET_CONFIG / GET_CONFIG); 0 or absent leaves one unchanged. */
export interface IpvsTimeouts {
  tcp?: number;
  tcpFin?: number;
  udp?: number;
}

/** GET_INFO's answer. */
export interface IpvsInfo {
  /** e.g. 0x010201 for 1.2.1 */
  version?: number;
  connTabSize?: number;
}

/** The 16-byte netlink header. `type` is the generic netlink family id for IPVS messages. */
export interface NetlinkHeader {
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** One IPVS generic netlink message. */
export interface IpvsMessage {
  header: NetlinkHeader;
  cmd: number;
  /** Generic netlink version (IPVS uses 1). */
  version?: number;
  service?: IpvsService;
  dest?: IpvsDest;
  daemon?: IpvsDaemon;
  timeouts?: IpvsTimeouts;
  /** Only in SET_INFO (the kernel's answer to GET_INFO). */
  info?: IpvsInfo;
  /**
   * Whether nests carry NLA_F_NESTED. Default: set in requests (libnl 3.5+ does, as keepalived
   * 2.2.7 sends), clear in the kernel's messages. Decoding records what it saw.
   */
  nestedFlag?: boolean;
}
