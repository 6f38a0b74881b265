/**
 * The addon's repeating slots (native/advert-backstop.c backstopRepeat) over AF_UNIX datagram
 * sockets (no network, no root): a steady master's adverts sent by the thread at their interval
 * with the next IPv4 ID and a header checksum that verifies, counted for JavaScript; stopped by a
 * read with `end`, by the socket's close, by a failed send (reported through the eventfd) and,
 * without a sign of life from this thread, by the lease running out.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { netio } from '../../adapters/linux/native.js';
import { BackstopSlots, LEASE_MS } from '../../adapters/linux/advert-backstop.js';
import { buildIpv4Packet, parseIpv4Packet } from '../../protocol/ipv4.js';
import type { RepeatState } from '../../actors/ports.js';
import { AF_UNIX, drainDatagrams, SOCK_DGRAM, unixDgramReceiver } from '../helpers/unix-dgram.js';

const io = netio();
const fds: number[] = [];
afterAll(() => {
  for (const fd of fds) io.close(fd);
});

const drain = (fd: number): Buffer[] => drainDatagrams(io, fd);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A receiver and a sender socket, closed after the file. */
function pair(tag: string): { r: { fd: number; addr: Buffer }; s: number } {
  const r = unixDgramReceiver(io, `repeat-${tag}`);
  const s = io.socket(AF_UNIX, SOCK_DGRAM, 0);
  fds.push(r.fd, s);
  return { r, s };
}

const advert = (id: number): Uint8Array =>
  buildIpv4Packet({ id, ttl: 255, protocol: 112, src: Uint8Array.of(198, 51, 100, 1), dst: Uint8Array.of(224, 0, 0, 18) }, Uint8Array.of(0x31, 7, 200, 1, 0, 100, 0, 0));

