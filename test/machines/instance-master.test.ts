/**
 * MASTER state (RFC 5798 §6.4.3, vrrp.md ..R-30, R-46, R-48, R-49, K-7..K-10, K-16).
 * A non-owner priority-100 v2 instance becomes master at 3609.375 ms; an owner with state MASTER at 0.
 */
import { describe, expect, it } from 'vitest';
import type { InstanceInput } from '../../machines/vrrp/types.js';
import { advert, BASE_INPUT, expectTakeoverAt, ip, type Harness, MDI_V2_P100_MS, startInstance } from './instance-harness.js';

const T0 = MDI_V2_P100_MS;

function master(overrides: Partial<InstanceInput> = {}): Harness {
  const h = startInstance(overrides);
  h.runUntil(T0);
  expect(h.state()).toBe('master');
  return h;
}

describe('VRRP instance in MASTER', () => {
  it('R-19 an address owner with state MASTER is master at start-up: advert, VIPs, GARP', () => {
    const h = startInstance({ basePriority: 255, initialState: 'MASTER' });
    expect(h.state()).toBe('master');
    expect(h.ioTypes()).toEqual(['io.sendAdvert:255', 'io.addVips', 'io.sendGarp:master']);
    // keepalived starts an owner as an immediate Master_Down expiry: "Receive advertisement timeout" (-D) first
    expect(h.emitted[0]!.e).toEqual({ type: 'vrrp.log', instance: 'VI_1', level: 'detail', message: 'Receive advertisement timeout' });
    expect(h.emitted[1]!.e).toEqual({ type: 'vrrp.state', instance: 'VI_1', from: 'INIT', to: 'MASTER', reason: 'owner-startup', priority: 255 });
  });

  it('R-27 a master sends an advert every Advertisement_Interval', () => {
    const h = startInstance({ basePriority: 255, initialState: 'MASTER', advertIntervalCs: 100 });
    h.runUntil(5000);
    expect(h.adverts()).toEqual([0, 1000, 2000, 3000, 4000, 5000].map((t) => [t, 255]));
    const v3 = startInstance({ basePriority: 255, initialState: 'MASTER', version: 3, advertIntervalCs: 25 });
    v3.runUntil(1000);
    expect(v3.adverts().map(([t]) => t)).toEqual([0, 250, 500, 750, 1000]);
  });

  it('R-48 an owner advertises priority 255; tracking never changes it', () => {
    const h = startInstance({ basePriority: 255, initialState: 'MASTER' });
    h.send({ type: 'track.priority', delta: -200 });
    h.runUntil(3000);
    expect(new Set(h.adverts().map(([, p]) => p))).toEqual(new Set([255]));
  });

  it('R-26 shutdown in MASTER sends a priority-0 advert, then removes the VIPs, and stops advertising', () => {
    const h = master();
    h.runUntil(T0 + 1500);
    const mark = h.io.length;
    h.send({ type: 'vrrp.shutdown' });
    expect(h.ioTypes(mark)).toEqual(['io.sendAdvert:0', 'io.removeVips']);
    h.advance(10_000);
    expect(h.io.length).toBe(mark + 2);
    expect(h.transitions().at(-1)).toBe(`MASTER>STOP@${T0 + 1500}`);
  });

  it('R-28 a priority-0 advert makes the master send an advert at once and re-arm Adver_Timer', () => {
    const h = master();
    h.runUntil(T0 + 1500);
    h.send(advert(0));
    h.runUntil(T0 + 3000);
    expect(h.adverts().map(([t]) => t - T0)).toEqual([0, 1000, 1500, 2500]);
  });

  it('K-10 with lower_prio_no_advert a priority-0 advert is answered but Adver_Timer keeps its cadence', () => {
    const h = master({ lowerPrioNoAdvert: true });
    h.runUntil(T0 + 1500);
    h.send(advert(0));
    h.runUntil(T0 + 3000);
    expect(h.adverts().map(([t]) => t - T0)).toEqual([0, 1000, 1500, 2000, 3000]);
  });

  it('R-29 a higher-priority advert: the master removes its VIPs and becomes backup with a fresh Master_Down_Timer', () => {
    const h = master();
    const mark = h.io.length;
    h.runUntil(T0 + 500);
    h.send(advert(200));
    expect(h.state()).toBe('backup');
    expect(h.ioTypes(mark)).toEqual(['io.removeVips']);
    expect(h.emitted.at(-1)!.e).toMatchObject({ type: 'vrrp.state', from: 'MASTER', to: 'BACKUP', reason: 'higher-priority' });
    expectTakeoverAt(h, T0 + 500 + MDI_V2_P100_MS);
  });

  it('R-29 v3: the yielding master adopts the winner interval for its Master_Down_Interval', () => {
    const h = startInstance({ version: 3 });
    h.runUntil(T0);
    h.send(advert(200, '198.51.100.3', 50));
    h.runUntil(T0 + 1804.686);
    expect(h.state()).toBe('backup');
    h.runUntil(T0 + 1804.687);
    expect(h.state()).toBe('master');
  });

  it('R-29 equal priority: the higher primary address wins, the lower one stays master', () => {
    const lose = master({ primaryAddress: ip('198.51.100.2') });
    lose.send(advert(100, '198.51.100.9'));
    expect(lose.state()).toBe('backup');
    const win = master({ primaryAddress: ip('198.51.100.200') });
    win.send(advert(100, '198.51.100.9'));
    expect(win.state()).toBe('master');
    const v6 = master({ family: 6, version: 3, primaryAddress: ip('fe80::2') });
    v6.send(advert(100, 'fe80::10'));
    expect(v6.state()).toBe('backup');
  });

  it('R-29 equal priority from our own address: warning, the master keeps the role', () => {
    const h = master();
    h.send(advert(100, '198.51.100.2'));
    expect(h.state()).toBe('master');
    expect(h.emitted.some(({ e }) => e.type === 'vrrp.log' && e.level === 'warning')).toBe(true);
  });

  it('R-30 with lower_prio_no_advert a lower-priority advert is discarded: no advert, cadence unchanged', () => {
    const h = master({ lowerPrioNoAdvert: true });
    h.runUntil(T0 + 1500);
    h.send(advert(50));
    h.runUntil(T0 + 3000);
    expect(h.adverts().map(([t]) => t - T0)).toEqual([0, 1000, 2000, 3000]);
    expect(h.state()).toBe('master');
  });

  it('K-8 a master answers a lower-priority advert at once, notifies master_rx_lower_pri and re-arms Adver_Timer', () => {
    const h = master();
    h.runUntil(T0 + 1500);
    h.send(advert(50, '198.51.100.7'));
    h.runUntil(T0 + 3000);
    expect(h.adverts().map(([t]) => t - T0)).toEqual([0, 1000, 1500, 2500]);
    const notify = h.emitted.find(({ e }) => e.type === 'vrrp.notify')!.e;
    expect({ ...notify, src: String((notify as { src: unknown }).src) }).toEqual({
      type: 'vrrp.notify', instance: 'VI_1', event: 'master_rx_lower_pri', src: '198.51.100.7', priority: 50,
      ours: h.actor.getSnapshot().context.priority, forcing: true,
    });
  });

  it('K-8 garp_lower_prio_repeat sends a GARP burst on a lower-priority advert, and again after garp_lower_prio_delay', () => {
    const garp = { masterDelayMs: 0, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 2000, lowerPrioRepeat: 3 };
    const h = master({ garp });
    h.runUntil(T0 + 500);
    h.send(advert(50));
    h.runUntil(T0 + 5000);
    const bursts = h.io.filter(({ e }) => e.type === 'io.sendGarp').map(({ at, e }) => [at - T0, e]);
    expect(bursts).toEqual([
      [0, { type: 'io.sendGarp', repeat: 5, reason: 'master' }],
      [500, { type: 'io.sendGarp', repeat: 3, reason: 'lower-prio' }],
      [2500, { type: 'io.sendGarp', repeat: 3, reason: 'lower-prio-delay' }],
    ]);
  });

  it('K-9 higher_prio_send_advert: the master sends one advert at its own priority before yielding', () => {
    const h = master({ higherPrioSendAdvert: true });
    h.runUntil(T0 + 500);
    const mark = h.io.length;
    h.send(advert(200));
    expect(h.ioTypes(mark)).toEqual(['io.sendAdvert:100', 'io.removeVips']);
    expect(h.state()).toBe('backup');
  });

  it('K-10 a packet for our VRID that fails validation re-arms the master Adver_Timer (not with lower_prio_no_advert)', () => {
    const h = master();
    for (let t = 700; t <= 3500; t += 700) {
      h.runUntil(T0 + t);
      h.send({ type: 'net.invalid', reason: 'bad checksum' });
    }
    h.runUntil(T0 + 4000);
    expect(h.adverts().map(([t]) => t - T0)).toEqual([0]); // starved: keepalived's behaviour (vrrp.md K-10)
    const strict = master({ lowerPrioNoAdvert: true });
    strict.send({ type: 'net.invalid', reason: 'bad checksum' });
    strict.runUntil(T0 + 2000);
    expect(strict.adverts().map(([t]) => t - T0)).toEqual([0, 1000, 2000]);
  });

  it('K-7 an owner processes adverts; a second owner makes it log a configuration error, drop to 254 and yield', () => {
    const h = startInstance({ basePriority: 255, initialState: 'MASTER' });
    h.runUntil(500);
    h.send(advert(255, '198.51.100.1'));
    expect(h.state()).toBe('backup');
    expect(h.actor.getSnapshot().context.priority).toBe(254);
    expect(h.emitted.some(({ e }) => e.type === 'vrrp.log' && e.level === 'error')).toBe(true);
    const ok = startInstance({ basePriority: 255, initialState: 'MASTER' });
    ok.send(advert(100));
    expect(ok.state()).toBe('master');
  });

  it('K-16 GARP schedule: advert first, then VIPs, then a burst; a second burst after garp_master_delay; refresh bursts', () => {
    const garp = { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 3000, masterRefreshRepeat: 2, lowerPrioDelayMs: 0, lowerPrioRepeat: 0 };
    const h = startInstance({ basePriority: 255, initialState: 'MASTER', garp, advertIntervalCs: 200 });
    h.runUntil(9500);
    const garps = h.io.flatMap(({ at, e }) => (e.type === 'io.sendGarp' ? [`${at}:${e.reason}x${e.repeat}`] : []));
    expect(h.ioTypes().slice(0, 3)).toEqual(['io.sendAdvert:255', 'io.addVips', 'io.sendGarp:master']);
    expect(garps).toEqual(['0:masterx5', '3000:refreshx2', '5000:master-delayx5', '6000:refreshx2', '9000:refreshx2']);
  });

  it('K-16 garp_master_delay 0 means no second burst; leaving MASTER cancels pending bursts', () => {
    const none = startInstance({ basePriority: 255, initialState: 'MASTER', garp: { ...BASE_INPUT.garp, masterDelayMs: 0 } });
    none.runUntil(20_000);
    expect(none.io.filter(({ e }) => e.type === 'io.sendGarp')).toHaveLength(1);
    const left = master();
    left.runUntil(T0 + 1000);
    left.send({ type: 'vrrp.shutdown' });
    left.runUntil(T0 + 20_000);
    expect(left.io.filter(({ e }) => e.type === 'io.sendGarp')).toHaveLength(1);
    expect(left.clock.pending()).toBe(0);
  });

  it('R-46 every transition to MASTER sends GARPs after the VIPs are added', () => {
    const h = startInstance();
    h.runUntil(T0);
    h.send(advert(200));
    h.runUntil(2 * T0 + 1);
    const types = h.ioTypes();
    const addIdx = types.flatMap((t, i) => (t === 'io.addVips' ? [i] : []));
    expect(addIdx).toHaveLength(2);
    for (const i of addIdx) expect(types[i + 1]).toBe('io.sendGarp:master');
  });

  it('R-49 priority 0 is sent only when releasing: shutdown from MASTER', () => {
    const h = master();
    for (const p of [50, 0, 100, 0]) {
      h.advance(700);
      h.send(advert(p, '198.51.100.1'));
    }
    expect(h.adverts().some(([, p]) => p === 0)).toBe(false);
    h.send({ type: 'vrrp.shutdown' });
    expect(h.adverts().filter(([, p]) => p === 0)).toHaveLength(1);
  });
});
