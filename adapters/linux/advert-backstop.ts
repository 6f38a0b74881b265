/**
 * The advert backstop: a master's next periodic advert, handed ahead to a thread of the addon's
 * own (native/advert-backstop.c) that sends it at its due time if this thread is held up then.
 *
 * A master's adverts are due every Advertisement_Interval, and everything the daemon does runs
 * on one JavaScript thread, which V8 stops now and then to collect its heap: the VRRP child's one
 * memory-reducing collection after start-up held every advert due in it up to 39 ms at 1,000
 * instances (docs/benchmarks.md, "The advert backstop"). keepalived's adverts wait the same way
 * whenever its one thread is busy. Here, after each periodic advert the instance's next one (its
 * bytes, with the IPv4 ID it will carry) goes to a slot of the backstop, due one interval later
 * plus BACKSTOP_GRACE_MS; when the Adver_Timer expires the advert is taken back, and only if the
 * thread already sent it is it not sent again (the Adver_Timer then counts the next interval
 * from when it left). Each timer re-arm of the precise timers guards the backstop for the
 * earliest of them plus the grace, so the thread wakes only when the JavaScript thread is late.
 *
 * What the thread sends is what this thread would have sent: the same bytes, once. It never
 * refills a slot, so a JavaScript thread that stops for good leaves each master one advert more
 * than keepalived's would, not a master that lives on without its daemon. Any other advert of
 * the instance (priority 0, the first as master, one after a priority change), the end of its
 * Adver_Timer, the instance's removal and the socket's close empty the slot first; a reload
 * leaves it (actors/vrrp/vrrp-io.ts configure).
 *
 * The same thread also repeats a steady master's adverts (BackstopSlots.repeat, VrrpSocket.repeat):
 * then it is the sender, not a backstop. The instance's slot sends its advert every interval with
 * the next IPv4 ID (native/advert-backstop.c), so a master at advert 1 s costs the JavaScript
 * thread nothing per advert (docs/benchmarks.md, "Adverts repeated by the socket's thread": the
 * VRRP child's CPU at 1,000 masters about halved). A lease keeps it honest: the thread repeats only
 * while this thread renews it (LEASE_MS), and a send that fails stops the slot and hands the
 * instance back to its Adver_Timer through an eventfd this thread watches.
 *
 * A second thread of the addon covers the first from another CPU (startRepeating, backstopCover):
 * where the process has realtime priority and two CPUs, each thread is pinned to one, and the
 * second sends a repeating advert that the first has not sent 0.5 ms after its due time. On a
 * virtual machine whose host takes a CPU away for milliseconds at a time, that is the difference
 * between an advert 0.5 ms late and one as late as the CPU was gone (docs/benchmarks.md, "A
 * second sender on the other CPU").
 *
 * KEEPALIVED_TS_ADVERT_BACKSTOP=off turns it off (and the repetition with it);
 * KEEPALIVED_TS_ADVERT_REPEAT=off turns off the repetition alone (the benches compare with and
 * without); KEEPALIVED_TS_ADVERT_COVER=off leaves out the second thread (one CPU left alone). Where
 * the addon cannot give a slot (no thread could be started), the socket says so once and sends
 * as before.
 */
import type { RepeatState } from '../../actors/ports.js';
import type { NetIo, WatchHandle } from './native.js';
import { errorText } from './native.js';
import { earlyWindowMs } from './timerfd-timers.js';

/**
 * How late the JavaScript thread may be before the backstop sends an advert in its place (ms).
 * Late, not busy: at 1,000 masters the adverts due together go out in batches that end up to
 * about 1 ms past the first one's due time, and a thread that wakes from most of a second's sleep
 * can take as long to reach its expiry. At 0.5 ms the backstop sent 790 to 1,980 adverts a minute
 * that this thread was about to send, and the VRRP child used 0.3 to 0.8 CPU-s/min more than
 * without it; at 1.5 ms, 160 to 490 and about the same CPU (docs/benchmarks.md, "The backstop's
 * grace"). What the backstop sends leaves 1.5 ms late plus its thread's own wake-up: 0.11 to
 * 0.16 ms at the p99, 2.1 to 4.8 ms at most with both CPUs busy (bench/advert-backstop.bench.ts).
 */
export const BACKSTOP_GRACE_MS = 1.5;

