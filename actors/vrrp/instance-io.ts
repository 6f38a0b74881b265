/**
 * The VRRP instance machine's actors: its Master_Down_Timer (master-down-timer.ts) and its
 * Adver_Timer (adver-timer.ts), both on the clock port, and its `io` actor, which turns the
 * machine's commands (io.sendAdvert, io.addVips, io.removeVips, io.sendGarp, io.announceSource)
 * into packets and address changes through VrrpIo and AddressIo. An advert goes out one way
 * whoever asks for it, the io actor or the Adver_Timer at each expiry: the env's `sendAdvert`
 * (instanceIoEnv). The instance's I/O configuration is looked up by name at each command, so a
 * reload can change VIPs, peers or auth in place. Provided once per process: each actor gets its
 * runtime's glue in its input (InstanceInput.env, which the machine passes on without reading it).
 */
import { fromCallback } from 'xstate';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import type { InstanceInput, IoCommand } from '../../machines/vrrp/types.js';
import type { Clock } from '../ports.js';
import type { AddressIo } from './address-io.js';
import { adverTimer, type AdverTimerEnv } from './adver-timer.js';
import { masterDownTimer, type MasterDownTimerEnv } from './master-down-timer.js';
import type { InstanceIoConfig } from './plan-instance.js';
import type { VrrpIo } from './vrrp-io.js';

/** What the VRRP subsystem puts in each instance's input as `env` (the timers read `clock`, the
 *  Adver_Timer and io.sendAdvert send through `sendAdvert`, the Master_Down_Timer answers a steady
 *  backup's repeat adverts through `followAdverts`). */
export interface InstanceIoEnv extends MasterDownTimerEnv, AdverTimerEnv {
  vrrp: VrrpIo;
  addresses: AddressIo;
  ioConfig: (instance: string) => InstanceIoConfig | undefined;
}

/** The env of every instance of one VRRP subsystem: one advert sender for io.sendAdvert and the
 *  Adver_Timer (an instance the running plan no longer has sends nothing). */
export function instanceIoEnv(clock: Clock, vrrp: VrrpIo, addresses: AddressIo, ioConfig: (instance: string) => InstanceIoConfig | undefined): InstanceIoEnv {
  return {
    clock,
    vrrp,
    addresses,
    ioConfig,
    sendAdvert: (instance, priority, nextInMs) => (ioConfig(instance) ? vrrp.sendAdvert(instance, priority, nextInMs) : 0),
    holdAdvert: (instance, priority, inMs) => {
      if (ioConfig(instance)) vrrp.holdAdvert(instance, priority, inMs);
    },
    repeatAdvert: (instance, priority, intervalMs, firstInMs, lost) => ioConfig(instance) !== undefined && vrrp.repeatAdvert(instance, priority, intervalMs, firstInMs, lost),
    stopRepeat: (instance) => vrrp.stopRepeat(instance),
    followAdverts: (instance, answer) => vrrp.follow(instance, answer),
    beforeExpiry: (instance) => {
      const cfg = ioConfig(instance);
      if (cfg) addresses.prepare(cfg);
    },
  };
}

export const instanceLogic = instanceMachine.provide({
  actors: {
    masterDownTimer,
    adverTimer,
    io: fromCallback<IoCommand, InstanceInput>(({ input, receive }) => {
      const env = input.env as InstanceIoEnv | undefined;
      if (!env?.vrrp) throw new Error(`vrrp instance ${input.name}: spawned without its I/O env (compose it through actors/vrrp)`);
      receive((c) => {
        if (c.type === 'io.sendAdvert') return env.sendAdvert(input.name, c.priority);
        const cfg = env.ioConfig(input.name);
        if (!cfg) return;
        switch (c.type) {
          case 'io.addVips':
            return env.addresses.addVips(cfg);
          case 'io.removeVips':
            return env.addresses.removeVips(cfg);
          case 'io.sendGarp':
            return env.addresses.sendGarp(cfg, c.repeat);
          case 'io.announceSource':
            return env.addresses.announceSource(cfg);
        }
      });
    }),
  },
});
