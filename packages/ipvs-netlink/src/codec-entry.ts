/**
 * `ipvs-netlink/codec`: the pure half of the package (no sockets, no Node built-ins, no native
 * code): constants, IPVS message encode/decode, nlctrl family messages, netlink errors and dumps.
 */
export * from './constants.js';
export * from './types.js';
export { encodeIpvsMessage, writeIpvsMessage, decodeIpvsMessage, ipvsVersionText } from './codec.js';
export { encodeGetFamily, decodeGetFamily, encodeFamily, decodeFamily, type GenlFamily } from './family.js';
export { splitMessages, readHeader, decodeError, decodeDone, encodeError, encodeDone, type NetlinkError } from './netlink.js';
export { errnoName, describeIpvsError, Errno } from './errno.js';
export { Writer, Reader, NetlinkDecodeError, HOST_LE } from './bytes.js';
export { parseIp, parseIpv4, parseIpv6, formatIpv4, formatIpv6, canonicalIp } from './ip.js';
