/** Linux ABI numbers (x86-64 / aarch64 uapi headers) used by the kernel adapters. */

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

export const SOL_SOCKET = 1;
export const SO_BINDTODEVICE = 25;
export const SO_MARK = 36;

export const IPPROTO_IP = 0;
/** Raw IPv4 for sending whole datagrams (IP_HDRINCL implied; such a socket never receives). */
export const IPPROTO_RAW = 255;
export const IP_HDRINCL = 3;
export const IP_RECVERR = 11;
export const IPPROTO_ICMP = 1;
export const IPPROTO_ICMPV6 = 58;
/** Raw IPv4 ICMP sockets: SOL_RAW / ICMP_FILTER (a mask of ICMP types to drop). */
export const SOL_RAW = 255;
export const ICMP_FILTER = 1;
/** Raw ICMPv6 sockets: IPPROTO_ICMPV6 / ICMP6_FILTER (256 bits, a set bit blocks that type). */
export const ICMP6_FILTER = 1;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;

export const IPPROTO_IPV6 = 41;
export const IPPROTO_RAW_V6 = 255;
export const IPV6_CHECKSUM = 7;
export const IPV6_RECVERR = 25;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
export const IPV6_ADD_MEMBERSHIP = 20;
export const IPV6_RECVPKTINFO = 49;
export const IPV6_PKTINFO = 50;
export const IPV6_RECVHOPLIMIT = 51;
export const IPV6_HOPLIMIT = 52;

export const NETLINK_ROUTE = 0;
export const SOL_NETLINK = 270;
export const NETLINK_NO_ENOBUFS = 5;
export const SO_RCVBUFFORCE = 33;
export const CLONE_NEWNET = 0x40000000;

/** Ethertypes (host order; sockaddr_ll wants them big-endian). */
export const ETH_P_ALL = 0x0003;

/** IP protocol numbers VRRP uses. */
export const IPPROTO_VRRP = 112;
export const IPPROTO_AH = 51;

/** Interface flags (IFF_*). */
export const IFF_UP = 0x1;
export const IFF_RUNNING = 0x40;
