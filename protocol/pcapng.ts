/**
 * pcapng files (what Wireshark, dumpcap and tcpdump ≥ 4.99 with `--pcapng` write), read into the
 * same records as classic pcap. Pure: bytes in, records out; never throws.
 *
 * Layout (IETF draft-ietf-opsawg-pcapng): a sequence of blocks, each `type u32, total length u32,
 * body, total length u32`, lengths a multiple of 4. A Section Header Block (0x0A0D0D0A) starts a
 * section and fixes its byte order through the magic 0x1A2B3C4D; Interface Description Blocks
 * (1) number the section's interfaces (link type, snap length, options if_tsresol = 9 and
 * if_tsoffset = 14); Enhanced (6), Simple (3) and obsolete (2) Packet Blocks carry frames.
 * Every other block (name resolution, statistics, decryption secrets, custom) is skipped.
 *
 * No maintained npm package reads pcapng (pcap-parser reads classic pcap only; pcap-ng-parser is a
 * one-release stream parser limited to what tcpdump 4.9 writes), so this is a small reader of
 * our own, checked against files written by editcap/dumpcap and against hand-built blocks.
 */
import { fail, ok, type Result } from './result.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const OPT_END = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export interface PcapngInterface {
  linkType: number;
  snapLen: number;
  /** Timestamp units per second as a divisor: 10^n or 2^n (default 10^6). */
  unitsPerSecond: bigint;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSec: bigint;
}

export interface PcapngRecord {
  tsSec: number;
  tsUsec: number;
  originalLength: number;
  data: Uint8Array;
  /** Index of the interface in its section, and that interface's link type. */
  interfaceId: number;
  linkType: number;
}

export interface PcapngFile {
  sections: number;
  interfaces: PcapngInterface[];
  records: PcapngRecord[];
  /** Blocks of kinds that carry no frame (statistics, name resolution …), skipped. */
  skippedBlocks: number;
  /** Set when the file ended inside a block or a block was malformed; records before it are kept. */
  truncated?: string;
}

export type PcapngReadFailure = 'too-short' | 'not-pcapng' | 'bad-byte-order';

/** True when the bytes start with a pcapng Section Header Block. */
export function isPcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
}

function timestamp(iface: PcapngInterface, high: number, low: number): { tsSec: number; tsUsec: number } {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const sec = units / iface.unitsPerSecond + iface.offsetSec;
  const usec = ((units % iface.unitsPerSecond) * 1_000_000n) / iface.unitsPerSecond;
  return { tsSec: Number(sec), tsUsec: Number(usec) };
}

/** if_tsresol: MSB clear = 10^-n s, set = 2^-n s. Out-of-range exponents keep the default. */
function unitsFromResolution(v: number): bigint {
  const n = v & 0x7f;
  if (v & 0x80) return n <= 63 ? 1n << BigInt(n) : 1_000_000n;
  return n <= 18 ? 10n ** BigInt(n) : 1_000_000n;
}

function readInterface(view: DataView, body: Uint8Array, little: boolean): PcapngInterface {
  const iface: PcapngInterface = { linkType: view.getUint16(0, little), snapLen: view.getUint32(4, little), unitsPerSecond: 1_000_000n, offsetSec: 0n };
  let off = 8;
  while (off + 4 <= body.length) {
    const code = view.getUint16(off, little);
    const len = view.getUint16(off + 2, little);
    const value = off + 4;
    if (code === OPT_END || value + len > body.length) break;
    if (code === IF_TSRESOL && len >= 1) iface.unitsPerSecond = unitsFromResolution(body[value]!);
    if (code === IF_TSOFFSET && len >= 8) iface.offsetSec = view.getBigInt64(value, little);
    off = value + ((len + 3) & ~3);
  }
  return iface;
}

export function readPcapng(bytes: Uint8Array): Result<PcapngFile, PcapngReadFailure> {
  if (bytes.length < 28) return fail('too-short', `pcapng file of ${bytes.length} bytes`);
  if (!isPcapng(bytes)) return fail('not-pcapng', 'no pcapng Section Header Block at the start');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const file: PcapngFile = { sections: 0, interfaces: [], records: [], skippedBlocks: 0 };
  let little = true;
  let off = 0;
  while (off < bytes.length) {
    if (off + 12 > bytes.length) {
      file.truncated = `block header cut at byte ${off}`;
      break;
    }
    const type = view.getUint32(off, little);
    if (type === PCAPNG_SHB) {
      // A new section may switch byte order: read it from the magic before trusting any length.
      const magicLe = view.getUint32(off + 8, true);
      if (magicLe === BYTE_ORDER_MAGIC) little = true;
      else if (view.getUint32(off + 8, false) === BYTE_ORDER_MAGIC) little = false;
      else if (file.sections === 0) return fail('bad-byte-order', `byte-order magic 0x${magicLe.toString(16)} is not 0x1a2b3c4d`);
      else {
        file.truncated = `section at byte ${off} has byte-order magic 0x${magicLe.toString(16)}`;
        break;
      }
    }
    const total = view.getUint32(off + 4, little);
    if (total < 12 || total % 4 !== 0) {
      file.truncated = `block at byte ${off} has length ${total}`;
      break;
    }
    if (off + total > bytes.length) {
      file.truncated = `block at byte ${off} claims ${total} bytes, ${bytes.length - off} left`;
      break;
    }
    if (view.getUint32(off + total - 4, little) !== total) {
      file.truncated = `block at byte ${off}: trailing length differs from ${total}`;
      break;
    }
    const body = bytes.subarray(off + 8, off + total - 4);
    const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const note = (why: string) => {
      file.truncated = `block at byte ${off}: ${why}`;
    };
    if (type === PCAPNG_SHB) {
      file.sections++;
      // Interface numbers start again in every section.
      file.interfaces = [];
    } else if (type === IDB) {
      if (body.length < 8) {
        note('interface description too short');
        break;
      }
      file.interfaces.push(readInterface(bv, body, little));
    } else if (type === EPB || type === OPB) {
      // Both: interface (EPB u32; OPB u16 + drop count u16), timestamp high/low, captured and original length.
      const head = 20;
      if (body.length < head) {
        note('packet block too short');
        break;
      }
      const interfaceId = type === EPB ? bv.getUint32(0, little) : bv.getUint16(0, little);
      const capLen = bv.getUint32(12, little);
      const origLen = bv.getUint32(16, little);
      const iface = file.interfaces[interfaceId];
      if (!iface) {
        note(`packet on interface ${interfaceId}, which no interface block described`);
        break;
      }
      if (head + capLen > body.length) {
        note(`packet of ${capLen} bytes in a block of ${total}`);
        break;
      }
      file.records.push({
        ...timestamp(iface, bv.getUint32(4, little), bv.getUint32(8, little)),
        originalLength: origLen,
        data: body.subarray(head, head + capLen),
        interfaceId,
        linkType: iface.linkType,
      });
    } else if (type === SPB) {
      const iface = file.interfaces[0];
      if (!iface || body.length < 4) {
        note(iface ? 'simple packet block too short' : 'simple packet block before any interface block');
        break;
      }
      const origLen = bv.getUint32(0, little);
      let capLen = Math.min(origLen, body.length - 4);
      if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
      // A Simple Packet Block has no timestamp.
      file.records.push({ tsSec: 0, tsUsec: 0, originalLength: origLen, data: body.subarray(4, 4 + capLen), interfaceId: 0, linkType: iface.linkType });
    } else {
      file.skippedBlocks++;
    }
    off += total;
  }
  return ok(file);
}
