import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../protocol/bytes.js';
import { LINKTYPE_ETHERNET, readPcap, writePcap } from '../../protocol/pcap.js';
import { FIXTURE_NAMES, loadFrames, sharedPcapPath, tsharkAvailable } from './fixtures.js';

describe('pcap files', () => {
  const mounted = FIXTURE_NAMES.filter((n) => sharedPcapPath(n) !== undefined);
  if (mounted.length === 0) it.skip('reads the shared captures (skipped: /work/shared/pcaps not mounted)', () => {});
  it.each(mounted)('reads %s.pcap to the same frames as the hex fixture', (name) => {
    const path = sharedPcapPath(name)!;
    const file = readPcap(new Uint8Array(readFileSync(path)));
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    expect(file.value.linkType).toBe(LINKTYPE_ETHERNET);
    expect(file.value.truncated).toBeUndefined();
    const frames = loadFrames(name);
    expect(file.value.records.map((r) => [r.tsSec, r.tsUsec, bytesToHex(r.data)])).toEqual(
      frames.map((f) => [f.tsSec, f.tsUsec, bytesToHex(f.data)]),
    );
    // Writing the records back reproduces the file byte for byte (same header fields as tcpdump's).
    const rewritten = writePcap(file.value.records, { snapLen: file.value.snapLen });
    expect(bytesToHex(rewritten)).toBe(bytesToHex(new Uint8Array(readFileSync(path))));
  });

  it('reads big-endian and nanosecond files', () => {
    const le = writePcap([{ tsSec: 10, tsUsec: 123456, data: Uint8Array.of(1, 2, 3) }]);
    const be = new Uint8Array(le.length);
    const vl = new DataView(le.buffer);
    const vb = new DataView(be.buffer);
    vb.setUint32(0, 0xa1b23c4d, false); // nanosecond magic, big-endian
    vb.setUint16(4, 2, false);
    vb.setUint16(6, 4, false);
    vb.setUint32(16, 65535, false);
    vb.setUint32(20, 1, false);
    vb.setUint32(24, 10, false);
    vb.setUint32(28, 123456789, false);
    vb.setUint32(32, 3, false);
    vb.setUint32(36, 60, false);
    be.set(le.subarray(40), 40);
    expect(vl.getUint32(0, true)).toBe(0xa1b2c3d4);
    const r = readPcap(be);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.nanosecond).toBe(true);
    expect(r.value.records[0]).toMatchObject({ tsSec: 10, tsUsec: 123456, originalLength: 60 });
    expect(Array.from(r.value.records[0]!.data)).toEqual([1, 2, 3]);
  });

  it('never throws on bad or truncated input', () => {
    expect(readPcap(new Uint8Array(10))).toMatchObject({ ok: false, reason: 'too-short' });
    expect(readPcap(new Uint8Array(24))).toMatchObject({ ok: false, reason: 'bad-magic' });
    const good = writePcap([
      { tsSec: 1, tsUsec: 2, data: new Uint8Array(20) },
      { tsSec: 3, tsUsec: 4, data: new Uint8Array(20) },
    ]);
    // Records are 36 bytes (16 header + 20 data) after the 24-byte global header.
    for (let cut = 24; cut <= good.length; cut++) {
      const r = readPcap(good.subarray(0, cut));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.value.records.length).toBe(Math.floor((cut - 24) / 36));
      expect(r.value.truncated !== undefined).toBe((cut - 24) % 36 !== 0);
    }
  });

  it.skipIf(!tsharkAvailable())('writes files tshark reads with the right timestamps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kts-pcap-'));
    try {
      const frames = loadFrames('v2-pass');
      const file = join(dir, 'out.pcap');
      writeFileSync(file, writePcap(frames));
      const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len'], { encoding: 'utf8' });
      const rows = out.trim().split('\n').map((l) => l.split('\t'));
      expect(rows.length).toBe(frames.length);
      expect(Number(rows[0]![0])).toBeCloseTo(frames[0]!.tsSec + frames[0]!.tsUsec / 1e6, 5);
      expect(Number(rows[0]![1])).toBe(frames[0]!.data.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
