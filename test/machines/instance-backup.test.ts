/**
 * BACKUP state (RFC 5798 §6.4.2, vrrp.md ..R-25, K-13, K-15), on SimClock with exact instants.
 * Default instance: v2, priority 100, 1 s, preempt on → Master_Down_Interval 3609.375 ms.
 */
import { describe, expect, it } from 'vitest';
import type { ReceivedAdvert } from '../../machines/vrrp/types.js';
import { advert, expectTakeoverAt, ip, MDI_V2_P100_MS, startInstance } from './instance-harness.js';

describe('VRRP instance in BACKUP', () => {
  it('R-18 a backup sends no adverts and installs no VIPs while its Master_Down_Timer runs', () => {
    const h = startInstance();
    for (let t = 500; t < 30_000; t += 1000) {
      h.runUntil(t);
      h.send(advert(200));
    }
    expect(h.state()).toBe('backup');
    expect(h.io).toEqual([]);
  });

  it('R-21 shutdown in BACKUP goes to STOP and cancels the Master_Down_Timer', () => {
    const h = startInstance();
    h.advance(1000);
    h.send({ type: 'vrrp.shutdown' });
    h.advance(20_000);
    expect(h.state()).toBe('stop');
    expect(h.transitions()).toEqual(['INIT>BACKUP@0', 'BACKUP>STOP@1000']);
    expect(h.io).toEqual([]);
    expect(h.clock.pending()).toBe(0);
  });

  it('R-22 when the Master_Down_Timer fires the backup sends an advert, then claims the VIPs and GARPs, and arms Adver_Timer', () => {
    const h = startInstance();
    h.runUntil(MDI_V2_P100_MS);
    expect(h.ioTypes()).toEqual(['io.sendAdvert:100', 'io.addVips', 'io.sendGarp:master']);
    h.runUntil(MDI_V2_P100_MS + 2000);
    expect(h.adverts().map(([t]) => t)).toEqual([MDI_V2_P100_MS, MDI_V2_P100_MS + 1000, MDI_V2_P100_MS + 2000]);
  });

  it('R-23 a priority-0 advert sets the Master_Down_Timer to Skew_Time', () => {
    const h = startInstance();
    h.runUntil(1000);
    h.send(advert(200));
    h.runUntil(2000);
    h.send(advert(0));
    h.runUntil(2609.374);
    expect(h.state()).toBe('backup');
    h.runUntil(2609.375);
    expect(h.state()).toBe('master');
  });

  it('R-24 a higher-priority advert restarts the Master_Down_Timer', () => {
    const h = startInstance();
    h.runUntil(3000);
    h.send(advert(200));
    expectTakeoverAt(h, 3000 + MDI_V2_P100_MS);
  });

  it('R-24 repeats of the known master restart the timer in place and change nothing else', () => {
    const h = startInstance();
    h.runUntil(1000);
    h.send(advert(200));
    const learned = h.actor.getSnapshot().context;
    for (let t = 2000; t <= 30_000; t += 1000) {
      h.runUntil(t);
      h.send(advert(200));
      expect(h.actor.getSnapshot().context).toBe(learned);
    }
    expect(h.actor.getSnapshot().value).toEqual({ backup: 'countdown' });
    expect(h.clock.pending()).toBe(1);
    expectTakeoverAt(h, 30_000 + MDI_V2_P100_MS);
  });

  it('R-24 a repeat that carries its arrival time restarts the timer from the arrival, not from its processing', () => {
    const h = startInstance();
    h.runUntil(1000);
    h.send(advert(200));
    h.runUntil(2000.7);
    // The daemon's socket actor stamps the clock when the packet arrived (0.7 ms before the step).
    h.send({ type: 'net.advert', advert: { ...(advert(200) as { advert: ReceivedAdvert }).advert, receivedAtMs: 2000 } });
    expectTakeoverAt(h, 2000 + MDI_V2_P100_MS);
  });

  it('R-24 a known master that changes its priority or source goes through the full accept path', () => {
    const h = startInstance();
    h.runUntil(1000);
    h.send(advert(200));
    h.runUntil(2000);
    h.send(advert(150));
    expect(h.actor.getSnapshot().context.masterPriority).toBe(150);
    h.runUntil(3000);
    h.send(advert(150, '198.51.100.9'));
    expect(h.actor.getSnapshot().context.masterAddress?.text).toBe('198.51.100.9');
    expectTakeoverAt(h, 3000 + MDI_V2_P100_MS);
  });

  it('R-24 an equal-priority advert is accepted whatever its source address (no tie-break in BACKUP)', () => {
    const h = startInstance({ primaryAddress: ip('198.51.100.200') });
    h.runUntil(3000);
    h.send(advert(100, '198.51.100.1'));
    h.runUntil(3000 + MDI_V2_P100_MS - 0.001);
    expect(h.state()).toBe('backup');
  });

  it('R-24 with nopreempt a lower-priority advert is accepted and restarts the timer', () => {
    const h = startInstance({ preempt: false });
    h.runUntil(3000);
    h.send(advert(50));
    expectTakeoverAt(h, 3000 + MDI_V2_P100_MS);
  });

  it('R-25 backup ignores lower priority advert without restarting the down timer', () => {
    const h = startInstance();
    for (const t of [500, 1500, 2500, 3500]) {
      h.runUntil(t);
      h.send(advert(50));
      expect(h.state()).toBe('backup');
    }
    expectTakeoverAt(h, MDI_V2_P100_MS);
    expect(h.actor.getSnapshot().context.masterAddress?.text).toBe('198.51.100.3');
  });

  it('R-17 an address owner configured BACKUP preempts even with nopreempt', () => {
    const h = startInstance({ basePriority: 255, preempt: false });
    h.runUntil(1000);
    h.send(advert(254));
    h.runUntil(3003.906);
    expect(h.state()).toBe('master');
  });

  it('K-13 a priority change during the countdown moves the deadline by the skew delta', () => {
    const h = startInstance();
    h.runUntil(1000);
    h.send(advert(200)); // deadline 1000 + 3609.375
    h.runUntil(2000);
    h.send({ type: 'track.priority', delta: -50 }); // effective 50: skew 804.687 ms
    expectTakeoverAt(h, 4804.687);
  });

  it('K-13 a priority increase during Skew_Time brings the deadline forward to the new skew', () => {
    const h = startInstance();
    h.runUntil(3300); // skew phase began at 3000
    h.send({ type: 'track.priority', delta: 50 }); // 150: skew 414.062 ms → deadline 3414.062
    h.runUntil(3414.061);
    expect(h.state()).toBe('backup');
    h.runUntil(3414.062);
    expect(h.state()).toBe('master');
  });

  it('K-13 a priority increase whose new deadline already passed takes over at once', () => {
    const h = startInstance();
    h.runUntil(3300);
    h.send({ type: 'track.priority', delta: 100 }); // 200: skew 218.75 ms < 300 ms elapsed
    expect(h.state()).toBe('master');
    expect(h.transitions()).toEqual(['INIT>BACKUP@0', 'BACKUP>MASTER@3300']);
  });

  it('K-13 a priority decrease during Skew_Time pushes the deadline back by the skew delta', () => {
    const h = startInstance();
    h.runUntil(3300);
    h.send({ type: 'track.priority', delta: -50 }); // 50: skew 804.687 ms → deadline 3804.687
    h.runUntil(3804.686);
    expect(h.state()).toBe('backup');
    h.runUntil(3804.687);
    expect(h.state()).toBe('master');
  });

  it('K-13 a priority change to any value moves the deadline exactly, with one timer armed', () => {
    const h = startInstance();
    h.runUntil(3300);
    expect(h.clock.pending()).toBe(1); // the Master_Down_Timer, whatever the priority could become
    h.send({ type: 'track.priority', delta: -99 }); // priority 1: skew 996.093 ms → deadline 3996.093
    h.send({ type: 'track.priority', delta: 0 }); // back to 100: deadline 3609.375 again
    h.send({ type: 'track.priority', delta: -37 }); // 63: skew 753.906 ms → deadline 3753.906
    expect(h.clock.pending()).toBe(1);
    h.runUntil(3753.905);
    expect(h.state()).toBe('backup');
    h.runUntil(3753.906);
    expect(h.state()).toBe('master');
  });

  it('K-13 a priority change after an accepted advert moves the deadline from that advert', () => {
    const h = startInstance();
    h.runUntil(1000);
    h.send(advert(200)); // deadline 4609.375
    h.runUntil(2000);
    h.send(advert(200)); // repeat of the known master, restarted in place: deadline 5609.375
    h.runUntil(5500);
    h.send({ type: 'track.priority', delta: 50 }); // 150: skew 414.062 → deadline 5414.062, passed
    expect(h.state()).toBe('master');
    expect(h.transitions()).toEqual(['INIT>BACKUP@0', 'BACKUP>MASTER@5500']);
  });

  it('K-13 effective priority changes are emitted and carried by the next advert; owners never change', () => {
    const h = startInstance({ initialState: 'MASTER', basePriority: 150 });
    h.runUntil(4000);
    h.send({ type: 'track.priority', delta: -30 });
    h.runUntil(5000);
    expect(h.emitted.filter(({ e }) => e.type === 'vrrp.priority').map(({ e }) => e)).toEqual([
      { type: 'vrrp.priority', instance: 'VI_1', from: 150, to: 120 },
    ]);
    expect(h.adverts().at(-1)![1]).toBe(120);
    expect(h.state()).toBe('master');
    const owner = startInstance({ initialState: 'MASTER', basePriority: 255 });
    owner.send({ type: 'track.priority', delta: -100 });
    owner.advance(1000);
    expect(owner.adverts().map(([, p]) => p)).toEqual([255, 255]);
    expect(owner.emitted.some(({ e }) => e.type === 'vrrp.priority')).toBe(false);
  });

  it('K-15 preempt_delay: lower-priority adverts are accepted until the delay since the first one runs out', () => {
    const h = startInstance({ preemptDelayMs: 10_000 });
    for (let t = 500; t <= 12_500; t += 1000) {
      h.runUntil(t);
      if (h.state() === 'backup') h.send(advert(50));
    }
    h.runUntil(15_000);
    // accepted at 500 … 9500; the hold expires at 10 500 and the advert sent then is ignored
    expect(h.transitions()).toEqual(['INIT>BACKUP@0', `BACKUP>MASTER@${9500 + MDI_V2_P100_MS}`]);
  });

  it('K-15 an advert that is not lower stops the preempt_delay hold', () => {
    const h = startInstance({ preemptDelayMs: 2000 });
    h.runUntil(500);
    h.send(advert(50)); // hold starts, expires at 2500
    h.runUntil(1500);
    h.send(advert(150)); // stops the hold
    h.runUntil(2600);
    expect(h.actor.getSnapshot().context.preemptHold).toBe('idle');
    h.send(advert(50)); // starts a new hold: accepted
    h.runUntil(2600 + MDI_V2_P100_MS - 0.001);
    expect(h.state()).toBe('backup');
  });
});