/** The environment variable that turns the backstop off (`off`): repeating adverts too. */
export const BACKSTOP_ENV = 'KEEPALIVED_TS_ADVERT_BACKSTOP';

/** The environment variable that turns repeating adverts off (`off`): the backstop stays. */
export const REPEAT_ENV = 'KEEPALIVED_TS_ADVERT_REPEAT';

/** The environment variable that leaves the second, covering thread out (`off`). */
export const COVER_ENV = 'KEEPALIVED_TS_ADVERT_COVER';

type BackstopIo = Pick<
  NetIo,
  | 'backstopSlot'
  | 'backstopArm'
  | 'backstopTake'
  | 'backstopFree'
  | 'backstopCancelFd'
  | 'backstopGuard'
  | 'backstopRepeat'
  | 'backstopRepeatRead'
  | 'backstopFailFd'
  | 'backstopFailed'
  | 'backstopLease'
  | 'backstopCover'
  | 'watch'
  | 'unref'
>;

/** Whether the backstop is on in this process (read once). */
let enabled: boolean | undefined;
export function backstopEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  enabled ??= env[BACKSTOP_ENV] !== 'off';
  return enabled;
}

/** Whether the backstop's thread also sends steady masters' adverts (read once). */
let repeatOn: boolean | undefined;
export function repeatEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  repeatOn ??= env[REPEAT_ENV] !== 'off';
  return repeatOn;
}

/** Whether a second thread covers the first from another CPU (read once). */
let coverOn: boolean | undefined;
export function coverEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  coverOn ??= env[COVER_ENV] !== 'off';
  return coverOn;
}

/**
 * How long the thread repeats adverts without a sign of life from this thread (ms), and how often
 * this thread gives one. A JavaScript thread that stops for good (a loop that never returns) stops
 * its masters' adverts within LEASE_MS, and a backup takes over, as when keepalived's thread
 * stops; a pause shorter than the lease (a collection: about 110 ms at 1,000 instances, the
 * machine's stalls: up to 65 ms) does not hold an advert back.
 */
export const LEASE_MS = 500;
export const LEASE_RENEW_MS = 100;
let lease: ReturnType<typeof setInterval> | undefined;

/** Every repeating slot of the process, whatever socket it sends for: the failures' watcher finds its owner here. */
const repeaters = new Map<number, { owner: BackstopSlots; key: string }>();
let failures: WatchHandle | undefined;

/** The second thread, where it can run; where it cannot start at all (no thread, no memory),
 *  the first sends alone, as where it is not allowed to run, and the repetition goes on. */
function startCover(io: Pick<NetIo, 'backstopCover'>): boolean {
  try {
    return io.backstopCover(true);
  } catch {
    return false;
  }
}

/** Before the first repetition (once per process; neither keeps the process alive): the lease,
 *  renewed by a timer of this thread, the watch on the addon's eventfd for sends that failed, and
 *  the second thread where it can run. */
function startRepeating(io: BackstopIo): void {
  if (!lease) {
    if (coverEnabled()) startCover(io);
    io.backstopLease(LEASE_MS);
    lease = setInterval(() => io.backstopLease(LEASE_MS), LEASE_RENEW_MS);
    lease.unref();
  }
  if (failures) return;
  failures = io.watch(io.backstopFailFd(), () => {
    for (const slot of io.backstopFailed()) {
      const r = repeaters.get(slot);
      r?.owner.sendFailed(r.key);
    }
  });
  io.unref(failures);
}

/** Whether any socket of this process holds adverts (the precise timers guard only then). */
let inUse = false;

/**
 * Guards the backstop for a timer due in `inMs` (Infinity: none): the thread wakes `inMs` plus
 * the grace from now unless guarded again before. Called by the precise timers each time they
 * arm their timerfd (adapters/node/ports.ts).
 */
export function guardBackstop(io: Pick<NetIo, 'backstopGuard'>, inMs: number): void {
  if (inUse) io.backstopGuard(inMs === Infinity ? Infinity : inMs + BACKSTOP_GRACE_MS);
}

/** One socket's held adverts, a slot per key (the instance). */
export class BackstopSlots {
  private readonly slots = new Map<string, number>();
  /** The keys whose slot repeats, and who is told when it stops on its own. */
  private readonly repeating = new Map<string, { slot: number; onStop: (r: RepeatState) => void }>();
  private failed = false;

