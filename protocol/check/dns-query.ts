/**
 * DNS_CHECK queries and replies (keepalived 2.2.7 check_dns.c): one question, class IN, RD set,
 * a random ID; a reply passes when it has our ID, QR set and RCODE 0 (NOERROR). The answer count
 * is not looked at; replies with another ID and stray queries are ignored, not failures.
 * Encoding uses dns-packet; the reply judgement reads only the 12-byte header (RFC 1035 §4.1.1),
 * so a reply whose records a codec might reject still counts, as in keepalived.
 */
import { encode, RECURSION_DESIRED } from 'dns-packet';
import type { RecordType } from 'dns-packet';

export const DNS_CHECK_DEFAULT_TYPE = 'SOA';
export const DNS_CHECK_DEFAULT_NAME = '.';

export function dnsQuery(id: number, type: string = DNS_CHECK_DEFAULT_TYPE, name: string = DNS_CHECK_DEFAULT_NAME): Uint8Array {
  return encode({
    type: 'query',
    id: id & 0xffff,
    flags: RECURSION_DESIRED,
    questions: [{ type: type.toUpperCase() as RecordType, class: 'IN', name }],
  });
}

export type DnsReplyVerdict =
  /** Not an answer to our query (short, another ID, a query): keep waiting. */
  | { kind: 'ignore'; why: string }
  | { kind: 'ok' }
  | { kind: 'error'; rcode: number };

export function judgeDnsReply(id: number, reply: Uint8Array): DnsReplyVerdict {
  if (reply.length < 12) return { kind: 'ignore', why: `too small message. (${reply.length} bytes)` };
  const got = (reply[0]! << 8) | reply[1]!;
  if (got !== (id & 0xffff)) return { kind: 'ignore', why: `ID does not match. (${hex4(got)} != ${hex4(id & 0xffff)})` };
  if (!(reply[2]! & 0x80)) return { kind: 'ignore', why: 'receive query message?' };
  const rcode = reply[3]! & 0x0f;
  return rcode === 0 ? { kind: 'ok' } : { kind: 'error', rcode };
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');
