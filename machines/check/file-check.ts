/**
 * FILE_CHECK arithmetic (keepalived 2.2.7 trackers/track_file.c process_track_file,
 * update_track_file_status, process_update_checker_track_file_status).
 *
 * A FILE_CHECK refers to a top-level `track_file NAME { file PATH; weight W [reverse] }`. The
 * file's value is read with strtol(…, 0); what it means for the real server:
 *  - weight 0: a non-zero value (reverse: a zero value) puts the checker in fault (down);
 *  - weight W: value × W (× −1 with reverse) is added to the real server's weight; only a product
 *    at or below INT32_MIN is a fault. A negative total just clamps the IPVS weight at 0.
 */
import { INT32_MAX, INT32_MIN } from './types.js';

/** The status value keepalived uses for a fault (IPVS_WEIGHT_FAULT). */
export const FILE_FAULT = INT32_MIN;

/** The checker's status for a file value: FILE_FAULT, or the weight contribution. */
export function fileCheckStatus(value: number, weight: number, reverse: boolean): number {
  if (weight === 0) return (value !== 0) !== reverse ? FILE_FAULT : 0;
  const product = value * weight * (reverse ? -1 : 1);
  return product <= INT32_MIN ? FILE_FAULT : product > INT32_MAX ? INT32_MAX : product;
}

/**
 * Parse a track file as the checker process does: the first 127 bytes with strtol(buf, NULL, 0)
 * (leading blanks, sign, 0x hex, leading-0 octal, digits up to the first other character). An
 * empty or missing file is 0. Values outside INT32_MIN..INT32_MAX+1 are refused
 * ("Invalid number %ld read from %s - ignoring"): the previous value stays.
 */
export function parseCheckFileValue(content: string | undefined): { value: number } | { invalid: number } {
  if (content === undefined) return { value: 0 };
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(content.slice(0, 127));
  if (!m) return { value: 0 };
  const digits = m[2]!;
  const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith('0') ? (digits.length > 1 ? parseInt(digits.slice(1), 8) : 0) : parseInt(digits, 10);
  const value = m[1] === '-' ? 0 - magnitude : magnitude;
  return value < INT32_MIN || value > INT32_MAX + 1 ? { invalid: value } : { value };
}
