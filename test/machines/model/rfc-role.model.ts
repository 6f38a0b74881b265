/**
 * Abstract RFC 5798 §6.4 role model of one VRRP router (priority 100, Preempt_Mode on, keepalived
 * defaults: a master answers lower-priority adverts, K-8/K-10), written from the RFC state table
 * (vrrp.md R-19..R-30) and keepalived's FAULT/STOP, independently of the implementation.
 *
 * No timers, no I/O: timer expiry is an explicit event, and every transition records what must be
 * observable after it — the io commands, in order, and what happens to each timer. The driver
 * (driver.ts) turns the timer directives into exact instants on the SimClock.
 */
import { assign, setup } from 'xstate';

/** Observable io effects: `advert:own` / `advert:0`, `addVips`, `removeVips`, `garp`. */
export type Effect = 'advert:own' | 'advert:0' | 'addVips' | 'removeVips' | 'garp';

export interface Expectation {
  effects: Effect[];
  /** Master_Down_Timer: restart with Master_Down_Interval, with Skew_Time, or leave it alone. */
  down: 'mdi' | 'skew' | 'keep' | 'none';
  /** Adver_Timer: restart with Advertisement_Interval or leave it alone. */
  adver: 'restart' | 'keep' | 'none';
}

export type ModelEvent =
  | { type: 'startup' }
  | { type: 'masterDownTimer' }
  | { type: 'adverTimer' }
  | { type: 'higherAdvert' }
  | { type: 'lowerAdvert' }
  | { type: 'releaseAdvert' }
  /** Equal priority from a higher / lower primary address (R-24 in BACKUP, R-29/R-30 in MASTER). */
  | { type: 'equalAdvertHigherAddress' }
  | { type: 'equalAdvertLowerAddress' }
  | { type: 'fault' }
  | { type: 'recover' }
  | { type: 'shutdown' };

const BECOME_MASTER: Expectation = { effects: ['advert:own', 'addVips', 'garp'], down: 'none', adver: 'restart' };
const ANSWER: Expectation = { effects: ['advert:own'], down: 'none', adver: 'restart' };
const RELEASE: Expectation = { effects: ['advert:0', 'removeVips'], down: 'none', adver: 'none' };
const quiet = (down: Expectation['down']): Expectation => ({ effects: [], down, adver: 'none' });

export const rfcRoleModel = setup({
  types: { context: {} as Expectation, events: {} as ModelEvent },
  actions: { expect: assign((_, p: Expectation) => p) },
}).createMachine({
  id: 'rfcRole',
  context: quiet('none'),
  initial: 'init',
  states: {
    init: {
      on: { startup: { target: 'backup', actions: { type: 'expect', params: quiet('mdi') } } },
    },
    backup: {
      on: {
        masterDownTimer: { target: 'master', actions: { type: 'expect', params: BECOME_MASTER } },
        higherAdvert: { target: 'backup', actions: { type: 'expect', params: quiet('mdi') } },
        equalAdvertHigherAddress: { target: 'backup', actions: { type: 'expect', params: quiet('mdi') } }, // R-24 (≥)
        equalAdvertLowerAddress: { target: 'backup', actions: { type: 'expect', params: quiet('mdi') } }, // R-24 (≥)
        lowerAdvert: { target: 'backup', actions: { type: 'expect', params: quiet('keep') } },
        releaseAdvert: { target: 'backup', actions: { type: 'expect', params: quiet('skew') } },
        fault: { target: 'fault', actions: { type: 'expect', params: quiet('none') } }, // K-12
        shutdown: { target: 'stop', actions: { type: 'expect', params: quiet('none') } },
      },
    },
    master: {
      on: {
        adverTimer: { target: 'master', actions: { type: 'expect', params: ANSWER } },
        higherAdvert: { target: 'backup', actions: { type: 'expect', params: { effects: ['removeVips'], down: 'mdi', adver: 'none' } } },
        equalAdvertHigherAddress: { target: 'backup', actions: { type: 'expect', params: { effects: ['removeVips'], down: 'mdi', adver: 'none' } } },
        equalAdvertLowerAddress: { target: 'master', actions: { type: 'expect', params: ANSWER } }, // R-30 / 9568, K-8
        lowerAdvert: { target: 'master', actions: { type: 'expect', params: ANSWER } }, // R-30 / 9568, K-8
        releaseAdvert: { target: 'master', actions: { type: 'expect', params: ANSWER } },
        fault: { target: 'fault', actions: { type: 'expect', params: RELEASE } }, // K-12
        shutdown: { target: 'stop', actions: { type: 'expect', params: RELEASE } }, // R-26, K-28
      },
    },
    fault: {
      on: {
        recover: { target: 'backup', actions: { type: 'expect', params: quiet('mdi') } }, // K-12
        shutdown: { target: 'stop', actions: { type: 'expect', params: quiet('none') } },
      },
    },
    stop: { type: 'final' },
  },
});

export const MODEL_EVENTS: ModelEvent[] = [
  { type: 'startup' },
  { type: 'masterDownTimer' },
  { type: 'adverTimer' },
  { type: 'higherAdvert' },
  { type: 'lowerAdvert' },
  { type: 'releaseAdvert' },
  { type: 'equalAdvertHigherAddress' },
  { type: 'equalAdvertLowerAddress' },
  { type: 'fault' },
  { type: 'recover' },
  { type: 'shutdown' },
];
