/**
 * Clock.preciseTimer on Linux (adapters/linux/timerfd-timers.ts): many re-armable timers on one
 * timerfd. The scheduling rules run against a recorded stand-in for the addon and a hand-moved
 * time; the last block runs the real addon (no root needed): the timerfd's own semantics the
 * module relies on, and timers firing on the event loop. How late they fire under load is a
 * bench figure (bench/daemon-vs-keepalived.bench.ts, footprint), not asserted here.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { netio, type WatchHandle } from '../../adapters/linux/native.js';
import { TimerfdTimers, type TimerIo } from '../../adapters/linux/timerfd-timers.js';

/** The addon's calls, recorded; `wake()` runs the watcher's callback as the event loop would. */
function standIn() {
  const calls: string[] = [];
  let onReady: ((status: number) => void) | undefined;
  const handle = { id: 'w' } as unknown as WatchHandle;
  const io: TimerIo = {
    timerfd: () => {
      calls.push('timerfd');
      return 9;
    },
    timerfdSet: (fd, delayMs) => void calls.push(`set ${fd} ${delayMs === Infinity ? 'off' : +delayMs.toFixed(3)}`),
    watch: (fd, cb) => {
      calls.push(`watch ${fd}`);
      onReady = cb;
      return handle;
    },
    unwatch: () => void calls.push('unwatch'),
    ref: () => void calls.push('ref'),
    unref: () => void calls.push('unref'),
    close: (fd) => void calls.push(`close ${fd}`),
  };
  const time = { now: 0 };
  const timers = new TimerfdTimers({ io, now: () => time.now });
  return {
    calls,
    time,
    timers,
    wake(at: number): void {
      time.now = at;
      onReady!(0);
    },
    /** the watcher's callback with libuv's error status (polling failed) */
    fail(status: number): void {
      onReady!(status);
    },
    /** the calls since the last take */
    take(): string[] {
      return calls.splice(0);
    },
  };
}

