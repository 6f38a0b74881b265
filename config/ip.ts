/** IPv4/IPv6 address parsing (inet_pton rules) and canonical text (RFC 5952 for IPv6). */
import type { Family } from './model.js';

export interface ParsedIp {
  address: string;
  family: Family;
  /** 4 or 16 bytes. */
  bytes: number[];
}

export function parseIpv4Bytes(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

export function parseIpv6Bytes(s: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length < 2) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseIpv4Bytes(g);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[] | undefined;
  if (dbl >= 0) {
    const head = groupsOf(s.slice(0, dbl));
    const tail = groupsOf(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    groups = groupsOf(s);
    if (!groups || groups.length !== 8) return undefined;
  }
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function formatIpv6(bytes: number[]): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
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
