/** The pcapng reader: files written by Wireshark's tools, and hand-built blocks for every case. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture, writePcap } from '../../protocol/pcap.js';
import { readPcapng } from '../../protocol/pcapng.js';
import { loadFrames } from './fixtures.js';
import { block, concat, epb, i64, idb, opb, shb, spb, u8 } from './helpers/pcapng-blocks.js';

const CAPTURES = resolve(dirname(new URL(import.meta.url).pathname), '../fixtures/captures');
const frame = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

describe('readPcapng', () => {
  it('reads what mergecap/editcap wrote: three interfaces, one in nanoseconds, frames as captured', () => {
    const r = readPcapng(new Uint8Array(readFileSync(join(CAPTURES, 'keepalived-merged.pcapng'))));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const f = r.value;
    expect(f.sections).toBe(1);
    expect(f.truncated).toBeUndefined();
    expect(f.interfaces.map((i) => [i.linkType, i.unitsPerSecond])).toEqual([
      [1, 1_000_000n],
      [1, 1_000_000_000n],
      [1, 1_000_000n],
    ]);
    const want = [
      ...loadFrames('v2-pass').map((x) => ({ ...x, interfaceId: 2 })),
      ...loadFrames('garp-v2').map((x) => ({ ...x, interfaceId: 0 })),
      ...loadFrames('na-v3-ipv6').map((x) => ({ ...x, interfaceId: 1 })),
    ];
    expect(f.records).toHaveLength(13);
    expect(f.records.map((x) => ({ tsSec: x.tsSec, tsUsec: x.tsUsec, data: x.data, interfaceId: x.interfaceId }))).toEqual(want);
    expect(f.records.every((x) => x.linkType === 1 && x.originalLength === x.data.length)).toBe(true);
  });

  it('reads big-endian sections, and a second section that switches byte order', () => {
    const be = { little: false };
    const bytes = concat(shb(be), idb(1, 65535, [], be), epb(0, 1_700_000_000_123_456n, frame(60), be), shb(), idb(1, 65535), epb(0, 5_000_001n, frame(42)));
    const r = readPcapng(bytes);
    expect(r.ok && r.value.sections).toBe(2);
    expect(r.ok && r.value.records.map((x) => [x.tsSec, x.tsUsec, x.data.length])).toEqual([
      [1_700_000_000, 123_456, 60],
      [5, 1, 42],
    ]);
  });

  it('applies if_tsresol (10^-n and 2^-n) and if_tsoffset', () => {
    const bytes = concat(
      shb(),
      idb(1, 0, [[9, u8(9)]]),
      idb(1, 0, [[9, u8(0x80 | 10)]]),
      idb(1, 0, [
        [9, u8(3)],
        [14, i64(1_000n)],
      ]),
      epb(0, 1_500_000_000_999_999_999n, frame(14)),
      epb(1, (7n << 10n) + 512n, frame(14)),
      epb(2, 2_250n, frame(14)),
    );
    const r = readPcapng(bytes);
    expect(r.ok && r.value.records.map((x) => [x.tsSec, x.tsUsec, x.interfaceId])).toEqual([
      [1_500_000_000, 999_999, 0],
      [7, 500_000, 1],
      [1_002, 250_000, 2],
    ]);
  });

  it('reads simple and obsolete packet blocks, skips blocks that carry no frame, keeps the snap length', () => {
    const stats = block(5, new Uint8Array(24));
    const names = block(4, u8(0, 0, 0, 0));
    const custom = block(0x00000bad, u8(1, 2, 3, 4, 5));
    const bytes = concat(shb(), idb(1, 50), names, spb(frame(60)), stats, opb(0, 3_000_000n, frame(20)), custom);
    const r = readPcapng(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.skippedBlocks).toBe(3);
    expect(r.value.records.map((x) => [x.tsSec, x.data.length, x.originalLength])).toEqual([
      [0, 50, 60],
      [3, 20, 20],
    ]);
    expect(r.value.records[0]!.data).toEqual(frame(50));
  });

  it('keeps the frames before a damaged block and says where it stopped; never throws', () => {
    const good = concat(shb(), idb(1, 0), epb(0, 1_000_000n, frame(30)));
    const cut = concat(good, epb(0, 2_000_000n, frame(30)).subarray(0, 40));
    expect(readPcapng(cut)).toMatchObject({ ok: true, value: { records: [{ tsSec: 1 }], truncated: expect.stringContaining('claims 64 bytes, 40 left') } });
    const badTrailer = concat(good, epb(0, 2_000_000n, frame(30)));
    badTrailer[badTrailer.length - 1] = 9;
    expect(readPcapng(badTrailer)).toMatchObject({ ok: true, value: { records: [{}], truncated: expect.stringContaining('trailing length') } });
    const oddLength = concat(good, block(6, new Uint8Array(24)));
    new DataView(oddLength.buffer).setUint32(good.length + 4, 30, true);
    expect(readPcapng(oddLength)).toMatchObject({ ok: true, value: { truncated: expect.stringContaining('has length 30') } });
    const noIface = concat(shb(), epb(3, 0n, frame(14)));
    expect(readPcapng(noIface)).toMatchObject({ ok: true, value: { records: [], truncated: expect.stringContaining('interface 3, which no interface block described') } });
    const overlong = concat(shb(), idb(1, 0), epb(0, 0n, frame(14)));
    new DataView(overlong.buffer).setUint32(overlong.length - 4 - 16 - 8, 4000, true);
    expect(readPcapng(overlong)).toMatchObject({ ok: true, value: { records: [], truncated: expect.stringContaining('packet of 4000 bytes in a block of 48') } });
    expect(readPcapng(u8(0x0a, 0x0d, 0x0d, 0x0a))).toMatchObject({ ok: false, reason: 'too-short' });
    const badMagic = shb();
    badMagic[8] = 0;
    expect(readPcapng(badMagic)).toMatchObject({ ok: false, reason: 'bad-byte-order' });
    for (let i = 0; i < 2000; i++) {
      const fuzz = good.slice();
      const at = (i * 131) % fuzz.length;
      fuzz[at] = fuzz[at]! ^ (1 << (i % 8));
      fuzz[(i * 17) % fuzz.length] = i & 0xff;
      expect(() => readPcapng(fuzz.subarray(0, fuzz.length - (i % 9)))).not.toThrow();
    }
  });
});

describe('readCapture', () => {
  it('reads classic pcap and pcapng into the same records', () => {
    const frames = loadFrames('v2-pass');
    const classic = readCapture(writePcap(frames));
    const ng = readCapture(new Uint8Array(readFileSync(join(CAPTURES, 'keepalived-merged.pcapng'))));
    expect(classic.ok && classic.value.format).toBe('pcap');
    expect(ng.ok && ng.value.format).toBe('pcapng');
    const strip = (r: { tsSec: number; tsUsec: number; data: Uint8Array; linkType: number }) => ({ tsSec: r.tsSec, tsUsec: r.tsUsec, data: r.data, linkType: r.linkType });
    expect(classic.ok && classic.value.records.map(strip)).toEqual(ng.ok && ng.value.records.slice(0, 3).map(strip));
    expect(readCapture(u8(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24))).toMatchObject({ ok: false, detail: 'magic 0x01020304 is neither pcap nor pcapng' });
  });
});
