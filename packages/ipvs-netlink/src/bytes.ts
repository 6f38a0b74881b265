/**
 * Byte writing and attribute walking for netlink messages. Netlink integers are in the host's
 * byte order (the kernel's), except where a field says "network order"; HOST_LE holds which
 * one this machine uses. Everything here is plain TypeScript on Uint8Array and DataView.
 */
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK } from './constants.js';

export const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const align4 = (n: number) => (n + 3) & ~3;

/** Thrown for a message that is cut short or whose lengths do not add up. */
export class NetlinkDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetlinkDecodeError';
  }
}

/** A growable buffer that writes netlink attributes in place (nests patched on close). */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, HOST_LE);
    this.pos += 2;
  }
  u16be(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, false);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, HOST_LE);
    this.pos += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v | 0, HOST_LE);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), HOST_LE);
    this.pos += 8;
  }
  bytes(b: ArrayLike<number>): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Zero bytes up to the next multiple of 4. */
  pad(): void {
    const to = align4(this.pos);
    this.ensure(to - this.pos);
    this.buf.fill(0, this.pos, to);
    this.pos = to;
  }
  /** Overwrite a u32 (host order) at an earlier offset. */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, HOST_LE);
  }
  patchU16(at: number, v: number): void {
    this.view.setUint16(at, v, HOST_LE);
  }

  /** Start an attribute: its header is written when `end` is called. */
  begin(type: number): number {
    const at = this.pos;
    this.ensure(NLA_HDRLEN);
    this.pos += NLA_HDRLEN;
    this.view.setUint16(at + 2, type, HOST_LE);
    return at;
  }
  /** Close an attribute: nla_len is its unpadded length; the padding follows it. */
  end(at: number): void {
    this.view.setUint16(at, this.pos - at, HOST_LE);
    this.pad();
  }

  attrU8(type: number, v: number): void {
    const a = this.begin(type);
    this.u8(v);
    this.end(a);
  }
  attrU16(type: number, v: number): void {
    const a = this.begin(type);
    this.u16(v);
    this.end(a);
  }
  attrU16be(type: number, v: number): void {
    const a = this.begin(type);
    this.u16be(v);
    this.end(a);
  }
  attrU32(type: number, v: number): void {
    const a = this.begin(type);
    this.u32(v);
    this.end(a);
  }
  attrI32(type: number, v: number): void {
    const a = this.begin(type);
    this.i32(v);
    this.end(a);
  }
  attrU64(type: number, v: bigint): void {
    const a = this.begin(type);
    this.u64(v);
    this.end(a);
  }
  attrBytes(type: number, b: ArrayLike<number>): void {
    const a = this.begin(type);
    this.bytes(b);
    this.end(a);
  }
  /** A NUL-terminated string (nla_len counts the NUL, not the padding). */
  attrString(type: number, s: string): void {
    const a = this.begin(type);
    this.text(s);
    this.u8(0);
    this.end(a);
  }
  /** UTF-8 text; ASCII (scheduler and interface names) is copied directly, without TextEncoder's cost. */
  text(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.bytes(utf8(s.slice(i)));
        return;
      }
      this.buf[this.pos++] = c;
    }
  }
  /** A nest: `fill` writes the inner attributes. */
  nest(type: number, nestedFlag: boolean, fill: () => void): void {
    const a = this.begin(type | (nestedFlag ? NLA_F_NESTED : 0));
    fill();
    this.end(a);
  }

  /** A copy of what was written. */
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const utf8 = (s: string): Uint8Array => encoder.encode(s);

/** One attribute as found in a message: type without the flag bits, payload bounds. */
export interface Attr {
  type: number;
  nested: boolean;
  start: number;
  end: number;
}

/** A read-only view of a message with typed getters for attribute payloads. */
export class Reader {
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u16At(off: number): number {
    return this.view.getUint16(off, HOST_LE);
  }
  u32At(off: number): number {
    return this.view.getUint32(off, HOST_LE);
  }

  /** The attributes between `start` and `end`, in order. */
  attrs(start: number, end: number): Attr[] {
    const out: Attr[] = [];
    let off = start;
    while (off + NLA_HDRLEN <= end) {
      const len = this.view.getUint16(off, HOST_LE);
      const rawType = this.view.getUint16(off + 2, HOST_LE);
      if (len < NLA_HDRLEN || off + len > end) throw new NetlinkDecodeError(`attribute at byte ${off} has length ${len}, past the end (${end})`);
      out.push({ type: rawType & NLA_TYPE_MASK, nested: (rawType & NLA_F_NESTED) !== 0, start: off + NLA_HDRLEN, end: off + len });
      off += align4(len);
    }
    return out;
  }

  private need(a: Attr, n: number, what: string): void {
    if (a.end - a.start < n) throw new NetlinkDecodeError(`attribute ${a.type} too short for ${what} (${a.end - a.start} bytes)`);
  }
  u8(a: Attr): number {
    this.need(a, 1, 'u8');
    return this.view.getUint8(a.start);
  }
  u16(a: Attr): number {
    this.need(a, 2, 'u16');
    return this.view.getUint16(a.start, HOST_LE);
  }
  u16be(a: Attr): number {
    this.need(a, 2, 'u16');
    return this.view.getUint16(a.start, false);
  }
  u32(a: Attr): number {
    this.need(a, 4, 'u32');
    return this.view.getUint32(a.start, HOST_LE);
  }
  i32(a: Attr): number {
    this.need(a, 4, 's32');
    return this.view.getInt32(a.start, HOST_LE);
  }
  u64(a: Attr): bigint {
    this.need(a, 8, 'u64');
    return this.view.getBigUint64(a.start, HOST_LE);
  }
  bytes(a: Attr): Uint8Array {
    return this.buf.subarray(a.start, a.end);
  }
  /** A string attribute, up to its first NUL. */
  string(a: Attr): string {
    const b = this.bytes(a);
    const nul = b.indexOf(0);
    return decoder.decode(nul < 0 ? b : b.subarray(0, nul));
  }
}
