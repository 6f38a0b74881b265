/**
 * The netlink layer under IPVS: message headers, splitting a datagram into messages, and the
 * kernel's NLMSG_ERROR (an ACK when the error is 0) and NLMSG_DONE messages.
 */
import { NLMSG_HDRLEN, NlmFlag, NlmsgType, NlmsgerrAttr } from './constants.js';
import { HOST_LE, NetlinkDecodeError, Reader, Writer } from './bytes.js';
import type { NetlinkHeader } from './types.js';

const align4 = (n: number) => (n + 3) & ~3;

/** Write a 16-byte header whose length is patched by `finishMessage`. */
export function beginMessage(w: Writer, h: NetlinkHeader): number {
  const at = w.pos;
  w.u32(0);
  w.u16(h.type);
  w.u16(h.flags);
  w.u32(h.seq);
  w.u32(h.pid);
  return at;
}

export function finishMessage(w: Writer, at: number): void {
  w.pad();
  w.patchU32(at, w.pos - at);
}

/** The header of one message (`length` is nlmsg_len). */
export function readHeader(msg: Uint8Array): NetlinkHeader & { length: number } {
  if (msg.length < NLMSG_HDRLEN) throw new NetlinkDecodeError(`message of ${msg.length} bytes is shorter than a netlink header`);
  const r = new Reader(msg);
  return { length: r.u32At(0), type: r.u16At(4), flags: r.u16At(6), seq: r.u32At(8), pid: r.u32At(12) };
}

/** The messages in one datagram, each as its own view (nlmsg_len long). */
export function splitMessages(datagram: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = new Reader(datagram);
  let off = 0;
  while (off + NLMSG_HDRLEN <= datagram.length) {
    const len = r.u32At(off);
    if (len < NLMSG_HDRLEN || off + len > datagram.length) throw new NetlinkDecodeError(`netlink message at byte ${off} has length ${len} (datagram ${datagram.length})`);
    out.push(datagram.subarray(off, off + len));
    off += align4(len);
  }
  if (off < datagram.length) throw new NetlinkDecodeError(`${datagram.length - off} bytes after the last netlink message`);
  return out;
}

/** An NLMSG_ERROR: errno 0 is an ACK. */
export interface NetlinkError {
  header: NetlinkHeader;
  /** Positive errno (0 = success). */
  errno: number;
  /** The header of the request it answers. */
  request: NetlinkHeader;
  /** Extended ACK text, when the kernel sent one. */
  message?: string;
}

export function decodeError(msg: Uint8Array): NetlinkError {
  const h = readHeader(msg);
  if (h.type !== NlmsgType.ERROR) throw new NetlinkDecodeError(`not an NLMSG_ERROR (type ${h.type})`);
  if (msg.length < NLMSG_HDRLEN + 4 + NLMSG_HDRLEN) throw new NetlinkDecodeError(`NLMSG_ERROR of ${msg.length} bytes is too short`);
  const r = new Reader(msg);
  const errno = 0 - r.view.getInt32(NLMSG_HDRLEN, HOST_LE);
  const request = readHeader(msg.subarray(NLMSG_HDRLEN + 4));
  const out: NetlinkError = { header: strip(h), errno, request: strip(request) };
  if (h.flags & NlmFlag.ACK_TLVS) {
    const echoed = h.flags & NlmFlag.CAPPED ? NLMSG_HDRLEN : align4(request.length);
    const tlvStart = NLMSG_HDRLEN + 4 + echoed;
    if (tlvStart <= Math.min(h.length, msg.length)) {
      for (const a of r.attrs(tlvStart, Math.min(h.length, msg.length))) if (a.type === NlmsgerrAttr.MSG) out.message = r.string(a);
    }
  }
  return out;
}

/** The status an NLMSG_DONE carries (0, or a positive errno when the dump failed). */
export function decodeDone(msg: Uint8Array): { header: NetlinkHeader; errno: number } {
  const h = readHeader(msg);
  if (h.type !== NlmsgType.DONE) throw new NetlinkDecodeError(`not an NLMSG_DONE (type ${h.type})`);
  const errno = msg.length >= NLMSG_HDRLEN + 4 ? 0 - new Reader(msg).view.getInt32(NLMSG_HDRLEN, HOST_LE) : 0;
  return { header: strip(h), errno };
}

/**
 * An NLMSG_ERROR answering `request` as the kernel's netlink_ack() does: errno 0 (an ACK) echoes
 * only the request's header and sets NLM_F_CAPPED; an error echoes the whole request.
 */
export function encodeError(request: Uint8Array, errno: number, pid = readHeader(request).pid): Uint8Array {
  const req = readHeader(request);
  const w = new Writer(64 + request.length);
  const capped = errno === 0;
  const at = beginMessage(w, { type: NlmsgType.ERROR, flags: capped ? NlmFlag.CAPPED : 0, seq: req.seq, pid });
  w.i32(-errno);
  w.bytes(capped ? request.subarray(0, NLMSG_HDRLEN) : request.subarray(0, req.length));
  finishMessage(w, at);
  return w.result();
}

/** An NLMSG_DONE ending a dump. */
export function encodeDone(seq: number, pid: number, errno = 0): Uint8Array {
  const w = new Writer(20);
  const at = beginMessage(w, { type: NlmsgType.DONE, flags: NlmFlag.MULTI, seq, pid });
  w.i32(-errno);
  finishMessage(w, at);
  return w.result();
}

function strip(h: NetlinkHeader & { length?: number }): NetlinkHeader {
  return { type: h.type, flags: h.flags, seq: h.seq, pid: h.pid };
}
