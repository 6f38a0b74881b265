/**
 * The second sending thread (native/advert-backstop.c backstopCover): pinned to another CPU than
 * the first, it sends a repeating advert the first has not sent 0.5 ms past its due time. Shown
 * by taking the first thread's CPU away (a SCHED_FIFO busy loop above it, pinned there) while a
 * slot repeats: the adverts keep their interval, with the IPv4 IDs unbroken and none twice.
 * Without root (no realtime priority) the second thread does not run, and says so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { netio } from '../../adapters/linux/native.js';
import { buildIpv4Packet, parseIpv4Packet } from '../../protocol/ipv4.js';
import { AF_UNIX, drainDatagrams, SOCK_DGRAM, unixDgramReceiver } from '../helpers/unix-dgram.js';
import { hogCpu, processCpus, senderThreads } from '../helpers/cpu-hog.js';

const io = netio();
const root = process.getuid?.() === 0;
const fds: number[] = [];
afterAll(() => {
  io.backstopCover(false);
  for (const fd of fds) io.close(fd);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const advert = (id: number): Uint8Array =>
  buildIpv4Packet({ id, ttl: 255, protocol: 112, src: Uint8Array.of(198, 51, 100, 1), dst: Uint8Array.of(224, 0, 0, 18) }, Uint8Array.of(0x31, 7, 200, 1, 0, 100, 0, 0));

/** The IPv4 IDs of what arrived, drained every 10 ms (the socket queues only 10 datagrams). */
function collect(fd: number): { ids: number[]; stop: () => void } {
  const ids: number[] = [];
  const take = (): void => {
    for (const b of drainDatagrams(io, fd)) {
      const p = parseIpv4Packet(b);
      if (!p.ok) throw new Error(p.detail ?? p.reason);
      expect(p.value.headerChecksumOk).toBe(true);
      ids.push(p.value.id);
    }
  };
  const timer = setInterval(take, 10);
  return { ids, stop: () => (clearInterval(timer), take()) };
}

describe.skipIf(process.platform !== 'linux')('the covering thread (native)', () => {
  it.skipIf(root && availableParallelism() >= 2)('does not run without realtime priority or a second CPU', () => {
    expect(io.backstopCover(true)).toBe(false);
    expect(senderThreads().has('advert-cover')).toBe(false);
    expect(io.backstopStats()[6]).toBe(0);
  });

  it.skipIf(!root || availableParallelism() < 2)(
    'runs pinned apart from the first; sends what the first cannot while its CPU is taken, once each; stops and gives the first its CPUs back',
    async () => {
      expect(io.backstopCover(true)).toBe(true);
      expect(io.backstopCover(true)).toBe(true); // already running
      const threads = senderThreads();
      const first = threads.get('advert-backstop')!;
      expect(first).toMatch(/^\d+$/);
      expect(threads.get('advert-cover')).toMatch(/^\d+$/);
      expect(threads.get('advert-cover')).not.toBe(first);

      const r = unixDgramReceiver(io, 'cover');
      const s = io.socket(AF_UNIX, SOCK_DGRAM, 0);
      fds.push(r.fd, s);
      const got = collect(r.fd);
      const slot = io.backstopSlot();
      io.backstopLease(60_000);
      const before = io.backstopStats();
      io.backstopRepeat(slot, s, advert(100), r.addr, null, 0, 20, 0.04, 100);
      await sleep(100);
      const quiet = got.ids.length;
      // The first thread's CPU taken for 300 ms: 15 adverts due in it.
      await hogCpu(first, 300);
      await sleep(30);
      const [sent] = io.backstopRepeatRead(slot, true);
      got.stop();
      const after = io.backstopStats();
      const covered = after[4] - before[4];
      expect(covered).toBeGreaterThanOrEqual(10);
      expect(got.ids.length - quiet).toBeGreaterThanOrEqual(13);
      // Each advert once, with the next ID: the two threads never both sent one.
      expect(got.ids).toEqual(Array.from({ length: got.ids.length }, (_, i) => 101 + i));
      expect(sent).toBe(got.ids.length);
      expect(after[0] - before[0]).toBe(got.ids.length);
      io.backstopFree(slot);

      // A repeating slot armed while a held advert is due earlier (the first thread's timer set
      // for it) wakes the second for itself and leaves the first's earlier wake where it was.
      const held = io.backstopSlot();
      const later = io.backstopSlot();
      await sleep(50); // both threads have woken since the last repetition ended: nothing armed
      io.backstopArm(held, s, advert(7), r.addr, null, 20);
      io.backstopRepeat(later, s, advert(300), r.addr, null, 200, 1000, 2, 300);
      await sleep(120);
      expect(io.backstopTake(held)).toBeGreaterThanOrEqual(0); // sent at 20 ms, not with the repeat at 200
      io.backstopRepeatRead(later, true);
      io.backstopFree(held);
      io.backstopFree(later);
      drainDatagrams(io, r.fd);

      expect(io.backstopCover(false)).toBe(false);
      const left = senderThreads();
      expect(left.has('advert-cover')).toBe(false);
      expect(left.get('advert-backstop')).toBe(processCpus());
      expect(io.backstopStats()[6]).toBe(0);
    },
    20_000,
  );
});
