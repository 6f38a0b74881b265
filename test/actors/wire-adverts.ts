/**
 * What a node of the fake LAN put on the wire as IPv4 VRRP adverts, and the check the advert
 * tests share: a runtime's stop ends its adverts with one at priority 0 that carries the next
 * IPv4 ID, and nothing leaves after it.
 */
import { expect } from 'vitest';
import type { Runtime } from '../../actors/runtime-types.js';
import { parseIpv4Packet } from '../../protocol/ipv4.js';
import { decodeVrrp } from '../../protocol/vrrp/decode.js';
import type { FakeLan } from './fake-ports.js';

export interface WireAdvert {
  at: number;
  id: number;
  priority: number;
  /** how many virtual addresses it carries */
  vips: number;
}

/** The IPv4 adverts node `from` put on the wire, in order. */
export function advertsOnWire(lan: FakeLan, from: string): WireAdvert[] {
  return lan.wire
    .filter((p) => p.from === from && p.family === 4)
    .map((p) => {
      const ip = parseIpv4Packet(p.data);
      const v = decodeVrrp({ family: 4, data: p.data });
      if (!ip.ok || !v.ok) throw new Error('not a VRRP advert');
      return { at: p.at, id: ip.value.id, priority: v.value.priority, vips: v.value.addresses.length };
    });
}

/** Stops `rt` and checks that node `from`'s last advert is priority 0, sent then, with the next ID, and nothing follows. */
export function expectStopEndsWithPriorityZero(lan: FakeLan, rt: Runtime, from: string): void {
  rt.stop();
  const stoppedAt = lan.clock.now();
  lan.clock.runUntil(stoppedAt + 4_500);
  const sent = advertsOnWire(lan, from);
  expect(sent.at(-1)).toMatchObject({ priority: 0, at: stoppedAt });
  expect(sent.filter((p) => p.at >= stoppedAt)).toHaveLength(1);
  expect(sent.map((p) => p.id)).toEqual(sent.map((_, i) => i + 1));
}
