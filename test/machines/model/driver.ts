/**
 * Drives the real instance machine (on SimClock, recording io actor) with the abstract model's events
 * and checks, after every step, that the implementation's state, io effects and timer instants are
 * what the model says.
 */
import { expect } from 'vitest';
import { advert, MDI_V2_P100_MS, startInstance, type Harness } from '../instance-harness.js';
import type { Effect, Expectation, ModelEvent } from './rfc-role.model.js';

const SKEW_V2_P100_MS = 609.375;
const ADVERT_INTERVAL_MS = 1000;
const US = 0.001;

export class ImplementationDriver {
  readonly h: Harness;
  private downAt: number | undefined;
  private adverAt: number | undefined;

  constructor() {
    this.h = startInstance(
      {
        garp: { masterDelayMs: 0, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 0, lowerPrioRepeat: 0 },
      },
      { startup: false },
    );
  }

  /** Apply one model event; then compare with the model's state and expectation. */
  step(event: ModelEvent, modelState: string, exp: Expectation): void {
    const h = this.h;
    if (event.type !== 'masterDownTimer' && event.type !== 'adverTimer') h.advance(this.gap());
    const mark = h.io.length;
    switch (event.type) {
      case 'startup': h.send({ type: 'vrrp.startup' }); break;
      case 'masterDownTimer': this.runTo(this.downAt, 'backup', mark); break;
      case 'adverTimer': this.runTo(this.adverAt, 'master', mark); break;
      case 'higherAdvert': h.send(advert(200)); break;
      case 'lowerAdvert': h.send(advert(50)); break;
      case 'releaseAdvert': h.send(advert(0)); break;
      case 'equalAdvertHigherAddress': h.send(advert(100, '198.51.100.9')); break;
      case 'equalAdvertLowerAddress': h.send(advert(100, '198.51.100.1')); break;
      case 'fault': h.send({ type: 'track.fault', source: 'model' }); break;
      case 'recover': h.send({ type: 'track.ok', source: 'model' }); break;
      case 'shutdown': h.send({ type: 'vrrp.shutdown' }); break;
    }
    expect(h.state(), `state after ${event.type}`).toBe(modelState);
    expect(this.effectsSince(mark), `io after ${event.type}`).toEqual(exp.effects);
    this.applyTimers(exp);
  }

  /** After the last step: nothing may happen before the next deadline, and it must happen exactly then. */
  checkQuietUntilNextDeadline(modelState: string): void {
    const h = this.h;
    const mark = h.io.length;
    if (modelState === 'backup') {
      this.runTo(this.downAt, 'backup', mark);
      expect(h.state()).toBe('master');
    } else if (modelState === 'master') {
      this.runTo(this.adverAt, 'master', mark);
      expect(this.effectsSince(mark)).toEqual(['advert:own']);
    } else {
      h.advance(60_000);
      expect(h.state()).toBe(modelState);
      expect(this.effectsSince(mark)).toEqual([]);
    }
  }

  private runTo(deadline: number | undefined, stateBefore: string, mark: number): void {
    expect(deadline, `a ${stateBefore} timer must be armed`).toBeDefined();
    this.h.runUntil(deadline! - US);
    expect(this.h.state(), `no early expiry before ${deadline}`).toBe(stateBefore);
    expect(this.effectsSince(mark), `no io before ${deadline}`).toEqual([]);
    this.h.runUntil(deadline!);
  }

  /** Advance between external events without crossing a deadline (half the remaining time, ≤ 37 ms). */
  private gap(): number {
    const now = this.h.clock.now();
    const next = Math.min(this.downAt ?? Infinity, this.adverAt ?? Infinity);
    const half = Math.floor(((next - now) / 2) * 1000) / 1000;
    return Math.max(0, Math.min(37, half));
  }

  private applyTimers(exp: Expectation): void {
    const now = this.h.clock.now();
    if (exp.down === 'mdi') this.downAt = now + MDI_V2_P100_MS;
    else if (exp.down === 'skew') this.downAt = now + SKEW_V2_P100_MS;
    else if (exp.down === 'none') this.downAt = undefined;
    if (exp.adver === 'restart') this.adverAt = now + ADVERT_INTERVAL_MS;
    else if (exp.adver === 'none') this.adverAt = undefined;
  }

  private effectsSince(mark: number): Effect[] {
    return this.h.io.slice(mark).map(({ e }): Effect => {
      switch (e.type) {
        case 'io.sendAdvert': return e.priority === 0 ? 'advert:0' : 'advert:own';
        case 'io.sendGarp': return 'garp';
        case 'io.addVips': return 'addVips';
        case 'io.removeVips': return 'removeVips';
        case 'io.announceSource': throw new Error('unexpected io.announceSource');
      }
    });
  }
}