  constructor(
    private readonly io: BackstopIo,
    /** Told once when the addon cannot give a slot. */
    private readonly onError: (message: string) => void,
  ) {}

  /**
   * Starts the backstop's thread now, with the socket (the daemon's start-up), rather than with
   * the first held advert: that is a backup's first advert as master, on its takeover's path.
   */
  start(): void {
    if (this.failed) return;
    try {
      this.io.backstopFree(this.io.backstopSlot());
    } catch (e) {
      this.unavailable(e);
    }
  }

  /** Holds `data` for `key`, to leave on `fd` in `inMs` plus the grace unless taken back first. */
  hold(key: string, fd: number, data: Uint8Array, sockaddr: Buffer | null, control: Buffer | null, inMs: number): void {
    if (this.failed || this.repeating.has(key)) return;
    try {
      let slot = this.slots.get(key);
      if (slot === undefined) this.slots.set(key, (slot = this.io.backstopSlot()));
      inUse = true;
      this.io.backstopArm(slot, fd, data, sockaddr, control, inMs + BACKSTOP_GRACE_MS);
    } catch (e) {
      this.unavailable(e);
    }
  }

  /** The addon could not start the thread or give a slot: said once, and nothing is held from now on. */
  private unavailable(e: unknown): void {
    this.failed = true;
    this.onError(`advert backstop unavailable (${errorText(e)}): adverts are sent from the main thread only`);
  }

  /** Takes back what `key` held: ms since the backstop sent it, or -1 when it did not. */
  take(key: string): number {
    const slot = this.slots.get(key);
    return slot === undefined || this.repeating.has(key) ? -1 : this.io.backstopTake(slot);
  }

  /**
   * The thread sends `data` for `key` on `fd` in `firstInMs` and every `intervalMs` after, with
   * the IPv4 ID after `ipId` in each (undefined: IPv6, the bytes as they are), until read with
   * `end` (VrrpSocket.repeat). Replaces what `key` held. false when the addon cannot (said once).
   */
  repeat(key: string, fd: number, data: Uint8Array, sockaddr: Buffer | null, control: Buffer | null, firstInMs: number, intervalMs: number, ipId: number | undefined, onStop: (r: RepeatState) => void): boolean {
    if (this.failed || !repeatEnabled()) return false;
    try {
      startRepeating(this.io);
      let slot = this.slots.get(key);
      if (slot === undefined) this.slots.set(key, (slot = this.io.backstopSlot()));
      this.io.backstopRepeat(slot, fd, data, sockaddr, control, Math.max(0, firstInMs), intervalMs, earlyWindowMs(intervalMs), ipId ?? -1);
      this.repeating.set(key, { slot, onStop });
      repeaters.set(slot, { owner: this, key });
      return true;
    } catch (e) {
      this.unavailable(e);
      return false;
    }
  }

  /** What `key` repeats (VrrpSocket.repeatRead); with `end` it stops. */
  read(key: string, end: boolean): RepeatState | undefined {
    const r = this.repeating.get(key);
    if (!r) return undefined;
    const [sent, ipId, dueInMs, failed] = this.io.backstopRepeatRead(r.slot, end);
    if (end) {
      this.repeating.delete(key);
      repeaters.delete(r.slot);
    }
    return { sent, ipId, dueInMs, failed };
  }

  /** @internal The failures' watcher: `key`'s send failed and its repetition stopped. */
  sendFailed(key: string): void {
    const onStop = this.repeating.get(key)?.onStop;
    const r = this.read(key, true);
    if (onStop && r) onStop(r);
  }

  /** Forgets what `key` held (not sent from now on). */
  drop(key: string): void {
    this.take(key);
  }

  /** Before `fd` is closed: nothing is sent on it from now on, and the slots are given back. */
  close(fd: number): void {
    if (this.slots.size === 0) return;
    // What repeats stops with the socket; the owners are told once every slot is given back.
    const stopped: [(r: RepeatState) => void, RepeatState][] = [];
    for (const [key, { onStop }] of [...this.repeating]) stopped.push([onStop, this.read(key, true)!]);
    this.io.backstopCancelFd(fd);
    for (const slot of this.slots.values()) this.io.backstopFree(slot);
    this.slots.clear();
    for (const [onStop, r] of stopped) onStop(r);
  }
}
