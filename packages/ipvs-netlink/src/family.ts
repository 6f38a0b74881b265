/**
 * Resolving a generic netlink family through the controller (nlctrl): CTRL_CMD_GETFAMILY by name,
 * answered by CTRL_CMD_NEWFAMILY with the family's dynamic id, or by NLMSG_ERROR ENOENT when the
 * kernel has no such family (for IPVS: the ip_vs module is not loaded and cannot be).
 */
import { CTRL_VERSION, CtrlAttr, CtrlCmd, CtrlMcastAttr, CtrlOpAttr, GENL_HDRLEN, GENL_ID_CTRL, NLMSG_HDRLEN, NlmFlag } from './constants.js';
import { NetlinkDecodeError, Reader, Writer } from './bytes.js';
import { beginMessage, finishMessage, readHeader } from './netlink.js';
import type { NetlinkHeader } from './types.js';

export interface GenlFamily {
  id: number;
  name: string;
  version?: number;
  hdrSize?: number;
  maxAttr?: number;
  /** Each command the family offers and its GENL_* flags. */
  ops: Array<{ id: number; flags: number }>;
  mcastGroups: Array<{ name: string; id: number }>;
}

/** CTRL_CMD_GETFAMILY for `name`, as libnl's genl_ctrl_resolve() sends it (REQUEST|ACK, version 1). */
export function encodeGetFamily(name: string, seq: number, pid: number, flags: number = NlmFlag.REQUEST | NlmFlag.ACK): Uint8Array {
  const w = new Writer(64);
  const at = beginMessage(w, { type: GENL_ID_CTRL, flags, seq, pid });
  w.u8(CtrlCmd.GETFAMILY);
  w.u8(CTRL_VERSION);
  w.u16(0);
  w.attrString(CtrlAttr.FAMILY_NAME, name);
  finishMessage(w, at);
  return w.result();
}

/** The family name a GETFAMILY request asks for (undefined when it asks by id). */
export function decodeGetFamily(msg: Uint8Array): { header: NetlinkHeader; name?: string; id?: number } {
  const h = readHeader(msg);
  const r = new Reader(msg);
  const out: { header: NetlinkHeader; name?: string; id?: number } = { header: { type: h.type, flags: h.flags, seq: h.seq, pid: h.pid } };
  for (const a of r.attrs(NLMSG_HDRLEN + GENL_HDRLEN, Math.min(h.length, msg.length))) {
    if (a.type === CtrlAttr.FAMILY_NAME) out.name = r.string(a);
    else if (a.type === CtrlAttr.FAMILY_ID) out.id = r.u16(a);
  }
  return out;
}

/** Decode CTRL_CMD_NEWFAMILY. */
export function decodeFamily(msg: Uint8Array): GenlFamily {
  const h = readHeader(msg);
  if (h.type !== GENL_ID_CTRL) throw new NetlinkDecodeError(`not an nlctrl message (type ${h.type})`);
  const r = new Reader(msg);
  const f: GenlFamily = { id: 0, name: '', ops: [], mcastGroups: [] };
  let sawId = false;
  for (const a of r.attrs(NLMSG_HDRLEN + GENL_HDRLEN, Math.min(h.length, msg.length))) {
    switch (a.type) {
      case CtrlAttr.FAMILY_ID:
        f.id = r.u16(a);
        sawId = true;
        break;
      case CtrlAttr.FAMILY_NAME:
        f.name = r.string(a);
        break;
      case CtrlAttr.VERSION:
        f.version = r.u32(a);
        break;
      case CtrlAttr.HDRSIZE:
        f.hdrSize = r.u32(a);
        break;
      case CtrlAttr.MAXATTR:
        f.maxAttr = r.u32(a);
        break;
      case CtrlAttr.OPS:
        for (const op of r.attrs(a.start, a.end)) {
          const o = { id: 0, flags: 0 };
          for (const x of r.attrs(op.start, op.end)) {
            if (x.type === CtrlOpAttr.ID) o.id = r.u32(x);
            else if (x.type === CtrlOpAttr.FLAGS) o.flags = r.u32(x);
          }
          f.ops.push(o);
        }
        break;
      case CtrlAttr.MCAST_GROUPS:
        for (const g of r.attrs(a.start, a.end)) {
          const o = { name: '', id: 0 };
          for (const x of r.attrs(g.start, g.end)) {
            if (x.type === CtrlMcastAttr.NAME) o.name = r.string(x);
            else if (x.type === CtrlMcastAttr.ID) o.id = r.u32(x);
          }
          f.mcastGroups.push(o);
        }
        break;
    }
  }
  if (!sawId) throw new NetlinkDecodeError('CTRL_CMD_NEWFAMILY without CTRL_ATTR_FAMILY_ID');
  return f;
}

/** CTRL_CMD_NEWFAMILY as the kernel's ctrl_fill_info() lays it out (for fakes and tests). */
export function encodeFamily(f: GenlFamily, seq: number, pid: number): Uint8Array {
  const w = new Writer(512);
  const at = beginMessage(w, { type: GENL_ID_CTRL, flags: 0, seq, pid });
  w.u8(CtrlCmd.NEWFAMILY);
  w.u8(2);
  w.u16(0);
  w.attrString(CtrlAttr.FAMILY_NAME, f.name);
  w.attrU16(CtrlAttr.FAMILY_ID, f.id);
  w.attrU32(CtrlAttr.VERSION, f.version ?? 1);
  w.attrU32(CtrlAttr.HDRSIZE, f.hdrSize ?? 0);
  w.attrU32(CtrlAttr.MAXATTR, f.maxAttr ?? 0);
  if (f.ops.length) {
    w.nest(CtrlAttr.OPS, false, () =>
      f.ops.forEach((op, i) =>
        w.nest(i + 1, false, () => {
          w.attrU32(CtrlOpAttr.ID, op.id);
          w.attrU32(CtrlOpAttr.FLAGS, op.flags);
        }),
      ),
    );
  }
  if (f.mcastGroups.length) {
    w.nest(CtrlAttr.MCAST_GROUPS, false, () =>
      f.mcastGroups.forEach((g, i) =>
        w.nest(i + 1, false, () => {
          w.attrString(CtrlMcastAttr.NAME, g.name);
          w.attrU32(CtrlMcastAttr.ID, g.id);
        }),
      ),
    );
  }
  finishMessage(w, at);
  return w.result();
}
