/**
 * IPv4 and IPv6 text <-> bytes, as IPVS carries addresses: a 16-byte `union nf_inet_addr`,
 * IPv4 in its first four bytes and zeros after. IPv6 text is written as RFC 5952 says
 * (lower case, the longest run of zero groups shortened to "::").
 */
import { AF_INET, AF_INET6 } from './constants.js';

export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

export function parseIpv6(s: string): Uint8Array | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  let text = s;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (text.includes('.', lastColon)) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const count = head.length + rest.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const zeros = halves.length === 2 ? new Array<number>(8 - count).fill(0) : [];
  const all = [...head, ...zeros, ...rest, ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Parse either family: `{ af, bytes }` with bytes of 4 or 16, or undefined. */
export function parseIp(s: string): { af: number; bytes: Uint8Array } | undefined {
  const v4 = parseIpv4(s);
  if (v4) return { af: AF_INET, bytes: v4 };
  const v6 = parseIpv6(s);
  return v6 ? { af: AF_INET6, bytes: v6 } : undefined;
}

export function formatIpv4(b: ArrayLike<number>): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

export function formatIpv6(b: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 §5).
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${formatIpv4([b[12]!, b[13]!, b[14]!, b[15]!])}`;
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

const addrCache = new Map<string, { af: number; union: Uint8Array }>();

/** The 16-byte `nf_inet_addr` for an address of the given family (throws on a bad address). Do not modify the result. */
export function addrBytes(address: string, af: number): Uint8Array {
  let hit = addrCache.get(address);
  if (!hit) {
    const p = parseIp(address);
    if (!p) throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
    const union = new Uint8Array(16);
    union.set(p.bytes);
    hit = { af: p.af, union };
    // Tables repeat the same addresses: remember a bounded number of them.
    if (addrCache.size >= 8192) addrCache.clear();
    addrCache.set(address, hit);
  }
  if (hit.af !== af) throw new TypeError(`not an ${af === AF_INET6 ? 'IPv6' : 'IPv4'} address: ${JSON.stringify(address)}`);
  return hit.union;
}

/** Text of a 16-byte (or shorter) `nf_inet_addr` of the given family. */
export function addrText(b: Uint8Array, af: number): string {
  if (af === AF_INET6) {
    const full = new Uint8Array(16);
    full.set(b.subarray(0, 16));
    return formatIpv6(full);
  }
  return formatIpv4([b[0] ?? 0, b[1] ?? 0, b[2] ?? 0, b[3] ?? 0]);
}

/** Canonical text of an address (so "2001:DB8:0::1" and "2001:db8::1" compare equal), or the input when it is not one. */
export function canonicalIp(s: string): string {
  const p = parseIp(s);
  if (!p) return s;
  return p.af === AF_INET ? formatIpv4(p.bytes) : formatIpv6(p.bytes);
}
