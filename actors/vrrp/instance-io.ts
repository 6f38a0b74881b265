/**
 * The VRRP instance machine's `io` actor: it turns the machine's commands (io.sendAdvert,
 * io.addVips, io.removeVips, io.sendGarp, io.announceSource) into packets and address changes
 * through VrrpIo and AddressIo. The instance's I/O configuration is looked up by name at each
 * command, so a reload can change VIPs, peers or auth in place. Provided once per process; each
 * actor uses the deps of its own runtime (system-deps.ts).
 */
import { fromCallback } from 'xstate';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import type { InstanceInput, IoCommand } from '../../machines/vrrp/types.js';
import type { AddressIo } from './address-io.js';
import type { InstanceIoConfig } from './plan-instance.js';
import type { VrrpIo } from './vrrp-io.js';
import { runtimeDeps } from '../system-deps.js';

export interface InstanceIoDeps {
  vrrp: VrrpIo;
  addresses: AddressIo;
  ioConfig: (instance: string) => InstanceIoConfig | undefined;
}

export const instanceLogic = instanceMachine.provide({
  actors: {
    io: fromCallback<IoCommand, InstanceInput>(({ input, receive, system }) => {
      const deps = runtimeDeps(system).instanceIo;
      receive((c) => {
        const cfg = deps.ioConfig(input.name);
        if (!cfg) return;
        switch (c.type) {
          case 'io.sendAdvert':
            return deps.vrrp.sendAdvert(input.name, c.priority);
          case 'io.addVips':
            return deps.addresses.addVips(cfg);
          case 'io.removeVips':
            return deps.addresses.removeVips(cfg);
          case 'io.sendGarp':
            return deps.addresses.sendGarp(cfg, c.repeat);
          case 'io.announceSource':
            return deps.addresses.announceSource(cfg);
        }
      });
    }),
  },
});
