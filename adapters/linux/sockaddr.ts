/**
 * Packing of the socket structures the addon passes through untouched: sockaddr_in6,
 * sockaddr_ll, sockaddr_nl, sockaddr_un, ipv6_mreq, in6_pktinfo and control messages.
 * Layouts are the Linux x86-64 / aarch64 ABI (size_t cmsg_len, 8-byte cmsg alignment).
 */
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX } from './constants.js';
import { formatIp, IpAddress } from '../../protocol/addr.js';

/** struct sockaddr_in (the port in network order). */
export function sockaddrIn(address: Uint8Array, port = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(address).copy(b, 4);
  return b;
}

export function sockaddrIn6(address: Uint8Array, scopeId = 0, port = 0): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(address).copy(b, 8);
  b.writeUInt32LE(scopeId, 24);
  return b;
}

/** The address and port of a sockaddr_in or sockaddr_in6 as recvmsg filled it. */
export function parseSockaddrInet(b: Buffer): { address: string; port: number } | undefined {
  const family = b.readUInt16LE(0);
  if (family === AF_INET) return { address: formatIp(b.subarray(4, 8)), port: b.readUInt16BE(2) };
  if (family === AF_INET6) return { address: formatIp(b.subarray(8, 24)), port: b.readUInt16BE(2) };
  return undefined;
}

export function parseSockaddrIn6(b: Buffer): { address: IpAddress; scopeId: number } {
  return { address: IpAddress.fromBytes(b.subarray(8, 24))!, scopeId: b.readUInt32LE(24) };
}

/** struct sockaddr_ll for sending on `ifindex`; protocol is the ethertype in host order. */
export function sockaddrLl(ifindex: number, protocol: number, destinationMac: Uint8Array): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16BE(protocol, 2);
  b.writeInt32LE(ifindex, 4);
  b[11] = 6;
  Buffer.from(destinationMac.subarray(0, 6)).copy(b, 12);
  return b;
}

/** struct sockaddr_nl addressed to the kernel. */
export function sockaddrNlKernel(): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(AF_NETLINK, 0);
  return b;
}

export function sockaddrUn(path: string): Buffer {
  const b = Buffer.alloc(110);
  b.writeUInt16LE(AF_UNIX, 0);
  const p = Buffer.from(path);
  if (p.length > 107) throw new Error(`unix socket path too long: ${path}`);
  p.copy(b, 2);
  return b.subarray(0, 2 + p.length + 1);
}

/** struct ip_mreqn: group, local address (any), ifindex. */
export function ipMreqn(group: Uint8Array | undefined, ifindex: number): Buffer {
  const b = Buffer.alloc(12);
  if (group) Buffer.from(group).copy(b, 0);
  b.writeInt32LE(ifindex, 8);
  return b;
}

/** An IPv6 address followed by an interface index: struct ipv6_mreq and struct in6_pktinfo. */
function in6AddressAndIndex(address: Uint8Array, ifindex: number): Buffer {
  const b = Buffer.alloc(20);
  Buffer.from(address).copy(b, 0);
  b.writeUInt32LE(ifindex, 16);
  return b;
}

/** struct ipv6_mreq: group, ifindex. */
export function ipv6Mreq(group: Uint8Array, ifindex: number): Buffer {
  return in6AddressAndIndex(group, ifindex);
}

const CMSG_HEADER = 16;
const align8 = (n: number): number => (n + 7) & ~7;

export interface ControlMessage {
  level: number;
  type: number;
  data: Buffer;
}

export function parseControlMessages(control: Buffer, length: number): ControlMessage[] {
  const out: ControlMessage[] = [];
  let off = 0;
  while (off + CMSG_HEADER <= length) {
    const len = Number(control.readBigUInt64LE(off));
    if (len < CMSG_HEADER || off + len > length) break;
    out.push({ level: control.readInt32LE(off + 8), type: control.readInt32LE(off + 12), data: control.subarray(off + CMSG_HEADER, off + len) });
    off += align8(len);
  }
  return out;
}

export function controlMessage(level: number, type: number, data: Buffer): Buffer {
  const b = Buffer.alloc(align8(CMSG_HEADER + data.length));
  b.writeBigUInt64LE(BigInt(CMSG_HEADER + data.length), 0);
  b.writeInt32LE(level, 8);
  b.writeInt32LE(type, 12);
  data.copy(b, CMSG_HEADER);
  return b;
}

/** struct in6_pktinfo: address, ifindex. */
export function in6Pktinfo(address: Uint8Array, ifindex: number): Buffer {
  return in6AddressAndIndex(address, ifindex);
}

export function parseIn6Pktinfo(d: Buffer): { address: IpAddress; ifindex: number } {
  return { address: IpAddress.fromBytes(d.subarray(0, 16))!, ifindex: d.readUInt32LE(16) };
}
