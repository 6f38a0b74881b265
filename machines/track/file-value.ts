/**
 * track_file value decoding, as keepalived does it (vrrp_track.c process_track_file): the first
 * 127 bytes are read with strtol(buf, NULL, 0) — leading blanks, an optional sign, `0x` for hex, a
 * leading `0` for octal, digits up to the first invalid character; nothing parsable is 0 — and
 * the result is clamped to −254..254. A missing or deleted file reads as 0.
 */
export function parseTrackFileValue(content: string | undefined): number {
  if (content === undefined) return 0;
  const text = content.slice(0, 127);
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  const digits = m[2]!;
  let value: number;
  if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (digits.startsWith('0')) value = digits.length > 1 ? parseInt(digits.slice(1), 8) : 0;
  else value = parseInt(digits, 10);
  return Math.max(-254, Math.min(254, sign * value));
}
