/**
 * Ethernet II frames (IEEE 802.3 §3.1.1) with optional 802.1Q / 802.1ad tags on parse.
 * Frames are built without FCS; `padTo` pads short frames (60 = the minimum without FCS).
 */
import { readU16, writeU16 } from './bytes.js';
import { fail, ok, type Result } from './result.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERNET_HEADER_BYTES = 14;
export const ETHERNET_MIN_FRAME_BYTES = 60;

export interface EthernetFrameSpec {
  dst: Uint8Array;
  src: Uint8Array;
  etherType: number;
  payload: Uint8Array;
  /** 802.1Q VLAN id (0..4095) to tag the frame with; none when undefined. */
  vlanId?: number;
  /** Pad with zero bytes up to this many bytes (e.g. 60). Default: no padding. */
  padTo?: number;
}

export function buildEthernetFrame(spec: EthernetFrameSpec): Uint8Array {
  const tagBytes = spec.vlanId === undefined ? 0 : 4;
  const headerBytes = ETHERNET_HEADER_BYTES + tagBytes;
  const frame = new Uint8Array(Math.max(headerBytes + spec.payload.length, spec.padTo ?? 0));
  frame.set(spec.dst.subarray(0, 6), 0);
  frame.set(spec.src.subarray(0, 6), 6);
  if (spec.vlanId !== undefined) {
    writeU16(frame, 12, ETHERTYPE_VLAN);
    writeU16(frame, 14, spec.vlanId & 0x0fff);
  }
  writeU16(frame, 12 + tagBytes, spec.etherType);
  frame.set(spec.payload, headerBytes);
  return frame;
}

export interface EthernetFrame {
  dst: Uint8Array;
  src: Uint8Array;
  /** Inner EtherType after any VLAN tags. */
  etherType: number;
  /** VLAN ids, outermost first (empty when untagged). */
  vlanIds: number[];
  /** Everything after the header, including any trailing padding (the L3 parser trims it). */
  payload: Uint8Array;
}

export type EthernetDropReason = 'too-short';

export function parseEthernetFrame(frame: Uint8Array): Result<EthernetFrame, EthernetDropReason> {
  if (frame.length < ETHERNET_HEADER_BYTES) return fail('too-short', `frame of ${frame.length} bytes`);
  let off = 12;
  let etherType = readU16(frame, off);
  const vlanIds: number[] = [];
  while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
    if (frame.length < off + 6) return fail('too-short', 'truncated VLAN tag');
    vlanIds.push(readU16(frame, off + 2) & 0x0fff);
    off += 4;
    etherType = readU16(frame, off);
  }
  return ok({
    dst: frame.subarray(0, 6),
    src: frame.subarray(6, 12),
    etherType,
    vlanIds,
    payload: frame.subarray(off + 2),
  });
}
