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
  /** One advert of `instance` at `priority`, as io.sendAdvert sends it. */
  sendAdvert(instance: string, priority: number): void;
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
  // One re-armable timer for the actor's life (the clock's precise one where it has it).
  const timer = preciseClockTimer(clock, () => {
    try {
      env.sendAdvert(instance, priority);
    } catch (error) {
      self.send({ type: 'timer.sendFailed', error } satisfies SendFailed as unknown as AdverTimerCommand);
      return;
    }
    timer.set(intervalMs);
  });
  timer.set(intervalMs);
  receive((c: AdverTimerCommand | SendFailed) => {
    if (c.type === 'timer.sendFailed') throw c.error;
    priority = c.priority;
  });
  return () => timer.clear();
});
