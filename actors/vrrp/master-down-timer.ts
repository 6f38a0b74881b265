/**
 * The VRRP instance's Master_Down_Timer (RFC 3768 / RFC 5798 §6.4.2) on the clock port: one timer
 * per backup, whatever the priority does. The instance machine invokes it in `backup.countdown`
 * with the whole Master_Down_Interval (machines/vrrp/timers.ts masterDownIntervalUs) and it sends
 * `vrrp.masterDown` back when that time is up.
 *
 *   timer.restart {intervalUs, fromMs?}
 *                                 an accepted advert: the interval runs again from now, or
 *                                 from the advert's arrival (fromMs, the clock's reading when the
 *                                 socket handed it over: decoding, validating and the statechart's
 *                                 step took 0.4 to 0.7 ms of a daemon's failover before)
 *   timer.retarget {intervalUs}   the priority changed (K-13): same start, new length, so the
 *                                 deadline moves by the Skew_Time difference; one already passed
 *                                 fires at once
 *
 * The steady state without the chart: where the env can hand it the instance's adverts
 * (`followAdverts`, the VrrpIo of the instance's sockets), the timer answers a repeat advert of the
 * master the backup follows itself. For each validated advert it evaluates the chart's own guard,
 * `repeatsKnownMaster`, on the chart's current context (the instance actor is in its input); when
 * it holds, the chart would only have sent this timer `timer.restart` (its `restartMasterDownTimer`,
 * built by the same masterDownRestart), so the timer restarts itself and the advert goes no
 * further: no XState event, macrostep or snapshot per steady advert. Any other advert goes to the
 * chart as `net.advert`, as before. The timer exists only while the chart is in `backup.countdown`
 * (it stops with the state), which is the state whose transition it stands in for.
 *
 * Times are the clock's milliseconds (fractions kept: the simulator's clock has 1 µs resolution
 * and is deterministic, the daemon's is performance.now()). The timeout is the clock's precise
 * one where it has it (the daemon's: Node's own timers fire 0.5 to 1.5 ms late, and this expiry
 * is the start of a failover), and is cleared when the instance leaves the state (the actor stops).
 * Where the clock can say that the expiry is near (the daemon's, a few ms ahead) the timer calls
 * the env's `beforeExpiry`, which reads the instance's interfaces then (AddressIo.prepare), so the
 * takeover finds the link list read and does not dump it between its advert and its VIPs (about
 * 0.4 to 0.7 ms of a v2 takeover). A master that is only late restarts the timer after that
 * read, which is then wasted; a steady backup's timer is restarted long before and never gets
 * there.
 */
import { fromCallback } from 'xstate';
import type { Clock } from '../ports.js';
import type { MasterDownTimerCommand, MasterDownTimerInput, ReceivedAdvert } from '../../machines/vrrp/types.js';
import { masterDownRestart, type InstanceContext } from '../../machines/vrrp/instance.context.js';
import { instanceGuards } from '../../machines/vrrp/instance.guards.js';

/** What the timer needs from the instance's env: the runtime's clock port, and where the runtime
 *  has one, a way to see the instance's validated adverts before the chart does. */
export interface MasterDownTimerEnv {
  clock: Clock;
  /**
   * Hand `instance`'s validated adverts to `answer` first; an advert it answers (returns true for)
   * is not sent to the instance. Returns the function that stops this.
   */
  followAdverts?(instance: string, answer: (advert: ReceivedAdvert) => boolean): () => void;
  /**
   * Called shortly before the timer expires, where the clock says when that is (the `soon` of
   * Clock.setPreciseTimeout): read now what the instance's takeover will need (its interfaces),
   * so the takeover does not wait for it. Never changes anything.
   */
  beforeExpiry?(instance: string): void;
}

export const masterDownTimer = fromCallback<MasterDownTimerCommand, MasterDownTimerInput>(({ input, receive, sendBack }) => {
  const env = input.env as MasterDownTimerEnv | undefined;
  const clock = env?.clock;
  if (!clock) throw new Error('masterDownTimer: spawned without a clock in its env (compose it through actors/vrrp)');
  let startedMs = clock.now();
  let intervalUs = input.intervalUs;
  let handle: unknown;
  const expire = (): void => {
    handle = undefined;
    sendBack({ type: 'vrrp.masterDown' });
  };
  const instance = input.instance;
  const beforeExpiry = env.beforeExpiry;
  const soon =
    beforeExpiry && instance !== undefined
      ? (): void => {
          try {
            beforeExpiry(instance);
          } catch {
            // only a read ahead: the takeover reads the same itself and reports a failure there
          }
        }
      : undefined;
  const arm = (delayMs: number): void => {
    if (handle !== undefined) clock.clearTimeout(handle);
    if (delayMs <= 0) expire();
    else handle = clock.setPreciseTimeout ? clock.setPreciseTimeout(expire, delayMs, soon) : clock.setTimeout(expire, delayMs);
  };
  const restart = (c: { intervalUs: number; fromMs?: number }): void => {
    const now = clock.now();
    intervalUs = c.intervalUs;
    if (c.fromMs !== undefined && c.fromMs < now) {
      startedMs = c.fromMs;
      arm(startedMs + intervalUs / 1000 - now);
    } else {
      startedMs = now;
      arm(intervalUs / 1000);
    }
  };
  arm(intervalUs / 1000);
  const chart = input.chart;
  const unfollow =
    env.followAdverts && chart && input.instance !== undefined
      ? env.followAdverts(input.instance, (advert) => {
          try {
            const context = (chart.getSnapshot() as { context: InstanceContext }).context;
            if (!instanceGuards.repeatsKnownMaster({ context }, { advert })) return false;
            restart(masterDownRestart(context, advert));
            return true;
          } catch {
            // a bug here is the chart's to meet: the advert goes to it, and an error there fails the instance as usual
            return false;
          }
        })
      : undefined;
  receive((c) => {
    if (c.type === 'timer.restart') restart(c);
    else if (c.intervalUs !== intervalUs) {
      intervalUs = c.intervalUs;
      arm(startedMs + intervalUs / 1000 - clock.now());
    }
  });
  return () => {
    unfollow?.();
    if (handle !== undefined) clock.clearTimeout(handle);
  };
});