describe.skipIf(process.platform !== 'linux')('repeating adverts (native)', () => {
  it('sends at the first due time and every interval after, each IPv4 datagram with the next ID and a checksum that verifies', async () => {
    const { r, s } = pair('a');
    const slot = io.backstopSlot();
    io.backstopLease(10_000);
    const t0 = performance.now();
    io.backstopRepeat(slot, s, advert(0xfffe), r.addr, null, 10, 20, 0.04, 0xfffe);
    expect(drain(r.fd)).toEqual([]);
    await sleep(95); // due at 10, 30, 50, 70, 90 ms
    const [sent, ipId, dueInMs, failed] = io.backstopRepeatRead(slot, false);
    const elapsed = performance.now() - t0;
    const got = drain(r.fd);
    expect(got.length).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual(4);
    // Never more than one an interval (a loaded machine may have slept longer than 95 ms).
    expect(sent).toBeLessThanOrEqual(Math.floor((elapsed - 10) / 20) + 1);
    const ids = got.map((b) => {
      const p = parseIpv4Packet(b);
      if (!p.ok) throw new Error(p.detail ?? p.reason);
      expect(p.value.headerChecksumOk).toBe(true);
      return p.value.id;
    });
    // 0xffff, then 1 (0 is skipped, as vrrp-io.ts counts), 2, …
    expect(ids.slice(0, 4)).toEqual([0xffff, 1, 2, 3]);
    expect(ipId).toBe(ids.at(-1));
    expect(dueInMs).toBeGreaterThan(0);
    expect(dueInMs).toBeLessThanOrEqual(20);
    expect(failed).toBe(0);
    // The count starts again from the read; `end` stops the repetition.
    await sleep(25);
    const [more] = io.backstopRepeatRead(slot, true);
    expect(more).toBe(drain(r.fd).length);
    expect(more).toBeGreaterThanOrEqual(1);
    await sleep(45);
    expect(drain(r.fd)).toEqual([]);
    expect(io.backstopRepeatRead(slot, false)).toEqual([0, 0, 0, 0]);
    io.backstopFree(slot);
  });

  it('sends IPv6-style bytes as they are (no ID), and stops when the lease runs out until it is renewed', async () => {
    const { r, s } = pair('b');
    const slot = io.backstopSlot();
    io.backstopLease(60);
    io.backstopRepeat(slot, s, Buffer.from('v6 advert'), r.addr, null, 0, 10, 0.02, -1);
    await sleep(150);
    const during = drain(r.fd).map((b) => b.toString());
    expect(new Set(during)).toEqual(new Set(['v6 advert']));
    // Due every 10 ms for the 60 ms of the lease, then none.
    expect(during.length).toBeGreaterThanOrEqual(4);
    expect(during.length).toBeLessThanOrEqual(8);
    await sleep(50);
    expect(drain(r.fd)).toEqual([]);
    io.backstopLease(10_000);
    await sleep(35);
    expect(drain(r.fd).length).toBeGreaterThanOrEqual(2);
    io.backstopRepeatRead(slot, true);
    io.backstopFree(slot);
  });

  it('a send that fails stops the slot and turns the eventfd readable; the read gives the errno', async () => {
    const { s } = pair('c');
    const gone = unixDgramReceiver(io, 'repeat-gone');
    io.close(gone.fd); // nobody at that address: ECONNREFUSED
    const slot = io.backstopSlot();
    io.backstopLease(10_000);
    const failFd = io.backstopFailFd();
    const seen: number[] = [];
    const watch = io.watch(failFd, () => seen.push(...io.backstopFailed()));
    io.backstopRepeat(slot, s, Buffer.from('x'), gone.addr, null, 5, 10, 0.02, -1);
    for (let i = 0; i < 50 && seen.length === 0; i++) await sleep(5);
    io.unwatch(watch);
    expect(seen).toEqual([slot]);
    const [sent, , dueInMs, failed] = io.backstopRepeatRead(slot, true);
    expect(sent).toBe(0);
    expect(dueInMs).toBe(0);
    expect(failed).toBeGreaterThan(0);
    expect(io.backstopFailed()).toEqual([]);
    io.backstopFree(slot);
  });

  it('rejects bad arguments with an error, not a crash', () => {
    const slot = io.backstopSlot();
    expect(() => io.backstopRepeat(slot, 0, Buffer.alloc(0), null, null, 0, 10, 0.02, -1)).toThrow(/backstopRepeat/);
    expect(() => io.backstopRepeat(slot, 0, Buffer.from('x'), null, null, 0, 0, 0, -1)).toThrow(/backstopRepeat/);
    expect(() => io.backstopRepeat(slot, 0, Buffer.from('x'), null, null, -1, 10, 0.02, -1)).toThrow(/backstopRepeat/);
    expect(() => io.backstopRepeat(slot, 0, Buffer.from('short'), null, null, 0, 10, 0.02, 7)).toThrow(/backstopRepeat/); // an ID needs an IPv4 header
    expect(() => io.backstopRepeat(slot, 0, Buffer.from('x'), null, null, 0, 10, 0.02, 0x10000)).toThrow(/backstopRepeat/);
    expect(() => io.backstopRepeat(99_999, 0, Buffer.from('x'), null, null, 0, 10, 0.02, -1)).toThrow(/backstopRepeat/);
    expect(() => io.backstopLease(NaN)).toThrow(/backstopLease/);
    expect(io.backstopRepeatRead(99_999, true)).toEqual([0, 0, 0, 0]);
    io.backstopFree(slot);
  });

  it('BackstopSlots: repeat, read, a held advert not taken over a repetition, and the owners told when the socket closes', async () => {
    const { r, s } = pair('d');
    const slots = new BackstopSlots(io, (m) => {
      throw new Error(m);
    });
    const stops: [string, RepeatState][] = [];
    expect(slots.repeat('VI_1', s, advert(10), r.addr, null, 0, 10, 10, (st) => stops.push(['VI_1', st]))).toBe(true);
    expect(slots.repeat('VI_2', s, Buffer.from('VI_2'), r.addr, null, 0, 10, undefined, (st) => stops.push(['VI_2', st]))).toBe(true);
    // The lease is this thread's from now on (renewed every LEASE_RENEW_MS while the process runs).
    expect(LEASE_MS).toBeGreaterThan(100);
    slots.hold('VI_1', s, Buffer.from('held'), r.addr, null, 0); // ignored: VI_1 repeats
    expect(slots.take('VI_1')).toBe(-1);
    await sleep(45);
    const one = slots.read('VI_1', false)!;
    expect(one.sent).toBeGreaterThanOrEqual(3);
    expect(one.ipId).toBe(10 + one.sent);
    expect(slots.read('VI_3', false)).toBeUndefined();
    slots.close(s);
    expect(stops.map(([k]) => k).sort()).toEqual(['VI_1', 'VI_2']);
    const got = drain(r.fd);
    const v2 = got.filter((b) => b.toString() === 'VI_2').length;
    expect(stops.find(([k]) => k === 'VI_2')![1].sent).toBe(v2);
    expect(got.some((b) => b.toString() === 'held')).toBe(false);
    await sleep(30);
    expect(drain(r.fd)).toEqual([]);
    expect(slots.read('VI_1', false)).toBeUndefined();
  });
});
