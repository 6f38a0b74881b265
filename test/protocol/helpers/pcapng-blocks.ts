/** Hand-built pcapng blocks for reader tests (either byte order, any option). */

export interface BlockOptions {
  little?: boolean;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** One block: type, total length, body (padded to 4), total length. */
export function block(type: number, body: Uint8Array, { little = true }: BlockOptions = {}): Uint8Array {
  const total = 12 + pad4(body.length);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, little);
  v.setUint32(4, total, little);
  out.set(body, 8);
  v.setUint32(total - 4, total, little);
  return out;
}

export function shb(o: BlockOptions = {}): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint32(0, 0x1a2b3c4d, o.little ?? true);
  v.setUint16(4, 1, o.little ?? true);
  v.setUint16(6, 0, o.little ?? true);
  v.setBigInt64(8, -1n, o.little ?? true);
  return block(0x0a0d0d0a, body, o);
}

/** Options as [code, bytes] pairs, with opt_endofopt. */
export function options(list: Array<[number, Uint8Array]>, little = true): Uint8Array {
  const parts: number[] = [];
  for (const [code, value] of list) {
    const h = new Uint8Array(4);
    new DataView(h.buffer).setUint16(0, code, little);
    new DataView(h.buffer).setUint16(2, value.length, little);
    parts.push(...h, ...value, ...new Array(pad4(value.length) - value.length).fill(0));
  }
  parts.push(0, 0, 0, 0);
  return Uint8Array.from(parts);
}

export function idb(linkType: number, snapLen: number, opts: Array<[number, Uint8Array]> = [], o: BlockOptions = {}): Uint8Array {
  const little = o.little ?? true;
  const head = new Uint8Array(8);
  const v = new DataView(head.buffer);
  v.setUint16(0, linkType, little);
  v.setUint32(4, snapLen, little);
  const tail = opts.length > 0 ? options(opts, little) : new Uint8Array(0);
  return block(1, Uint8Array.from([...head, ...tail]), o);
}

export function epb(interfaceId: number, ts: bigint, data: Uint8Array, o: BlockOptions & { originalLength?: number } = {}): Uint8Array {
  const little = o.little ?? true;
  const head = new Uint8Array(20);
  const v = new DataView(head.buffer);
  v.setUint32(0, interfaceId, little);
  v.setUint32(4, Number(ts >> 32n), little);
  v.setUint32(8, Number(ts & 0xffffffffn), little);
  v.setUint32(12, data.length, little);
  v.setUint32(16, o.originalLength ?? data.length, little);
  const body = new Uint8Array(20 + pad4(data.length));
  body.set(head);
  body.set(data, 20);
  return block(6, body, o);
}

export function opb(interfaceId: number, ts: bigint, data: Uint8Array, o: BlockOptions = {}): Uint8Array {
  const little = o.little ?? true;
  const body = new Uint8Array(20 + pad4(data.length));
  const v = new DataView(body.buffer);
  v.setUint16(0, interfaceId, little);
  v.setUint32(4, Number(ts >> 32n), little);
  v.setUint32(8, Number(ts & 0xffffffffn), little);
  v.setUint32(12, data.length, little);
  v.setUint32(16, data.length, little);
  body.set(data, 20);
  return block(2, body, o);
}

export function spb(data: Uint8Array, o: BlockOptions = {}): Uint8Array {
  const body = new Uint8Array(4 + pad4(data.length));
  new DataView(body.buffer).setUint32(0, data.length, o.little ?? true);
  body.set(data, 4);
  return block(3, body, o);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export const u8 = (...b: number[]) => Uint8Array.from(b);
export const i64 = (n: bigint, little = true) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, n, little);
  return b;
};
