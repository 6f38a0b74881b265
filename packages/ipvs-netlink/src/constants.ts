/**
 * Numbers from <linux/ip_vs.h>, <linux/genetlink.h> and <linux/netlink.h>: the IPVS generic
 * netlink family, its commands and the attribute ids at each nesting level.
 */

/** The generic netlink family name IPVS registers under. */
export const IPVS_GENL_NAME = 'IPVS';
/** The version field IPVS requests carry in their generic netlink header. */
export const IPVS_GENL_VERSION = 1;

/** IPVS commands (`IPVS_CMD_*`). */
export const IpvsCmd = {
  UNSPEC: 0,
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;
export type IpvsCmdName = keyof typeof IpvsCmd;

const CMD_NAMES = Object.fromEntries(Object.entries(IpvsCmd).map(([k, v]) => [v, k])) as Record<number, IpvsCmdName>;

/** `IPVS_CMD_NEW_DEST` for 5, `IPVS_CMD_17`-style text for a number it does not know. */
export function ipvsCmdName(cmd: number): string {
  const n = CMD_NAMES[cmd];
  return n ? `IPVS_CMD_${n}` : `IPVS_CMD_${cmd}`;
}

/** Attributes of a command (`IPVS_CMD_ATTR_*`). */
export const CmdAttr = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

/** Attributes inside the service nest (`IPVS_SVC_ATTR_*`). */
export const SvcAttr = {
  AF: 1,
  PROTOCOL: 2,
  ADDR: 3,
  PORT: 4,
  FWMARK: 5,
  SCHED_NAME: 6,
  FLAGS: 7,
  TIMEOUT: 8,
  NETMASK: 9,
  STATS: 10,
  PE_NAME: 11,
  STATS64: 12,
} as const;

/** Attributes inside the destination nest (`IPVS_DEST_ATTR_*`). */
export const DestAttr = {
  ADDR: 1,
  PORT: 2,
  FWD_METHOD: 3,
  WEIGHT: 4,
  U_THRESH: 5,
  L_THRESH: 6,
  ACTIVE_CONNS: 7,
  INACT_CONNS: 8,
  PERSIST_CONNS: 9,
  STATS: 10,
  ADDR_FAMILY: 11,
  STATS64: 12,
  TUN_TYPE: 13,
  TUN_PORT: 14,
  TUN_FLAGS: 15,
} as const;

/** Attributes inside the sync daemon nest (`IPVS_DAEMON_ATTR_*`). */
export const DaemonAttr = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

/** Attributes inside a STATS or STATS64 nest (`IPVS_STATS_ATTR_*`). */
export const StatsAttr = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4,
  OUTBYTES: 5,
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
  PAD: 11,
} as const;

/** Top-level attributes of the SET_INFO reply (`IPVS_INFO_ATTR_*`). */
export const InfoAttr = {
  VERSION: 1,
  CONN_TAB_SIZE: 2,
} as const;

/** Service flags (`IP_VS_SVC_F_*`). */
export const SvcFlag = {
  PERSISTENT: 0x0001,
  HASHED: 0x0002,
  ONEPACKET: 0x0004,
  /** sh-fallback, mh-fallback */
  SCHED1: 0x0008,
  /** sh-port, mh-port */
  SCHED2: 0x0010,
  SCHED3: 0x0020,
} as const;

/** Forwarding methods (`IP_VS_CONN_F_*` & `IP_VS_CONN_F_FWD_MASK`). */
export const FwdMethod = {
  MASQ: 0,
  LOCALNODE: 1,
  TUNNEL: 2,
  DROUTE: 3,
  BYPASS: 4,
} as const;
export const FWD_MASK = 0x7;

/** Tunnel encapsulations (`IP_VS_CONN_F_TUNNEL_TYPE_*`). */
export const TunType = { IPIP: 0, GUE: 1, GRE: 2 } as const;
/** Tunnel checksum flags (`IP_VS_TUNNEL_ENCAP_FLAG_*`). */
export const TunFlag = { NOCSUM: 0, CSUM: 1, REMCSUM: 2 } as const;

/** Sync daemon states (`IP_VS_STATE_*`). */
export const DaemonState = { NONE: 0, MASTER: 1, BACKUP: 2 } as const;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

/** IPv4 netmask default (255.255.255.255) and IPv6 prefix default (128) of a service. */
export const NETMASK_DEFAULT_V4 = '255.255.255.255';
export const NETMASK_DEFAULT_V6 = 128;

// ---- netlink and generic netlink ----

export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

export const NlmsgType = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

/** nlmsghdr flags. */
export const NlmFlag = {
  REQUEST: 0x0001,
  MULTI: 0x0002,
  ACK: 0x0004,
  ECHO: 0x0008,
  DUMP_INTR: 0x0010,
  DUMP_FILTERED: 0x0020,
  /** GET requests */
  ROOT: 0x0100,
  MATCH: 0x0200,
  DUMP: 0x0300,
  /** NEW requests */
  REPLACE: 0x0100,
  EXCL: 0x0200,
  CREATE: 0x0400,
  APPEND: 0x0800,
  /** ACK messages */
  CAPPED: 0x0100,
  ACK_TLVS: 0x0200,
} as const;

/** The netlink controller (nlctrl). */
export const GENL_ID_CTRL = 0x10;
export const CTRL_VERSION = 1;
export const CtrlCmd = { NEWFAMILY: 1, DELFAMILY: 2, GETFAMILY: 3 } as const;
export const CtrlAttr = {
  FAMILY_ID: 1,
  FAMILY_NAME: 2,
  VERSION: 3,
  HDRSIZE: 4,
  MAXATTR: 5,
  OPS: 6,
  MCAST_GROUPS: 7,
} as const;
export const CtrlOpAttr = { ID: 1, FLAGS: 2 } as const;
export const CtrlMcastAttr = { NAME: 1, ID: 2 } as const;

/** Extended ACK attributes after an NLMSG_ERROR payload (`NLMSGERR_ATTR_*`). */
export const NlmsgerrAttr = { MSG: 1, OFFS: 2, COOKIE: 3 } as const;
