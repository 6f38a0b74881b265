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
 * KEEPALIVED_TS_ADVERT_BACKSTOP=off turns it off (the benches compare with and without). Where
 * the addon cannot give a slot (no thread could be started), the socket says so once and sends
 * as before.
 */
import type { NetIo } from './native.js';
import { errorText } from './native.js';

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

/** The environment variable that turns the backstop off (`off`). */
export const BACKSTOP_ENV = 'KEEPALIVED_TS_ADVERT_BACKSTOP';

type BackstopIo = Pick<NetIo, 'backstopSlot' | 'backstopArm' | 'backstopTake' | 'backstopFree' | 'backstopCancelFd' | 'backstopGuard'>;

/** Whether the backstop is on in this process (read once). */
let enabled: boolean | undefined;
export function backstopEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  enabled ??= env[BACKSTOP_ENV] !== 'off';
  return enabled;
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
    if (this.failed) return;
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
    return slot === undefined ? -1 : this.io.backstopTake(slot);
  }

  /** Forgets what `key` held (not sent from now on). */
  drop(key: string): void {
    this.take(key);
  }

  /** Before `fd` is closed: nothing is sent on it from now on, and the slots are given back. */
  close(fd: number): void {
    if (this.slots.size === 0) return;
    this.io.backstopCancelFd(fd);
    for (const slot of this.slots.values()) this.io.backstopFree(slot);
    this.slots.clear();
  }
}
