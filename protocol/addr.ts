/**
 * Addresses, the one library of them: the IpAddress value (family, bytes, cached canonical text)
 * that a received packet's addresses travel as from the socket to the statechart; text ⇄ bytes
 * for IPv4 dotted quads and IPv6 (RFC 4291 §2.2 input, RFC 5952 canonical output, inet_pton's
 * rules: no zone index); `ADDR[/LEN]`; MAC "aa:bb:cc:dd:ee:ff"; and the MAC addresses VRRP derives
 * (RFC 1112 §6.4 / RFC 2464 §7 multicast MACs, RFC 3768 §7.3 / RFC 5798 §7.3 virtual router MAC).
 * Parsers return undefined on bad text; they never throw.
 */

export type IpFamily = 4 | 6;

export function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual '.' ends the last part
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else if (c === 46 && digits > 0 && part < 4) {
      out[part++] = value;
      value = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  return part === 4 ? out : undefined;
}

export function formatIpv4(b: Uint8Array): string {
  return `${b[0] ?? 0}.${b[1] ?? 0}.${b[2] ?? 0}.${b[3] ?? 0}`;
}

function parseHextets(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** IPv6 text (with "::" and an optional trailing dotted quad; no zone index) → 16 bytes. */
export function parseIpv6(text: string): Uint8Array | undefined {
  let t = text;
  const lastColon = t.lastIndexOf(':');
  if (lastColon >= 0 && t.includes('.', lastColon)) {
    // Trailing dotted quad ("::ffff:198.51.100.1"): rewrite it as two hextets.
    const v4 = parseIpv4(t.slice(lastColon + 1));
    if (!v4) return undefined;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    t = `${t.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const dbl = t.indexOf('::');
  let words: number[];
  if (dbl >= 0) {
    if (t.indexOf('::', dbl + 1) >= 0) return undefined;
    const head = parseHextets(t.slice(0, dbl));
    const rest = parseHextets(t.slice(dbl + 2));
    if (!head || !rest) return undefined;
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    words = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    const all = parseHextets(t);
    if (!all) return undefined;
    words = all;
  }
  if (words.length !== 8) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >>> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/**
 * RFC 5952 §4: lower case, no leading zeros, "::" for the longest run (≥ 2) of zero words, first
 * if tied; §5 (and inet_ntop, which the kernel tools and keepalived print with): an IPv4-mapped
 * (::ffff:0:0/96) or IPv4-compatible (::/96, but not :: and ::1) address ends in a dotted quad.
 */
export function formatIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${formatIpv4(b.subarray(12, 16))}`;
  }
  if (bestLen < 2) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

export function parseIp(text: string): { family: IpFamily; bytes: Uint8Array } | undefined {
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes ? { family: 6, bytes } : undefined;
  }
  const bytes = parseIpv4(text);
  return bytes ? { family: 4, bytes } : undefined;
}

/** 4 bytes → dotted quad, 16 bytes → RFC 5952 text. */
export function formatIp(b: Uint8Array): string {
  return b.length === 16 ? formatIpv6(b) : formatIpv4(b);
}

/** Canonical text of an address written any valid way ("2001:DB8:0::1" → "2001:db8::1"). */
export function canonicalIp(text: string): string | undefined {
  const p = parseIp(text);
  return p ? formatIp(p.bytes) : undefined;
}

export function isIpv6LinkLocal(b: Uint8Array): boolean {
  return b.length === 16 && b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
}

export function isMulticast(b: Uint8Array): boolean {
  return b.length === 16 ? b[0] === 0xff : ((b[0] ?? 0) & 0xf0) === 0xe0;
}

/**
 * One IPv4 or IPv6 address as a value: its family, its 4 or 16 bytes in network order, and its
 * canonical text (dotted quad / RFC 5952), made on first use and kept. A received packet's
 * addresses are built once from its bytes and travel as this value to the instance statechart,
 * which compares them by bytes (R-29 tie-break, the master it follows). JSON gives the text.
 */
export class IpAddress {
  private cachedText: string | undefined;

  private constructor(
    readonly family: IpFamily,
    readonly bytes: Uint8Array,
    text?: string,
  ) {
    this.cachedText = text;
  }

  /** From 4 or 16 bytes (copied: a receive buffer may be reused); undefined for another length. */
  static fromBytes(bytes: Uint8Array): IpAddress | undefined {
    if (bytes.length !== 4 && bytes.length !== 16) return undefined;
    return new IpAddress(bytes.length === 4 ? 4 : 6, bytes.slice());
  }

  /** From the 4 or 16 bytes at `offset` of `buf` (copied, as fromBytes does, without a view first). */
  static fromBytesAt(buf: Uint8Array, offset: number, length: 4 | 16): IpAddress | undefined {
    if (offset < 0 || offset + length > buf.length) return undefined;
    return new IpAddress(length === 4 ? 4 : 6, buf.slice(offset, offset + length));
  }

  /** From text written any valid way (no `/prefix`, no `%zone`). */
  static parse(text: string): IpAddress | undefined {
    const p = parseIp(text);
    return p ? new IpAddress(p.family, p.bytes) : undefined;
  }

  /** The canonical text: "198.51.100.1", "2001:db8::1". */
  get text(): string {
    return (this.cachedText ??= formatIp(this.bytes));
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }

  equals(other: IpAddress | undefined): boolean {
    return other !== undefined && (other === this || compareAddressBytes(this.bytes, other.bytes) === 0);
  }

  /** Unsigned network-order comparison (RFC 5798 §6.4.3 tie-break): −1, 0 or 1. */
  compare(other: IpAddress): number {
    return Math.sign(compareAddressBytes(this.bytes, other.bytes));
  }

  get isMulticast(): boolean {
    return isMulticast(this.bytes);
  }

  get isLinkLocal(): boolean {
    return isIpv6LinkLocal(this.bytes);
  }
}

/** `ADDR[/LEN]`, LEN defaulting to the full length (32 or 128). */
export function parseCidr(text: string): { ip: IpAddress; prefixLength: number; prefixGiven: boolean } | undefined {
  const slash = text.indexOf('/');
  const ip = IpAddress.parse(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { ip, prefixLength: max, prefixGiven: false };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) return undefined;
  return { ip, prefixLength: Number(lenText), prefixGiven: true };
}

/** Unsigned network-order comparison (RFC 5798 §6.4.3 tie-break): <0, 0, >0. */
export function compareAddressBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

export function parseMac(text: string): Uint8Array | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

export const BROADCAST_MAC = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

/** Ethernet group address of an IPv4 (01:00:5e + low 23 bits) or IPv6 (33:33 + low 32 bits) multicast address. */
export function multicastMac(group: Uint8Array): Uint8Array {
  if (group.length === 16) return Uint8Array.of(0x33, 0x33, group[12]!, group[13]!, group[14]!, group[15]!);
  return Uint8Array.of(0x01, 0x00, 0x5e, group[1]! & 0x7f, group[2]!, group[3]!);
}

/** VRRP virtual router MAC: 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6). */
export function vrrpVirtualMac(family: IpFamily, vrid: number): Uint8Array {
  return Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid & 0xff);
}

/** RFC 4291 §2.7.1 solicited-node multicast group ff02::1:ffXX:XXXX of an IPv6 address. */
export function solicitedNodeMulticast(addr: Uint8Array): Uint8Array {
  const out = parseIpv6('ff02::1:ff00:0')!;
  out[13] = addr[13] ?? 0;
  out[14] = addr[14] ?? 0;
  out[15] = addr[15] ?? 0;
  return out;
}

export const VRRP_IPV4_GROUP = '224.0.0.18';
export const VRRP_IPV6_GROUP = 'ff02::12';
