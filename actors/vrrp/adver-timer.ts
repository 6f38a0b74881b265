/**
 * The VRRP instance's Adver_Timer (RFC 3768 / RFC 5798 §6.2, R-27) on the clock port: one timer
 * per stay in MASTER. The instance machine invokes it in `master.advertising`; every
 * Advertisement_Interval it sends one advert itself, through the instance's advert sender (the
 * env's `sendAdvert`, the function the io actor's io.sendAdvert calls), then re-arms. Nothing goes
 * back to the instance per advert: a steady master costs a timer callback and a send, not an
 * XState event, macrostep and snapshot.
 *
 *   timer.priority {priority}   the priority changed while master (K-13): the next adverts carry
 *                               it; the running interval is left alone (keepalived's
 *                               vrrp_set_effective_priority only moves a backup's timer)
 *
 * Restarting the interval (K-10, a packet for our VRID) is the machine's: it re-enters
 * `advertising`, which stops this actor (the pending expiry is cleared) and starts a new one.
 *
 * The order at an expiry is the one the machine's delayed raise had (expiry, then io.sendAdvert,
 * then the next timeout set): the advert is sent first and the clock's next timeout set after it,
 * so on the simulator's clock, which orders equal times by insertion, every run is the same as
 * before. One re-armable timer (actors/clock-timer.ts preciseClockTimer): Clock.preciseTimer
 * where the clock has it (the daemon's on Linux: a timerfd, so that the adverts go out an
 * interval apart to the microsecond, as keepalived's do, not to Node's millisecond), else
 * Clock.timer, else setTimeout/clearTimeout (the simulator). Never setPreciseTimeout: a periodic
 * timer must not busy-wait (ports.ts).
 *
 * Repeated by the socket, where the env can (`repeatAdvert`: the daemon's sockets on Linux, unless
 * KEEPALIVED_TS_ADVERT_REPEAT=off): the timer hands the adverts over to the socket, which sends
 * them from a thread of the adapter's at the same times, with the same bytes and IPv4 IDs, and
 * this timer stays idle while it does; the JavaScript thread does nothing per advert. A priority
 * change hands the new advert over from the same due time; the timer takes them back when the
 * socket says it stopped (`lost`: a failed send, its close, an advert sent outside the timer, a
 * reload it cannot follow), due when the next one was. The simulator's sockets do not repeat:
 * there the timer sends every advert, as it always has.
 *
 * The advert backstop (adapters/linux/advert-backstop.ts), where the env has one: each advert
 * the timer sends hands the next one over (`sendAdvert`'s `nextInMs`; the first from the start,
 * `holdAdvert`), to leave from a thread of its own should this one be held up at its due time.
 * When it did leave so, `sendAdvert` says how long ago, and the next interval counts from then;
 * a priority change and the timer's end drop what was held. The simulator has no backstop.
 *
 * A send that throws is a bug (ports report failures as values): it is thrown again inside this
 * actor, so the instance's onError sees it (vrrp.actorFailed, FAULT) and no timer callback of the
 * clock ever throws.
 */
import { fromCallback } from 'xstate';
import type { Clock } from '../ports.js';
import { preciseClockTimer } from '../clock-timer.js';
import type { AdverTimerCommand, AdverTimerInput } from '../../machines/vrrp/types.js';

/** What the timer needs from the instance's env: the clock port and the instance's advert sender. */
export interface AdverTimerEnv {
  clock: Clock;
  /**
   * One advert of `instance` at `priority`, as io.sendAdvert sends it. With `nextInMs` (the
   * Adver_Timer's), the next one is due in that many ms and may be held for the socket's
   * backstop; the return is then the ms since this advert already left (the backstop sent it
   * while the thread was held up), else 0.
   */
  sendAdvert(instance: string, priority: number, nextInMs?: number): number | void;
  /** The next advert, at `priority` and due in `inMs`, held for the backstop; without `inMs`,
   *  what was held is dropped. Optional: a runtime without a backstop has none. */
  holdAdvert?(instance: string, priority: number, inMs?: number): void;
  /**
   * The socket sends the adverts itself from now on (VrrpIo.repeatAdvert): every `intervalMs`,
   * the first in `firstInMs` (undefined: when the one repeated now is due). false: it does not,
   * the timer sends them. `lost(inMs)`: it stopped on its own, the next advert is the timer's,
   * due in `inMs`. Optional: a runtime without such sockets has none (the simulator).
   */
  repeatAdvert?(instance: string, priority: number, intervalMs: number, firstInMs: number | undefined, lost: (inMs: number) => void): boolean;
  /** The socket stops repeating the adverts (the timer's end). */
  stopRepeat?(instance: string): void;
}

/** A send that threw, handed to the actor itself so that the error is the actor's. */
type SendFailed = { type: 'timer.sendFailed'; error: unknown };

export const adverTimer = fromCallback<AdverTimerCommand, AdverTimerInput>(({ input, receive, self }) => {
  const given = input.env as Partial<AdverTimerEnv> | undefined;
  if (!given?.clock || !given.sendAdvert) throw new Error('adverTimer: spawned without a clock and an advert sender in its env (compose it through actors/vrrp)');
  const env = given as AdverTimerEnv;
  const clock = env.clock;
  const { instance, intervalMs } = input;
  let priority = input.priority;
  /** The socket sends the adverts (env.repeatAdvert) and this timer is idle. */
  let repeating = false;
  const lost = (inMs: number): void => {
    repeating = false;
    timer.set(inMs);
  };
  /** The socket sends from `firstInMs` on, if it can. */
  const repeat = (firstInMs: number | undefined): boolean => (repeating = env.repeatAdvert?.(instance, priority, intervalMs, firstInMs, lost) ?? false);
  // One re-armable timer for the actor's life (the clock's precise one where it has it).
  const timer = preciseClockTimer(clock, () => {
    let ago: number | void;
    try {
      ago = env.sendAdvert(instance, priority, intervalMs);
    } catch (error) {
      self.send({ type: 'timer.sendFailed', error } satisfies SendFailed as unknown as AdverTimerCommand);
      return;
    }
    const next = ago ? Math.max(0, intervalMs - ago) : intervalMs;
    if (!repeat(next)) timer.set(next);
  });
  if (!repeat(intervalMs)) {
    timer.set(intervalMs);
    env.holdAdvert?.(instance, priority, intervalMs);
  }
  receive((c: AdverTimerCommand | SendFailed) => {
    if (c.type === 'timer.sendFailed') throw c.error;
    priority = c.priority;
    if (repeating) repeat(undefined);
    else env.holdAdvert?.(instance, priority);
  });
  return () => {
    if (repeating) env.stopRepeat?.(instance);
    repeating = false;
    timer.clear();
    env.holdAdvert?.(instance, priority);
  };
});
