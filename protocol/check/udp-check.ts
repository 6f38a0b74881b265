/**
 * UDP_CHECK payloads and reply matching (keepalived 2.2.7 check_udp.c, lib/parser.c `read_hex_str`).
 *
 * Hex strings: pairs of hex digits, spaces and tabs between bytes are skipped, a lone digit before
 * a space is one byte ("1 2" = 01 02). In `require_reply` an X (or x) stands for "any nibble".
 */

/** keepalived's default payload: "keepalived check - " repeated over 32 bytes (layer4.c set_buf). */
export function fillPayload(length: number): Uint8Array {
  const text = 'keepalived check - ';
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = text.charCodeAt(i % text.length);
  return out;
}

export const DEFAULT_UDP_PAYLOAD_LENGTH = 32;

export interface HexPattern {
  data: Uint8Array;
  /** Per byte, the bits to ignore (set where an X was written); absent when there is no X. */
  mask?: Uint8Array;
}

function nibble(c: string, wildcards: boolean): number | 'x' | undefined {
  if (/[0-9a-fA-F]/.test(c)) return parseInt(c, 16);
  if (wildcards && (c === 'x' || c === 'X')) return 'x';
  return undefined;
}

/** Parses a hex string; undefined when it is empty or has a character that is not hex (or X). */
export function parseHexPattern(text: string, wildcards: boolean): HexPattern | undefined {
  const data: number[] = [];
  const mask: number[] = [];
  let masked = false;
  let i = 0;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    const hi = nibble(text[i++]!, wildcards);
    if (hi === undefined) return undefined;
    let value = hi === 'x' ? 0 : hi;
    let m = hi === 'x' ? 0x0f : 0;
    if (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
      const lo = nibble(text[i++]!, wildcards);
      if (lo === undefined) return undefined;
      value = (value << 4) | (lo === 'x' ? 0 : lo);
      m = (m << 4) | (lo === 'x' ? 0x0f : 0);
    }
    if (m) masked = true;
    data.push(value);
    mask.push(m);
  }
  if (!data.length) return undefined;
  return masked ? { data: Uint8Array.from(data), mask: Uint8Array.from(mask) } : { data: Uint8Array.from(data) };
}

export interface ReplyRule {
  pattern?: HexPattern;
  /** Default 0. */
  minLength: number;
  /** Default 255. */
  maxLength: number;
}

/**
 * Why a reply does not satisfy `require_reply`, or undefined when it does. Only the first
 * min(reply length, pattern length) bytes are compared, as keepalived does.
 */
export function replyMismatch(reply: Uint8Array, rule: ReplyRule): string | undefined {
  if (reply.length < rule.minLength) return `reply of ${reply.length} bytes is shorter than min_reply_length ${rule.minLength}`;
  if (reply.length > rule.maxLength) return `reply of ${reply.length} bytes is longer than max_reply_length ${rule.maxLength}`;
  const p = rule.pattern;
  if (!p) return undefined;
  const n = Math.min(reply.length, p.data.length);
  for (let i = 0; i < n; i++) {
    const ignore = p.mask?.[i] ?? 0;
    if (((reply[i]! ^ p.data[i]!) & ~ignore & 0xff) !== 0) {
      return `byte ${i} is ${hex(reply[i]!)}, expected ${patternByte(p, i)}`;
    }
  }
  return undefined;
}

const hex = (b: number) => b.toString(16).padStart(2, '0');

function patternByte(p: HexPattern, i: number): string {
  const m = p.mask?.[i] ?? 0;
  const h = hex(p.data[i]!);
  return (m & 0xf0 ? 'X' : h[0]!) + (m & 0x0f ? 'X' : h[1]!);
}

/**
 * The require_reply rule of a UDP_CHECK block: undefined without require_reply, an Error for bad
 * hex. keepalived applies the length limits only with a pattern (defaults 0..255); without one we
 * apply only limits that are written (docs/lvs.md). Shared by the daemon's prober and the
 * simulator's.
 */
export function replyRule(udp: { requireReply?: string; minReplyLength?: number; maxReplyLength?: number } | undefined): ReplyRule | Error | undefined {
  if (udp?.requireReply === undefined) return undefined;
  const text = udp.requireReply.trim();
  const pattern = text === '' ? undefined : parseHexPattern(text, true);
  if (text !== '' && !pattern) return new Error(`require_reply ${text} is not a hex string`);
  return {
    ...(pattern ? { pattern } : {}),
    minLength: udp.minReplyLength ?? 0,
    maxLength: udp.maxReplyLength ?? (pattern ? 255 : 65535),
  };
}

/**
 * What a UDP_CHECK sends (its payload, or DEFAULT_UDP_PAYLOAD_LENGTH bytes of keepalived's fill)
 * and the rule its reply is judged by; an Error names the setting that cannot be used. Shared by
 * the daemon's prober and the simulator's.
 */
export function udpCheckSetup(
  udp: { payload?: string; requireReply?: string; minReplyLength?: number; maxReplyLength?: number } | undefined,
): { payload: Uint8Array; rule: ReplyRule | undefined } | Error {
  const payload = udp?.payload !== undefined ? parseHexPattern(udp.payload, false)?.data : fillPayload(DEFAULT_UDP_PAYLOAD_LENGTH);
  if (!payload) return new Error(`payload ${udp?.payload} is not a hex string`);
  const rule = replyRule(udp);
  if (rule instanceof Error) return rule;
  return { payload, rule };
}