describe('TimerfdTimers: scheduling', () => {
  it('tells onArm each delay it arms the timerfd for (the daemon guards the advert backstop with it)', () => {
    const armed: number[] = [];
    const calls: string[] = [];
    let onReady: ((status: number) => void) | undefined;
    const io: TimerIo = {
      timerfd: () => 9,
      timerfdSet: (_fd, ms) => void calls.push(`set ${ms}`),
      watch: (_fd, cb) => {
        onReady = cb;
        return {} as WatchHandle;
      },
      unwatch: () => undefined,
      ref: () => undefined,
      unref: () => undefined,
      close: () => undefined,
    };
    const time = { now: 0 };
    const timers = new TimerfdTimers({ io, now: () => time.now, onArm: (ms) => void armed.push(ms) });
    const a = timers.timer(() => a.set(1000));
    a.set(1000);
    time.now = 1000.2;
    onReady!(0); // a runs and re-arms itself: the timerfd is armed once, at the end of the wake
    a.clear();
    timers.timer(() => undefined).set(50);
    expect(calls).toEqual(['set 1000', 'set 1000', 'set 50']);
    expect(armed.map((ms) => +ms.toFixed(3))).toEqual([1000, 1000, 50]);
  });

  it('opens the timerfd with the first timer set, arms it for the earliest due time, and runs timers in due order across durations', () => {
    const s = standIn();
    const ran: string[] = [];
    const a = s.timers.timer(() => ran.push(`a@${s.time.now}`));
    const b = s.timers.timer(() => ran.push(`b@${s.time.now}`));
    expect(s.take()).toEqual([]); // nothing opened for a timer never set
    a.set(1000);
    expect(s.take()).toEqual(['timerfd', 'watch 9', 'set 9 1000']);
    s.time.now = 0.3;
    b.set(500);
    expect(s.take()).toEqual(['set 9 500']); // earlier than the armed expiry
    a.set(1000); // set again: now due at 1000.3, later than b
    expect(s.take()).toEqual([]);
    s.wake(500.3);
    expect(ran).toEqual(['b@500.3']);
    expect(s.take()).toEqual(['set 9 500']); // a, due 1000.3
    s.wake(1000.3);
    expect(ran).toEqual(['b@500.3', 'a@1000.3']);
    expect(s.take()).toEqual(['set 9 off', 'unref']); // nothing armed: disarmed, and the process may exit
  });

  it('a wake also runs the timers due up to min(2 ms, 0.2 % of their duration) after it, and a timer set during a wake counts from the wake', () => {
    const s = standIn();
    const ran: string[] = [];
    const every = (name: string, ms: number) => {
      const t = s.timers.timer(() => {
        ran.push(`${name}@${s.time.now}`);
        t.set(ms);
      });
      return t;
    };
    every('a', 1000).set(1000);
    s.time.now = 1.5;
    every('b', 1000).set(1000); // due 1001.5: within 2 ms of a's 1000
    s.time.now = 2.5;
    every('c', 1000).set(1000); // due 1002.5: not
    s.time.now = 3;
    every('v3', 50).set(50); // due 53; window 0.1 ms
    s.time.now = 4;
    every('w3', 50).set(50); // due 54: more than 0.1 ms after 53
    s.take();
    s.wake(53);
    expect(ran).toEqual(['v3@53']);
    s.wake(54);
    s.wake(103);
    s.wake(104);
    expect(ran).toEqual(['v3@53', 'w3@54', 'v3@103', 'w3@104']);
    ran.length = 0;
    // Run the 50 ms timers out of the way until a's wake; each wake's re-arm counts from the wake.
    for (let at = 153; at < 1000; at += 50) s.wake(at), s.wake(at + 1);
    ran.length = 0;
    s.wake(1000);
    expect(ran).toEqual(['a@1000', 'b@1000']); // b 1.5 ms early, once
    s.wake(1002.5);
    expect(ran).toEqual(['a@1000', 'b@1000', 'c@1002.5']);
    ran.length = 0;
    for (let at = 1003; at < 2000; at += 50) s.wake(at), s.wake(at + 1);
    ran.length = 0;
    s.wake(2000); // a and b were both re-armed at the wake of 1000: the same due time from now on
    expect(ran).toEqual(['a@2000', 'b@2000']);
  });

  it('a timer set during a wake counts from the time the wake began, not from when it is set (keepalived\'s time_now)', () => {
    const s = standIn();
    const t = s.timers.timer(() => {
      s.time.now += 0.7; // the advert's send
      t.set(1000);
    });
    t.set(1000);
    s.take();
    s.wake(1000.2);
    expect(s.take()).toEqual(['set 9 999.3']); // due 2000.2, set at 1000.9
  });

  it('a timer cleared or set again by an earlier timer of the same wake does not run in it; one set for 0 ms runs in the next wake', () => {
    const s = standIn();
    const ran: string[] = [];
    let b: ReturnType<TimerfdTimers['timer']>;
    let c: ReturnType<TimerfdTimers['timer']>;
    const a = s.timers.timer(() => {
      ran.push('a');
      b.clear();
      c.set(100);
      a.set(0);
    });
    b = s.timers.timer(() => ran.push('b'));
    c = s.timers.timer(() => ran.push('c'));
    a.set(10);
    b.set(10);
    c.set(10);
    s.take();
    s.wake(10);
    expect(ran).toEqual(['a']);
    expect(s.take()).toEqual(['set 9 0']); // a again, at once (the addon makes that 1 ns): the next wake
    s.wake(10.01);
    expect(ran).toEqual(['a', 'a']);
    expect(s.take()).toEqual(['set 9 0']); // a set itself for 0 ms again
    a.clear();
    c.clear();
    b.clear(); // not armed: nothing
    expect(s.take()).toEqual(['unref']); // clearing leaves the timerfd armed
    s.wake(10.02); // so one more wake comes, and runs nothing
    expect(ran).toEqual(['a', 'a']);
    expect(s.take()).toEqual(['set 9 off']);
  });

  it('a timer that throws: the exception goes on, and the timers after it in the wake run in the next one', () => {
    const s = standIn();
    const ran: string[] = [];
    s.timers.timer(() => ran.push('first')).set(10);
    s.timers
      .timer(() => {
        ran.push('thrower');
        throw new Error('boom');
      })
      .set(10);
    s.timers.timer(() => ran.push('third')).set(10);
    s.take();
    expect(() => s.wake(10)).toThrow('boom');
    expect(ran).toEqual(['first', 'thrower']);
    expect(s.take()).toEqual(['set 9 0']); // re-armed for the one left, at once
    s.wake(10.01);
    expect(ran).toEqual(['first', 'thrower', 'third']);
  });

  it('keeps the process alive only while a timer is armed; close releases the fd and a later set opens a new one', () => {
    const s = standIn();
    const ran: string[] = [];
    const a = s.timers.timer(() => ran.push('a'));
    a.clear(); // never set: nothing
    a.set(5);
    a.clear();
    expect(s.take()).toEqual(['timerfd', 'watch 9', 'set 9 5', 'unref']);
    a.set(5);
    expect(s.take()).toEqual(['ref']); // the armed expiry (5) is not later than the new due time
    s.timers.close();
    expect(s.take()).toEqual(['unwatch', 'close 9']);
    a.set(7);
    expect(s.take()).toEqual(['timerfd', 'watch 9', 'set 9 7']);
    expect(ran).toEqual([]);
  });
});

