/**
 * ICMP / ICMPv6 echo for PING_CHECK (RFC 792, RFC 4443): the request keepalived sends (8-byte
 * header, 128 bytes of "keepalived check - " payload) and the messages that answer it: an echo
 * reply, or an error (destination unreachable, time exceeded) quoting our request.
 */
import { internetChecksum } from '../checksum.js';
import { fillPayload } from './udp-check.js';

export const ICMP_ECHO_PAYLOAD_LENGTH = 128;

const ECHO_REQUEST = { 4: 8, 6: 128 } as const;
const ECHO_REPLY = { 4: 0, 6: 129 } as const;
/** Error types that quote the offending packet: v4 unreachable 3 / time exceeded 11; v6 1 / 3. */
const ERRORS = { 4: new Set([3, 11]), 6: new Set([1, 3]) } as const;

/**
 * An echo request. The IPv4 checksum is filled in; for ICMPv6 the kernel fills it (it covers a
 * pseudo-header the sender cannot know before routing), and for ping sockets it rewrites the id.
 */
export function echoRequest(family: 4 | 6, id: number, seq: number, payloadLength = ICMP_ECHO_PAYLOAD_LENGTH): Uint8Array {
  const b = new Uint8Array(8 + payloadLength);
  b[0] = ECHO_REQUEST[family];
  b[4] = (id >> 8) & 0xff;
  b[5] = id & 0xff;
  b[6] = (seq >> 8) & 0xff;
  b[7] = seq & 0xff;
  b.set(fillPayload(payloadLength), 8);
  if (family === 4) {
    const sum = internetChecksum(b);
    b[2] = sum >> 8;
    b[3] = sum & 0xff;
  }
  return b;
}

export type IcmpAnswer =
  | { kind: 'reply'; id: number; seq: number }
  | { kind: 'error'; type: number; code: number; id: number; seq: number };

const u16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;

/** Strips an IPv4 header (raw IPv4 sockets deliver it); undefined when it is not one. */
export function ipv4Payload(datagram: Uint8Array): Uint8Array | undefined {
  if (datagram.length < 20 || datagram[0]! >> 4 !== 4) return undefined;
  const ihl = (datagram[0]! & 0x0f) * 4;
  return ihl >= 20 && datagram.length >= ihl ? datagram.subarray(ihl) : undefined;
}

/**
 * What an ICMP message says about one of our echo requests; undefined for anything else
 * (other echo traffic, neighbour discovery, errors about other packets).
 */
export function parseIcmpAnswer(family: 4 | 6, icmp: Uint8Array): IcmpAnswer | undefined {
  if (icmp.length < 8) return undefined;
  const type = icmp[0]!;
  if (type === ECHO_REPLY[family]) return { kind: 'reply', id: u16(icmp, 4), seq: u16(icmp, 6) };
  if (!ERRORS[family].has(type)) return undefined;
  // The quoted packet: its IP header, then at least 8 bytes of our echo request.
  const quoted = icmp.subarray(8);
  let inner: Uint8Array | undefined;
  if (family === 4) {
    if (quoted.length < 20 || quoted[9] !== 1) return undefined;
    inner = ipv4Payload(quoted);
  } else {
    if (quoted.length < 40 || quoted[6] !== 58) return undefined;
    inner = quoted.subarray(40);
  }
  if (!inner || inner.length < 8 || inner[0] !== ECHO_REQUEST[family]) return undefined;
  return { kind: 'error', type, code: icmp[1]!, id: u16(inner, 4), seq: u16(inner, 6) };
}

/** keepalived-style words for an ICMP error. */
export function icmpErrorText(family: 4 | 6, type: number, code: number): string {
  if (family === 4) {
    if (type === 11) return 'time exceeded';
    return ['network unreachable', 'host unreachable', 'protocol unreachable', 'port unreachable'][code] ?? `destination unreachable (code ${code})`;
  }
  if (type === 3) return 'time exceeded';
  return ['no route to destination', 'administratively prohibited', 'beyond scope of source address', 'address unreachable', 'port unreachable'][code] ?? `destination unreachable (code ${code})`;
}
