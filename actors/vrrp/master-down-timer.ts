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
 * Times are the clock's milliseconds (fractions kept: the simulator's clock has 1 µs resolution
 * and is deterministic, the daemon's is performance.now()). The timeout is the clock's precise
 * one where it has it (the daemon's: Node's own timers fire 0.5 to 1.5 ms late, and this expiry
 * is the start of a failover), and is cleared when the instance leaves the state (the actor stops).
 */
import { fromCallback } from 'xstate';
import type { Clock } from '../ports.js';
import type { MasterDownTimerCommand, MasterDownTimerInput } from '../../machines/vrrp/types.js';

/** What the timer needs from the instance's env: the runtime's clock port. */
export interface MasterDownTimerEnv {
  clock: Clock;
}

export const masterDownTimer = fromCallback<MasterDownTimerCommand, MasterDownTimerInput>(({ input, receive, sendBack }) => {
  const clock = (input.env as MasterDownTimerEnv | undefined)?.clock;
  if (!clock) throw new Error('masterDownTimer: spawned without a clock in its env (compose it through actors/vrrp)');
  let startedMs = clock.now();
  let intervalUs = input.intervalUs;
  let handle: unknown;
  const expire = (): void => {
    handle = undefined;
    sendBack({ type: 'vrrp.masterDown' });
  };
  const arm = (delayMs: number): void => {
    if (handle !== undefined) clock.clearTimeout(handle);
    if (delayMs <= 0) expire();
    else handle = clock.setPreciseTimeout ? clock.setPreciseTimeout(expire, delayMs) : clock.setTimeout(expire, delayMs);
  };
  arm(intervalUs / 1000);
  receive((c) => {
    if (c.type === 'timer.restart') {
      const now = clock.now();
      intervalUs = c.intervalUs;
      if (c.fromMs !== undefined && c.fromMs < now) {
        startedMs = c.fromMs;
        arm(startedMs + intervalUs / 1000 - now);
      } else {
        startedMs = now;
        arm(intervalUs / 1000);
      }
    } else if (c.intervalUs !== intervalUs) {
      intervalUs = c.intervalUs;
      arm(startedMs + intervalUs / 1000 - clock.now());
    }
  });
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
  };
});
