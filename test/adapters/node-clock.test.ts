/**
 * The daemon's Clock (adapters/node/clock.ts): setPreciseTimeout never fires before its time,
 * never synchronously, and clearTimeout cancels it in any of its waits (a long wait's first Node
 * timer, the short Node timer, then the setImmediate turns of the last millisecond), and
 * preciseDueWithin sees the pending ones that are near their expiry. How late it
 * fires is a bench figure (bench/daemon-vs-keepalived.bench.ts, failover), not asserted here.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createNodeClock } from '../../adapters/node/clock.js';

const clock = createNodeClock();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('node clock: setPreciseTimeout', () => {
  it('fires once, never before the fractional due time', async () => {
    for (const ms of [0, 0.4, 1, 2.5, 7.3, 64.5]) {
      const start = performance.now();
      const fired: number[] = [];
      clock.setPreciseTimeout!(() => fired.push(performance.now()), ms);
      expect(fired).toEqual([]); // not synchronously, even for 0
      await sleep(ms + 30);
      expect(fired).toHaveLength(1);
      expect(fired[0]! - start).toBeGreaterThanOrEqual(ms);
    }
  });

  it('clearTimeout cancels it while the Node timer waits and while the last millisecond spins', async () => {
    let fired = 0;
    const long = clock.setPreciseTimeout!(() => fired++, 20);
    await sleep(5);
    clock.clearTimeout(long);
    const short = clock.setPreciseTimeout!(() => fired++, 0.8); // straight to the setImmediate turns
    clock.clearTimeout(short);
    const longer = clock.setPreciseTimeout!(() => fired++, 200); // its first Node timer runs to 194 ms
    await sleep(20);
    clock.clearTimeout(longer);
    await sleep(40);
    expect(fired).toBe(0);
  });

  it('calls `soon` once, shortly before it fires, and never for a timeout cleared first', async () => {
    const order: string[] = [];
    const start = performance.now();
    let soonAt = 0;
    clock.setPreciseTimeout!(
      () => order.push('fired'),
      200,
      () => {
        soonAt = performance.now() - start;
        order.push('soon');
      },
    );
    const cleared = clock.setPreciseTimeout!(() => order.push('cleared fired'), 100, () => order.push('cleared soon'));
    await sleep(50);
    clock.clearTimeout(cleared);
    await sleep(200);
    expect(order).toEqual(['soon', 'fired']);
    // Its long sleep ends max(5 ms, 1 %) + 1 ms ahead: 194 ms into a 200 ms wait (later on a busy machine).
    expect(soonAt).toBeGreaterThanOrEqual(190);
    // A short wait (a Node timer of its own) has one too; one of 1 ms or less has none.
    const short: string[] = [];
    clock.setPreciseTimeout!(() => short.push('fired'), 20, () => short.push('soon'));
    clock.setPreciseTimeout!(() => short.push('tiny fired'), 0.5, () => short.push('tiny soon'));
    await sleep(60);
    expect(short).toEqual(['tiny fired', 'soon', 'fired']);
  });

  it('runs beforePreciseExpiry right after `soon`, and never for a timeout without one', async () => {
    const order: string[] = [];
    const withHook = createNodeClock({ beforePreciseExpiry: () => order.push('before') });
    withHook.setPreciseTimeout!(() => order.push('fired'), 60, () => order.push('soon'));
    withHook.setPreciseTimeout!(() => order.push('plain fired'), 30);
    const cleared = withHook.setPreciseTimeout!(() => order.push('cleared fired'), 40, () => order.push('cleared soon'));
    withHook.clearTimeout(cleared);
    await sleep(120);
    expect(order).toEqual(['plain fired', 'soon', 'before', 'fired']);
  });

  it('after a stall past its due time, reads the input that waited before it fires (I/O first, as keepalived)', async () => {
    // A unix socket pair stands in for the VRRP socket: bytes written before the stall wait in
    // the kernel, and their handler restarts the timer as a received advert does.
    const dir = mkdtempSync(join(tmpdir(), 'kts-clock-'));
    const path = join(dir, 's');
    const server = net.createServer();
    try {
      const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
      await new Promise<void>((r) => server.listen(path, r));
      const client = net.connect(path);
      await new Promise<void>((r) => client.once('connect', () => r()));
      const peer = await accepted;
      const order: string[] = [];
      let timer: unknown;
      peer.on('data', () => {
        order.push('input');
        clock.clearTimeout(timer);
      });
      await new Promise<void>((done) =>
        setImmediate(() => {
          timer = clock.setPreciseTimeout!(() => order.push('fired'), 5);
          client.write('x');
          const until = performance.now() + 40; // the stall: well past the 5 ms
          while (performance.now() < until);
          done();
        }),
      );
      await sleep(30);
      expect(order).toEqual(['input']);
      client.destroy();
      peer.destroy();
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('preciseDueWithin finds a timeout past half its wait and near its due time, and forgets it once fired or cleared', async () => {
    // Busy waits, not sleeps: nothing fires while this code holds the loop, so each answer is exact.
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const c = createNodeClock();
    let fired = 0;
    c.setPreciseTimeout!(() => fired++, 40);
    expect(c.preciseDueWithin!(1000)).toBeUndefined(); // due in 40 ms, but not half way: a steady backup's
    spin(25);
    const left = c.preciseDueWithin!(1000)!;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(15);
    expect(c.preciseDueWithin!(left - 1)).toBeUndefined(); // not within the window asked about
    spin(20);
    expect(c.preciseDueWithin!(1000)).toBe(0); // overdue, not fired yet (it fires from the loop)
    await sleep(10);
    expect(fired).toBe(1);
    expect(c.preciseDueWithin!(1000)).toBeUndefined();
    const cleared = c.setPreciseTimeout!(() => fired++, 40);
    spin(30);
    expect(c.preciseDueWithin!(1000)).toBeGreaterThan(0);
    c.clearTimeout(cleared);
    expect(c.preciseDueWithin!(1000)).toBeUndefined();
    // The earliest of two, and a plain timeout is never one.
    c.setTimeout(() => undefined, 5);
    const a = c.setPreciseTimeout!(() => undefined, 30);
    const b = c.setPreciseTimeout!(() => undefined, 20);
    spin(15);
    expect(c.preciseDueWithin!(1000)).toBeLessThanOrEqual(5);
    c.clearTimeout(a);
    c.clearTimeout(b);
  });

  it('clearTimeout still clears plain timeouts', async () => {
    let fired = 0;
    const t = clock.setTimeout(() => fired++, 1);
    clock.clearTimeout(t);
    await sleep(10);
    expect(fired).toBe(0);
  });
});

describe('node clock: timer (re-armed, never remade)', () => {
  it('set fires once after its time; set again before that replaces it; set after it ran arms it again', async () => {
    const fired: number[] = [];
    const t = clock.timer!(() => fired.push(performance.now()));
    // Set twice in one turn: the second replaces the first, one run ~40 ms after the second.
    t.set(40);
    const again = performance.now();
    t.set(40);
    await sleep(100);
    expect(fired).toHaveLength(1);
    expect(fired[0]! - again).toBeGreaterThanOrEqual(39);
    t.set(20);
    await sleep(60);
    expect(fired).toHaveLength(2);
  });

  it('set again while it waits moves it later', async () => {
    const fired: number[] = [];
    const t = clock.timer!(() => fired.push(performance.now()));
    t.set(50);
    await sleep(10);
    const moved = performance.now();
    t.set(50);
    await sleep(120);
    // However late the loop ran: after the second set, one run, no earlier than its 50 ms.
    const after = fired.filter((x) => x >= moved);
    expect(after).toHaveLength(1);
    expect(after[0]! - moved).toBeGreaterThanOrEqual(49);
  });

  it('clear disarms it, wherever it is; a disarmed timer set again fires once; another duration works too', async () => {
    let fired = 0;
    const t = clock.timer!(() => fired++);
    t.set(10);
    t.clear();
    await sleep(40);
    expect(fired).toBe(0);
    t.set(10);
    t.clear();
    t.set(15);
    await sleep(50);
    expect(fired).toBe(1);
    t.clear(); // not armed: nothing
    t.set(5);
    await sleep(40);
    expect(fired).toBe(2);
  });
});
