/**
 * The addon's advert backstop (native/advert-backstop.c) on its own, over AF_UNIX datagram
 * sockets (no network, no root): a held datagram leaves at its due time while this thread is
 * busy, once, and take() says how long ago; one taken back, dropped or cancelled with its fd
 * before its due time never leaves; guard() wakes the thread early; BackstopSlots adds the grace;
 * as root the thread runs at realtime priority.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { netio } from '../../adapters/linux/native.js';
import { BACKSTOP_GRACE_MS, BackstopSlots } from '../../adapters/linux/advert-backstop.js';
import { AF_UNIX, drainDatagrams, SOCK_DGRAM, unixDgramReceiver } from '../helpers/unix-dgram.js';

const io = netio();

const receiver = (tag: string): { fd: number; addr: Buffer } => unixDgramReceiver(io, `backstop-${tag}`);

/** Every datagram queued on `fd`, as text. */
const drain = (fd: number): string[] => drainDatagrams(io, fd).map((b) => b.toString());

/** Keeps this thread busy for `ms`. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const fds: number[] = [];
afterAll(() => {
  for (const fd of fds) io.close(fd);
});

describe.skipIf(process.platform !== 'linux')('the advert backstop (native)', () => {
  it('sends a held datagram at its due time while this thread is busy, once; take() says how long ago', () => {
    const r = receiver('a');
    const s = io.socket(AF_UNIX, SOCK_DGRAM, 0);
    fds.push(r.fd, s);
    const slot = io.backstopSlot();
    const before = io.backstopStats();
    const t0 = performance.now();
    io.backstopArm(slot, s, Buffer.from('one'), r.addr, null, 20);
    busy(70);
    expect(drain(r.fd)).toEqual(['one']);
    // Sent during the busy spell, not before its due time (20 ms after the arm).
    const ago = io.backstopTake(slot);
    const t1 = performance.now();
    expect(ago).toBeGreaterThan(0);
    expect(ago).toBeLessThanOrEqual(t1 - t0 - 20);
    expect(io.backstopTake(slot)).toBe(-1); // taken: empty
    busy(30);
    expect(drain(r.fd)).toEqual([]);
    expect(io.backstopStats()[0] - before[0]).toBe(1);
    io.backstopFree(slot);
  });

  it('never sends one taken back, dropped or cancelled with its fd before its due time', () => {
    const r = receiver('b');
    const s = io.socket(AF_UNIX, SOCK_DGRAM, 0);
    fds.push(r.fd, s);
    const [x, y] = [io.backstopSlot(), io.backstopSlot()];
    io.backstopArm(x, s, Buffer.from('taken'), r.addr, null, 15);
    expect(io.backstopTake(x)).toBe(-1);
    io.backstopArm(x, s, Buffer.from('cancelled'), r.addr, null, 15);
    io.backstopArm(y, s, Buffer.from('cancelled too'), r.addr, null, 15);
    io.backstopCancelFd(s);
    busy(50);
    expect(drain(r.fd)).toEqual([]);
    expect([io.backstopTake(x), io.backstopTake(y)]).toEqual([-1, -1]);
    // Arming again replaces what the slot held: only the last leaves.
    io.backstopArm(x, s, Buffer.from('first'), r.addr, null, 10);
    io.backstopArm(x, s, Buffer.from('second'), r.addr, null, 10);
    busy(40);
    expect(drain(r.fd)).toEqual(['second']);
    io.backstopFree(x);
    io.backstopFree(y);
  });

  it('guard() wakes the thread before a slot\'s own due time, which it does not send early', () => {
    const r = receiver('c');
    const s = io.socket(AF_UNIX, SOCK_DGRAM, 0);
    fds.push(r.fd, s);
    const slot = io.backstopSlot();
    io.backstopArm(slot, s, Buffer.from('later'), r.addr, null, 40);
    const wakes = io.backstopStats()[1];
    io.backstopGuard(5);
    busy(20);
    expect(io.backstopStats()[1]).toBeGreaterThan(wakes); // woke at the guard, sent nothing
    expect(drain(r.fd)).toEqual([]);
    busy(40);
    expect(drain(r.fd)).toEqual(['later']);
    io.backstopTake(slot);
    io.backstopFree(slot);
  });

  it.skipIf(process.getuid?.() !== 0)('its thread is named advert-backstop and runs at realtime priority where the process may (root)', () => {
    io.backstopFree(io.backstopSlot()); // the thread exists
    const task = readdirSync('/proc/self/task').find((t) => readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'advert-backstop');
    expect(task).toBeDefined();
    // /proc/PID/task/TID/stat: field 40 is rt_priority, 41 the policy (1: SCHED_FIFO); after the ")".
    const fields = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
    expect([Number(fields[40 - 3]), Number(fields[41 - 3])]).toEqual([1, 1]);
    expect(io.backstopStats()[3]).toBe(1);
  });

  it('rejects bad arguments with an error, not a crash', () => {
    const slot = io.backstopSlot();
    expect(() => io.backstopArm(slot, 0, Buffer.alloc(0), null, null, 10)).toThrow(/backstopArm/);
    expect(() => io.backstopArm(slot, 0, Buffer.from('x'), Buffer.alloc(200), null, 10)).toThrow(/backstopArm/);
    expect(() => io.backstopArm(slot, 0, Buffer.from('x'), null, null, NaN)).toThrow(/backstopArm/);
    expect(() => io.backstopArm(99_999, 0, Buffer.from('x'), null, null, 10)).toThrow(/backstopArm/);
    expect(io.backstopTake(99_999)).toBe(-1);
    io.backstopFree(slot);
  });

  it('BackstopSlots: one slot per key, the grace added, all given back when the socket closes', () => {
    const r = receiver('d');
    const s = io.socket(AF_UNIX, SOCK_DGRAM, 0);
    fds.push(r.fd, s);
    const errors: string[] = [];
    const slots = new BackstopSlots(io, (m) => errors.push(m));
    const t0 = performance.now();
    slots.hold('VI_1', s, Buffer.from('VI_1'), r.addr, null, 10);
    slots.hold('VI_2', s, Buffer.from('VI_2'), r.addr, null, 10);
    slots.drop('VI_2');
    busy(40);
    const ago = slots.take('VI_1');
    expect(performance.now() - t0 - ago).toBeGreaterThanOrEqual(10 + BACKSTOP_GRACE_MS - 0.2);
    expect(drain(r.fd)).toEqual(['VI_1']);
    expect(slots.take('VI_3')).toBe(-1);
    slots.hold('VI_1', s, Buffer.from('closed'), r.addr, null, 10);
    slots.close(s);
    busy(30);
    expect(drain(r.fd)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
