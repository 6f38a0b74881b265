/** IPv4/IPv6 address values for the config model, over protocol/addr.ts's parsers (inet_pton rules, RFC 5952 text). */
import type { Family } from './model.js';
import { formatIpv6 as formatIpv6Bytes, parseIpv4, parseIpv6 } from '../protocol/addr.js';

export interface ParsedIp {
  address: string;
  family: Family;
  /** 4 or 16 bytes. */
  bytes: number[];
}

export function parseIpv4Bytes(s: string): number[] | undefined {
  const b = parseIpv4(s);
  return b ? Array.from(b) : undefined;
}

export function parseIpv6Bytes(s: string): number[] | undefined {
  const b = parseIpv6(s);
  return b ? Array.from(b) : undefined;
}

export function formatIpv6(bytes: number[]): string {
  return formatIpv6Bytes(Uint8Array.from(bytes));
}

export function parseIp(s: string): ParsedIp | undefined {
  const v4 = parseIpv4Bytes(s);
  if (v4) return { address: v4.join('.'), family: 4, bytes: v4 };
  const v6 = parseIpv6Bytes(s);
  if (v6) return { address: formatIpv6(v6), family: 6, bytes: v6 };
  return undefined;
}

/** `ADDR[/LEN]` with LEN defaulting to the full length. */
export function parseCidr(s: string): (ParsedIp & { prefixLength: number; prefixGiven: boolean }) | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { ...ip, prefixLength: max, prefixGiven: false };
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) return undefined;
  return { ...ip, prefixLength: Number(lenText), prefixGiven: true };
}

export const isLinkLocal6 = (ip: ParsedIp): boolean => ip.family === 6 && ip.bytes[0] === 0xfe && (ip.bytes[1]! & 0xc0) === 0x80;

export const isMulticast = (ip: ParsedIp): boolean =>
  ip.family === 4 ? ip.bytes[0]! >= 224 && ip.bytes[0]! <= 239 : ip.bytes[0] === 0xff;