describe('TimerfdTimers: a failed watcher', () => {
  it('replaces the timerfd, armed for the earliest timer, and the timers run from the new one', () => {
    const s = standIn();
    const ran: string[] = [];
    s.timers.timer(() => ran.push(`a@${s.time.now}`)).set(100);
    s.timers.timer(() => ran.push(`b@${s.time.now}`)).set(40);
    s.take();
    s.time.now = 10;
    s.fail(-9); // EBADF: libuv stopped polling the fd
    expect(s.take()).toEqual(['unwatch', 'close 9', 'timerfd', 'watch 9', 'set 9 30']);
    expect([s.timers.reopened, s.timers.wakes, ran]).toEqual([1, 0, []]);
    s.wake(40);
    s.wake(100);
    expect(ran).toEqual(['b@40', 'a@100']);
  });
});

describe('TimerfdTimers without a timerfd', () => {
  it('reports it once and runs the timers on a Node timer: set() never throws', async () => {
    const errors: string[] = [];
    const noFd = Object.assign(new Error('timerfd_create: Too many open files'), { code: 'EMFILE' });
    const io = {
      timerfd: () => {
        throw noFd;
      },
    } as unknown as TimerIo;
    const timers = new TimerfdTimers({ io, onError: (m) => errors.push(m) });
    try {
      const start = performance.now();
      const ran: Array<[string, number]> = [];
      let runs = 0;
      const a = timers.timer(() => {
        ran.push(['a', performance.now() - start]);
        if (++runs < 3) a.set(5); // re-armed from its own wake, as the Adver_Timer is
      });
      a.set(5);
      timers.timer(() => ran.push(['b', performance.now() - start])).set(8);
      const cleared = timers.timer(() => ran.push(['cleared', 0]));
      cleared.set(6);
      cleared.clear();
      for (let i = 0; i < 50 && ran.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      expect(ran.map(([n]) => n).sort()).toEqual(['a', 'a', 'a', 'b']);
      for (const [name, at] of ran) expect(at, name).toBeGreaterThanOrEqual(name === 'b' ? 8 - 0.016 : 5 - 0.01);
      expect(errors).toEqual(["precise timers: no timerfd (timerfd_create: Too many open files); the Adver_Timers run on Node's millisecond timers from now on"]);
    } finally {
      timers.close();
    }
  });
});

describe('TimerfdTimers on the real timerfd (native/netio.c)', () => {
  it('timerfdSet: readable once expired, not after a re-arm or Infinity (no read needed)', () => {
    const io = netio();
    const fd = io.timerfd();
    try {
      expect(io.waitReadable(fd, 0)).toBe(false); // created disarmed
      io.timerfdSet(fd, 0.5);
      expect(io.waitReadable(fd, 200)).toBe(true);
      io.timerfdSet(fd, 10_000); // the expiration not read is dropped
      expect(io.waitReadable(fd, 0)).toBe(false);
      io.timerfdSet(fd, 0); // at once (1 ns)
      expect(io.waitReadable(fd, 200)).toBe(true);
      io.timerfdSet(fd, Infinity);
      expect(io.waitReadable(fd, 20)).toBe(false);
      expect(() => io.timerfdSet(-1, 1)).toThrow(/timerfd_settime/);
    } finally {
      io.close(fd);
    }
  });

  it('fires timers on the event loop, each no earlier than its early window, in due order, and never a cleared one', async () => {
    const timers = new TimerfdTimers();
    try {
      const start = performance.now();
      const fired: Array<{ name: string; ms: number; at: number }> = [];
      const durations = [30, 5, 17.25, 60, 20, 1, 42.5, 12, 0];
      for (const ms of durations) timers.timer(() => fired.push({ name: `t${ms}`, ms, at: performance.now() - start })).set(ms);
      const cleared = timers.timer(() => fired.push({ name: 'cleared', ms: 25, at: 0 }));
      cleared.set(25);
      cleared.clear();
      for (let i = 0; i < 50 && fired.length < durations.length; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 20)); // time for anything that should not come
      expect(fired.map((f) => f.name)).toEqual(['t0', 't1', 't5', 't12', 't17.25', 't20', 't30', 't42.5', 't60']);
      for (const f of fired) expect(f.at, f.name).toBeGreaterThanOrEqual(f.ms - Math.min(2, f.ms * 0.002));
      expect(timers.wakes).toBeGreaterThan(0); // fewer than the timers when the loop was held up: they share a wake
    } finally {
      timers.close();
    }
  });
});
