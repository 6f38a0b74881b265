/**
 * Classic libpcap files: global header of 24 bytes, then per record a 16-byte header (ts_sec,
 * ts_frac, incl_len, orig_len) and the captured bytes. Reads both byte orders and both
 * microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magics; writes little-endian µs files.
 * `readCapture` reads either this or pcapng (pcapng.ts) into one list of records.
 * Pure: bytes in, bytes out. A truncated file yields the records read so far plus a `truncated` note.
 */
import { isPcapng, readPcapng } from './pcapng.js';
import { fail, ok, type Result } from './result.js';

export const LINKTYPE_ETHERNET = 1;
const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

export interface PcapRecord {
  /** Capture time: whole seconds since the epoch and the microseconds within the second. */
  tsSec: number;
  tsUsec: number;
  /** Length of the frame on the wire (may exceed data.length when the capture was cut by snaplen). */
  originalLength: number;
  data: Uint8Array;
}

export interface PcapFile {
  linkType: number;
  snapLen: number;
  /** True when the file stored nanoseconds (converted to µs in the records). */
  nanosecond: boolean;
  records: PcapRecord[];
  /** Set when the file ended inside a record. */
  truncated?: string;
}

export type PcapReadFailure = 'too-short' | 'bad-magic';

export function readPcap(bytes: Uint8Array): Result<PcapFile, PcapReadFailure> {
  if (bytes.length < GLOBAL_HEADER_BYTES) return fail('too-short', `pcap file of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little: boolean;
  const magicLe = view.getUint32(0, true);
  const magicBe = view.getUint32(0, false);
  if (magicLe === MAGIC_US || magicLe === MAGIC_NS) little = true;
  else if (magicBe === MAGIC_US || magicBe === MAGIC_NS) little = false;
  else return fail('bad-magic', `magic 0x${magicBe.toString(16).padStart(8, '0')} is neither pcap nor pcapng`);
  const nanosecond = (little ? magicLe : magicBe) === MAGIC_NS;
  const file: PcapFile = {
    linkType: view.getUint32(20, little) & 0x0fffffff,
    snapLen: view.getUint32(16, little),
    nanosecond,
    records: [],
  };
  let off = GLOBAL_HEADER_BYTES;
  while (off < bytes.length) {
    if (off + RECORD_HEADER_BYTES > bytes.length) {
      file.truncated = `record header cut at byte ${off}`;
      break;
    }
    const tsSec = view.getUint32(off, little);
    const frac = view.getUint32(off + 4, little);
    const inclLen = view.getUint32(off + 8, little);
    const origLen = view.getUint32(off + 12, little);
    const start = off + RECORD_HEADER_BYTES;
    if (start + inclLen > bytes.length) {
      file.truncated = `record at byte ${off} claims ${inclLen} bytes, ${bytes.length - start} left`;
      break;
    }
    file.records.push({
      tsSec,
      tsUsec: nanosecond ? Math.floor(frac / 1000) : frac,
      originalLength: origLen,
      data: bytes.subarray(start, start + inclLen),
    });
    off = start + inclLen;
  }
  return ok(file);
}

export interface PcapWriteOptions {
  linkType?: number;
  snapLen?: number;
}

/** Write a little-endian microsecond pcap file. `originalLength` defaults to data.length. */
export function writePcap(
  records: ReadonlyArray<{ tsSec: number; tsUsec: number; data: Uint8Array; originalLength?: number }>,
  opts: PcapWriteOptions = {},
): Uint8Array {
  let total = GLOBAL_HEADER_BYTES;
  for (const r of records) total += RECORD_HEADER_BYTES + r.data.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC_US, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  // thiszone (8) and sigfigs (12) stay 0.
  view.setUint32(16, opts.snapLen ?? 262144, true);
  view.setUint32(20, opts.linkType ?? LINKTYPE_ETHERNET, true);
  let off = GLOBAL_HEADER_BYTES;
  for (const r of records) {
    view.setUint32(off, r.tsSec >>> 0, true);
    view.setUint32(off + 4, r.tsUsec >>> 0, true);
    view.setUint32(off + 8, r.data.length, true);
    view.setUint32(off + 12, r.originalLength ?? r.data.length, true);
    out.set(r.data, off + RECORD_HEADER_BYTES);
    off += RECORD_HEADER_BYTES + r.data.length;
  }
  return out;
}

/** A frame of either file format, with the link type of the interface it was captured on. */
export interface CaptureRecord extends PcapRecord {
  linkType: number;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  records: CaptureRecord[];
  truncated?: string;
}

/** Classic pcap or pcapng, told apart by their first bytes. */
export function readCapture(bytes: Uint8Array): Result<CaptureFile, string> {
  if (isPcapng(bytes)) {
    const ng = readPcapng(bytes);
    if (!ng.ok) return fail(ng.reason, ng.detail);
    return ok({ format: 'pcapng', records: ng.value.records, ...(ng.value.truncated ? { truncated: ng.value.truncated } : {}) });
  }
  const p = readPcap(bytes);
  if (!p.ok) return fail(p.reason, p.detail);
  const linkType = p.value.linkType;
  return ok({ format: 'pcap', records: p.value.records.map((r) => ({ ...r, linkType })), ...(p.value.truncated ? { truncated: p.value.truncated } : {}) });
}
